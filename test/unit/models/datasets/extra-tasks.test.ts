import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWindowCache } from '../../../../models/datasets/export-cache.ts';
import { clearExtraTaskCache, describeTask, EXTRA_TASK_NAMES, loadTaskWindows, STANDARD_GRAVITY_MS2 } from '../../../../models/datasets/index.ts';
import { decodeNpy } from '../../../../models/datasets/npy.ts';
import { value, writeSplit, writeUciHarRoot } from './uci-har-fixture.ts';
import { accel, unimibFiles, W as UNIMIB_W } from './unimib-fixture.ts';

function wisdmLines(user: number, activity: string, count: number, t0: number): string[] {
  return Array.from({ length: count }, (_, i) => `${user},${activity},${(t0 + i) * 50_000_000},${(i % 10) / 4},${user},${-i / 8};`);
}

describe('tasks on the other datasets', () => {
  let data = '';
  beforeAll(() => {
    clearExtraTaskCache();
    data = mkdtempSync(join(tmpdir(), 'extra-tasks-'));
    // UCI HAR: training file volunteers 1 (train), 11 (validation); test file volunteer 2
    const uci = writeUciHarRoot(data);
    writeSplit(uci, 'train', [1, 4, 6], [1, 11, 1]);
    writeSplit(uci, 'test', [2], [2]);
    // UniMiB-SHAR: rows (class, subject, trial); subject 5 is test, 1 validation, 2 train
    const unimib = join(data, 'unimib-shar', 'UniMiB-SHAR', 'data');
    mkdirSync(unimib, { recursive: true });
    const files = unimibFiles([[3, 2, 1], [12, 2, 1], [9, 5, 2], [1, 1, 3], [17, 5, 1]]);
    writeFileSync(join(unimib, 'acc_data.mat'), files.data);
    writeFileSync(join(unimib, 'acc_labels.mat'), files.labels);
    // WISDM: user 2 (train) walks 300 records then jogs 100 (too short); user 6 (test); user 13 (validation); a malformed line
    const wisdm = join(data, 'wisdm', 'WISDM_ar_v1.1');
    mkdirSync(wisdm, { recursive: true });
    const lines = [...wisdmLines(2, 'Walking', 300, 0), ...wisdmLines(2, 'Jogging', 100, 300), '2,Jogging,1,2;', ...wisdmLines(6, 'Sitting', 128, 0), ...wisdmLines(13, 'Standing', 200, 0), ...wisdmLines(2, 'Walking', 130, 900)];
    writeFileSync(join(wisdm, 'WISDM_ar_v1.1_raw.txt'), `${lines.join('\n')}\n`);
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('describe their protocols with disjoint volunteer splits', () => {
    for (const task of EXTRA_TASK_NAMES) {
      const d = describeTask(task);
      expect(d.protocol).toBe(`${task}/v1`);
      const all = [...d.subjects.train, ...d.subjects.validation, ...d.subjects.test];
      expect(new Set(all).size).toBe(all.length);
    }
    expect(describeTask('wisdm6').subjects.test).toEqual([6, 12, 18, 24, 30, 36]);
    expect(describeTask('unimib17').subjects.validation).toEqual([1, 11, 21]);
    expect(describeTask('uci-har6').subjects.test).toEqual([2, 4, 9, 10, 12, 13, 18, 20, 24]);
    expect(() => describeTask('mhealth')).toThrow(expect.objectContaining({ code: 'DATASET_BAD_ARGUMENT' }));
  });

  it('uci-har6: the published test file is the test split; the training file is split by volunteer', () => {
    const train = loadTaskWindows('uci-har6', 'train', data);
    expect(train).toMatchObject({ task: 'uci-har6', protocol: 'uci-har6/v1', windowSamples: 128, strideSamples: 64, rateHz: 50, count: 2 });
    expect([...train.y]).toEqual([0, 5]);
    expect([...train.start]).toEqual([0, 2]);
    expect(train.x[(1 * 128 + 5) * 6 + 0]).toBe(value(6, 2, 5)); // total_acc_x of file row 2
    const validation = loadTaskWindows('uci-har6', 'validation', data);
    expect([...validation.subject]).toEqual([11]);
    const test = loadTaskWindows('uci-har6', 'test', data);
    expect([...test.y]).toEqual([1]);
  });

  it('unimib17 and unimib-adl9: windows by volunteer, falls left out of adl9 (counted)', () => {
    const train = loadTaskWindows('unimib17', 'train', data);
    expect(train).toMatchObject({ windowSamples: 151, strideSamples: 0, rateHz: 50, channels: ['acc_x', 'acc_y', 'acc_z'], count: 2 });
    expect([...train.y]).toEqual([2, 11]);
    expect(train.classes).toHaveLength(17);
    expect(train.x[(1 * UNIMIB_W + 7) * 3 + 2]).toBeCloseTo(accel(1, 2, 7) / STANDARD_GRAVITY_MS2, 12);
    const test = loadTaskWindows('unimib17', 'test', data);
    expect([...test.y]).toEqual([8, 16]);
    expect([...test.experiment]).toEqual([2, 1]); // trials
    expect([...test.start]).toEqual([2, 4]); // rows
    const adl = loadTaskWindows('unimib-adl9', 'test', data);
    expect([...adl.y]).toEqual([8]);
    expect(adl.classes).toHaveLength(9);
    expect(adl.counters).toEqual({ windowsNotInTask: 2 });
    expect(loadTaskWindows('unimib-adl9', 'validation', data).count).toBe(1);
  });

  it('wisdm6: 128-sample windows with stride 64 inside one recording, in g; counts what it leaves out', () => {
    const train = loadTaskWindows('wisdm6', 'train', data);
    expect(train).toMatchObject({ windowSamples: 128, strideSamples: 64, rateHz: 20, channels: ['acc_x', 'acc_y', 'acc_z'], units: ['g', 'g', 'g'] });
    // user 2: Walking 300 -> starts 0, 64, 128; Jogging 100 -> none; Walking again 130 -> start 0
    expect([...train.start]).toEqual([0, 64, 128, 0]);
    expect([...train.experiment]).toEqual([1, 1, 1, 3]);
    expect([...train.y]).toEqual([0, 0, 0, 0]);
    expect(train.x[(2 * 128 + 10) * 3 + 2]).toBeCloseTo(-(128 + 10) / 8 / STANDARD_GRAVITY_MS2, 12);
    expect(train.counters).toMatchObject({ recordingShorterThanWindow: 1, missingFields: 1 });
    expect([...loadTaskWindows('wisdm6', 'test', data).y]).toEqual([4]);
    expect([...loadTaskWindows('wisdm6', 'validation', data).start]).toEqual([0, 64]);
  });

  it('export-cache writes their caches with 3-channel shapes and the names from the data', () => {
    const out = mkdtempSync(join(tmpdir(), 'extra-cache-'));
    const meta = exportWindowCache('wisdm6', data, out);
    expect(meta).toMatchObject({ task: 'wisdm6', protocol: 'wisdm6/v1', rateHz: 20, splits: { train: 4, validation: 2, test: 1 } });
    expect(meta.source).toMatch(/^WISDM v1.1 raw/);
    expect(decodeNpy(readFileSync(join(out, 'wisdm6', 'train.x.npy'))).shape).toEqual([4, 128, 3]);
    const unimib = exportWindowCache('unimib-adl9', data, out);
    expect(unimib.classes).toHaveLength(9);
    expect(decodeNpy(readFileSync(join(out, 'unimib-adl9', 'test.x.npy'))).shape).toEqual([1, 151, 3]);
    rmSync(out, { recursive: true });
  });

  it('name the missing files of a dataset that is not there', () => {
    const empty = mkdtempSync(join(tmpdir(), 'extra-none-'));
    expect(() => loadTaskWindows('wisdm6', 'train', empty)).toThrow(expect.objectContaining({ code: 'DATASET_MISSING_FILE' }));
    expect(() => loadTaskWindows('unimib17', 'train', empty)).toThrow(/acc_data\.mat/);
    expect(() => loadTaskWindows('uci-har6', 'test', empty)).toThrow(/y_test\.txt/);
    rmSync(empty, { recursive: true });
  });
});
