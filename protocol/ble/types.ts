// What every BLE decoder returns (one file per protocol, dispatched by protocol/ble/index.ts).
// Decoders turn GATT notifications into sensor chunks in the gateway's units (g, rad/s); the
// batch assembler (assemble.ts) turns chunks into SampleBatches with a per-device sample
// sequence. Decoders never throw on bad input: they return a rejection with a stable kind.

export const BLE_ERROR_KINDS = [
  'ble-truncated', //        shorter than the header or than the samples it declares
  'ble-length', //           a length that the layout does not allow (trailing bytes, not a multiple of the sample)
  'ble-unknown-type', //     a measurement / frame / module / register id the decoder does not know
  'ble-bad-bit-width', //    Polar delta frame: bit width 0 or wider than the sample resolution
  'ble-bad-setting', //      settings missing or impossible for this frame (no rate, factor 0 ...)
  'ble-counter-jump', //     a frame counter or device timestamp going backwards or jumping beyond plausibility
  'ble-non-finite', //       float32 samples NaN or infinite
  'ble-unpaired', //         acc or gyro samples without their counterpart beyond the pairing bound (dropped)
  'ble-settings', //         the device's configured settings cannot build a decoder
] as const;
export type BleErrorKind = (typeof BLE_ERROR_KINDS)[number];

export type Sensor = 'acc' | 'gyro';

/** Samples of one sensor decoded from one notification (or one reassembled frame). */
export interface SensorChunk {
  readonly sensor: Sensor;
  /** x, y, z interleaved; g for acc, rad/s for gyro. */
  readonly xyz: Float64Array;
  readonly samples: number;
  readonly rateHz: number;
  /** Device time of the first sample, ms since the Unix epoch, or null when the frame has none. */
  readonly firstSampleMs: number | null;
  /**
   * Samples of this sensor lost just before this chunk, as told by the device's own counter or
   * timestamps (0 = contiguous or unknown).
   */
  readonly lostBefore: number;
}

export interface BleRejection {
  readonly ok: false;
  readonly kind: BleErrorKind;
  readonly detail: string;
}

/**
 * `dropped`: earlier input given up by this call (a split frame whose rest never came), to be
 * counted like a rejection, whatever the outcome of the current notification.
 */
export type BleDecodeResult = ({ readonly ok: true; readonly chunks: readonly SensorChunk[] } | BleRejection) & { readonly dropped?: readonly BleRejection[] };

export function bleReject(kind: BleErrorKind, detail: string): BleRejection {
  return { ok: false, kind, detail };
}

/** A stateful decoder of one device's notifications (frame reassembly, delta state, counters). */
export interface BleDecoder {
  readonly protocol: string;
  /** One notification's value, in arrival order; `characteristic` is its UUID when the caller knows it. */
  decode(value: Uint8Array, characteristic?: string): BleDecodeResult;
  /** Forget reassembly and continuity state (after a reconnection). */
  reset(): void;
  /** End of input (a capture): the bytes of an unfinished frame as a rejection, or null. */
  flush(): BleRejection | null;
}

export const STANDARD_GRAVITY_M_S2 = 9.80665;
export const DEG_TO_RAD = Math.PI / 180;

export function hexOf(bytes: Uint8Array, max = 8): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} ...` : shown || '(none)';
}

export class BleSettingsError extends Error {
  readonly code = 'BLE_SETTINGS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BleSettingsError';
  }
}
