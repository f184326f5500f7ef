import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../../../models/datasets/npy.ts';

function header(bytes: Uint8Array): string {
  const length = bytes[8]! | (bytes[9]! << 8);
  return String.fromCharCode(...bytes.subarray(10, 10 + length));
}

describe('npy format 1.0', () => {
  it('writes the magic, version, a 64-byte aligned header and little-endian float32 data', () => {
    const bytes = encodeNpy({ dtype: '<f4', shape: [2, 3], data: [1, -2, 0.5, 3, 4, 5] });
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const text = header(bytes);
    expect((10 + text.length) % 64).toBe(0);
    expect(text.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(text.endsWith('\n')).toBe(true);
    const data = bytes.subarray(10 + text.length);
    expect(data.length).toBe(24);
    expect([...data.subarray(0, 4)]).toEqual([0x00, 0x00, 0x80, 0x3f]); // 1.0f
    expect([...data.subarray(4, 8)]).toEqual([0x00, 0x00, 0x00, 0xc0]); // -2.0f
  });

  it('writes a one-dimensional shape as a one-element tuple and int64 little-endian', () => {
    const bytes = encodeNpy({ dtype: '<i8', shape: [3], data: [1, 258, 5] });
    expect(header(bytes)).toContain("'shape': (3,)");
    const data = bytes.subarray(bytes.length - 24);
    expect([...data.subarray(8, 16)]).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('round-trips every dtype, including an empty array', () => {
    const f = decodeNpy(encodeNpy({ dtype: '<f4', shape: [1, 2, 2], data: [0.25, -1, 7, 1e-3] }));
    expect(f.shape).toEqual([1, 2, 2]);
    expect([...f.data]).toEqual([0.25, -1, 7, Math.fround(1e-3)]);
    const d = decodeNpy(encodeNpy({ dtype: '<f8', shape: [3], data: [0.1, -1 / 3, 1e-310] }));
    expect(d.dtype).toBe('<f8');
    expect([...d.data]).toEqual([0.1, -1 / 3, 1e-310]);
    const i = decodeNpy(encodeNpy({ dtype: '<i8', shape: [2], data: [-5, 2 ** 40] }));
    expect([...i.data]).toEqual([-5, 2 ** 40]);
    const u = decodeNpy(encodeNpy({ dtype: '|u1', shape: [2], data: [0, 255] }));
    expect([...u.data]).toEqual([0, 255]);
    const empty = decodeNpy(encodeNpy({ dtype: '<f4', shape: [0, 128, 6], data: [] }));
    expect(empty.shape).toEqual([0, 128, 6]);
  });

  it('rejects data that does not fit the shape or the dtype', () => {
    expect(() => encodeNpy({ dtype: '<f4', shape: [2, 2], data: [1, 2, 3] })).toThrow(/needs 4 values/);
    expect(() => encodeNpy({ dtype: '<i8', shape: [1], data: [0.5] })).toThrow(/safe integer/);
    expect(() => encodeNpy({ dtype: '|u1', shape: [1], data: [256] })).toThrow(/uint8/);
  });

  it('rejects truncated or foreign files', () => {
    const good = encodeNpy({ dtype: '<i8', shape: [2], data: [1, 2] });
    expect(() => decodeNpy(good.subarray(0, good.length - 1))).toThrow(expect.objectContaining({ code: 'DATASET_PARSE' }));
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]))).toThrow(/bad magic/);
    const v2 = good.slice();
    v2[6] = 2;
    expect(() => decodeNpy(v2)).toThrow(/version 2.0/);
  });
});
