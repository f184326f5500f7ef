import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadUnimibShar, UNIMIB_CLASSES } from '../../../../models/datasets/unimib-shar.ts';
import { STANDARD_GRAVITY_MS2 } from '../../../../models/datasets/wisdm.ts';
import { charSpec, writeMat } from './mat5-writer.ts';
import { accData, accel, accLabels, W } from './unimib-fixture.ts';

describe('loadUnimibShar', () => {
  let root = '';
  let dir = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'unimib-'));
    dir = join(root, 'unimib-shar', 'UniMiB-SHAR', 'data');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'acc_data.mat'), writeMat([accData(3)]));
    writeFileSync(join(dir, 'acc_labels.mat'), writeMat([accLabels([[1, 1, 1], [17, 30, 2], [3, 7, 6]])]));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reshapes the 453 columns into [151][x, y, z] windows in g, with class, subject and trial', () => {
    const w = loadUnimibShar(root);
    expect(w.count).toBe(3);
    expect(w.windowSamples).toBe(151);
    expect(w.rateHz).toBe(50);
    expect(w.classes).toHaveLength(17);
    expect([...w.y]).toEqual([0, 16, 2]);
    expect(w.classes[w.y[2]!]).toBe('Walking');
    expect([...w.subject]).toEqual([1, 30, 7]);
    expect([...w.trial]).toEqual([1, 2, 6]);
    for (const i of [0, 2]) {
      for (const t of [0, 75, 150]) {
        for (let a = 0; a < 3; a += 1) expect(w.x[(i * W + t) * 3 + a]).toBeCloseTo(accel(i, a, t) / STANDARD_GRAVITY_MS2, 12);
      }
    }
  });

  it('takes the class names from acc_names.mat when present (names and descriptions, either orientation)', () => {
    expect(loadUnimibShar(root).classNamesSource).toBe('built-in (no acc_names.mat)');
    const names = UNIMIB_CLASSES.map((n) => `X${n}`);
    const descriptions = names.map((n) => `description of ${n}`);
    // 2 x 17, column-major: (0, k) = description, (1, k) = name
    const byColumn = names.flatMap((n, k) => [charSpec(descriptions[k]!), charSpec(n)]);
    writeFileSync(join(dir, 'acc_names.mat'), writeMat([{ name: 'acc_names', className: 'cell', dims: [2, 17], values: [], cells: byColumn, compress: true }]));
    let w = loadUnimibShar(root);
    expect(w.classNamesSource).toBe('acc_names.mat');
    expect(w.classes).toEqual(names);
    // 17 x 2: column 0 names, column 1 descriptions
    writeFileSync(join(dir, 'acc_names.mat'), writeMat([{ name: 'acc_names', className: 'cell', dims: [17, 2], values: [], cells: [...names.map((n) => charSpec(n)), ...descriptions.map((d) => charSpec(d))] }]));
    expect(loadUnimibShar(root).classes).toEqual(names);
    // not recognisable: falls back, saying why
    writeFileSync(join(dir, 'acc_names.mat'), writeMat([{ name: 'acc_names', className: 'cell', dims: [1, 2], values: [], cells: [charSpec('a'), charSpec('b')] }]));
    w = loadUnimibShar(root);
    expect(w.classes).toEqual(UNIMIB_CLASSES);
    expect(w.classNamesSource).toMatch(/^built-in \(acc_names.mat: 0 candidate name lists in a 1 x 2 cell array\)$/);
  });

  it('reads uncompressed files too, from the data folder itself', () => {
    writeFileSync(join(dir, 'acc_data.mat'), writeMat([{ ...accData(3), compress: false }]));
    writeFileSync(join(dir, 'acc_labels.mat'), writeMat([{ ...accLabels([[1, 1, 1], [2, 2, 2], [3, 3, 3]]), compress: false, storage: 'double' }]));
    expect([...loadUnimibShar(dir).y]).toEqual([0, 1, 2]);
  });

  it('names the missing label file', () => {
    unlinkSync(join(dir, 'acc_labels.mat'));
    expect(() => loadUnimibShar(root)).toThrow(expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(dir, 'acc_labels.mat') }));
  });

  it('names the expected data file when there is no copy at all', () => {
    const empty = mkdtempSync(join(tmpdir(), 'unimib-none-'));
    expect(() => loadUnimibShar(empty)).toThrow(expect.objectContaining({ code: 'DATASET_MISSING_FILE', path: join(empty, 'unimib-shar', 'UniMiB-SHAR', 'data', 'acc_data.mat') }));
    rmSync(empty, { recursive: true });
  });

  it('rejects a wrong variable, column count, row count or label range', () => {
    writeFileSync(join(dir, 'acc_data.mat'), writeMat([{ ...accData(3), name: 'adl_data' }]));
    expect(() => loadUnimibShar(root)).toThrow(/no variable "acc_data" \(found: adl_data\)/);
    writeFileSync(join(dir, 'acc_data.mat'), writeMat([accData(3, 450)]));
    expect(() => loadUnimibShar(root)).toThrow(/450 columns, expected 453/);
    writeFileSync(join(dir, 'acc_data.mat'), writeMat([accData(2)]));
    expect(() => loadUnimibShar(root)).toThrow(expect.objectContaining({ code: 'DATASET_INCONSISTENT' }));
    writeFileSync(join(dir, 'acc_data.mat'), writeMat([accData(3)]));
    writeFileSync(join(dir, 'acc_labels.mat'), writeMat([accLabels([[1, 1, 1], [18, 1, 1], [1, 1, 1]])]));
    expect(() => loadUnimibShar(root)).toThrow(/row 2: class 18/);
  });

  it('rejects a corrupt MAT-file with a coded error naming it', () => {
    writeFileSync(join(dir, 'acc_labels.mat'), Buffer.from('not a mat file'));
    expect(() => loadUnimibShar(root)).toThrow(expect.objectContaining({ code: 'MAT_FORMAT', path: join(dir, 'acc_labels.mat') }));
  });
});
