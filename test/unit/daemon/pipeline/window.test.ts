import { describe, expect, it } from 'vitest';
import { WindowCutter } from '../../../../daemon/pipeline/window.ts';
import { runOf } from './helpers.ts';

describe('WindowCutter', () => {
  it('cuts overlapping windows by sample count, whatever the run sizes', () => {
    const w = new WindowCutter(8, 4, 1);
    const sizes = [3, 5, 1, 7, 4];
    let first = 0;
    const windows = sizes.flatMap((n) => {
      const out = w.push(runOf(first, n, 50, (i) => i));
      first += n;
      return out;
    });
    expect(windows.map((x) => x.startSample)).toEqual([0, 4, 8, 12]);
    expect(windows.map((x) => x.windowSeq)).toEqual([0, 1, 2, 3]);
    windows.forEach((x) => expect(Array.from(x.samples)).toEqual(Array.from({ length: 8 }, (_, i) => x.startSample + i)));
    expect(windows[1]!.t0Ms).toBe((4 * 1000) / 50);
  });

  it('skips samples when the stride exceeds the window', () => {
    const w = new WindowCutter(3, 5, 1);
    const windows = w.push(runOf(0, 14, 50, (i) => i));
    expect(windows.map((x) => Array.from(x.samples))).toEqual([[0, 1, 2], [5, 6, 7], [10, 11, 12]]);
  });

  it('discards the partial window when a new segment starts, keeping the window numbering', () => {
    const w2 = new WindowCutter(4, 2, 1);
    w2.push(runOf(0, 6, 50, (i) => i));
    const after = w2.push({ ...runOf(0, 4, 50, (i) => 100 + i), segment: 1 });
    expect(after.map((x) => [x.windowSeq, x.segment, x.startSample, Array.from(x.samples)])).toEqual([[2, 1, 0, [100, 101, 102, 103]]]);
  });
});
