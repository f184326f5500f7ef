// System test on the real HAPT raw data and UCI HAR label files (../shared/datasets or
// HAR_DATA_DIR). Asserts counts of the published files and of the task protocols
// (models/datasets/README.md), determinism, and that the window cache reads back in NumPy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportWindowCache } from '../../models/datasets/export-cache.ts';
import { clearHaptCache, cutTaskWindows, labelStreamWindow, loadHaptExperiments, loadTaskWindows, taskProtocol, UCI_HAR_TEST_SUBJECTS } from '../../models/datasets/index.ts';

const DATA_DIR = resolve(process.env.HAR_DATA_DIR ?? '../shared/datasets');
const UCI_HAR = join(DATA_DIR, 'uci-har', 'UCI HAR Dataset');
const PYTHON = '/usr/bin/python3';

function distinctSubjects(path: string): number[] {
  const ids = readFileSync(path, 'latin1').split(/\s+/).filter((s) => s.length > 0).map(Number);
  return [...new Set(ids)].sort((a, b) => a - b);
}

describe('HAPT raw data', () => {
  it('has 61 experiments of 30 volunteers, 1214 labelled segments of 12 activities', () => {
    const exps = loadHaptExperiments(DATA_DIR);
    expect(exps).toHaveLength(61);
    expect(new Set(exps.map((e) => e.user)).size).toBe(30);
    const segments = exps.flatMap((e) => e.segments);
    expect(segments).toHaveLength(1214);
    const perActivity = new Array<number>(13).fill(0);
    for (const s of segments) perActivity[s.activityId] = (perActivity[s.activityId] ?? 0) + 1;
    expect(perActivity.slice(1)).toEqual([127, 183, 186, 120, 120, 120, 60, 62, 60, 60, 58, 58]);
    expect(exps.reduce((n, e) => n + e.sampleCount, 0)).toBe(1_122_772);
  });

  it('uses the UCI HAR test volunteers as its test split', () => {
    expect(distinctSubjects(join(UCI_HAR, 'test', 'subject_test.txt'))).toEqual([...UCI_HAR_TEST_SUBJECTS]);
    const train = distinctSubjects(join(UCI_HAR, 'train', 'subject_train.txt'));
    const p = taskProtocol('hapt6');
    expect([...p.subjects.train, ...p.subjects.validation].sort((a, b) => a - b)).toEqual(train);
  });
});

describe('task windows on the real data', () => {
  it('hapt6 has the documented window counts per split and class', () => {
    const counts = Object.fromEntries(
      (['train', 'validation', 'test'] as const).map((split) => {
        const w = loadTaskWindows('hapt6', split, DATA_DIR);
        const perClass = new Array<number>(6).fill(0);
        for (const y of w.y) perClass[y] = (perClass[y] ?? 0) + 1;
        return [split, perClass];
      }),
    );
    expect(counts).toEqual({
      train: [1056, 912, 843, 1113, 1244, 1210],
      validation: [170, 161, 144, 180, 179, 203],
      test: [496, 471, 420, 508, 556, 545],
    });
  });

  it('hapt12 has every class in every split and drops no transition', () => {
    for (const split of ['train', 'validation', 'test'] as const) {
      const w = loadTaskWindows('hapt12', split, DATA_DIR);
      const perClass = new Array<number>(12).fill(0);
      for (const y of w.y) perClass[y] = (perClass[y] ?? 0) + 1;
      expect(perClass.every((n) => n > 0)).toBe(true);
      expect(w.counters).toEqual({ transitionTooShort: 0, outsideRecording: 0, segmentsNotInTask: 0, segmentShorterThanWindow: 0 });
    }
    expect(loadTaskWindows('hapt12', 'train', DATA_DIR).count).toBe(6709);
    expect(loadTaskWindows('hapt12', 'validation', DATA_DIR).count).toBe(1086);
    expect(loadTaskWindows('hapt12', 'test', DATA_DIR).count).toBe(3174);
  });

  it('is deterministic across a fresh parse', () => {
    const a = loadTaskWindows('hapt12', 'test', DATA_DIR);
    clearHaptCache();
    const b = loadTaskWindows('hapt12', 'test', DATA_DIR);
    expect(b.count).toBe(a.count);
    expect(Buffer.from(b.x.buffer).equals(Buffer.from(a.x.buffer))).toBe(true);
    expect(Buffer.from(b.y.buffer).equals(Buffer.from(a.y.buffer))).toBe(true);
    expect(Buffer.from(b.start.buffer).equals(Buffer.from(a.start.buffer))).toBe(true);
  });

  it('labels every protocol window the same through labelStreamWindow (the replay rule)', () => {
    const exps = loadHaptExperiments(DATA_DIR);
    const byNumber = new Map(exps.map((e) => [e.experiment, e]));
    for (const task of ['hapt6', 'hapt12']) {
      const p = taskProtocol(task);
      const { placements } = cutTaskWindows(p, exps);
      const disagreements = placements.filter((w) => labelStreamWindow(p, byNumber.get(w.experiment)!.segments, w.start) !== w.classIndex);
      expect(disagreements).toEqual([]);
    }
  });

  it('keeps samples in physical ranges (acc in g, gyro in rad/s)', () => {
    const w = loadTaskWindows('hapt6', 'validation', DATA_DIR);
    let accMax = 0;
    let gyroMax = 0;
    for (let i = 0; i < w.x.length; i += 1) {
      const v = Math.abs(w.x[i]!);
      if (i % 6 < 3) accMax = Math.max(accMax, v);
      else gyroMax = Math.max(gyroMax, v);
    }
    expect(accMax).toBeGreaterThan(1);
    expect(accMax).toBeLessThan(8); // a phone accelerometer's +-8 g range, not m/s^2
    expect(gyroMax).toBeLessThan(35); // rad/s, not deg/s
  });
});

describe('window cache', () => {
  const out = mkdtempSync(join(tmpdir(), 'window-cache-system-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('gives the content hashes recorded in models/datasets/README.md (same cache on every machine)', () => {
    expect(exportWindowCache('hapt6', DATA_DIR, join(out, 'hashes')).contentSha256).toBe('631d5c0245e65819d313eb895f4e7a0d32c8f45c9d260d6e2ccdc6d7d2c84a28');
    expect(exportWindowCache('hapt12', DATA_DIR, join(out, 'hashes')).contentSha256).toBe('d5f0c05a05fc2f806e78e793af390e96b7748f497479b01172ca1f62ec522434');
  });

  it('writes byte-identical files on a second export from a fresh parse', () => {
    const first = join(out, 'first');
    const second = join(out, 'second');
    exportWindowCache('hapt12', DATA_DIR, first);
    clearHaptCache();
    exportWindowCache('hapt12', DATA_DIR, second);
    for (const split of ['train', 'validation', 'test']) {
      for (const part of ['x', 'x64', 'y', 'subject', 'experiment', 'start']) {
        const file = `${split}.${part}.npy`;
        expect(readFileSync(join(second, 'hapt12', file)).equals(readFileSync(join(first, 'hapt12', file))), file).toBe(true);
      }
    }
    expect(readFileSync(join(second, 'hapt12', 'meta.json'), 'utf8')).toBe(readFileSync(join(first, 'hapt12', 'meta.json'), 'utf8'));
  });

  it('writes the documented training-only transition augmentation for hapt12', () => {
    const meta = exportWindowCache('hapt12', DATA_DIR, join(out, 'augmented'), { augmentTransitions: true });
    expect(meta.augment).toEqual({ dir: 'augment', trainWindows: 1324 });
    const augmentMeta = JSON.parse(readFileSync(join(out, 'augmented', 'hapt12', 'augment', 'meta.json'), 'utf8')) as { classCounts: number[]; counters: unknown };
    expect(augmentMeta.classCounts).toEqual([0, 0, 0, 0, 0, 0, 176, 148, 264, 208, 328, 200]);
    expect(augmentMeta.counters).toEqual({ shiftedOffLabel: 0, shiftedOutsideRecording: 0 });
  });

  it('runs as a command and prints the counts per split and class', () => {
    const stdout = execFileSync('npx', ['tsx', 'models/datasets/export-cache.ts', '--task', 'hapt12', '--data', DATA_DIR, '--out', out], { encoding: 'utf8' });
    expect(stdout).toMatch(/hapt12 \(hapt12\/v1\)/);
    expect(stdout).toMatch(/train\s+6709\s+1056 912 843 1113 1244 1210 44 37 66 52 82 50/);
    expect(stdout).toMatch(/test\s+3174\s+496 471 420 508 556 545 25 18 32 26 49 28/);
    const meta = JSON.parse(readFileSync(join(out, 'hapt12', 'meta.json'), 'utf8')) as { splits: unknown };
    expect(meta.splits).toEqual({ train: 6709, validation: 1086, test: 3174 });
  });

  it.skipIf(!existsSync(PYTHON))('reads back in NumPy with the shapes, dtypes and labels of loadTaskWindows', () => {
    const meta = exportWindowCache('hapt6', DATA_DIR, out);
    const w = loadTaskWindows('hapt6', 'test', DATA_DIR);
    let checksum = 0;
    for (let i = 0; i < w.x.length; i += 1) checksum += Math.fround(w.x[i]!);
    const script = [
      'import json, sys, numpy as np',
      'd = sys.argv[1]',
      "m = json.load(open(d + '/meta.json'))",
      "x = np.load(d + '/test.x.npy'); y = np.load(d + '/test.y.npy'); s = np.load(d + '/test.subject.npy'); x64 = np.load(d + '/test.x64.npy')",
      "print(json.dumps({'shape': list(x.shape), 'xdtype': str(x.dtype), 'ydtype': str(y.dtype), 'counts': np.bincount(y, minlength=6).tolist(), 'subjects': sorted(set(s.tolist())), 'sum': float(x.astype(np.float64).sum()), 'splits': m['splits'], 'x64dtype': str(x64.dtype), 'x64IsX': bool((x64.astype(np.float32) == x).all()), 'sum64': float(x64.sum())}))",
    ].join('\n');
    const result = JSON.parse(execFileSync(PYTHON, ['-c', script, join(out, 'hapt6')], { encoding: 'utf8' })) as {
      shape: number[]; xdtype: string; ydtype: string; counts: number[]; subjects: number[]; sum: number; splits: unknown; x64dtype: string; x64IsX: boolean; sum64: number;
    };
    expect(result.shape).toEqual([w.count, 128, 6]);
    expect(result.xdtype).toBe('float32');
    expect(result.ydtype).toBe('int64');
    expect(result.counts).toEqual([496, 471, 420, 508, 556, 545]);
    expect(result.subjects).toEqual([...UCI_HAR_TEST_SUBJECTS]);
    expect(result.sum).toBeCloseTo(checksum, 3);
    expect(result.splits).toEqual(meta.splits);
    expect(result.x64dtype).toBe('float64');
    expect(result.x64IsX).toBe(true);
    expect(result.sum64).toBeCloseTo(w.x.reduce((a, v) => a + v, 0), 6);
  });
});
