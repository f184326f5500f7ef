// Maps a SampleBatch (acc and gyro interleaved xyz, protocol/sample-batch.ts) onto the model's
// channel order (metadata `input.channels`, models/FORMAT.md), time-major [t][c].
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { PipelineError } from './errors.ts';

/** The physical channels a SampleBatch carries: sensor and axis (0 = x, 1 = y, 2 = z). */
const KNOWN_CHANNELS: Readonly<Record<string, { readonly sensor: 'acc' | 'gyro'; readonly axis: number }>> = {
  acc_x: { sensor: 'acc', axis: 0 },
  acc_y: { sensor: 'acc', axis: 1 },
  acc_z: { sensor: 'acc', axis: 2 },
  gyro_x: { sensor: 'gyro', axis: 0 },
  gyro_y: { sensor: 'gyro', axis: 1 },
  gyro_z: { sensor: 'gyro', axis: 2 },
};

export interface ChannelSelector {
  readonly channels: number;
  readonly needsGyro: boolean;
  /** The batch's samples in model channel order, or null when it lacks the gyroscope the model needs. */
  select(batch: SampleBatch): Float64Array | null;
}

export function createChannelSelector(channelNames: readonly string[]): ChannelSelector {
  const picks = channelNames.map((name) => {
    const known = KNOWN_CHANNELS[name];
    if (!known) {
      throw new PipelineError('unsupported-channel', `model input channel "${name}" is not one a sample batch carries (${Object.keys(KNOWN_CHANNELS).join(', ')})`);
    }
    return known;
  });
  const channels = picks.length;
  const needsGyro = picks.some((p) => p.sensor === 'gyro');
  return {
    channels,
    needsGyro,
    select(batch) {
      if (needsGyro && batch.gyro === null) return null;
      const out = new Float64Array(batch.samples * channels);
      for (let c = 0; c < channels; c++) {
        const pick = picks[c]!;
        const src = pick.sensor === 'acc' ? batch.acc : batch.gyro!;
        for (let t = 0; t < batch.samples; t++) out[t * channels + c] = src[t * 3 + pick.axis]!;
      }
      return out;
    },
  };
}
