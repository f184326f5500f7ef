// Backpressure for `--speed max` (and a slow pipeline at any speed): a device may have at most
// `maxOutstandingWindows` windows cut but not answered (queued or in flight). The inference
// pool drops the oldest window of a device past pipeline.maxQueuedWindowsPerDevice waiting
// windows (daemon/pipeline/inference-pool.ts), so staying below that bound means no drops;
// the replay waits for results instead of sleeping.

/** Windows a gap-free stream of `samples` samples yields (slidingWindows: by sample count). */
export function windowsOf(samples: number, windowSamples: number, strideSamples: number): number {
  return samples < windowSamples ? 0 : Math.floor((samples - windowSamples) / strideSamples) + 1;
}

interface DeviceFlow {
  /** Windows of the segments the stream has left (a gap restarted it). */
  closedWindows: number;
  /** Samples of the current segment, at the model's rate. */
  segmentSamples: number;
  nextSeq: number | null;
  /** Windows answered, dropped or failed. */
  settled: number;
  waiter: (() => void) | null;
}

export interface FlowControlOptions {
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly maxOutstandingWindows: number;
  /** The pipeline's pipeline.maxGapFillSamples: a larger gap restarts the windows (sequence.ts). */
  readonly maxGapFillSamples: number;
  /** A wait longer than this without any window settling goes on anyway (counted as a stall). */
  readonly stallTimeoutMs?: number;
}

const DEFAULT_STALL_TIMEOUT_MS = 5000;
const UINT32_SPAN = 2 ** 32;

export class FlowControl {
  private readonly devices = new Map<string, DeviceFlow>();
  private readonly options: FlowControlOptions;
  private readonly maxOutstandingWindows: number;
  private stallCount = 0;

  constructor(options: FlowControlOptions) {
    this.options = options;
    this.maxOutstandingWindows = Math.max(1, options.maxOutstandingWindows);
  }

  private device(deviceId: string): DeviceFlow {
    let d = this.devices.get(deviceId);
    if (!d) {
      d = { closedWindows: 0, segmentSamples: 0, nextSeq: null, settled: 0, waiter: null };
      this.devices.set(deviceId, d);
    }
    return d;
  }

  /** Windows the device's pushed samples yield that have not settled yet. */
  outstanding(deviceId: string): number {
    const d = this.device(deviceId);
    return d.closedWindows + windowsOf(Math.floor(d.segmentSamples + 1e-9), this.options.windowSamples, this.options.strideSamples) - d.settled;
  }

  /** Resolves once the device is below its bound (at once when it already is). */
  async ready(deviceId: string): Promise<void> {
    const d = this.device(deviceId);
    const stallMs = this.options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    while (this.outstanding(deviceId) >= this.maxOutstandingWindows) {
      let timer: NodeJS.Timeout | undefined;
      const settled = await new Promise<boolean>((resolve) => {
        d.waiter = () => resolve(true);
        timer = setTimeout(() => resolve(false), stallMs);
      });
      clearTimeout(timer);
      if (!settled) {
        // the estimate is off (or the pipeline lost windows): go on rather than hang
        this.stallCount += 1;
        return;
      }
    }
  }

  /**
   * Counts a batch about to be pushed: `seq` and `samples` at the batch's rate, `rateRatio` =
   * model rate / batch rate. A gap past maxGapFillSamples (or a step back) starts a new segment.
   */
  pushed(deviceId: string, seq: number, samples: number, rateRatio = 1): void {
    const d = this.device(deviceId);
    if (d.nextSeq !== null) {
      const ahead = (seq - d.nextSeq + UINT32_SPAN) % UINT32_SPAN;
      if (ahead === 0) {
        // continues
      } else if (ahead <= this.options.maxGapFillSamples) {
        d.segmentSamples += ahead * rateRatio;
      } else {
        d.closedWindows += windowsOf(Math.floor(d.segmentSamples + 1e-9), this.options.windowSamples, this.options.strideSamples);
        d.segmentSamples = 0;
      }
    }
    d.segmentSamples += samples * rateRatio;
    d.nextSeq = (seq + samples) % UINT32_SPAN;
  }

  /** Waits that went on without a settled window (stallTimeoutMs). */
  stalls(): number {
    return this.stallCount;
  }

  /** A window of the device was answered, dropped or failed. */
  settled(deviceId: string): void {
    const d = this.device(deviceId);
    d.settled += 1;
    const wake = d.waiter;
    d.waiter = null;
    wake?.();
  }

  /** Wakes every waiter (shutdown). */
  releaseAll(): void {
    for (const d of this.devices.values()) {
      d.settled = Number.MAX_SAFE_INTEGER / 2;
      const wake = d.waiter;
      d.waiter = null;
      wake?.();
    }
  }
}
