// `har-gateway config ...` spawned for real: check (ok / path: message lines, exit codes),
// print, schema, reference.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const BIN = fileURLToPath(new URL('../../bin/har-gateway.js', import.meta.url));
const CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('har-gateway config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'har-config-'));

  it('check prints ok and exits 0 for the shipped configurations', () => {
    for (const f of ['default.yaml', 'raspberry-pi.yaml', 'external-broker.yaml']) {
      const r = cli('config', 'check', join(CONFIG_DIR, f));
      expect([r.code, r.stdout]).toEqual([0, 'ok\n']);
    }
  });

  it('check prints one path: message line per problem and exits 1', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'mqtt:\n  broker: cloud\n  embeded:\n    port: 1\ningest:\n  maxAbsAccG: -1\n');
    const r = cli('config', 'check', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`${file}: invalid configuration`);
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines.slice(1)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ingest\.maxAbsAccG: .* \(line 6\)$/),
        expect.stringMatching(/^mqtt\.broker: .*"embedded"\|"external".* \(line 2\)$/),
        'mqtt.embeded: unknown key (line 3)',
      ]),
    );
  });

  it('check reports YAML syntax errors and missing files', () => {
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'mqtt: [\n');
    const syntax = cli('config', 'check', file);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/line \d+: /);
    const missing = cli('config', 'check', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
  });

  it('print fills in every default', () => {
    const file = join(dir, 'small.yaml');
    writeFileSync(file, 'mqtt:\n  embedded:\n    port: 18830\n');
    const r = cli('config', 'print', file);
    expect(r.code).toBe(0);
    const cfg = parse(r.stdout) as { mqtt: { embedded: { port: number; host: string }; baseTopic: string }; ingest: { maxPayloadBytes: number } };
    expect(cfg.mqtt.embedded).toEqual({ host: '127.0.0.1', port: 18830 });
    expect(cfg.mqtt.baseTopic).toBe('har');
    expect(cfg.ingest.maxPayloadBytes).toBe(262144);
  });

  it('schema prints a strict JSON schema and reference prints the Markdown table', () => {
    const schema = cli('config', 'schema');
    expect(schema.code).toBe(0);
    const json = JSON.parse(schema.stdout) as { $schema: string; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(json.$schema).toMatch(/json-schema\.org/);
    expect(json.additionalProperties).toBe(false);
    expect(Object.keys(json.properties)).toEqual(expect.arrayContaining(['gateway', 'mqtt', 'ingest']));
    const ref = cli('config', 'reference');
    expect(ref.code).toBe(0);
    expect(ref.stdout).toMatch(/^## Configuration reference/);
    expect(ref.stdout).toContain('| `mqtt.reconnect.maxDelayMs` |');
  });
});
