import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../../models/datasets/errors.ts';
import { clearHaptCache, loadHaptExperiments } from '../../../../models/datasets/hapt.ts';
import { fakeValue, writeFakeHapt, type FakeExperiment } from './hapt-fixture.ts';

const EXPERIMENTS: FakeExperiment[] = [
  { experiment: 2, user: 1, samples: 400, labels: [[4, 11, 300], [7, 301, 380]] },
  { experiment: 1, user: 1, samples: 300, labels: [[5, 1, 200]] },
  { experiment: 3, user: 2, samples: 200, labels: [] },
];

function catchError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('loadHaptExperiments', () => {
  let root = '';
  const raw = (): string => join(root, 'hapt', 'HAPT Data Set', 'RawData');
  beforeEach(() => {
    clearHaptCache();
    root = writeFakeHapt(EXPERIMENTS);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reads every recording pair, sorted by experiment, with acc then gyro channels per sample', () => {
    const exps = loadHaptExperiments(root);
    expect(exps.map((e) => [e.experiment, e.user, e.sampleCount])).toEqual([
      [1, 1, 300],
      [2, 1, 400],
      [3, 2, 200],
    ]);
    const e2 = exps[1]!;
    expect(e2.channels).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
    expect(e2.units).toEqual(['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s']);
    expect(e2.rateHz).toBe(50);
    for (const t of [0, 1, 250, 399]) {
      for (let c = 0; c < 6; c += 1) expect(e2.samples[t * 6 + c]).toBe(fakeValue(2, t, c));
    }
  });

  it('turns the 1-based inclusive label positions into 0-based half-open sample ranges', () => {
    const e2 = loadHaptExperiments(root)[1]!;
    expect(e2.segments).toEqual([
      { activityId: 4, startSample: 10, endSample: 300 },
      { activityId: 7, startSample: 300, endSample: 380 },
    ]);
    expect(loadHaptExperiments(root)[2]!.segments).toEqual([]);
  });

  it('accepts the "HAPT Data Set" folder itself as the data folder', () => {
    const direct = loadHaptExperiments(join(root, 'hapt', 'HAPT Data Set'));
    expect(direct.map((e) => e.experiment)).toEqual([1, 2, 3]);
  });

  it('parses once per folder and process until the cache is cleared', () => {
    const first = loadHaptExperiments(root);
    expect(loadHaptExperiments(root)).toBe(first);
    clearHaptCache();
    expect(loadHaptExperiments(root)).not.toBe(first);
  });

  it('names the missing RawData folder', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hapt-empty-'));
    const err = catchError(() => loadHaptExperiments(empty));
    expect(err.code).toBe('DATASET_MISSING_FILE');
    expect(err.path).toBe(join(empty, 'hapt', 'HAPT Data Set', 'RawData'));
    expect(err.message).toContain('RawData');
    rmSync(empty, { recursive: true });
  });

  it('names a missing labels.txt', () => {
    unlinkSync(join(raw(), 'labels.txt'));
    const err = catchError(() => loadHaptExperiments(root));
    expect(err.code).toBe('DATASET_MISSING_FILE');
    expect(err.path).toBe(join(raw(), 'labels.txt'));
  });

  it('names the expected gyroscope file of a labelled experiment when it is missing', () => {
    unlinkSync(join(raw(), 'gyro_exp02_user01.txt'));
    const err = catchError(() => loadHaptExperiments(root));
    expect(err.code).toBe('DATASET_MISSING_FILE');
    expect(err.path).toBe(join(raw(), 'gyro_exp02_user01.txt'));
    expect(err.expected).toContain('gyro_exp02_user01.txt');
  });

  it('names the expected files of an experiment that labels.txt lists but RawData lacks', () => {
    writeFileSync(join(raw(), 'labels.txt'), '1 1 5 1 200\n9 4 1 1 100\n');
    const err = catchError(() => loadHaptExperiments(root));
    expect(err.code).toBe('DATASET_MISSING_FILE');
    expect(err.path).toBe(join(raw(), 'acc_exp09_user04.txt'));
  });

  it.each([
    ['an activity outside 1-12', '1 1 13 1 10\n', 'DATASET_PARSE'],
    ['a range that ends before it starts', '1 1 5 20 10\n', 'DATASET_PARSE'],
    ['a 0 start (positions are 1-based)', '1 1 5 0 10\n', 'DATASET_PARSE'],
    ['a non-integer field', '1 1 5 1.5 10\n', 'DATASET_PARSE'],
    ['a row with four fields', '1 1 5 10\n', 'DATASET_PARSE'],
    ['a segment past the end of the recording', '1 1 5 1 301\n', 'DATASET_INCONSISTENT'],
    ['overlapping segments', '1 1 5 1 100\n1 1 4 100 200\n', 'DATASET_INCONSISTENT'],
    ['a user that is not the one of the files', '1 7 5 1 100\n', 'DATASET_INCONSISTENT'],
  ])('rejects labels.txt with %s', (_what, text, code) => {
    writeFileSync(join(raw(), 'labels.txt'), text);
    expect(catchError(() => loadHaptExperiments(root)).code).toBe(code);
  });

  it('accepts a segment ending on the last sample', () => {
    writeFileSync(join(raw(), 'labels.txt'), '1 1 5 1 300\n');
    expect(loadHaptExperiments(root)[0]!.segments).toEqual([{ activityId: 5, startSample: 0, endSample: 300 }]);
  });

  it('reports a malformed sample line with its file and line number', () => {
    writeFileSync(join(raw(), 'acc_exp01_user01.txt'), '0.1 0.2 0.3\n0.1 x 0.3\n');
    const err = catchError(() => loadHaptExperiments(root));
    expect(err.code).toBe('DATASET_PARSE');
    expect(err.path).toBe(join(raw(), 'acc_exp01_user01.txt'));
    expect(err.line).toBe(2);
  });

  it('rejects accelerometer and gyroscope files of different lengths', () => {
    writeFileSync(join(raw(), 'gyro_exp01_user01.txt'), '0 0 0\n');
    const err = catchError(() => loadHaptExperiments(root));
    expect(err.code).toBe('DATASET_INCONSISTENT');
    expect(err.message).toContain('acc_exp01_user01.txt');
  });

  it('rejects files of one experiment under two users', () => {
    mkdirSync(raw(), { recursive: true });
    writeFileSync(join(raw(), 'acc_exp01_user05.txt'), '0 0 0\n');
    expect(catchError(() => loadHaptExperiments(root)).code).toBe('DATASET_INCONSISTENT');
  });
});
