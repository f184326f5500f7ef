// Value bounds of a decoded SampleBatch (README.md "Validation"). Decoders check structure;
// this checks that the numbers make physical sense, whichever form or transport brought them.
import { MAX_BATCH_SAMPLES, MAX_RATE_HZ, MIN_RATE_HZ, type SampleBatch } from './sample-batch.ts';
import { reject, type PayloadRejection } from './payload-errors.ts';

export interface BatchLimits {
  /** Largest accepted |acceleration| on any axis, g. */
  readonly maxAbsAccG: number;
  /** Largest accepted |angular rate| on any axis, rad/s. */
  readonly maxAbsGyroRadS: number;
}

/**
 * Defaults: twice the widest common MEMS ranges (+-16 g, +-2000 deg/s = 34.9 rad/s) so a
 * saturated sensor still passes, while garbage (1e6 g) does not.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxAbsAccG: 32, maxAbsGyroRadS: 70 };

/** 2100-01-01T00:00:00Z: a timestamp after this is a unit mistake (us or ns instead of ms). */
export const MAX_T0_MS = 4_102_444_800_000;

export function validateBatch(batch: SampleBatch, limits: BatchLimits = DEFAULT_BATCH_LIMITS): PayloadRejection | null {
  if (!Number.isFinite(batch.rateHz) || !Number.isFinite(batch.t0Ms)) return reject('non-finite', `rate ${batch.rateHz}, t0 ${batch.t0Ms}`);
  if (batch.rateHz < MIN_RATE_HZ || batch.rateHz > MAX_RATE_HZ) return reject('bad-rate', `rate ${batch.rateHz} Hz outside [${MIN_RATE_HZ}, ${MAX_RATE_HZ}]`);
  if (batch.samples < 1 || batch.samples > MAX_BATCH_SAMPLES) return reject('bad-sample-count', `${batch.samples} samples outside [1, ${MAX_BATCH_SAMPLES}]`);
  if (batch.t0Ms < 0 || batch.t0Ms > MAX_T0_MS) return reject('bad-timestamp', `t0 ${batch.t0Ms} ms is not between 1970 and 2100`);
  const accBad = firstBeyond(batch.acc, limits.maxAbsAccG);
  if (accBad !== null) return accBad;
  if (batch.gyro) {
    const gyroBad = firstBeyond(batch.gyro, limits.maxAbsGyroRadS, 'gyro');
    if (gyroBad !== null) return gyroBad;
  }
  return null;
}

function firstBeyond(values: Float64Array, limit: number, field = 'acc'): PayloadRejection | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (!Number.isFinite(v)) return reject('non-finite', `${field} value ${i} is ${v}`);
    if (v > limit || v < -limit) return reject('out-of-range', `${field} value ${i} is ${v}, limit +-${limit}`);
  }
  return null;
}
