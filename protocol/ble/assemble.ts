// Sensor chunks (decoders) -> SampleBatches for one device: pairs accelerometer and gyroscope
// samples that arrive in separate notifications, keeps the device's sample sequence (seq), and
// makes every loss visible as a jump in seq (protocol/sample-batch.ts: the next batch of a
// gap-free stream starts at seq + samples), so the pipeline fills or restarts its window.
// Time: the device's own timestamps when the protocol has them, else the arrival time of the
// segment's first sample plus seq / rate (a steady clock for the segment, no arrival jitter).
import type { SampleBatch } from '../sample-batch.ts';
import { MAX_BATCH_SAMPLES } from '../sample-batch.ts';
import type { SensorChunk } from './types.ts';

/** Unpaired samples kept while waiting for the other sensor: 2 s at 128 Hz. Beyond: drop oldest, counted. */
export const MAX_UNPAIRED_SAMPLES = 256;
/**
 * seq jump on a link restart: more than config pipeline.maxGapFillSamples can be (1024), so the
 * pipeline always restarts the window instead of interpolating across a lost connection.
 */
export const LINK_RESTART_GAP_SAMPLES = 4096;

export interface AssemblerOptions {
  readonly deviceId: string;
  /** Emit batches only with gyroscope samples paired (true) or accelerometer only (false). */
  readonly gyro: boolean;
  /**
   * 'device' (default): the frame timestamps when the protocol has them; 'arrival': always the
   * arrival clock (for a device whose clock was never set, e.g. a Polar strap counting from 2000).
   */
  readonly clock?: 'device' | 'arrival';
}

export interface AssembleResult {
  readonly batches: SampleBatch[];
  /** Samples dropped because their counterpart never came (kind 'ble-unpaired'). */
  readonly unpairedDropped: number;
}

export class BatchAssembler {
  private readonly options: AssemblerOptions;
  private seq = 0;
  private acc: number[] = [];
  private gyro: number[] = [];
  private accFirstMs: number | null = null;
  private rateHz = 0;
  /** Seq and time of the current segment's first sample (arrival-clocked devices). */
  private anchor: { seq: number; ms: number } | null = null;
  private gapPending = 0;

  constructor(options: AssemblerOptions) {
    this.options = options;
  }

  /** Next seq to be emitted (exposed for tests and status). */
  get nextSeq(): number {
    return this.seq;
  }

  /** The link dropped: whatever is queued is lost and the next batch starts a new segment. */
  linkRestart(): void {
    this.acc = [];
    this.gyro = [];
    this.accFirstMs = null;
    this.anchor = null;
    this.gapPending += LINK_RESTART_GAP_SAMPLES;
  }

  push(chunks: readonly SensorChunk[], receivedAtMs: number): AssembleResult {
    let unpairedDropped = 0;
    for (const chunk of chunks) {
      if (chunk.sensor === 'gyro' && !this.options.gyro) continue;
      if (chunk.lostBefore > 0) {
        // A loss on either sensor: the unpaired queues are older than the loss, drop them and skip.
        const queued = Math.max(this.acc.length, this.gyro.length) / 3;
        this.gapPending += Math.max(chunk.lostBefore, queued);
        this.acc = [];
        this.gyro = [];
        this.accFirstMs = null;
        this.anchor = null;
      }
      if (chunk.sensor === 'acc') {
        if (this.acc.length === 0) this.accFirstMs = this.options.clock === 'arrival' ? null : chunk.firstSampleMs;
        this.rateHz = chunk.rateHz;
        for (const v of chunk.xyz) this.acc.push(v);
      } else {
        for (const v of chunk.xyz) this.gyro.push(v);
      }
    }
    for (const queue of [this.acc, this.gyro]) {
      const excess = queue.length / 3 - MAX_UNPAIRED_SAMPLES;
      if (excess > 0) {
        queue.splice(0, excess * 3);
        unpairedDropped += excess;
        if (queue === this.acc && this.accFirstMs !== null) this.accFirstMs += (excess * 1000) / this.rateHz;
        this.gapPending += excess;
        this.anchor = null;
      }
    }
    const batches: SampleBatch[] = [];
    let ready = this.options.gyro ? Math.min(this.acc.length, this.gyro.length) / 3 : this.acc.length / 3;
    while (ready > 0 && this.rateHz > 0) {
      const n = Math.min(ready, MAX_BATCH_SAMPLES);
      batches.push(this.emit(n, receivedAtMs));
      ready -= n;
    }
    return { batches, unpairedDropped };
  }

  private emit(n: number, receivedAtMs: number): SampleBatch {
    this.seq = (this.seq + this.gapPending) >>> 0;
    this.gapPending = 0;
    const periodMs = 1000 / this.rateHz;
    let t0Ms: number;
    if (this.accFirstMs !== null) {
      t0Ms = this.accFirstMs;
      this.accFirstMs += n * periodMs;
    } else {
      if (!this.anchor) this.anchor = { seq: this.seq, ms: receivedAtMs };
      t0Ms = this.anchor.ms + ((this.seq - this.anchor.seq) >>> 0) * periodMs;
    }
    const acc = Float64Array.from(this.acc.splice(0, 3 * n));
    const gyro = this.options.gyro ? Float64Array.from(this.gyro.splice(0, 3 * n)) : null;
    const batch: SampleBatch = { deviceId: this.options.deviceId, seq: this.seq, t0Ms, rateHz: this.rateHz, samples: n, acc, gyro };
    this.seq = (this.seq + n) >>> 0;
    return batch;
  }
}
