// Generated test data for the pipeline's unit tests (no dataset content).
import type { SampleBatch } from '../../../../protocol/sample-batch.ts';
import type { ChannelBatch } from '../../../../daemon/pipeline/sequence.ts';
import type { SampleRun } from '../../../../daemon/pipeline/types.ts';

/** A one-channel batch whose sample values equal their sequence index (so gaps are visible). */
export function rampBatch(seq: number, samples: number, rateHz = 50, deviceId = 'd1'): ChannelBatch {
  const data = Float64Array.from({ length: samples }, (_, i) => seq + i);
  return { deviceId, seq, t0Ms: 1_000_000 + (seq * 1000) / rateHz, rateHz, samples, channels: 1, data, receivedAtMs: seq };
}

/** A one-channel run of values f(i) for segment indices [first, first + samples). */
export function runOf(first: number, samples: number, rateHz: number, f: (i: number) => number, segment = 0): SampleRun {
  return {
    deviceId: 'd1',
    restart: first === 0,
    segment,
    segmentT0Ms: 0,
    firstSample: first,
    rateHz,
    samples,
    channels: 1,
    data: Float64Array.from({ length: samples }, (_, i) => f(first + i)),
    receivedAtMs: 0,
  };
}

/** A 6-axis SampleBatch with acc = (seq+i, 10+seq+i, 20+seq+i) and gyro = (30.., 40.., 50..). */
export function sampleBatch(deviceId: string, seq: number, samples: number, rateHz = 50, withGyro = true): SampleBatch {
  const acc = new Float64Array(samples * 3);
  const gyro = new Float64Array(samples * 3);
  for (let i = 0; i < samples; i++) {
    for (let a = 0; a < 3; a++) {
      acc[i * 3 + a] = a * 10 + seq + i;
      gyro[i * 3 + a] = 30 + a * 10 + seq + i;
    }
  }
  return { deviceId, seq, t0Ms: 1_000_000 + (seq * 1000) / rateHz, rateHz, samples, acc, gyro: withGyro ? gyro : null };
}
