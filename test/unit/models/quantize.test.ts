import { describe, expect, it } from 'vitest';
import { QuantizeError, quantizeWindow, quantizeWindowInto } from '../../../models/quantize.ts';

describe('quantizeWindow (ARITHMETIC.md §1)', () => {
  it('rounds half up per channel scale and clamps to int8', () => {
    const scale = [0.5, 0.25];
    const x = Float64Array.from([0.25, -0.125, -0.25, 0.125, 100, -100, 0.74, -0.37]);
    // 0.25/0.5+0.5 = 1 -> 1; -0.125/0.25+0.5 = 0 -> 0; -0.25/0.5+0.5 = 0 -> 0; 0.125/0.25+0.5 = 1 -> 1
    // 100/0.5 -> 127 (clamp); -100/0.25 -> -128; 0.74/0.5+0.5 = 1.98 -> 1; -0.37/0.25+0.5 = -0.98 -> -1
    expect([...quantizeWindow(x, scale)]).toEqual([1, 0, 0, 1, 127, -128, 1, -1]);
  });

  it('is the float64 formula: floor(x / s + 0.5)', () => {
    const s = 0.0156;
    const values = [-2, -1.9999, -0.0078, 0.0078, 0.00779999, 1.0, 1.98, 1.99];
    const q = quantizeWindow(Float64Array.from(values), [s]);
    values.forEach((v, i) => expect(q[i]).toBe(Math.min(127, Math.max(-128, Math.floor(v / s + 0.5)))));
  });

  it('quantizes a window inside a larger array without allocating', () => {
    const all = Float64Array.from([9, 9, 1, 2, 3, 4, 9, 9]);
    const out = new Int8Array(4);
    quantizeWindowInto(all, 2, [1, 1], out);
    expect([...out]).toEqual([1, 2, 3, 4]);
  });

  it('rejects bad scales, shapes and non-finite samples', () => {
    expect(() => quantizeWindow(Float64Array.from([1]), [0])).toThrow(QuantizeError);
    expect(() => quantizeWindow(Float64Array.from([1, 2, 3]), [1, 1])).toThrow(/QUANTIZE|whole number/);
    expect(() => quantizeWindow(Float64Array.from([Number.NaN]), [1])).toThrow(QuantizeError);
    expect(() => quantizeWindowInto(Float64Array.from([1, 2]), 1, [1], new Int8Array(2))).toThrow(QuantizeError);
  });
});
