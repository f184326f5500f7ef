import { describe, expect, it } from 'vitest';
import { SEQ_RESET_BEHIND_SAMPLES, SequenceTracker, type GapPolicy } from '../../../../daemon/pipeline/sequence.ts';
import type { StreamEvent } from '../../../../daemon/pipeline/types.ts';
import { rampBatch } from './helpers.ts';

function tracker(policy: GapPolicy) {
  const events: StreamEvent[] = [];
  return { t: new SequenceTracker(policy, (e) => events.push(e)), events };
}

describe('SequenceTracker', () => {
  it('passes contiguous batches through as one segment', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    const a = t.push(rampBatch(0, 10));
    const b = t.push(rampBatch(10, 5));
    expect(a[0]).toMatchObject({ restart: true, segment: 0, firstSample: 0, samples: 10 });
    expect(b[0]).toMatchObject({ restart: false, segment: 0, firstSample: 10, samples: 5 });
    expect(Array.from(b[0]!.data)).toEqual([10, 11, 12, 13, 14]);
    expect(events).toEqual([]);
  });

  it('fills a small gap by holding the last sample', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    t.push(rampBatch(0, 10));
    const [run] = t.push(rampBatch(13, 2)); // samples 10, 11, 12 missing
    expect(run).toMatchObject({ firstSample: 10, samples: 5, restart: false });
    expect(Array.from(run!.data)).toEqual([9, 9, 9, 13, 14]);
    expect(events.map((e) => e.kind)).toEqual(['gap-filled']);
  });

  it('fills a small gap linearly', () => {
    const { t } = tracker({ fill: 'linear', maxGapFillSamples: 4 });
    t.push(rampBatch(0, 10));
    const [run] = t.push(rampBatch(13, 2));
    // the ramp is linear, so linear filling recovers it exactly
    expect(Array.from(run!.data)).toEqual([10, 11, 12, 13, 14]);
  });

  it('restarts the segment on a gap larger than the fill limit', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    t.push(rampBatch(0, 10));
    const [run] = t.push(rampBatch(15, 5)); // 5 missing > 4
    expect(run).toMatchObject({ restart: true, segment: 1, firstSample: 0, samples: 5, segmentT0Ms: rampBatch(15, 5).t0Ms });
    expect(events.map((e) => e.kind)).toEqual(['gap-restart']);
  });

  it('never fills with a limit of 0', () => {
    const { t, events } = tracker({ fill: 'linear', maxGapFillSamples: 0 });
    t.push(rampBatch(0, 10));
    expect(t.push(rampBatch(11, 5))[0]).toMatchObject({ restart: true, segment: 1 });
    expect(events.map((e) => e.kind)).toEqual(['gap-restart']);
  });

  it('drops duplicates and trims overlaps', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    t.push(rampBatch(0, 10));
    expect(t.push(rampBatch(0, 10))).toEqual([]);
    expect(t.push(rampBatch(5, 5))).toEqual([]);
    const [run] = t.push(rampBatch(8, 5)); // 8, 9 seen; 10, 11, 12 new
    expect(run).toMatchObject({ firstSample: 10, samples: 3 });
    expect(Array.from(run!.data)).toEqual([10, 11, 12]);
    expect(events.map((e) => e.kind)).toEqual(['seq-duplicate', 'seq-duplicate', 'seq-overlap']);
  });

  it('drops a reordered batch that a filled gap already covered', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 10 });
    t.push(rampBatch(0, 5));
    t.push(rampBatch(10, 5)); // fills 5..9
    expect(t.push(rampBatch(5, 5))).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['gap-filled', 'seq-duplicate']);
  });

  it('continues across the uint32 wrap of the sequence number', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    const start = 2 ** 32 - 4;
    t.push(rampBatch(start, 4));
    const [run] = t.push(rampBatch(0, 4));
    expect(run).toMatchObject({ restart: false, firstSample: 4 });
    expect(events).toEqual([]);
  });

  it('takes a far-behind counter as a device reset', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    t.push(rampBatch(SEQ_RESET_BEHIND_SAMPLES + 100, 10));
    expect(t.push(rampBatch(0, 10))[0]).toMatchObject({ restart: true, segment: 1 });
    expect(events.map((e) => e.kind)).toEqual(['seq-reset']);
  });

  it('restarts on a rate change', () => {
    const { t, events } = tracker({ fill: 'hold', maxGapFillSamples: 4 });
    t.push(rampBatch(0, 10, 50));
    expect(t.push(rampBatch(10, 10, 100))[0]).toMatchObject({ restart: true, segment: 1, rateHz: 100 });
    expect(events.map((e) => e.kind)).toEqual(['rate-change']);
  });
});
