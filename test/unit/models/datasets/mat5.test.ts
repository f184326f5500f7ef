import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readMat5 } from '../../../../models/datasets/mat5.ts';
import { charSpec, dataElement, matHeader, matrixElement, writeMat, type MatVariableSpec } from './mat5-writer.ts';

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
}

describe('readMat5', () => {
  const matrix = { name: 'acc_data', dims: [2, 3], values: [1.5, -2, 3.25, 4, 5e-3, 6] };

  it('reads an uncompressed double matrix, column-major, with its name and dimensions', () => {
    const [v] = readMat5(writeMat([matrix]));
    expect(v).toEqual({ name: 'acc_data', className: 'double', dims: [2, 3], real: Float64Array.from(matrix.values) });
  });

  it('reads compressed elements, several variables, and short names in the small element format', () => {
    const vars = readMat5(writeMat([{ ...matrix, compress: true }, { name: 'ab', dims: [1, 2], values: [7, 8], compress: true }, { name: 'c', dims: [1, 1], values: [9] }]));
    expect(vars.map((v) => [v.name, [...(v.real ?? [])]])).toEqual([
      ['acc_data', matrix.values],
      ['ab', [7, 8]],
      ['c', [9]],
    ]);
  });

  it.each(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'single'] as const)('converts a double array stored compactly as %s', (storage) => {
    const [v] = readMat5(writeMat([{ name: 'acc_labels', dims: [2, 2], values: [1, 17, 30, 2], storage, compress: storage === 'uint8' }]));
    expect([...v!.real!]).toEqual([1, 17, 30, 2]);
    expect(v!.className).toBe('double');
  });

  it('reads char arrays as rows of text, column-major', () => {
    const vars = readMat5(writeMat([{ name: 'note', className: 'char', dims: [2, 3], values: Array.from('adbecf', (c) => c.charCodeAt(0)) }, matrix]));
    expect(vars[0]).toEqual({ name: 'note', className: 'char', dims: [2, 3], real: undefined, text: ['abc', 'def'] });
    expect(vars[1]!.name).toBe('acc_data');
  });

  it('reads UTF-8 char data', () => {
    const flags = new Uint8Array(8);
    flags[0] = 4;
    const dims = Uint8Array.of(1, 0, 0, 0, 3, 0, 0, 0);
    const body = concat(dataElement(6, flags), dataElement(5, dims), dataElement(1, Uint8Array.of(0x73), true), dataElement(16, new TextEncoder().encode('g°s')));
    const [v] = readMat5(concat(matHeader(), dataElement(14, body)));
    expect(v!.text).toEqual(['g°s']);
  });

  it('reads cell arrays of char and numeric cells (compressed too)', () => {
    const cells = [charSpec('Walking'), charSpec('walking forward'), { name: '', dims: [1, 1], values: [3] }, charSpec('')];
    for (const compress of [false, true]) {
      const [v] = readMat5(writeMat([{ name: 'acc_names', className: 'cell', dims: [2, 2], values: [], cells, compress }]));
      expect(v!.className).toBe('cell');
      expect(v!.cells!.map((c) => c?.text ?? [...(c?.real ?? [])])).toEqual([['Walking'], ['walking forward'], [3], ['']]);
    }
  });

  it('refuses cells nested without end and char arrays claiming absurd sizes', () => {
    let spec: MatVariableSpec = { name: '', dims: [1, 1], values: [1] };
    for (let i = 0; i < 20; i += 1) spec = { name: '', className: 'cell', dims: [1, 1], values: [], cells: [spec] };
    expect(() => readMat5(writeMat([{ ...spec, name: 'deep' }]))).toThrow(/nested deeper/);
    expect(() => readMat5(writeMat([{ name: 'c', className: 'char', dims: [100_000_000, 0], values: [] }]))).toThrow(/claims 100000000 rows/);
    expect(() => readMat5(writeMat([{ name: 'c', className: 'cell', dims: [1, 3], values: [], cells: [charSpec('a')] }]))).toThrow(expect.objectContaining({ code: 'MAT_FORMAT' }));
  });

  describe('rejects', () => {
    const good = writeMat([matrix]);
    it('a file shorter than the header', () => expect(code(() => readMat5(good.subarray(0, 100)))).toBe('MAT_FORMAT'));
    it('a file that is not a MAT-file', () => expect(code(() => readMat5(concat(matHeader('hello world'), good.subarray(128))))).toBe('MAT_FORMAT'));
    it('a MATLAB 7.3 (HDF5) file', () => expect(code(() => readMat5(matHeader('MATLAB 7.3 MAT-file, Platform: GLNXA64')))).toBe('MAT_UNSUPPORTED'));
    it('a big-endian file', () => expect(code(() => readMat5(matHeader(undefined, 'MI')))).toBe('MAT_UNSUPPORTED'));
    it('a bad endian indicator', () => expect(code(() => readMat5(matHeader(undefined, 'XX')))).toBe('MAT_FORMAT'));
    it('a bad version', () => expect(code(() => readMat5(matHeader(undefined, 'IM', 0x0200)))).toBe('MAT_FORMAT'));
    it('an element running past the end', () => expect(code(() => readMat5(good.subarray(0, good.length - 9)))).toBe('MAT_FORMAT'));
    it('a truncated tag', () => expect(code(() => readMat5(concat(good, new Uint8Array(4))))).toBe('MAT_FORMAT'));
    it('compressed bytes that do not inflate', () => {
      const bad = new Uint8Array(24);
      new DataView(bad.buffer).setUint32(0, 15, true);
      new DataView(bad.buffer).setUint32(4, 16, true);
      bad.fill(0xab, 8);
      expect(code(() => readMat5(concat(matHeader(), bad)))).toBe('MAT_FORMAT');
    });
    it('a compressed element that inflates past the cap', () => {
      const bytes = writeMat([{ name: 'big', dims: [1000, 1], values: new Array<number>(1000).fill(0), compress: true }]);
      expect(code(() => readMat5(bytes, 'big.mat', { maxInflatedBytes: 1024 }))).toBe('MAT_FORMAT');
      expect(readMat5(bytes, 'big.mat', { maxInflatedBytes: 16 * 1024 })[0]!.real!.length).toBe(1000);
    });
    it('nested compression', () => {
      const inner = matrixElement({ ...matrix, compress: true });
      const z = deflateSync(inner);
      const outer = concat(dataElement(15, new Uint8Array(0)).subarray(0, 4), Uint8Array.of(z.length & 0xff, (z.length >> 8) & 0xff, 0, 0), z);
      expect(() => readMat5(concat(matHeader(), outer))).toThrow(/compressed element inside a compressed element/);
    });
    it('values that do not match the dimensions', () => expect(code(() => readMat5(writeMat([{ ...matrix, dims: [2, 4] }])))).toBe('MAT_FORMAT'));
    it('a complex array', () => expect(code(() => readMat5(writeMat([{ ...matrix, complex: true }])))).toBe('MAT_UNSUPPORTED'));
    it('a top-level element that is not a matrix', () => expect(code(() => readMat5(concat(matHeader(), dataElement(9, new Uint8Array(8)))))).toBe('MAT_FORMAT'));
    it('an unknown array class', () => expect(code(() => readMat5(writeMat([{ ...matrix, className: 'nope' }])))).toBe('MAT_FORMAT'));
    it('a small data element claiming more than 4 bytes', () => {
      const bytes = writeMat([matrix]);
      const corrupt = bytes.slice();
      // the name element of a short name would be small; make the flags tag claim 9 bytes small
      new DataView(corrupt.buffer).setUint32(128 + 8, (9 << 16) | 6, true);
      expect(() => readMat5(corrupt)).toThrow(/small data element of 9 bytes/);
    });
  });

  it('never reads out of bounds: every truncation and single-byte corruption either parses or throws a coded error', () => {
    const bytes = writeMat([
      { ...matrix, compress: true },
      { name: 'x', dims: [1, 3], values: [1, 2, 3], storage: 'uint8' },
      { name: 'names', className: 'cell', dims: [1, 2], values: [], cells: [charSpec('ab'), charSpec('cd')] },
    ]);
    for (let n = 0; n < bytes.length; n += 1) expect(code(() => readMat5(bytes.subarray(0, n)))).toMatch(/^(MAT_FORMAT|MAT_UNSUPPORTED|no error)$/);
    let seed = 12345;
    for (let i = 0; i < 3000; i += 1) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const corrupt = bytes.slice();
      const at = 128 + (seed % (bytes.length - 128));
      corrupt[at] = (seed >>> 8) & 0xff;
      expect(code(() => readMat5(corrupt))).toMatch(/^(MAT_FORMAT|MAT_UNSUPPORTED|DATASET_PARSE|no error)$/);
    }
  });
});
