// SampleBatch: what every ingest path (MQTT JSON, MQTT binary, BLE decoders, replay) produces
// and what the gateway's pipeline consumes. Units are fixed here: accelerometer in g,
// gyroscope in rad/s; decoders convert before building a batch.

export interface SampleBatch {
  readonly deviceId: string;
  /**
   * Index of the batch's first sample in the device's stream (a sample counter, uint32,
   * wrapping at 2^32). The next batch of a gap-free stream starts at `seq + samples`.
   */
  readonly seq: number;
  /** Timestamp of the first sample, milliseconds since the Unix epoch (may be fractional). */
  readonly t0Ms: number;
  /** Sampling rate of this batch in Hz. */
  readonly rateHz: number;
  /** Number of samples in the batch. */
  readonly samples: number;
  /** Accelerometer, g, interleaved [x0, y0, z0, x1, ...], length 3 * samples. */
  readonly acc: Float64Array;
  /** Gyroscope, rad/s, interleaved like acc; null for accelerometer-only devices. */
  readonly gyro: Float64Array | null;
}

/** Upper bound of samples in one batch (both payload forms); larger batches are rejected. */
export const MAX_BATCH_SAMPLES = 1024;
/** Accepted sampling rates in Hz. */
export const MIN_RATE_HZ = 1;
export const MAX_RATE_HZ = 1000;
/** Device ids: what may appear as one MQTT topic level and as a database key. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
