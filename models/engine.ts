// The InferenceEngine contract: one synchronous interface that both the TypeScript reference
// executor (models/reference) and the emulated MCU twin (device-sim) implement. The daemon runs
// engines inside worker threads and never depends on which one it has.
//
// Semantics of every field: models/ARITHMETIC.md (sections 5-7).

/** Threshold of the mode that always runs every stage (the full network). */
export const THRESHOLD_FULL = 0xffff_ffff;
/** Threshold of the cheapest mode: always stop after the first stage. */
export const THRESHOLD_FIRST_EXIT = 0;

export interface InferenceResult {
  /** Index into the model's class names. */
  readonly classIndex: number;
  /** Scores of the last stage that ran (signed integers, logit = score * scoreScale). */
  readonly scores: readonly number[];
  /** top-1 minus top-2 score of the last stage that ran. */
  readonly margin: number;
  /** Index of the last stage that ran (0 = first exit). */
  readonly exitTaken: number;
  /** Multiply-accumulates of the layers that ran. */
  readonly macs: number;
  /** Emulated core cycles (MCU engine only; null for the reference executor). */
  readonly cycles: number | null;
  /** Retired instructions (MCU engine only). */
  readonly instret: number | null;
  /** Energy of the inference at the MCU profile's operating point (MCU engine only). */
  readonly energyUj: number | null;
  /** Latency at the MCU profile's clock (MCU engine only). */
  readonly latencyUs: number | null;
}

export interface InferenceEngine {
  readonly kind: 'reference' | 'mcu';
  /**
   * Runs one quantized window (int8, time-major [windowSamples][inChannels]) with the given
   * adaptive threshold. Throws an Error with a `code` on a window of the wrong shape or an
   * engine fault; the engine stays usable for the next window.
   */
  run(window: Int8Array, threshold: number): InferenceResult;
}
