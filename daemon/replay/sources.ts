// Resolving the `<source...>` arguments of `har-gateway replay` into recordings:
// - `hapt6:<split>` / `hapt12:<split>`: every HAPT raw experiment of the split's subjects,
//   labelled by that task's protocol (models/datasets/tasks.ts);
// - `uci-har:<train|test>`: UCI HAR Inertial Signals stitched into continuous recordings;
// - `wisdm` (or a WISDM_ar_v1.1_raw.txt file): WISDM v1.1 raw, one recording per user;
// - a `.csv` file (models/datasets/csv.ts format, optional label column);
// - a `.hrec` file or a recording session folder (index.json): the gateway's own recordings;
// - a HAPT folder (RawData/labels.txt): every experiment; any other folder: its .csv and .hrec
//   files and session folders;
// - `unimib`: UniMiB-SHAR, published as isolated 151-sample windows: one device per subject, each
//   window replayed as its own stream segment (restart gap between windows), labelled by its class.
// A source that fails to load is returned as a failure (file, line/offset) so a replay of
// several sources skips it and reports it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import {
  DatasetError,
  HAPT_ACTIVITIES,
  loadCsvRecording,
  loadUnimibShar,
  loadHaptExperiments,
  loadUciHarWindows,
  loadWisdmRaw,
  parseWisdmRaw,
  stitchUciHarRecordings,
  taskProtocol,
  UCI_HAR_CLASSES,
  type HaptExperiment,
  type TaskProtocol,
} from '../../models/datasets/index.ts';
import { readFileSync } from 'node:fs';
import { RecordingError } from '../recording/errors.ts';
import { isRecordingSession, readRecordedDevice, readRecordingSession, RECORDING_FILE_EXTENSION, type RecordedDevice } from '../recording/read.ts';
import { ReplayError } from './errors.ts';
import { ALIGNMENT_GAP_SAMPLES, batchesFromSamples, deviceIdFrom, type ReplayRecording, type TimedBatch, type TruthSegment } from './recording.ts';
import type { UnimibWindows } from '../../models/datasets/index.ts';

export interface SourceContext {
  /** The shared datasets folder (HAR_DATA_DIR). */
  readonly dataDir: string;
  /** Task of the model (hapt6, hapt12, ...): labels HAPT folders given without a task. */
  readonly modelTask: string;
  readonly batchSamples?: number;
}

export type SourceOutcome =
  | { readonly ok: true; readonly source: string; readonly recordings: readonly ReplayRecording[] }
  | { readonly ok: false; readonly source: string; readonly error: ReplayError };

const SPLITS = ['train', 'validation', 'test', 'all'] as const;

/** Resolves each source on its own: one bad source never hides the others. */
export function resolveSources(specs: readonly string[], ctx: SourceContext): SourceOutcome[] {
  return specs.map((source) => {
    try {
      const recordings = resolveSource(source, ctx);
      if (recordings.length === 0) throw new ReplayError('REPLAY_SOURCE_UNKNOWN', `${source}: no recordings found`, { path: source });
      return { ok: true, source, recordings };
    } catch (err) {
      return { ok: false, source, error: toReplayError(source, err) };
    }
  });
}

/** Makes every failure a ReplayError that names the file and line or offset. */
export function toReplayError(source: string, err: unknown): ReplayError {
  if (err instanceof ReplayError) return err;
  if (err instanceof RecordingError) {
    return new ReplayError(err.code === 'RECORDING_TRUNCATED' ? 'REPLAY_SOURCE_TRUNCATED' : 'REPLAY_SOURCE_MALFORMED', err.message, { path: err.path, ...(err.offset === undefined ? {} : { offset: err.offset }), cause: err });
  }
  if (err instanceof DatasetError) {
    const where = err.path && !err.message.includes(err.path) ? `${err.path}${err.line ? `:${err.line}` : ''}${err.offset !== undefined ? ` (byte ${err.offset})` : ''}: ` : '';
    return new ReplayError('REPLAY_SOURCE_MALFORMED', `${where}${err.message}`, { path: err.path ?? source, ...(err.line === undefined ? {} : { line: err.line }), ...(err.offset === undefined ? {} : { offset: err.offset }), cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ReplayError('REPLAY_SOURCE_UNREADABLE', `${source}: ${message}`, { path: source, cause: err });
}

export function resolveSource(source: string, ctx: SourceContext): ReplayRecording[] {
  const split = /^(hapt6|hapt12|uci-har|wisdm|unimib):?(.*)$/.exec(source);
  if (split && !existsSync(source)) {
    const [, kind, rest] = split;
    const which = rest || 'all';
    if (kind === 'uci-har') {
      if (which !== 'train' && which !== 'test') throw new ReplayError('REPLAY_SOURCE_UNKNOWN', `${source}: UCI HAR splits are train and test`);
      return uciHarRecordings(source, ctx.dataDir, which, ctx);
    }
    if (kind === 'wisdm') return wisdmRecordings(source, loadWisdmRaw(ctx.dataDir), ctx);
    if (kind === 'unimib') return unimibRecordings(source, loadUnimibShar(ctx.dataDir));
    if (!(SPLITS as readonly string[]).includes(which)) throw new ReplayError('REPLAY_SOURCE_UNKNOWN', `${source}: unknown split "${which}" (known: ${SPLITS.join(', ')})`);
    return haptRecordings(source, taskProtocol(kind!), which as (typeof SPLITS)[number], ctx.dataDir, ctx);
  }
  const path = resolve(source);
  if (!existsSync(path)) {
    throw new ReplayError('REPLAY_SOURCE_UNKNOWN', `${source}: no such file or folder, nor a dataset split (hapt6:test, hapt12:validation, uci-har:test, wisdm)`, { path: source });
  }
  if (statSync(path).isDirectory()) return folderRecordings(source, path, ctx);
  return fileRecordings(source, path, ctx);
}

function fileRecordings(source: string, path: string, ctx: SourceContext): ReplayRecording[] {
  const ext = extname(path).toLowerCase();
  if (ext === RECORDING_FILE_EXTENSION) return [fromRecordedDevice(source, readRecordedDevice(path))];
  if (ext === '.csv') return [csvRecording(source, path, ctx)];
  if (basename(path).startsWith('WISDM') && ext === '.txt') return wisdmRecordings(source, parseWisdmRaw(readFileSync(path, 'latin1'), path), ctx);
  throw new ReplayError('REPLAY_SOURCE_UNKNOWN', `${source}: unknown file type "${ext || basename(path)}" (expected .csv, .hrec, WISDM_ar_v1.1_raw.txt)`, { path });
}

function folderRecordings(source: string, dir: string, ctx: SourceContext): ReplayRecording[] {
  if (isRecordingSession(dir)) return readRecordingSession(dir).map((d) => fromRecordedDevice(source, d));
  if (existsSync(join(dir, 'RawData', 'labels.txt')) || existsSync(join(dir, 'hapt', 'HAPT Data Set'))) {
    const protocol = taskProtocol(ctx.modelTask === 'hapt12' ? 'hapt12' : 'hapt6');
    return haptRecordings(source, protocol, 'all', dir, ctx);
  }
  const entries = readdirSync(dir).sort();
  const out: ReplayRecording[] = [];
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (isRecordingSession(path)) out.push(...readRecordingSession(path).map((d) => fromRecordedDevice(source, d)));
      continue;
    }
    const ext = extname(name).toLowerCase();
    if (ext === '.csv' || ext === RECORDING_FILE_EXTENSION) out.push(...fileRecordings(`${source}/${name}`, path, ctx));
  }
  return out;
}

function haptRecordings(source: string, protocol: TaskProtocol, split: (typeof SPLITS)[number], dataDir: string, ctx: SourceContext): ReplayRecording[] {
  const subjects = split === 'all' ? null : protocol.subjects[split];
  return loadHaptExperiments(dataDir)
    .filter((e) => subjects === null || subjects.includes(e.user))
    .map((e) => haptRecording(source, protocol, e, ctx));
}

export function haptRecording(source: string, protocol: TaskProtocol, e: HaptExperiment, ctx: Pick<SourceContext, 'batchSamples'>): ReplayRecording {
  const name = `exp${String(e.experiment).padStart(2, '0')}-user${String(e.user).padStart(2, '0')}`;
  const deviceId = deviceIdFrom(`hapt-${name}`);
  const segments: TruthSegment[] = e.segments.map((s) => ({ startSample: s.startSample, endSample: s.endSample, label: HAPT_ACTIVITIES[s.activityId - 1] ?? `activity ${s.activityId}`, activityId: s.activityId }));
  return {
    source,
    name,
    deviceId,
    rateHz: e.rateHz,
    sampleCount: e.sampleCount,
    durationS: e.sampleCount / e.rateHz,
    batches: batchesFromSamples(deviceId, e.samples, 6, e.rateHz, batchOptions(ctx)),
    truth: { segments, rule: { kind: 'task', protocol } },
  };
}

function batchOptions(ctx: Pick<SourceContext, 'batchSamples'>): { batchSamples?: number } {
  return ctx.batchSamples === undefined ? {} : { batchSamples: ctx.batchSamples };
}

function csvRecording(source: string, path: string, ctx: SourceContext): ReplayRecording {
  const csv = loadCsvRecording(path);
  const hasAcc = ['acc_x', 'acc_y', 'acc_z'].every((c) => csv.channels.includes(c));
  if (!hasAcc) throw new ReplayError('REPLAY_SOURCE_INCOMPATIBLE', `${path}: needs acc_x, acc_y, acc_z columns (has ${csv.channels.join(', ')})`, { path });
  const hasGyro = ['gyro_x', 'gyro_y', 'gyro_z'].every((c) => csv.channels.includes(c));
  if (!(csv.rateHz > 0)) throw new ReplayError('REPLAY_SOURCE_MALFORMED', `${path}: cannot tell the sample rate (fewer than 2 distinct timestamps)`, { path });
  // a median of text timestamps carries their rounding (49.99999 Hz): snap to a whole rate within 10 ppm
  const rateHz = Math.abs(csv.rateHz - Math.round(csv.rateHz)) <= 1e-5 * csv.rateHz ? Math.round(csv.rateHz) : csv.rateHz;
  const channels = hasGyro ? 6 : 3;
  const order = (hasGyro ? ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'] : ['acc_x', 'acc_y', 'acc_z']).map((c) => csv.channels.indexOf(c));
  const samples = new Float64Array(csv.sampleCount * channels);
  const width = csv.channels.length;
  for (let i = 0; i < csv.sampleCount; i++) for (let c = 0; c < channels; c++) samples[i * channels + c] = csv.samples[i * width + order[c]!]!;
  const timestampsMs = csv.timestampsS.map((s) => s * 1000);
  const name = basename(path, extname(path));
  const deviceId = deviceIdFrom(name);
  return {
    source,
    name,
    deviceId,
    rateHz,
    sampleCount: csv.sampleCount,
    durationS: csv.sampleCount / rateHz,
    batches: batchesFromSamples(deviceId, samples, channels, rateHz, { ...batchOptions(ctx), timestampsMs }),
    truth: csv.labels ? { segments: runsOf(csv.labels, csv.labelNames), rule: { kind: 'inside' } } : null,
  };
}

/** Runs of equal per-sample labels (-1 = unlabelled) as segments. */
export function runsOf(labels: Int32Array, names: readonly string[]): TruthSegment[] {
  const out: TruthSegment[] = [];
  let start = 0;
  for (let i = 1; i <= labels.length; i++) {
    if (i < labels.length && labels[i] === labels[start]) continue;
    const id = labels[start]!;
    if (id >= 0) out.push({ startSample: start, endSample: i, label: names[id] ?? `label ${id}` });
    start = i;
  }
  return out;
}

function uciHarRecordings(source: string, dataDir: string, split: 'train' | 'test', ctx: SourceContext): ReplayRecording[] {
  return stitchUciHarRecordings(loadUciHarWindows(dataDir, split)).map((r) => {
    const name = `uci-${split}-subject${String(r.subject).padStart(2, '0')}-row${r.firstRow}`;
    const deviceId = deviceIdFrom(name);
    return {
      source,
      name,
      deviceId,
      rateHz: r.rateHz,
      sampleCount: r.sampleCount,
      durationS: r.sampleCount / r.rateHz,
      batches: batchesFromSamples(deviceId, r.samples, 6, r.rateHz, batchOptions(ctx)),
      truth: { segments: r.segments.map((s) => ({ ...s, label: UCI_HAR_CLASSES[s.activityId - 1] ?? `activity ${s.activityId}` })), rule: { kind: 'inside' } },
    };
  });
}

function wisdmRecordings(source: string, data: ReturnType<typeof parseWisdmRaw>, ctx: SourceContext): ReplayRecording[] {
  // one recording per user: their runs of one activity in file order, back to back
  const byUser = new Map<number, typeof data.recordings[number][]>();
  for (const r of data.recordings) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r]);
  return [...byUser].map(([user, runs]) => {
    const total = runs.reduce((n, r) => n + r.sampleCount, 0);
    const samples = new Float64Array(total * 3);
    const segments: TruthSegment[] = [];
    let at = 0;
    for (const r of runs) {
      samples.set(r.samples, at * 3);
      segments.push({ startSample: at, endSample: at + r.sampleCount, label: r.activity });
      at += r.sampleCount;
    }
    const name = `wisdm-user${String(user).padStart(2, '0')}`;
    const deviceId = deviceIdFrom(name);
    return {
      source,
      name,
      deviceId,
      rateHz: data.rateHz,
      sampleCount: total,
      durationS: total / data.rateHz,
      batches: batchesFromSamples(deviceId, samples, 3, data.rateHz, batchOptions(ctx)),
      truth: { segments, rule: { kind: 'inside' } },
    };
  });
}

function fromRecordedDevice(source: string, device: RecordedDevice): ReplayRecording {
  const first = device.batches[0];
  const firstReceived = first?.receivedAtMs ?? 0;
  const sampleCount = device.batches.reduce((n, b) => n + b.batch.samples, 0);
  const rateHz = first?.batch.rateHz ?? 0;
  return {
    source,
    name: basename(device.path, RECORDING_FILE_EXTENSION),
    deviceId: device.deviceId,
    rateHz,
    sampleCount,
    durationS: rateHz > 0 ? sampleCount / rateHz : 0,
    // bit for bit: the batches exactly as received (seq, t0, rate, float64 samples), due when
    // they arrived in the live session (relative to the first)
    batches: device.batches.map((b) => ({ batch: b.batch, offsetMs: b.receivedAtMs - firstReceived })),
    truth: null,
  };
}

/**
 * UniMiB-SHAR has no continuous recordings: its windows (151 samples, 50 Hz, acceleration) are
 * replayed per subject one after the other, each behind a sequence gap that restarts the
 * pipeline's windows, so no model window mixes two of them (alignedSegments: segment k = window k).
 */
export function unimibRecordings(source: string, data: UnimibWindows): ReplayRecording[] {
  const W = data.windowSamples;
  const bySubject = new Map<number, number[]>();
  for (let i = 0; i < data.count; i++) bySubject.set(data.subject[i]!, [...(bySubject.get(data.subject[i]!) ?? []), i]);
  return [...bySubject].map(([subject, rows]) => {
    const name = `unimib-subject${String(subject).padStart(2, '0')}`;
    const deviceId = deviceIdFrom(name);
    const segments: TruthSegment[] = [];
    const batches: TimedBatch[] = [];
    rows.forEach((row, k) => {
      const start = k * W;
      segments.push({ startSample: start, endSample: start + W, label: data.classes[data.y[row]!] ?? `class ${data.y[row]}` });
      for (const b of batchesFromSamples(deviceId, data.x.subarray(row * W * 3, (row + 1) * W * 3), 3, data.rateHz, { t0Ms: (start * 1000) / data.rateHz, batchSamples: W })) {
        batches.push({ batch: { ...b.batch, seq: (k * (W + ALIGNMENT_GAP_SAMPLES) + b.batch.seq) >>> 0 }, offsetMs: (start * 1000) / data.rateHz + b.offsetMs });
      }
    });
    const sampleCount = rows.length * W;
    return { source, name, deviceId, rateHz: data.rateHz, sampleCount, durationS: sampleCount / data.rateHz, batches, truth: { segments, rule: { kind: 'inside' } }, alignedSegments: segments };
  });
}
