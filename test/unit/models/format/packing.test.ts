import { describe, expect, it } from 'vitest';
import { packWeights, rowPaddingIsZero, unpackElement, unpackWeights } from '../../../../models/format/packing.ts';
import { rowBytes } from '../../../../models/format/shapes.ts';
import { randomInt, seededRandom } from './fixtures.ts';

describe('weight packing (FORMAT.md "Weight packing")', () => {
  it('puts element 0 in the least significant bits at 4 and 2 bits', () => {
    // 4-bit: 1 -> 0x1 (bits 0..3), -1 -> 0xF (bits 4..7)
    expect([...packWeights([1, -1], 1, 2, 4)]).toEqual([0xf1, 0, 0, 0]);
    // 2-bit: 1 -> 01, -2 -> 10, 0 -> 00, -1 -> 11  => 0b11_00_10_01
    expect([...packWeights([1, -2, 0, -1], 1, 4, 2)]).toEqual([0b11001001, 0, 0, 0]);
    // 8-bit: one byte each, two's complement
    expect([...packWeights([-128, 127, -1], 1, 3, 8)]).toEqual([0x80, 0x7f, 0xff, 0]);
  });

  it('starts every row on a 4-byte boundary with zero padding', () => {
    expect(rowBytes(3, 8)).toBe(4);
    expect(rowBytes(9, 4)).toBe(8);
    expect(rowBytes(16, 2)).toBe(4);
    expect(rowBytes(17, 2)).toBe(8);
    const packed = packWeights([1, 2, 3, -1, -2, -3], 2, 3, 8);
    expect([...packed]).toEqual([1, 2, 3, 0, 0xff, 0xfe, 0xfd, 0]);
    expect(rowPaddingIsZero(packed, 2, 3, 8)).toBe(true);
    packed[7] = 1;
    expect(rowPaddingIsZero(packed, 2, 3, 8)).toBe(false);
    const nibbles = packWeights([1, 1, 1], 1, 3, 4); // bits 12..31 are padding
    nibbles[1] = (nibbles[1] ?? 0) | 0x10;
    expect(rowPaddingIsZero(nibbles, 1, 3, 4)).toBe(false);
  });

  for (const bits of [2, 4, 8]) {
    it(`round-trips random rows at ${bits} bits`, () => {
      const rng = seededRandom(bits);
      for (let trial = 0; trial < 50; trial++) {
        const rows = randomInt(rng, 1, 6);
        const elems = randomInt(rng, 1, 37);
        const lo = -(2 ** (bits - 1));
        const hi = 2 ** (bits - 1) - 1;
        const values = Array.from({ length: rows * elems }, () => randomInt(rng, lo, hi));
        const packed = packWeights(values, rows, elems, bits);
        expect(packed.length).toBe(rows * rowBytes(elems, bits));
        expect(rowPaddingIsZero(packed, rows, elems, bits)).toBe(true);
        expect([...unpackWeights(packed, rows, elems, bits)]).toEqual(values);
        expect(unpackElement(packed, (rows - 1) * rowBytes(elems, bits), elems - 1, bits)).toBe(values[values.length - 1]);
      }
    });
  }

  it('rejects values outside the bit-width and wrong counts', () => {
    expect(() => packWeights([2], 1, 1, 2)).toThrow(RangeError);
    expect(() => packWeights([-3], 1, 1, 2)).toThrow(RangeError);
    expect(() => packWeights([8], 1, 1, 4)).toThrow(RangeError);
    expect(() => packWeights([0.5], 1, 1, 8)).toThrow(RangeError);
    expect(() => packWeights([1, 2], 1, 1, 8)).toThrow(RangeError);
    expect(() => packWeights([1], 1, 1, 3)).toThrow(RangeError);
  });
});
