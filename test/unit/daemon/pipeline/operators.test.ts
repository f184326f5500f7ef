// Marble tests of the windowing stages (RxJS TestScheduler). The async inference call is not
// part of these operators; the stages are synchronous, so each window appears in the frame of
// the batch that completed it.
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { map, throwError, mergeMap, of } from 'rxjs';
import { deviceWindows, splitByDevice } from '../../../../daemon/pipeline/device-stream.ts';
import type { ReceivedBatch } from '../../../../daemon/pipeline/operators.ts';
import type { ModelInputSpec, StreamEvent } from '../../../../daemon/pipeline/types.ts';
import { sampleBatch } from './helpers.ts';

const SPEC: ModelInputSpec = {
  channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'],
  rateHz: 50,
  windowSamples: 8,
  strideSamples: 4,
  scale: [1, 1, 1, 1, 1, 1],
};

function received(deviceId: string, seq: number, samples: number, rateHz = 50, withGyro = true): ReceivedBatch {
  return { batch: sampleBatch(deviceId, seq, samples, rateHz, withGyro), receivedAtMs: seq };
}

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Window summary: device:windowSeq@startSample/segment. */
const summary = map((w: { deviceId: string; windowSeq: number; startSample: number; segment: number }) => `${w.deviceId}:${w.windowSeq}@${w.startSample}/${w.segment}`);

describe('deviceWindows (marbles)', () => {
  it('emits overlapping windows when enough samples have arrived', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const batches = cold('a-b-c-d|', { a: received('d', 0, 5), b: received('d', 5, 5), c: received('d', 10, 2), d: received('d', 12, 6) });
      const out = batches.pipe(deviceWindows(SPEC, { fill: 'hold', maxGapFillSamples: 2 }, () => undefined), summary);
      // 10 samples after b: window 0 (0..7); 12 after c: window 1 (4..11); 18 after d: window 2 (8..15)
      expectObservable(out).toBe('--x-y-z|', { x: 'd:0@0/0', y: 'd:1@4/0', z: 'd:2@8/0' });
    });
  });

  it('restarts the window after a large gap and fills a small one', () => {
    const kinds: string[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const batches = cold('a-b-c-d|', {
        a: received('d', 0, 6),
        b: received('d', 7, 3), // 1 missing: filled -> samples 0..9, window 0
        c: received('d', 20, 6), // 10 missing: new segment, partial window dropped
        d: received('d', 26, 4), // segment 1 has 10 samples: window 1 at 0
      });
      const out = batches.pipe(deviceWindows(SPEC, { fill: 'hold', maxGapFillSamples: 2 }, (e) => kinds.push(e.kind)), summary);
      expectObservable(out).toBe('--x---y|', { x: 'd:0@0/0', y: 'd:1@0/1' });
    });
    expect(kinds).toEqual(['gap-filled', 'gap-restart']);
  });

  it('resamples a 100 Hz stream into 50 Hz windows', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const batches = cold('a-b|', { a: received('d', 0, 10, 100), b: received('d', 10, 10, 100) });
      const out = batches.pipe(
        deviceWindows(SPEC, { fill: 'hold', maxGapFillSamples: 0 }, () => undefined),
        map((w) => Array.from(w.samples.filter((_, i) => i % 6 === 0))), // acc_x of each sample = its 100 Hz index
      );
      expectObservable(out).toBe('--x|', { x: [0, 2, 4, 6, 8, 10, 12, 14] });
    });
  });

  it('drops batches without the gyroscope the model needs, and counts them', () => {
    const events: StreamEvent[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const batches = cold('a-b|', { a: received('d', 0, 8, 50, false), b: received('d', 8, 8) });
      const out = batches.pipe(deviceWindows(SPEC, { fill: 'hold', maxGapFillSamples: 0 }, (e) => events.push(e)), summary);
      expectObservable(out).toBe('--x|', { x: 'd:0@0/0' });
      // the first batch never entered the segment, so the second one starts it
    });
    expect(events.map((e) => [e.deviceId, e.kind])).toEqual([['d', 'missing-gyro']]);
  });
});

describe('splitByDevice (marbles)', () => {
  it('keeps devices apart: interleaved batches give each device its own windows', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const batches = cold('a-b-c-d|', { a: received('x', 0, 8), b: received('y', 0, 4), c: received('y', 4, 4), d: received('x', 8, 4) });
      const out = batches.pipe(splitByDevice(() => deviceWindows(SPEC, { fill: 'hold', maxGapFillSamples: 0 }, () => undefined), () => undefined), summary);
      expectObservable(out).toBe('a---c-d|', { a: 'x:0@0/0', c: 'y:0@0/0', d: 'x:1@4/0' });
    });
  });

  it('one device erroring is reported and restarted; the others go on', () => {
    const errors: string[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const batches = cold('a-b-c-d|', { a: received('bad', 0, 1), b: received('ok', 0, 8), c: received('bad', 1, 1), d: received('ok', 8, 4) });
      const perDevice = (deviceId: string) =>
        deviceId === 'bad'
          ? mergeMap((r: ReceivedBatch) => (r.batch.seq === 0 ? throwError(() => new Error('boom')) : of(`bad-${r.batch.seq}`)))
          : (source: ReturnType<typeof cold<ReceivedBatch>>) => source.pipe(deviceWindows(SPEC, { fill: 'hold', maxGapFillSamples: 0 }, () => undefined), summary);
      const out = batches.pipe(splitByDevice<string>(perDevice as never, (d, e) => errors.push(`${d}: ${(e as Error).message}`)));
      expectObservable(out).toBe('--b-c-d|', { b: 'ok:0@0/0', c: 'bad-1', d: 'ok:1@4/0' });
    });
    expect(errors).toEqual(['bad: boom']);
  });
});
