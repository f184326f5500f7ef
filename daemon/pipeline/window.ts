// Sliding windows by sample count (never by wall time, so replays are reproducible): a window of
// `windowSamples` samples every `strideSamples` samples of a segment, at the model's rate.
// A new segment (gap too large, rate change, counter reset) discards the partial window.
import type { SampleRun, SampleWindow } from './types.ts';

export class WindowCutter {
  /** The window being filled: windowSamples * channels values. */
  private buffer: Float64Array;
  /** Samples in `buffer`. */
  private filled = 0;
  /** Samples still to skip before the next window starts (stride > window). */
  private skip = 0;
  /** Segment index of the next window's first sample. */
  private nextStart = 0;
  private segment = -1;
  private windowSeq = 0;

  private readonly windowSamples: number;
  private readonly strideSamples: number;
  private readonly channels: number;

  constructor(windowSamples: number, strideSamples: number, channels: number) {
    this.windowSamples = windowSamples;
    this.strideSamples = strideSamples;
    this.channels = channels;
    this.buffer = new Float64Array(windowSamples * channels);
  }

  push(run: SampleRun): SampleWindow[] {
    if (run.segment !== this.segment) {
      this.segment = run.segment;
      this.filled = 0;
      this.skip = 0;
      this.nextStart = run.firstSample;
    }
    const channels = this.channels;
    const out: SampleWindow[] = [];
    let t = 0;
    while (t < run.samples) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, run.samples - t);
        this.skip -= skipped;
        t += skipped;
        continue;
      }
      const take = Math.min(this.windowSamples - this.filled, run.samples - t);
      this.buffer.set(run.data.subarray(t * channels, (t + take) * channels), this.filled * channels);
      this.filled += take;
      t += take;
      if (this.filled < this.windowSamples) break;
      out.push({
        deviceId: run.deviceId,
        windowSeq: this.windowSeq++,
        segment: run.segment,
        startSample: this.nextStart,
        t0Ms: run.segmentT0Ms + (this.nextStart * 1000) / run.rateHz,
        samples: this.buffer.slice(),
        receivedAtMs: run.receivedAtMs,
      });
      this.nextStart += this.strideSamples;
      if (this.strideSamples < this.windowSamples) {
        this.buffer.copyWithin(0, this.strideSamples * channels);
        this.filled -= this.strideSamples;
      } else {
        this.filled = 0;
        this.skip = this.strideSamples - this.windowSamples;
      }
    }
    return out;
  }
}
