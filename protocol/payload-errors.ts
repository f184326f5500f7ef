// Why a payload was rejected: a stable list of kind names (they appear in counters, logs, the
// database and the README). Decoders and the batch validator return these as values; they never
// throw on bad input.

/** Kinds found while decoding the bytes of a payload (structure and types). */
export const DECODE_ERROR_KINDS = [
  'empty', //           zero-byte payload
  'unknown-format', //  first byte is neither a JSON object nor the binary magic
  'invalid-json', //    not parseable as JSON (includes NaN/Infinity literals)
  'not-an-object', //   valid JSON but not an object
  'missing-field', //   a required field is absent
  'unknown-field', //   a field that the format does not have (forms are strict)
  'wrong-type', //      a field of the wrong type (string for a number, object for an array...)
  'bad-version', //     version field / byte other than the one supported
  'bad-magic', //       binary: first two bytes are not "HB"
  'bad-flags', //       binary: reserved flag bits set
  'truncated', //       binary: shorter than its header or than its declared samples
  'length-mismatch', // binary: bytes after the samples; JSON: rows not 3 wide, gyro rows != acc rows
  'non-finite', //      NaN or +-Infinity where a number is required
  'bad-seq', //         sequence number not an integer in [0, 2^32)
  'bad-scale', //       binary: accelerometer/gyroscope scale not a finite positive number
] as const;

/** Kinds found while checking the values of a decoded batch against bounds. */
export const VALUE_ERROR_KINDS = [
  'bad-rate', //         rate outside [MIN_RATE_HZ, MAX_RATE_HZ]
  'bad-sample-count', // zero samples, or more than MAX_BATCH_SAMPLES
  'bad-timestamp', //    first-sample timestamp negative or after 2100-01-01
  'out-of-range', //     a sample beyond the configured physical bounds (absurd magnitude)
] as const;

export type DecodeErrorKind = (typeof DECODE_ERROR_KINDS)[number];
export type ValueErrorKind = (typeof VALUE_ERROR_KINDS)[number];
export type PayloadErrorKind = DecodeErrorKind | ValueErrorKind;

export interface PayloadRejection {
  readonly ok: false;
  readonly kind: PayloadErrorKind;
  /** One line for the log: what was wrong, never the payload itself. */
  readonly detail: string;
}

export function reject(kind: PayloadErrorKind, detail: string): PayloadRejection {
  return { ok: false, kind, detail };
}
