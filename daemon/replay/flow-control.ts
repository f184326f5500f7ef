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
  /** Samples pushed, at the model's rate. */
  modelSamples: number;
  /** Windows answered, dropped or failed. */
  settled: number;
  waiter: (() => void) | null;
}

export class FlowControl {
  private readonly devices = new Map<string, DeviceFlow>();
  private readonly windowSamples: number;
  private readonly strideSamples: number;
  private readonly maxOutstandingWindows: number;

  constructor(options: { readonly windowSamples: number; readonly strideSamples: number; readonly maxOutstandingWindows: number }) {
    this.windowSamples = options.windowSamples;
    this.strideSamples = options.strideSamples;
    this.maxOutstandingWindows = Math.max(1, options.maxOutstandingWindows);
  }

  private device(deviceId: string): DeviceFlow {
    let d = this.devices.get(deviceId);
    if (!d) {
      d = { modelSamples: 0, settled: 0, waiter: null };
      this.devices.set(deviceId, d);
    }
    return d;
  }

  outstanding(deviceId: string): number {
    const d = this.device(deviceId);
    return windowsOf(Math.floor(d.modelSamples), this.windowSamples, this.strideSamples) - d.settled;
  }

  /** Resolves once the device is below its bound (at once when it already is). */
  async ready(deviceId: string): Promise<void> {
    const d = this.device(deviceId);
    while (this.outstanding(deviceId) >= this.maxOutstandingWindows) {
      await new Promise<void>((resolve) => (d.waiter = resolve));
    }
  }

  /** Counts samples about to be pushed (converted to the model's rate). */
  pushed(deviceId: string, modelSamples: number): void {
    this.device(deviceId).modelSamples += modelSamples;
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
