import { describe, expect, it } from 'vitest';
import { classAndMargin, shouldContinue } from '../../../../models/reference/decision.ts';

describe('class and margin (ARITHMETIC.md §5)', () => {
  it('takes the smallest index of the maximum and a zero margin on ties', () => {
    expect(classAndMargin([5, 5, 1])).toEqual({ classIndex: 0, margin: 0 });
    expect(classAndMargin([1, 7, 7, 7])).toEqual({ classIndex: 1, margin: 0 });
  });
  it('margin is top-1 minus the best other score, also for negative scores', () => {
    expect(classAndMargin([-3, -1, -2])).toEqual({ classIndex: 1, margin: 1 });
    expect(classAndMargin([10, -20, 3])).toEqual({ classIndex: 0, margin: 7 });
    expect(classAndMargin([-32768, 32767])).toEqual({ classIndex: 1, margin: 65535 });
  });
  it('a single class has margin 0', () => {
    expect(classAndMargin([42])).toEqual({ classIndex: 0, margin: 0 });
  });
});

describe('adaptive decision (ARITHMETIC.md §6)', () => {
  it('continues iff margin < T (unsigned)', () => {
    expect(shouldContinue(0, 0)).toBe(false);
    expect(shouldContinue(65535, 0)).toBe(false);
    expect(shouldContinue(3, 4)).toBe(true);
    expect(shouldContinue(4, 4)).toBe(false);
    expect(shouldContinue(65535, 0xffffffff)).toBe(true);
  });
});
