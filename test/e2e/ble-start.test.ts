// `har-gateway start` with ble.enabled on a machine without node-ble: exit 1 with the install
// hint, nothing left half-started. (Without ble.enabled the daemon never imports node-ble:
// every other e2e test runs that way.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'har-ble-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('har-gateway start with BLE enabled and node-ble absent', () => {
  it('refuses with exit 1 and says to install node-ble', () => {
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `gateway: { dataDir: ${JSON.stringify(join(dir, 'data'))} }\nmqtt: { embedded: { port: 0 } }\nwebsocket: { port: 0 }\n` +
        `ble:\n  enabled: true\n  devices:\n    - { id: s1, address: 'A0:9E:1A:00:00:01', protocol: thingy52 }\n`,
    );
    const r = spawnSync(process.execPath, ['bin/har-gateway.js', 'start', '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HAR_LOG_FORMAT: 'json' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm install node-ble');
    expect(r.stdout).not.toContain('gateway started');
  });
});
