// End to end: `har-gateway ble decode` and `ble-bridge` argument handling through the real CLI.
// Frames are built from the documented formats (protocol/ble), never captured from datasets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePmdDeltaFrame } from '../../protocol/ble/polar-pmd-encode.ts';
import { POLAR_EPOCH_UNIX_MS } from '../../protocol/ble/polar-pmd.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/har-gateway.js');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Report {
  samples: { notification: number; sensor: string; tMs: number | null; x: number; y: number; z: number; unit: string }[];
  lost: { notification: number; samples: number }[];
  rejected: { notification: number; kind: string }[];
}

describe('har-gateway ble decode', () => {
  it('decodes a Polar capture split over notifications, with timestamps, losses and a rejected frame', () => {
    const t = POLAR_EPOCH_UNIX_MS + 1_000_000;
    const f1 = encodePmdDeltaFrame(2, 0, t, [[0, 0, 1000], [1, 2, 999], [3, 1, 1001]]);
    const f2 = encodePmdDeltaFrame(2, 0, t + 60, [[4, 0, 1000], [5, 0, 1000], [6, 0, 1000]]);
    const f3 = encodePmdDeltaFrame(2, 0, t + 160, [[7, 0, 1000], [8, 0, 1000], [9, 0, 1000]]); // 2 samples lost
    const r = cli(['ble', 'decode', '--protocol', 'polar-pmd', '--settings', '{"acc":{"sampleRateHz":50}}', hex(f1), hex(f2), '02 01', hex(f3)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 of 4 notification(s) rejected');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.samples.map((s) => s.x)).toEqual([0, 0.001, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009]);
    expect(report.samples.map((s) => s.tMs)).toEqual([-40, -20, 0, 20, 40, 60, 120, 140, 160].map((d) => t + d));
    expect(report.samples.every((s) => s.unit === 'g' && s.sensor === 'acc')).toBe(true);
    expect(report.lost).toEqual([{ notification: 3, sensor: 'acc', samples: 2 }]);
    expect(report.rejected).toEqual([{ notification: 2, kind: 'ble-truncated', detail: expect.any(String) as unknown }]);
  });

  it('decodes a generic layout and exits 0 when everything decoded', () => {
    const r = cli(['ble', 'decode', '--protocol', 'generic-imu', '--settings', '{"rateHz":25,"channels":["ax","ay","az"],"accScaleG":0.001}', 'e803 0000 18fc']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.samples).toEqual([{ notification: 0, sensor: 'acc', tMs: null, x: 1, y: 0, z: -1, unit: 'g' }]);
  });

  it('refuses bad settings and unknown protocols with exit 1 and a plain message', () => {
    const bad = cli(['ble', 'decode', '--protocol', 'polar-pmd', '--settings', '{"acc":{"sampleRateHz":0}}', '00']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sampleRateHz/);
    expect(cli(['ble', 'decode', '--protocol', 'polar-pmd', '--settings', '{oops', '00']).stderr).toMatch(/not JSON/);
    const unknown = cli(['ble', 'decode', '--protocol', 'nope', '00']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/polar-pmd/);
  });

  it('ble-bridge refuses a configuration without BLE devices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ble-bridge-'));
    try {
      writeFileSync(join(dir, 'c.yaml'), 'ble:\n  enabled: true\n');
      const r = cli(['ble-bridge', '--config', join(dir, 'c.yaml')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('ble.devices is empty');
      writeFileSync(join(dir, 'd.yaml'), 'ble:\n  devices:\n    - id: x\n      protocol: thingy52\n');
      const bad = cli(['ble-bridge', '--config', join(dir, 'd.yaml')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/ble\.devices\[0\]\.address: give an address or a name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
