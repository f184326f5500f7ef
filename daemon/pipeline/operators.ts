// The windowing stages as small named RxJS operators. Each keeps its state per subscription
// (one per device after groupBy) and reads no clock: time comes from the samples.
import { Observable, type OperatorFunction } from 'rxjs';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import type { ChannelSelector } from './channels.ts';
import { Resampler } from './resample.ts';
import { SequenceTracker, type ChannelBatch, type GapPolicy } from './sequence.ts';
import type { SampleRun, SampleWindow, StreamEventSink } from './types.ts';
import { WindowCutter } from './window.ts';

/** A batch as it reached the gateway: the wall-clock arrival time is stamped at the edge. */
export interface ReceivedBatch {
  readonly batch: SampleBatch;
  readonly receivedAtMs: number;
}

/** Runs `push` of a fresh state object per subscription and emits every output in order. */
function statefulExpand<A, B>(createState: () => { push(input: A): readonly B[] }): OperatorFunction<A, B> {
  return (source) =>
    new Observable<B>((subscriber) => {
      const state = createState();
      return source.subscribe({
        next(input) {
          let outputs: readonly B[];
          try {
            outputs = state.push(input);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          for (const output of outputs) subscriber.next(output);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** Stage 1: the model's channels in the model's order; batches without a needed gyroscope are dropped (counted). */
export function selectChannels(selector: ChannelSelector, onEvent: StreamEventSink): OperatorFunction<ReceivedBatch, ChannelBatch> {
  return statefulExpand(() => ({
    push({ batch, receivedAtMs }: ReceivedBatch): ChannelBatch[] {
      const data = selector.select(batch);
      if (data === null) {
        onEvent({ deviceId: batch.deviceId, kind: 'missing-gyro', detail: 'the model needs gyroscope channels; the batch has none' });
        return [];
      }
      const { deviceId, seq, t0Ms, rateHz, samples } = batch;
      return [{ deviceId, seq, t0Ms, rateHz, samples, channels: selector.channels, data, receivedAtMs }];
    },
  }));
}

/** Stage 2: sequence continuity — fill small gaps, restart on large ones, drop duplicates (sequence.ts). */
export function ensureContinuity(policy: GapPolicy, onEvent: StreamEventSink): OperatorFunction<ChannelBatch, SampleRun> {
  return statefulExpand(() => new SequenceTracker(policy, onEvent));
}

/** Stage 3: linear resampling into the model's rate (resample.ts). */
export function resampleTo(rateHz: number): OperatorFunction<SampleRun, SampleRun> {
  return statefulExpand(() => new Resampler(rateHz));
}

/** Stage 4: sliding windows by sample count (window.ts). */
export function slidingWindows(windowSamples: number, strideSamples: number, channels: number): OperatorFunction<SampleRun, SampleWindow> {
  return statefulExpand(() => new WindowCutter(windowSamples, strideSamples, channels));
}
