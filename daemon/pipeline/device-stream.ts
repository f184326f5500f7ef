// One device's stream, from received batches to quantized windows, and the per-device split.
import { catchError, groupBy, mergeMap, pipe, type Observable, type OperatorFunction } from 'rxjs';
import { createChannelSelector } from './channels.ts';
import { ensureContinuity, resampleTo, selectChannels, slidingWindows, type ReceivedBatch } from './operators.ts';
import type { GapPolicy } from './sequence.ts';
import type { ModelInputSpec, SampleWindow, StreamEventSink } from './types.ts';

/** Stages 1-4 for one device: channels, continuity, resampling, windows (still in g and rad/s). */
export function deviceWindows(input: ModelInputSpec, gap: GapPolicy, onEvent: StreamEventSink): OperatorFunction<ReceivedBatch, SampleWindow> {
  const selector = createChannelSelector(input.channels);
  return pipe(
    selectChannels(selector, onEvent),
    ensureContinuity(gap, onEvent),
    resampleTo(input.rateHz),
    slidingWindows(input.windowSamples, input.strideSamples, selector.channels),
  );
}

/**
 * Splits the batches by device (groupBy deviceId) and runs `perDevice` on each. A device whose
 * stream errors is reported and resubscribed with fresh state (its partial window is lost);
 * the other devices never notice.
 */
export function splitByDevice<T>(
  perDevice: (deviceId: string) => OperatorFunction<ReceivedBatch, T>,
  onDeviceError: (deviceId: string, error: unknown) => void,
): OperatorFunction<ReceivedBatch, T> {
  return (source) =>
    source.pipe(
      groupBy((received) => received.batch.deviceId),
      mergeMap((group) => {
        const stream: Observable<T> = group.pipe(
          perDevice(group.key),
          catchError((error: unknown, caught: Observable<T>) => {
            onDeviceError(group.key, error);
            return caught;
          }),
        );
        return stream;
      }),
    );
}
