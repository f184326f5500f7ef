// Records that flow between the pipeline's stages. Every stage is per device (after groupBy),
// so each record carries its deviceId only for the stages' events and for the output.

/** What the pipeline needs to know about the model's input (models/FORMAT.md, metadata `input`). */
export interface ModelInputSpec {
  /** Channel names in the model's order, e.g. acc_x, acc_y, acc_z, gyro_x, gyro_y, gyro_z. */
  readonly channels: readonly string[];
  readonly rateHz: number;
  readonly windowSamples: number;
  readonly strideSamples: number;
  /** One quantization scale per channel (ARITHMETIC.md section 1). */
  readonly scale: readonly number[];
}

/**
 * A run of consecutive samples of one device at one rate, time-major `[t][c]` over the model's
 * channels. `restart` marks the first run of a new segment: the stream does not continue the
 * previous run (first batch of the device, gap too large to fill, rate change, counter reset),
 * so every stateful stage downstream starts over.
 */
export interface SampleRun {
  readonly deviceId: string;
  readonly restart: boolean;
  /** Segments begun so far for this device (0 for the first). */
  readonly segment: number;
  /** Timestamp of the first sample of the segment, ms since the epoch (from the device). */
  readonly segmentT0Ms: number;
  /** Index of this run's first sample inside the segment, at `rateHz`. */
  readonly firstSample: number;
  readonly rateHz: number;
  readonly samples: number;
  readonly channels: number;
  /** `samples * channels` values, time-major. */
  readonly data: Float64Array;
  /** Wall-clock ms at which the batch that produced this run reached the gateway (injected clock, edge only). */
  readonly receivedAtMs: number;
}

/** A window of the model's input, still in physical units (g, rad/s). */
export interface SampleWindow {
  readonly deviceId: string;
  /** Windows emitted so far for this device (0-based, across segments). */
  readonly windowSeq: number;
  readonly segment: number;
  /** Index of the window's first sample inside its segment, at the model's rate. */
  readonly startSample: number;
  /** Timestamp of the window's first sample, ms since the epoch. */
  readonly t0Ms: number;
  /** `windowSamples * channels` values, time-major. */
  readonly samples: Float64Array;
  /** receivedAtMs of the batch that completed the window. */
  readonly receivedAtMs: number;
}

/** A window quantized to the model's int8 input (ARITHMETIC.md section 1). */
export interface QuantizedWindow extends Omit<SampleWindow, 'samples'> {
  readonly input: Int8Array;
}

/**
 * Stream events a stage reports for a device (counted per device and kind, stored beside the
 * ingest errors). Kinds:
 * - `missing-gyro`: the model needs gyroscope channels and the batch has none (batch dropped);
 * - `seq-duplicate`: a batch entirely at or before samples already seen (dropped);
 * - `seq-overlap`: a batch partly before the expected sequence number (overlap trimmed);
 * - `gap-filled`: a gap of at most `maxGapFillSamples` filled (hold or linear);
 * - `gap-restart`: a larger gap: the window restarts;
 * - `seq-reset`: the counter went far back (device reboot): the window restarts;
 * - `rate-change`: the batch rate differs from the segment's: the window restarts;
 * - `window-dropped`: a window dropped by the inference queue bound (inference-pool.ts, drop-oldest);
 * - `inference-failed`: the engine failed on a window, or its worker died;
 * - `stream-error`: an unexpected error in the device's stream (the stream restarts).
 */
export type StreamEventKind =
  | 'missing-gyro'
  | 'seq-duplicate'
  | 'seq-overlap'
  | 'gap-filled'
  | 'gap-restart'
  | 'seq-reset'
  | 'rate-change'
  | 'window-dropped'
  | 'inference-failed'
  | 'stream-error';

export interface StreamEvent {
  readonly deviceId: string;
  readonly kind: StreamEventKind;
  readonly detail: string;
}

export type StreamEventSink = (event: StreamEvent) => void;
