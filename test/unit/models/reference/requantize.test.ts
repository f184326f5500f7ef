import { describe, expect, it } from 'vitest';
import { outputRange, requantize, requantizeRaw } from '../../../../models/reference/requantize.ts';
import { randomInt, seededRandom } from '../format/fixtures.ts';

/** Independent oracle: int64 arithmetic with BigInt, an arithmetic shift (floor). */
function oracle(acc: number, mul: number, shift: number): number {
  const round = shift > 0 ? 1n << BigInt(shift - 1) : 0n;
  return Number((BigInt(acc) * BigInt(mul) + round) >> BigInt(shift));
}

describe('requantization (ARITHMETIC.md §3)', () => {
  it('rounds half up, towards +infinity, for negative and positive halves', () => {
    expect(requantizeRaw(5, 1, 1)).toBe(3); // 2.5 -> 3
    expect(requantizeRaw(-5, 1, 1)).toBe(-2); // -2.5 -> -2 (not -3: not away from zero)
    expect(requantizeRaw(-3, 1, 1)).toBe(-1); // -1.5 -> -1
    expect(requantizeRaw(3, 1, 1)).toBe(2); // 1.5 -> 2 (not half-to-even)
    expect(requantizeRaw(-7, 1, 2)).toBe(-2); // -1.75 -> -2
    expect(requantizeRaw(-6, 1, 2)).toBe(-1); // -1.5 -> -1
  });

  it('shift 0 is the plain product', () => {
    expect(requantizeRaw(-1234, 3, 0)).toBe(-3702);
    expect(requantizeRaw(2 ** 31 - 1, 32767, 0)).toBe((2 ** 31 - 1) * 32767);
  });

  it('large shifts at the edges of the product range', () => {
    const accMax = 2 ** 31 - 1;
    expect(requantizeRaw(accMax, 32767, 46)).toBe(oracle(accMax, 32767, 46));
    expect(requantizeRaw(-accMax, 32767, 46)).toBe(oracle(-accMax, 32767, 46));
    expect(requantizeRaw(-(2 ** 31), 32767, 46)).toBe(oracle(-(2 ** 31), 32767, 46));
    expect(requantizeRaw(-1, 1, 46)).toBe(0); // tiny negative rounds up to 0
    expect(requantizeRaw(-(2 ** 45) - 1, 1, 46)).toBe(-1);
    expect(requantizeRaw(-(2 ** 31), 32767, 45)).toBe(oracle(-(2 ** 31), 32767, 45));
  });

  it('agrees with an int64 oracle on random values', () => {
    const rng = seededRandom(99);
    for (let i = 0; i < 20000; i++) {
      const acc = randomInt(rng, -(2 ** 31), 2 ** 31 - 1) >> randomInt(rng, 0, 30);
      const mul = randomInt(rng, 0, 32767);
      const shift = randomInt(rng, 0, 46);
      expect(requantizeRaw(acc, mul, shift)).toBe(oracle(acc, mul, shift));
    }
  });

  it('clamps to the output range: ReLU + clip, or signed', () => {
    expect(outputRange(4, false)).toEqual({ lo: 0, hi: 15 });
    expect(outputRange(16, true)).toEqual({ lo: -32768, hi: 32767 });
    expect(requantize(-100, 1, 0, 8, false)).toBe(0);
    expect(requantize(300, 1, 0, 8, false)).toBe(255);
    expect(requantize(4, 1, 0, 2, false)).toBe(3);
    expect(requantize(-200, 1, 0, 8, true)).toBe(-128);
    expect(requantize(200, 1, 0, 8, true)).toBe(127);
    expect(requantize(-40000, 1, 0, 16, true)).toBe(-32768);
  });
});
