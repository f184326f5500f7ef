import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../daemon/config/errors.ts';
import { DEFAULT_CONFIG_PATH, loadConfig, parseConfig, validateConfig } from '../../../../daemon/config/load.ts';
import { configSchema } from '../../../../daemon/config/schema.ts';

function linesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration loading', () => {
  it('gives all defaults for an empty file', () => {
    expect(parseConfig('')).toEqual(configSchema.parse({}));
    expect(parseConfig('# only a comment\n').mqtt.embedded.port).toBe(1883);
  });

  it('loads the embedded default and every example in config/', async () => {
    const defaults = await loadConfig();
    expect(defaults.mqtt.broker).toBe('embedded');
    expect(defaults.mqtt.embedded.host).toBe('127.0.0.1');
    const dir = DEFAULT_CONFIG_PATH.replace(/default\.yaml$/, '');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['default.yaml', 'raspberry-pi.yaml', 'external-broker.yaml']));
    for (const f of files) await expect(loadConfig(dir + f)).resolves.toBeTruthy();
    expect((await loadConfig(`${dir}external-broker.yaml`)).mqtt.broker).toBe('external');
  });

  it('reports unknown keys and bad values as path: message lines with YAML line numbers', () => {
    const text = ['mqtt:', '  brokr: embedded', '  embedded:', '    port: 70000', 'ingest:', '  maxPayloadBytes: big', 'extra: 1', ''].join('\n');
    const lines = linesOf(() => parseConfig(text, 'test.yaml'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'mqtt.brokr: unknown key (line 2)',
        expect.stringMatching(/^mqtt\.embedded\.port: .*65535.* \(line 4\)$/),
        expect.stringMatching(/^ingest\.maxPayloadBytes: .*number.* \(line 6\)$/),
        'extra: unknown key (line 7)',
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('checks rules across keys', () => {
    expect(linesOf(() => validateConfig({ mqtt: { broker: 'external' } }))).toEqual(['mqtt.url: broker: external needs mqtt.url']);
    expect(linesOf(() => validateConfig({ mqtt: { reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } } }))[0]).toMatch(/^mqtt\.reconnect\.maxDelayMs: /);
    expect(linesOf(() => validateConfig({ mqtt: { broker: 'external', url: 'mqtts://b:8883', certFile: 'c.pem' } }))[0]).toMatch(/^mqtt\.keyFile: /);
    expect(linesOf(() => validateConfig({ mqtt: { broker: 'external', url: 'http://b' } }))[0]).toMatch(/^mqtt\.url: .*mqtt:\/\//);
  });

  it('reports YAML syntax errors with their line', () => {
    const err = (() => {
      try {
        parseConfig('mqtt:\n  a: 1\n  a: 2\n');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config-yaml');
    expect((err as ConfigError).lines[0]).toMatch(/^line 3: .*unique/);
  });

  it('reports an unreadable file', async () => {
    await expect(loadConfig('/nonexistent/har.yaml')).rejects.toMatchObject({ code: 'config-unreadable', lines: [expect.stringContaining('ENOENT')] });
  });
});
