// Resampling of one device's segment into the model's rate by linear interpolation.
//
// Output sample k of a segment sits at input position p = k * inRate / outRate (both counted
// from the segment's first sample); its value is x[i] + (x[i+1] - x[i]) * f with i = floor(p),
// f = p - i. The position is computed from k each time — never accumulated — so the result does
// not depend on how the input was split into batches, and with integer rates it is exact
// (k * inRate is an exact integer, f = (k * inRate - i * outRate) / outRate). Only the last input
// sample of the previous run is carried over (the "fractional phase" is k itself).
import type { SampleRun } from './types.ts';

export class Resampler {
  /** Next output sample index in the segment. */
  private nextOut = 0;
  /** Input samples seen in the segment. */
  private inputSeen = 0;
  private last: Float64Array = new Float64Array(0);
  private segment = -1;

  private readonly outRateHz: number;

  constructor(outRateHz: number) {
    this.outRateHz = outRateHz;
  }

  push(run: SampleRun): SampleRun[] {
    // a new segment starts over (compared by number: a restart run may produce no output)
    const restart = run.segment !== this.segment;
    if (restart) {
      this.segment = run.segment;
      this.nextOut = 0;
      this.inputSeen = 0;
    }
    if (run.rateHz === this.outRateHz) return [run];
    const channels = run.channels;
    const inRate = run.rateHz;
    const outRate = this.outRateHz;
    const firstIn = this.inputSeen; // segment index of run.data's sample 0
    const lastIn = firstIn + run.samples - 1; // last available input index
    const firstOut = this.nextOut;
    // count the outputs whose interpolation inputs are available: i + 1 <= lastIn, or f = 0 and i <= lastIn
    let k = firstOut;
    const values: number[] = [];
    for (;;) {
      const num = k * inRate;
      const i = Math.floor(num / outRate);
      const fracNum = num - i * outRate;
      if (i > lastIn || (fracNum !== 0 && i + 1 > lastIn)) break;
      const weight = fracNum / outRate;
      for (let c = 0; c < channels; c++) {
        const a = this.sampleAt(run, firstIn, i, c);
        values.push(weight === 0 ? a : a + (this.sampleAt(run, firstIn, i + 1, c) - a) * weight);
      }
      k += 1;
    }
    this.nextOut = k;
    this.inputSeen = lastIn + 1;
    this.last = run.data.slice((run.samples - 1) * channels, run.samples * channels);
    const samples = k - firstOut;
    if (samples === 0) return [];
    return [
      {
        ...run,
        restart: firstOut === 0,
        firstSample: firstOut,
        rateHz: outRate,
        samples,
        data: Float64Array.from(values),
      },
    ];
  }

  /** Input sample `index` (segment-relative): from this run, or the last one of the previous run. */
  private sampleAt(run: SampleRun, firstIn: number, index: number, channel: number): number {
    const local = index - firstIn;
    if (local >= 0) return run.data[local * run.channels + channel]!;
    return this.last[channel]!; // local === -1 (see the derivation at the top)
  }
}
