import { describe, expect, it } from 'vitest';
import { stitchUciHarRecordings, type UciHarWindows } from '../../../../models/datasets/uci-har.ts';

/** Continuous generated signal of a stretch: channel c of sample t. */
function signal(stretch: number, t: number, c: number): number {
  return stretch * 10_000 + t + c / 8;
}

/** Windows of 128 with stride 64 cut from continuous stretches, as the UCI HAR authors did. */
function windowsOf(stretches: ReadonlyArray<{ subject: number; labels: number[] }>): UciHarWindows {
  const rows: Array<{ stretch: number; k: number; subject: number; label: number }> = [];
  stretches.forEach((s, stretch) => s.labels.forEach((label, k) => rows.push({ stretch, k, subject: s.subject, label })));
  const x = new Float64Array(rows.length * 128 * 6);
  const bodyAcc = new Float64Array(rows.length * 128 * 3);
  rows.forEach((r, i) => {
    for (let t = 0; t < 128; t += 1) {
      for (let c = 0; c < 6; c += 1) x[(i * 128 + t) * 6 + c] = signal(r.stretch, r.k * 64 + t, c);
      for (let a = 0; a < 3; a += 1) bodyAcc[(i * 128 + t) * 3 + a] = -signal(r.stretch, r.k * 64 + t, a);
    }
  });
  return {
    split: 'train',
    classes: [],
    windowSamples: 128,
    rateHz: 50,
    channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'],
    units: ['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s'],
    count: rows.length,
    x,
    bodyAcc,
    y: Uint8Array.from(rows, (r) => r.label - 1),
    subject: Uint8Array.from(rows, (r) => r.subject),
  };
}

describe('stitchUciHarRecordings', () => {
  it('rebuilds each continuous stretch from its overlapping windows, with label segments on 64-sample blocks', () => {
    // subject 1: two stretches back to back (not overlapping), subject 3: one stretch
    const w = windowsOf([
      { subject: 1, labels: [5, 5, 5, 4, 4] },
      { subject: 1, labels: [1] },
      { subject: 3, labels: [2, 2] },
    ]);
    const recs = stitchUciHarRecordings(w);
    expect(recs.map((r) => [r.subject, r.firstRow, r.windowCount, r.sampleCount])).toEqual([
      [1, 0, 5, 384],
      [1, 5, 1, 128],
      [3, 6, 2, 192],
    ]);
    const r0 = recs[0]!;
    for (const t of [0, 63, 64, 200, 383]) {
      for (let c = 0; c < 6; c += 1) expect(r0.samples[t * 6 + c]).toBe(signal(0, t, c));
    }
    expect(r0.segments).toEqual([
      { activityId: 5, startSample: 0, endSample: 192 },
      { activityId: 4, startSample: 192, endSample: 384 },
    ]);
    expect(recs[2]!.segments).toEqual([{ activityId: 2, startSample: 0, endSample: 192 }]);
  });

  it('does not join windows whose overlap differs in any value, or of different volunteers', () => {
    const w = windowsOf([{ subject: 1, labels: [1, 1, 1] }]);
    const at = (1 * 128 + 10) * 3 + 2; // window 1, inside its overlap with window 0
    w.bodyAcc[at] = w.bodyAcc[at]! + 1e-9;
    expect(stitchUciHarRecordings(w).map((r) => r.windowCount)).toEqual([1, 2]);
    const v = windowsOf([{ subject: 1, labels: [1, 1] }]);
    v.subject[1] = 2;
    expect(stitchUciHarRecordings(v).map((r) => r.subject)).toEqual([1, 2]);
  });

  it('gives nothing for no windows', () => {
    expect(stitchUciHarRecordings(windowsOf([]))).toEqual([]);
  });
});
