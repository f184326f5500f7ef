import { describe, expect, it } from 'vitest';
import { Resampler } from '../../../../daemon/pipeline/resample.ts';
import type { SampleRun } from '../../../../daemon/pipeline/types.ts';
import { runOf } from './helpers.ts';

function collect(runs: SampleRun[]): { first: number[]; values: number[] } {
  return { first: runs.map((r) => r.firstSample), values: runs.flatMap((r) => Array.from(r.data)) };
}

/** Splits [0, total) into runs of the given sizes and feeds them to a fresh resampler. */
function resample(inRate: number, outRate: number, sizes: number[], f: (i: number) => number): SampleRun[] {
  const r = new Resampler(outRate);
  const out: SampleRun[] = [];
  let first = 0;
  for (const n of sizes) {
    out.push(...r.push(runOf(first, n, inRate, f)));
    first += n;
  }
  return out;
}

describe('Resampler', () => {
  it('passes a run at the model rate through unchanged', () => {
    const run = runOf(0, 10, 50, (i) => i * i);
    expect(new Resampler(50).push(run)).toEqual([run]);
  });

  it('halves 100 Hz to 50 Hz by taking every other sample', () => {
    const out = resample(100, 50, [10, 10], (i) => i * 3);
    expect(collect(out).values).toEqual([0, 6, 12, 18, 24, 30, 36, 42, 48, 54]);
    expect(out.every((r) => r.rateHz === 50)).toBe(true);
  });

  it('interpolates 52 Hz into 50 Hz linearly (a ramp stays exact)', () => {
    // x(i) = i at 52 Hz; output k sits at position k * 52 / 50
    const { values } = collect(resample(52, 50, [52, 52], (i) => i));
    expect(values.length).toBe(Math.floor((103 * 50) / 52) + 1);
    values.forEach((v, k) => expect(v).toBeCloseTo((k * 52) / 50, 12));
  });

  it('does not depend on how the input is split into batches (carried phase)', () => {
    const f = (i: number) => Math.sin(i / 7) * 2 + (i % 5);
    const whole = collect(resample(52, 50, [520], f));
    const pieces = collect(resample(52, 50, [1, 13, 7, 52, 100, 3, 344], f));
    expect(pieces.values).toEqual(whole.values); // bit for bit, not approximately
    const up = collect(resample(25, 50, [100], f));
    const upPieces = collect(resample(25, 50, [3, 1, 1, 50, 45], f));
    expect(upPieces.values).toEqual(up.values);
  });

  it('numbers output runs continuously and starts over with a new segment', () => {
    const r = new Resampler(50);
    const a = r.push(runOf(0, 20, 100, (i) => i));
    const b = r.push(runOf(20, 20, 100, (i) => i));
    expect(a[0]!.firstSample).toBe(0);
    expect(b[0]!.firstSample).toBe(a[0]!.samples);
    const c = r.push({ ...runOf(0, 20, 100, (i) => 1000 + i), segment: 1 });
    expect(c[0]).toMatchObject({ firstSample: 0, restart: true, segment: 1 });
    expect(c[0]!.data[0]).toBe(1000);
  });

  it('upsamples 25 Hz to 50 Hz with midpoints', () => {
    const { values } = collect(resample(25, 50, [4], (i) => i * 10));
    expect(values).toEqual([0, 5, 10, 15, 20, 25, 30]);
  });
});
