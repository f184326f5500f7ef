// End to end: the real `har-gateway budget` command against a temporary zoo (HAR_ZOO_DIR) that
// holds a small test model (random weights, models/format writer) whose mode table we fill with
// made-up energies, as the firmware measurements will once they exist.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../../models/format/read.ts';
import { replaceMetadata } from '../../models/format/write.ts';
import { buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const REPO = join(import.meta.dirname, '..', '..');
let zoo = '';

/** Five modes of the early-exit test model: 20 .. 100 µJ per window, accuracy 0.90 .. 0.96. */
const MODES = [
  { threshold: 0, accuracy: 0.9, energyUj: 20 },
  { threshold: 8, accuracy: 0.92, energyUj: 40 },
  { threshold: 16, accuracy: 0.94, energyUj: 60 },
  { threshold: 32, accuracy: 0.95, energyUj: 80 },
  { threshold: 4294967295, accuracy: 0.96, energyUj: 100 },
];

function writeModel(id: string, energies: boolean): void {
  const base = buildTestModel(7, id);
  const meta = readArtifact(base).metadata;
  const modes = MODES.map((m, i) => ({
    threshold: m.threshold,
    accuracy: m.accuracy,
    macroF1: m.accuracy - 0.01,
    continueShare: i / (MODES.length - 1),
    avgMacs: 1000 + i * 500,
    cycles: energies ? 10_000 * (i + 1) : null,
    latencyUs: energies ? 100 * (i + 1) : null,
    energyUj: energies ? m.energyUj : null,
  }));
  writeFileSync(join(zoo, `${id}.harm`), replaceMetadata(base, { ...meta, modes }));
}

function cli(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'har-gateway.js'), 'budget', ...args], {
    cwd: REPO,
    env: { ...process.env, HAR_ZOO_DIR: zoo },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  zoo = mkdtempSync(join(tmpdir(), 'har-budget-zoo-'));
  writeModel('test-measured', true);
  writeModel('test-unmeasured', false);
  writeFileSync(join(zoo, 'zoo.json'), JSON.stringify({ default: 'test-measured' }));
});

afterAll(() => {
  if (zoo) rmSync(zoo, { recursive: true, force: true });
});

const COMMON = ['--battery', '220mAh@3.0V', '--baseline', '15uW', '--from', '2026-01-01'];

describe('har-gateway budget', () => {
  it('prints the lifetime of every mode and chooses the most accurate one that lasts the target (default model)', () => {
    const r = cli([...COMMON, '--target', '365d']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 220 mAh x 3.0 V x 0.9 = 2138.4 J; mode 0: 15 µW + 20 µJ / 1.28 s = 30.6 µW -> 808 d = 2.2 y
    expect(r.stdout).toMatch(/model test-measured .* 5 operating modes, a window every 1\.28 s/);
    expect(r.stdout).toMatch(/usable 90\.0 % = 2138 J/);
    expect(r.stdout).toMatch(/^ 0 +0 +90\.00 % +20\.0 µJ +30\.6 µW +2\.2 y +yes$/m);
    // 365 d allows 67.8 µW: 60 µJ (62 µW) fits, 80 µJ (77.5 µW) does not
    expect(r.stdout).toMatch(/^\*2 +16 +94\.00 % +60\.0 µJ/m);
    expect(r.stdout).toMatch(/^ 3 .* no$/m);
    expect(r.stdout).toMatch(/^chosen: mode 2 \(threshold 16\)$/m);
    expect(r.stdout).toMatch(/until 2027-01-01T00:00:00\.000Z/);
    // 67.6 µJ per window between 60 and 80 µJ: mode 3 can run 38 % of the windows
    expect(r.stdout).toMatch(/^plan: to end on the target, time-share mode 3 \(38\.\d % of the windows\) and mode 2 \(62\.\d %\)/m);
  });

  it('--json gives the same figures as data', () => {
    const r = cli(['--model', 'test-measured', ...COMMON, '--target', '365d', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; chosen: { index: number }; modes: { lifetimeDays: number; meetsTarget: boolean }[]; windowsPerHour: number };
    expect(out.status).toBe('feasible');
    expect(out.chosen.index).toBe(2);
    expect(out.windowsPerHour).toBeCloseTo(2812.5, 6);
    expect(out.modes.map((m) => m.meetsTarget)).toEqual([true, true, true, false, false]);
    const usableJ = 220 * 3.0 * 3.6 * 0.9;
    expect(out.modes[0]?.lifetimeDays).toBeCloseTo(usableJ / ((15 + 20 / 1.28) * 1e-6) / 86400, 6);
  });

  it('an unreachable target: says infeasible, with the shortfall, and runs the cheapest mode', () => {
    const r = cli([...COMMON, '--target', '3y', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; chosen: { index: number }; reason: string; shortfallPerWindowUj: number };
    expect(out.status).toBe('infeasible');
    expect(out.chosen.index).toBe(0);
    expect(out.shortfallPerWindowUj).toBeGreaterThan(0);
    expect(out.reason).toMatch(/^infeasible: even the cheapest mode 0/);
    const table = cli([...COMMON, '--target', '3y']);
    expect(table.stdout).toMatch(/^INFEASIBLE: mode 0/m);
  });

  it('an average-power target and a LiPo chemistry from the voltage', () => {
    const r = cli(['--battery', '40mAh@3.7V', '--baseline', '15uW', '--target', '70uW', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { battery: { chemistry: string }; chosen: { index: number } };
    expect(out.battery.chemistry).toBe('lipo');
    // (70 - 15) µW x 1.28 s = 70.4 µJ per window: mode 2 (60 µJ)
    expect(out.chosen.index).toBe(2);
  });

  it('a model without measured energies: says so plainly, exit 2', () => {
    const r = cli(['--model', 'test-unmeasured', ...COMMON, '--target', '365d']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/model test-unmeasured has no measured energy per operating mode yet/);
  });

  it.each([
    [['--battery', '220mAhh@3V', '--baseline', '15uW', '--target', '365d'], /--battery: battery capacity: unknown unit "mAhh"/],
    [['--battery', '220mAh@3V', '--baseline', '15', '--target', '365d'], /--baseline: power: "15" is not a number followed by a unit/],
    [['--battery', '220mAh@3V', '--baseline', '15uW', '--target', 'forever'], /--target: target: "forever" is neither a duration/],
    [['--battery', '220mAh', '--baseline', '15uW', '--target', '365d'], /--battery has no voltage/],
    [['--battery', '220mAh@3V', '--baseline', '15uW', '--target', '365d', '--chemistry', 'nimh'], /--chemistry: "nimh" is not one of lipo, cr2032/],
    [['--battery', '220mAh@3V', '--baseline', '15uW', '--target', '365d', '--model', 'nope'], /no model "nope"/],
    [['--battery', '220mAh@3V', '--baseline', '15uW', '--target', '2025-06-01', '--from', '2026-01-01'], /--target: 2025-06-01T00:00:00\.000Z is not after the start/],
  ])('rejects bad arguments with a clear message, exit 1: %j', (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});
