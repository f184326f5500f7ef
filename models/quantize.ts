// Input quantization of the gateway (models/ARITHMETIC.md §1): every float64 sample of channel
// c becomes q = clamp(floor(x / scale[c] + 0.5), -128, 127), computed in IEEE-754 float64 (one
// division, one addition, then floor) exactly as the Python exporter does (np.floor(x / s + 0.5)).

export class QuantizeError extends Error {
  readonly code: 'QUANTIZE_SHAPE' | 'QUANTIZE_SCALE' | 'QUANTIZE_NOT_FINITE';
  constructor(code: QuantizeError['code'], message: string) {
    super(message);
    this.name = 'QuantizeError';
    this.code = code;
  }
}

/** Quantizes one time-major window ([t][c], channels = scale.length) into a new Int8Array. */
export function quantizeWindow(samples: Float64Array, scale: readonly number[]): Int8Array {
  const out = new Int8Array(samples.length);
  quantizeWindowInto(samples, 0, scale, out);
  return out;
}

/**
 * Quantizes `out.length` values of `samples` starting at `from` (a window inside a larger
 * [n][t][c] array) into `out`, without allocating. NaN or infinite samples are rejected: the
 * gateway drops them at ingest, so one here is a caller bug (ARITHMETIC.md §1).
 */
export function quantizeWindowInto(samples: Float64Array, from: number, scale: readonly number[], out: Int8Array): void {
  const channels = scale.length;
  if (channels < 1) throw new QuantizeError('QUANTIZE_SCALE', 'no channel scales');
  for (const s of scale) {
    if (!(s > 0) || !Number.isFinite(s)) throw new QuantizeError('QUANTIZE_SCALE', `channel scale ${s} is not a positive finite number`);
  }
  if (out.length % channels !== 0) throw new QuantizeError('QUANTIZE_SHAPE', `${out.length} values are not a whole number of ${channels}-channel samples`);
  if (from < 0 || from + out.length > samples.length) {
    throw new QuantizeError('QUANTIZE_SHAPE', `window [${from}, ${from + out.length}) is outside the ${samples.length} samples`);
  }
  for (let i = 0; i < out.length; i++) {
    const x = samples[from + i] ?? 0;
    if (!Number.isFinite(x)) throw new QuantizeError('QUANTIZE_NOT_FINITE', `sample value ${x} at index ${from + i}`);
    const q = Math.floor(x / (scale[i % channels] ?? 1) + 0.5);
    out[i] = q < -128 ? -128 : q > 127 ? 127 : q;
  }
}
