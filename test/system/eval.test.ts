// System test of `har-gateway eval` on the real HAPT recordings (../shared/datasets or
// HAR_DATA_DIR): the TypeScript reference executor must reproduce, window for window, the
// figures the Python exporter measured with its integer simulation and wrote into each zoo
// artifact — test accuracy / macro F1 / window count at the full network, and every
// operating mode of the table (accuracy, macro F1, continue share, average MACs) on the
// validation split. Two independent implementations of ARITHMETIC.md agreeing on thousands of
// real windows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THRESHOLD_FULL } from '../../models/engine.ts';
import { loadTaskWindows } from '../../models/datasets/index.ts';
import { listZoo, loadZooModel } from '../../models/zoo/index.ts';
import { evaluateThresholds, type ModeFigures } from '../../daemon/cli/commands/eval.ts';
import type { ModelMetadata } from '../../models/format/metadata.ts';
import { writeArtifact, type LayerSpec } from '../../models/format/write.ts';
import { randomInt, seededRandom } from '../unit/models/format/fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA_DIR = resolve(ROOT, process.env.HAR_DATA_DIR ?? '../shared/datasets');
/** The exporter stores measured figures with 6 decimals (models/train/metrics.py `rounded`). */
const STORED_DIGITS_TOLERANCE = 5e-7 + 1e-12;

function storedDiffers(actual: number, stored: number): boolean {
  return Math.abs(actual - stored) > STORED_DIGITS_TOLERANCE * Math.max(1, Math.abs(stored));
}

/** Every figure of `test` (full network) and `modes` (validation) that differs from the metadata. */
function compareWithStored(id: string, meta: ModelMetadata, test: ModeFigures, modes: readonly ModeFigures[]): string[] {
  const problems: string[] = [];
  const t = meta.metrics.test;
  if (t) {
    if (test.report.windows !== t.windows) problems.push(`${id} test windows: TS ${test.report.windows} vs stored ${t.windows}`);
    if (storedDiffers(test.accuracy, t.accuracy)) problems.push(`${id} test accuracy: TS ${test.accuracy} vs stored ${t.accuracy}`);
    if (storedDiffers(test.macroF1, t.macroF1)) problems.push(`${id} test macro F1: TS ${test.macroF1} vs stored ${t.macroF1}`);
  }
  meta.modes.forEach((mode, i) => {
    const f = modes[i];
    if (!f) return;
    for (const key of ['accuracy', 'macroF1', 'continueShare'] as const) {
      if (storedDiffers(f[key], mode[key])) problems.push(`${id} mode ${mode.threshold} ${key}: TS ${f[key]} vs stored ${mode[key]}`);
    }
    // avgMacs is stored with 2 decimals
    if (Math.abs(f.avgMacs - mode.avgMacs) > 0.0051) problems.push(`${id} mode ${mode.threshold} avgMacs: TS ${f.avgMacs} vs stored ${mode.avgMacs}`);
  });
  return problems;
}

function expectStored(actual: number, stored: number, what: string): void {
  expect(Math.abs(actual - stored), `${what}: TS ${actual} vs stored ${stored}`).toBeLessThanOrEqual(STORED_DIGITS_TOLERANCE * Math.max(1, Math.abs(stored)));
}

describe('har-gateway eval on the real recordings', () => {
  it('the CLI evaluates the default model on the hapt6 test subjects (--json)', () => {
    const model = loadZooModel('default');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/har-gateway.js'), 'eval', '--json', '--data', DATA_DIR], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { accuracy: number; macroF1: number; windows: number; confusion: number[][]; model: string };
    expect(out.model).toBe(model.id);
    const stored = model.artifact.metadata.metrics.test;
    expect(stored, 'the default model carries test metrics').toBeDefined();
    expect(out.windows).toBe(stored?.windows);
    expect(out.confusion.flat().reduce((a, b) => a + b, 0)).toBe(out.windows);
    expectStored(out.accuracy, stored?.accuracy ?? -1, 'test accuracy');
    expectStored(out.macroF1, stored?.macroF1 ?? -1, 'test macro F1');
  });

  it('the CLI sweeps every operating mode of the default model on the validation split (--mode all --json)', () => {
    const model = loadZooModel('default');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/har-gateway.js'), 'eval', '--json', '--mode', 'all', '--split', 'validation', '--data', DATA_DIR], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { perMode: { threshold: number; accuracy: number; macroF1: number; avgMacs: number; continueShare: number }[] };
    const modes = model.artifact.metadata.modes;
    expect(out.perMode.map((m) => m.threshold)).toEqual(modes.map((m) => m.threshold));
    out.perMode.forEach((m, i) => {
      expectStored(m.accuracy, modes[i]?.accuracy ?? -1, `mode ${m.threshold} accuracy`);
      expectStored(m.continueShare, modes[i]?.continueShare ?? -1, `mode ${m.threshold} continue share`);
    });
  });

  it('--engine mcu --verify: the firmware on the emulated core agrees with the reference executor on real windows', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/har-gateway.js'), 'eval', '--json', '--engine', 'mcu', '--verify', '--limit', '24', '--data', DATA_DIR], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { windows: number; mismatches: number; avgCycles: number | null; avgEnergyUj: number | null; avgLatencyUs: number | null; engine: string };
    expect(out.engine).toBe('mcu');
    expect(out.windows).toBe(24);
    expect(out.mismatches).toBe(0);
    expect(out.avgCycles).toBeGreaterThan(0);
    expect(out.avgEnergyUj).toBeGreaterThan(0);
    expect(out.avgLatencyUs).toBeGreaterThan(0);
  });

  it('an early-exit model (writer-built, hapt6 input) runs bit-exact on the MCU twin in every mode on real windows', () => {
    const base = loadZooModel('default').artifact.metadata;
    const rng = seededRandom(3);
    const weights = (n: number, bits: number): number[] => Array.from({ length: n }, () => randomInt(rng, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1));
    const conv = (inCh: number, outCh: number, k: number, bits: 2 | 4 | 8): LayerSpec => ({ kind: 'conv1d', kernel: k, padLeft: k >> 1, padRight: k >> 1, outCh, weightBits: bits, outBits: 4, weights: weights(outCh * k * inCh, bits), bias: new Array<number>(outCh).fill(3), mul: new Array<number>(outCh).fill(5), shift: new Array<number>(outCh).fill(8) });
    const head = (inCh: number): LayerSpec[] => [{ kind: 'globalavgpool' }, { kind: 'linear', outCh: 6, weightBits: 8, outBits: 16, weights: weights(6 * inCh, 8), bias: new Array<number>(6).fill(0), mul: new Array<number>(6).fill(1), shift: new Array<number>(6).fill(0) }];
    const bytes = writeArtifact({
      inChannels: 6, windowSamples: 128, classCount: 6,
      stages: [
        { backbone: [conv(6, 8, 5, 4), { kind: 'maxpool1d', kernel: 2 }], head: head(8) },
        { inputSource: 1, backbone: [conv(8, 16, 3, 2), { kind: 'avgpool1d', kernel: 2 }], head: head(16) },
      ],
      metadata: { ...base, id: 'system-ee', adaptive: { kind: 'early-exit', scoreScale: 0.01 }, modes: [0, 3, 30, 300, THRESHOLD_FULL].map((threshold) => ({ ...base.modes[0]!, threshold })), metrics: {} },
    });
    const zoo = mkdtempSync(join(tmpdir(), 'har-system-zoo-'));
    try {
      writeFileSync(join(zoo, 'system-ee.harm'), bytes);
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/har-gateway.js'), 'eval', '--json', '--model', 'system-ee', '--zoo', zoo, '--engine', 'mcu', '--verify', '--mode', 'all', '--split', 'validation', '--limit', '12', '--data', DATA_DIR], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { mismatches: number; perMode: { threshold: number; avgMacs: number; avgCycles: number }[] };
      expect(out.mismatches).toBe(0);
      expect(out.perMode).toHaveLength(5);
      const first = out.perMode[0]!;
      const full = out.perMode[4]!;
      expect(full.avgMacs).toBeGreaterThan(first.avgMacs);
      expect(full.avgCycles).toBeGreaterThan(first.avgCycles);
    } finally {
      rmSync(zoo, { recursive: true, force: true });
    }
  });

  const models = listZoo().filter((e) => e.valid && (e.task === 'hapt6' || e.task === 'hapt12'));
  for (const entry of models) {
    if (!entry.valid) continue;
    it(`${entry.id}: test metrics and every operating mode match the exporter`, () => {
      const a = entry.artifact;
      const meta = a.metadata;
      const test = loadTaskWindows(meta.task, 'test', DATA_DIR);
      const validation = loadTaskWindows(meta.task, 'validation', DATA_DIR);
      const thresholds = meta.modes.map((m) => m.threshold);
      const problems = compareWithStored(entry.id, meta, evaluateThresholds(a, test, [THRESHOLD_FULL])[0]!, evaluateThresholds(a, validation, thresholds));
      if (problems.length > 0) {
        // Diagnosis for the exporter: do the stored figures come from float32-rounded windows?
        const f32 = (w: typeof test): typeof test => ({ ...w, x: Float64Array.from(Float32Array.from(w.x)) });
        const fromFloat32 = compareWithStored(entry.id, meta, evaluateThresholds(a, f32(test), [THRESHOLD_FULL])[0]!, evaluateThresholds(a, f32(validation), thresholds));
        if (fromFloat32.length === 0) {
          problems.push('the stored figures are reproduced exactly when the windows are rounded to float32 before quantization: the exporter quantizes float32 windows, ARITHMETIC.md §1 quantizes the float64 samples');
        }
      }
      expect(problems, problems.join('\n')).toEqual([]);
    });
  }
});
