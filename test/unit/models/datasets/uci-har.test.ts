import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadUciHarWindows } from '../../../../models/datasets/uci-har.ts';
import { fmt, value, writeSplit, writeUciHarRoot } from './uci-har-fixture.ts';

describe('loadUciHarWindows', () => {
  let data = '';
  let root = '';
  beforeEach(() => {
    data = mkdtempSync(join(tmpdir(), 'uci-har-'));
    root = writeUciHarRoot(data);
    writeSplit(root, 'train', [5, 5, 1], [1, 1, 3]);
    writeSplit(root, 'test', [6, 2], [2, 24]);
  });
  afterEach(() => rmSync(data, { recursive: true, force: true }));

  it('assembles total_acc and body_gyro into HAPT channel order, with labels and volunteers', () => {
    const w = loadUciHarWindows(data, 'train');
    expect(w.count).toBe(3);
    expect(w.channels).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
    expect([...w.y]).toEqual([4, 4, 0]);
    expect([...w.subject]).toEqual([1, 1, 3]);
    const channelSignal = [6, 7, 8, 3, 4, 5];
    for (const i of [0, 2]) {
      for (const t of [0, 64, 127]) {
        channelSignal.forEach((s, c) => expect(w.x[(i * 128 + t) * 6 + c]).toBe(value(s, i, t)));
        for (let a = 0; a < 3; a += 1) expect(w.bodyAcc[(i * 128 + t) * 3 + a]).toBe(value(a, i, t));
      }
    }
  });

  it('reads the test split and accepts the dataset folder itself', () => {
    const w = loadUciHarWindows(root, 'test');
    expect([...w.y]).toEqual([5, 1]);
    expect([...w.subject]).toEqual([2, 24]);
  });

  it('names the missing signal file of a partial copy', () => {
    unlinkSync(join(root, 'train', 'Inertial Signals', 'body_gyro_y_train.txt'));
    expect(() => loadUciHarWindows(data, 'train')).toThrow(
      expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(root, 'train', 'Inertial Signals', 'body_gyro_y_train.txt') }),
    );
  });

  it('names a missing label file', () => {
    unlinkSync(join(root, 'test', 'y_test.txt'));
    expect(() => loadUciHarWindows(data, 'test')).toThrow(expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(root, 'test', 'y_test.txt') }));
  });

  it('rejects files that disagree on the number of windows', () => {
    writeFileSync(join(root, 'test', 'subject_test.txt'), '2\n');
    expect(() => loadUciHarWindows(data, 'test')).toThrow(expect.objectContaining({ code: 'DATASET_INCONSISTENT' }));
    writeSplit(root, 'test', [6, 2], [2, 24]);
    writeFileSync(join(root, 'test', 'Inertial Signals', 'total_acc_z_test.txt'), ` ${Array.from({ length: 128 }, () => fmt(1)).join(' ')}\n`);
    expect(() => loadUciHarWindows(data, 'test')).toThrow(expect.objectContaining({ code: 'DATASET_INCONSISTENT' }));
  });

  it('rejects a row that is not 128 values, and labels outside 1-6', () => {
    writeFileSync(join(root, 'test', 'Inertial Signals', 'total_acc_z_test.txt'), ` ${fmt(1)}\n ${fmt(2)}\n`);
    expect(() => loadUciHarWindows(data, 'test')).toThrow(expect.objectContaining({ code: 'DATASET_PARSE', line: 1 }));
    writeSplit(root, 'test', [6, 7], [2, 24]);
    expect(() => loadUciHarWindows(data, 'test')).toThrow(expect.objectContaining({ code: 'DATASET_PARSE', line: 2 }));
  });

  it('rejects an unknown split', () => {
    expect(() => loadUciHarWindows(data, 'validation' as 'train')).toThrow(expect.objectContaining({ code: 'DATASET_BAD_ARGUMENT' }));
  });
});
