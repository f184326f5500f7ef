// What the replay runs: a recording as a list of timed sample batches of one device, with the
// truth (labelled segments) when the source has labels, and the rule that labels a window.
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { labelStreamWindow, type TaskProtocol } from '../../models/datasets/index.ts';

/** Samples per replayed batch (1 s at 50 Hz, what a wearable sends per message). */
export const DEFAULT_BATCH_SAMPLES = 50;

export interface TruthSegment {
  /** First sample (0-based, in the recording's own samples), end exclusive. */
  readonly startSample: number;
  readonly endSample: number;
  readonly label: string;
  /** HAPT activity id, for sources labelled by a HAPT task protocol. */
  readonly activityId?: number;
}

/**
 * How a window is given its true label:
 * - `task`: the training protocol's rule for a window cut by a stream (models/datasets/tasks.ts
 *   labelStreamWindow: rule 1 inside one basic-activity segment, rule 2 transitions in hapt12);
 * - `inside`: rule 1 only: a window entirely inside one labelled segment gets its label.
 * Windows that get no label are predicted but not scored.
 */
export type LabelRule = { readonly kind: 'task'; readonly protocol: TaskProtocol } | { readonly kind: 'inside' };

export interface TimedBatch {
  readonly batch: SampleBatch;
  /** When the batch is due, ms after the recording's first batch (original time, speed 1). */
  readonly offsetMs: number;
}

export interface ReplayRecording {
  /** What the user named (file path, `hapt6:test`, ...). */
  readonly source: string;
  /** One recording of that source, e.g. `exp05-user03`. */
  readonly name: string;
  readonly deviceId: string;
  readonly rateHz: number;
  readonly sampleCount: number;
  readonly durationS: number;
  readonly batches: readonly TimedBatch[];
  readonly truth: { readonly segments: readonly TruthSegment[]; readonly rule: LabelRule } | null;
  /**
   * Set by alignToProtocol: the truth segments replayed one after the other, each from its own
   * first sample (pipeline segment k = alignedSegments[k]); null for a plain stream replay.
   */
  readonly alignedSegments?: readonly TruthSegment[] | null;
}

/** Device ids must match protocol DEVICE_ID_PATTERN: [A-Za-z0-9_-]{1,64}. */
export function deviceIdFrom(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(-64);
  return id || 'replay';
}

/**
 * Cuts time-major samples `[n][channels]` (acc x y z, then gyro x y z when channels = 6) into
 * batches of `batchSamples`; seq counts samples from 0; t0 from `timestampsMs` when given
 * (original timestamps), else from t0Ms + i / rate.
 */
export function batchesFromSamples(
  deviceId: string,
  samples: Float64Array,
  channels: 3 | 6,
  rateHz: number,
  options: { readonly t0Ms?: number; readonly timestampsMs?: Float64Array; readonly batchSamples?: number } = {},
): TimedBatch[] {
  const n = Math.floor(samples.length / channels);
  const per = options.batchSamples ?? DEFAULT_BATCH_SAMPLES;
  const t0Ms = options.t0Ms ?? 0;
  const timeOf = (i: number): number => options.timestampsMs?.[i] ?? t0Ms + (i * 1000) / rateHz;
  const first = timeOf(0);
  const out: TimedBatch[] = [];
  for (let start = 0; start < n; start += per) {
    const count = Math.min(per, n - start);
    const acc = new Float64Array(count * 3);
    const gyro = channels === 6 ? new Float64Array(count * 3) : null;
    for (let i = 0; i < count; i++) {
      const from = (start + i) * channels;
      acc[i * 3] = samples[from]!;
      acc[i * 3 + 1] = samples[from + 1]!;
      acc[i * 3 + 2] = samples[from + 2]!;
      if (gyro) {
        gyro[i * 3] = samples[from + 3]!;
        gyro[i * 3 + 1] = samples[from + 4]!;
        gyro[i * 3 + 2] = samples[from + 5]!;
      }
    }
    const t = timeOf(start);
    // a batch is due when its last sample has been taken (a wearable sends after sampling)
    const dueMs = timeOf(start + count - 1) - first + 1000 / rateHz;
    out.push({ batch: { deviceId, seq: start, t0Ms: t, rateHz, samples: count, acc, gyro }, offsetMs: dueMs });
  }
  return out;
}

/**
 * The true label of a window of the pipeline (startSample and windowSamples at the model's
 * rate), or undefined when it is not scored. Only windows of segment 0 (a gap-free replay from
 * the recording's first sample) can be placed in the recording.
 */
export function windowLabel(
  recording: ReplayRecording,
  window: { readonly segment: number; readonly startSample: number },
  model: { readonly rateHz: number; readonly windowSamples: number },
): string | undefined {
  const truth = recording.truth;
  if (!truth) return undefined;
  const ratio = recording.rateHz / model.rateHz;
  let offset = 0;
  if (recording.alignedSegments) {
    const segment = recording.alignedSegments[window.segment];
    if (!segment) return undefined;
    offset = segment.startSample;
  } else if (window.segment !== 0) {
    return undefined;
  }
  const start = offset + Math.round(window.startSample * ratio);
  const length = Math.round(model.windowSamples * ratio);
  if (truth.rule.kind === 'task') {
    const protocol = truth.rule.protocol;
    const segments = truth.segments.map((s) => ({ activityId: s.activityId ?? 0, startSample: s.startSample, endSample: s.endSample }));
    const classIndex = labelStreamWindow(protocol, segments, start);
    return classIndex === undefined ? undefined : protocol.classes[classIndex];
  }
  const end = start + length;
  for (const s of truth.segments) if (s.startSample <= start && end <= s.endSample) return s.label;
  return undefined;
}

/** A gap the pipeline never fills (sequence.ts restarts the stream past maxGapFillSamples). */
export const ALIGNMENT_GAP_SAMPLES = 1 << 20;

/**
 * `--windows protocol`: replays only the labelled segments a window can lie inside (rule 1 of
 * the task protocols, models/datasets/tasks.ts), each from its own first sample, separated by a
 * sequence gap that makes the pipeline restart its windows. The stream then cuts exactly the
 * windows cutTaskWindows places for basic activities (what `har-gateway eval` evaluates for
 * hapt6); hapt12's centred transition windows (rule 2) exist only in a stream replay. The
 * restarts are counted as gap-restart stream events.
 */
export function alignToProtocol(recording: ReplayRecording, windowSamples: number): ReplayRecording {
  const truth = recording.truth;
  if (!truth) return recording;
  const samples = recordingSamples(recording);
  const channels = samples.channels;
  const rule = truth.rule;
  const inTask = (s: TruthSegment): boolean =>
    rule.kind === 'inside' || (s.activityId !== undefined && s.activityId < 7 && rule.protocol.activityIds.includes(s.activityId));
  const segments = truth.segments.filter((s) => inTask(s) && s.endSample - s.startSample >= windowSamples);
  const batches: TimedBatch[] = [];
  let seqBase = 0;
  let offsetMs = 0;
  for (const s of segments) {
    const part = batchesFromSamples(recording.deviceId, samples.data.subarray(s.startSample * channels, s.endSample * channels), channels, recording.rateHz, {
      t0Ms: recording.batches[0] ? recording.batches[0].batch.t0Ms + (s.startSample * 1000) / recording.rateHz : 0,
      batchSamples: recording.batches[0]?.batch.samples ?? DEFAULT_BATCH_SAMPLES,
    });
    for (const b of part) batches.push({ batch: { ...b.batch, seq: (seqBase + b.batch.seq) >>> 0 }, offsetMs: offsetMs + b.offsetMs });
    seqBase += s.endSample - s.startSample + ALIGNMENT_GAP_SAMPLES;
    offsetMs += ((s.endSample - s.startSample) * 1000) / recording.rateHz;
  }
  const sampleCount = segments.reduce((n, s) => n + s.endSample - s.startSample, 0);
  return { ...recording, batches, sampleCount, durationS: sampleCount / recording.rateHz, alignedSegments: segments };
}

/** The recording's samples back as one time-major array (acc, then gyro when every batch has it). */
function recordingSamples(recording: ReplayRecording): { data: Float64Array; channels: 3 | 6 } {
  const channels: 3 | 6 = recording.batches.every((b) => b.batch.gyro !== null) ? 6 : 3;
  const total = recording.batches.reduce((n, b) => n + b.batch.samples, 0);
  const data = new Float64Array(total * channels);
  let at = 0;
  for (const { batch } of recording.batches) {
    for (let i = 0; i < batch.samples; i++, at++) {
      for (let a = 0; a < 3; a++) data[at * channels + a] = batch.acc[i * 3 + a]!;
      if (channels === 6) for (let a = 0; a < 3; a++) data[at * channels + 3 + a] = batch.gyro![i * 3 + a]!;
    }
  }
  return { data, channels };
}
