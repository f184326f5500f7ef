// End to end: `har-gateway replay` as a user runs it (node bin/har-gateway.js), on generated
// CSV recordings and a writer-built test model: summary, JSON and HTML reports, a broken source
// skipped and reported, bad arguments refused with exit 1, timing at --speed n.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCsvRecording } from '../../models/datasets/csv.ts';
import { generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel, TEST_MODEL_CLASSES } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/har-gateway.js');
const dir = mkdtempSync(join(tmpdir(), 'har-replay-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'replay', ...args], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function writeCsv(name: string, deviceIndex: number, samples: number): string {
  const rec = generatedRecording(deviceIndex, samples);
  const rows = Array.from({ length: samples }, (_, i) => i);
  const path = join(dir, name);
  writeFileSync(path, formatCsvRecording({
    timestampsS: rows.map((i) => i / 50),
    channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'],
    units: ['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s'],
    samples: rows.flatMap((i) => [rec.acc[i * 3]!, rec.acc[i * 3 + 1]!, rec.acc[i * 3 + 2]!, rec.gyro[i * 3]!, rec.gyro[i * 3 + 1]!, rec.gyro[i * 3 + 2]!]),
    labels: rows.map((i) => TEST_MODEL_CLASSES[i < samples / 2 ? 1 : 3]!),
  }));
  return path;
}

const modelPath = join(dir, 'test-model.harm');
writeFileSync(modelPath, buildTestModel());
writeCsv('ankle.csv', 3, 900);
writeCsv('wrist.csv', 4, 500);
writeFileSync(join(dir, 'cut.csv'), 'timestamp[s],acc_x[g],acc_y[g],acc_z[g]\n0,0,0,1\n0.02,0,0');

describe('har-gateway replay (CLI)', () => {
  it('replays two sources at --speed max, skips the broken one, writes the JSON and HTML reports', () => {
    const r = cli('ankle.csv', 'cut.csv', 'wrist.csv', '--speed', 'max', '--model', modelPath, '--mode', 'full', '--report', 'report.html');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/replay of 2 recording\(s\)/);
    expect(r.stdout).toMatch(/^ankle\s+13\s/m);
    expect(r.stdout).toMatch(/^wrist\s+6\s/m);
    expect(r.stdout).toMatch(/skipped cut\.csv: .*cut\.csv:3/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="confusion"');
    expect(html).not.toMatch(/<script|<link|src="http/);

    const j = cli('ankle.csv', 'wrist.csv', '--speed', 'max', '--model', modelPath, '--json');
    expect(j.status).toBe(0);
    const report = JSON.parse(j.stdout) as { format: string; overall: { windows: number; windowsDropped: number; modeShare: Record<string, number> }; recordings: unknown[] };
    expect(report.format).toBe('har-gateway-replay-report/v1');
    expect(report.overall.windows).toBe(19);
    expect(report.overall.windowsDropped).toBe(0);
    expect(report.overall.modeShare).toEqual({ full: 1 });
  });

  it('--speed n follows the original timestamps scaled by n', () => {
    // wrist.csv is 10 s of samples: at 5x its batches are paced over about 2 s of the run (a
    // lower bound that machine load cannot shorten); at max nothing is paced. The run's own
    // wall time (wallS in the report) leaves out the CLI's start-up, which varies with load.
    const slow = cli('wrist.csv', '--speed', '5', '--model', modelPath, '--json');
    expect(slow.status).toBe(0);
    const fast = cli('wrist.csv', '--speed', 'max', '--model', modelPath, '--json');
    expect(fast.status).toBe(0);
    const slowReport = JSON.parse(slow.stdout) as { wallS: number; recordingS: number };
    const fastReport = JSON.parse(fast.stdout) as { wallS: number; recordingS: number };
    expect(slowReport.recordingS).toBeCloseTo(10, 0);
    expect(slowReport.wallS).toBeGreaterThan(1.7);
    expect(fastReport.wallS).toBeLessThan(slowReport.wallS);
  });

  it('refuses bad arguments and an all-broken replay with exit 1', () => {
    expect(cli('wrist.csv', '--speed', 'fast').stderr).toMatch(/--speed must be "max" or a positive number/);
    expect(cli('wrist.csv', '--mode', 'half').status).toBe(1);
    expect(cli('wrist.csv', '--report', 'r.pdf').stderr).toMatch(/--report must end in \.json or \.html/);
    const none = cli('cut.csv', 'nothing-here.csv', '--model', modelPath);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/nothing to replay: cut\.csv: .*cut\.csv:3.*nothing-here\.csv: no such file/);
  });
});
