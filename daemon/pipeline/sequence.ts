// Sequence continuity of one device's batches (protocol/sample-batch.ts: `seq` is the index of
// the batch's first sample, uint32, wrapping at 2^32; the next gap-free batch starts at
// seq + samples). Pure and synchronous: the RxJS stage in operators.ts wraps it.
//
// - contiguous: the batch continues the current segment;
// - ahead by g <= maxGapFillSamples: the g missing samples are filled ('hold' repeats the last
//   sample, 'linear' interpolates between the last sample and the batch's first), counted;
// - ahead by more: a new segment starts (downstream windows restart), counted;
// - behind: a batch wholly at or before what was seen is dropped as a duplicate, a partial
//   overlap is trimmed; far behind (more than SEQ_RESET_BEHIND_SAMPLES) is a counter reset
//   (device reboot) and starts a new segment;
// - a rate different from the segment's starts a new segment.
import { MAX_BATCH_SAMPLES } from '../../protocol/sample-batch.ts';
import type { SampleRun, StreamEventSink } from './types.ts';

export type GapFillMode = 'hold' | 'linear';

export interface GapPolicy {
  readonly fill: GapFillMode;
  /** Largest gap (in samples at the device's rate) that is filled; 0 = never fill. */
  readonly maxGapFillSamples: number;
}

/** A batch after channel selection: what the continuity stage consumes. */
export interface ChannelBatch {
  readonly deviceId: string;
  readonly seq: number;
  readonly t0Ms: number;
  readonly rateHz: number;
  readonly samples: number;
  readonly channels: number;
  readonly data: Float64Array;
  readonly receivedAtMs: number;
}

const UINT32_SPAN = 2 ** 32;
const HALF_UINT32 = 2 ** 31;

/**
 * A batch this many samples (or more) behind the expected sequence number is not a late copy of
 * recent data but a counter that started over (device reboot): eight maximal batches is well
 * beyond any reordering a broker or a BLE bridge produces.
 */
export const SEQ_RESET_BEHIND_SAMPLES = 8 * MAX_BATCH_SAMPLES;

export class SequenceTracker {
  private segment = -1;
  private segmentT0Ms = 0;
  private rateHz = 0;
  private nextSeq = 0;
  private nextSample = 0;
  private last: Float64Array | null = null;

  private readonly policy: GapPolicy;
  private readonly onEvent: StreamEventSink;

  constructor(policy: GapPolicy, onEvent: StreamEventSink) {
    this.policy = policy;
    this.onEvent = onEvent;
  }

  /** The runs this batch contributes (0 or 1). */
  push(batch: ChannelBatch): SampleRun[] {
    if (batch.samples === 0) return [];
    if (this.segment < 0) return [this.startSegment(batch)];
    if (batch.rateHz !== this.rateHz) {
      this.onEvent({ deviceId: batch.deviceId, kind: 'rate-change', detail: `${this.rateHz} Hz -> ${batch.rateHz} Hz` });
      return [this.startSegment(batch)];
    }
    const ahead = (batch.seq - this.nextSeq + UINT32_SPAN) % UINT32_SPAN;
    if (ahead === 0) return [this.continueWith(batch, batch.data, batch.samples, false)];
    if (ahead < HALF_UINT32) return [this.bridgeGap(batch, ahead)];
    const behind = UINT32_SPAN - ahead;
    if (behind >= SEQ_RESET_BEHIND_SAMPLES) {
      this.onEvent({ deviceId: batch.deviceId, kind: 'seq-reset', detail: `seq ${batch.seq} is ${behind} samples behind ${this.nextSeq}` });
      return [this.startSegment(batch)];
    }
    if (behind >= batch.samples) {
      this.onEvent({ deviceId: batch.deviceId, kind: 'seq-duplicate', detail: `seq ${batch.seq} (+${batch.samples}) already seen (expected ${this.nextSeq})` });
      return [];
    }
    this.onEvent({ deviceId: batch.deviceId, kind: 'seq-overlap', detail: `seq ${batch.seq}: first ${behind} samples already seen` });
    const keep = batch.samples - behind;
    return [this.continueWith(batch, batch.data.subarray(behind * batch.channels), keep, false)];
  }

  private bridgeGap(batch: ChannelBatch, gap: number): SampleRun {
    if (gap > this.policy.maxGapFillSamples) {
      this.onEvent({ deviceId: batch.deviceId, kind: 'gap-restart', detail: `${gap} samples missing before seq ${batch.seq} (fill limit ${this.policy.maxGapFillSamples})` });
      return this.startSegment(batch);
    }
    this.onEvent({ deviceId: batch.deviceId, kind: 'gap-filled', detail: `${gap} samples before seq ${batch.seq} (${this.policy.fill})` });
    const channels = batch.channels;
    const data = new Float64Array((gap + batch.samples) * channels);
    const last = this.last!;
    for (let j = 0; j < gap; j++) {
      for (let c = 0; c < channels; c++) {
        const from = last[c]!;
        data[j * channels + c] = this.policy.fill === 'hold' ? from : from + ((batch.data[c]! - from) * (j + 1)) / (gap + 1);
      }
    }
    data.set(batch.data, gap * channels);
    return this.continueWith(batch, data, gap + batch.samples, false);
  }

  private startSegment(batch: ChannelBatch): SampleRun {
    this.segment += 1;
    this.segmentT0Ms = batch.t0Ms;
    this.rateHz = batch.rateHz;
    this.nextSample = 0;
    return this.continueWith(batch, batch.data, batch.samples, true);
  }

  /** Emits `samples` samples (which end at batch.seq + batch.samples) as the next run of the segment. */
  private continueWith(batch: ChannelBatch, data: Float64Array, samples: number, restart: boolean): SampleRun {
    const run: SampleRun = {
      deviceId: batch.deviceId,
      restart,
      segment: this.segment,
      segmentT0Ms: this.segmentT0Ms,
      firstSample: this.nextSample,
      rateHz: this.rateHz,
      samples,
      channels: batch.channels,
      data,
      receivedAtMs: batch.receivedAtMs,
    };
    this.nextSample += samples;
    this.nextSeq = (batch.seq + batch.samples) % UINT32_SPAN;
    this.last = data.slice((samples - 1) * batch.channels, samples * batch.channels);
    return run;
  }
}
