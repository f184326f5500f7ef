// The recorder part: appends every raw SampleBatch the daemon receives (for the devices that
// are recorded) to `<dataDir>/recordings/<session>/<deviceId>.hrec` and keeps index.json up to
// date (format.ts, README.md). Writes are buffered and flushed every `flushIntervalMs` and on
// stop, so a live session pays one write per device per interval.
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { RecordingError } from './errors.ts';
import { encodeRecord, RECORDING_MAGIC } from './format.ts';
import { RECORDING_FORMAT, RECORDING_INDEX_FILE, type RecordingDeviceEntry, type RecordingIndex } from './index-file.ts';

/** Which devices are recorded: all, or the listed ids. */
export type RecordSelection = boolean | readonly string[];

export interface RecorderOptions {
  /** Session folder (created); usually `<dataDir>/recordings/<ISO time>`. */
  readonly dir: string;
  readonly select: RecordSelection;
  readonly modelId: string | null;
  readonly now: () => number;
  /** Buffered records are written at least this often. */
  readonly flushIntervalMs?: number;
  readonly onError?: (error: RecordingError) => void;
}

const DEFAULT_FLUSH_INTERVAL_MS = 500;

interface DeviceFile {
  readonly fd: number;
  readonly entry: { -readonly [K in keyof RecordingDeviceEntry]: RecordingDeviceEntry[K] };
  pending: Uint8Array[];
}

/** A session folder name from a time: 2026-11-24T15-30-00-000Z (no ':' for portable file names). */
export function sessionFolderName(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

export function isRecorded(select: RecordSelection, deviceId: string): boolean {
  return select === true || (Array.isArray(select) && select.includes(deviceId));
}

export class Recorder {
  private readonly options: RecorderOptions;
  private readonly files = new Map<string, DeviceFile>();
  private timer: NodeJS.Timeout | null = null;
  private startedAtMs = 0;
  private failed = false;
  private counts = { batches: 0, bytes: 0, writeErrors: 0 };

  constructor(options: RecorderOptions) {
    this.options = options;
  }

  start(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    this.startedAtMs = this.options.now();
    this.writeIndex(false);
    this.timer = setInterval(() => this.flush(), this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.timer.unref();
    return Promise.resolve();
  }

  /** Records one received batch (ignored for devices not selected). Never throws. */
  record(batch: SampleBatch, receivedAtMs: number): void {
    if (this.failed || !isRecorded(this.options.select, batch.deviceId)) return;
    try {
      const file = this.fileOf(batch.deviceId);
      const bytes = encodeRecord(batch, receivedAtMs);
      file.pending.push(bytes);
      const e = file.entry;
      e.batches += 1;
      e.samples += batch.samples;
      e.bytes += bytes.length;
      e.firstT0Ms ??= batch.t0Ms;
      e.lastT0Ms = batch.t0Ms;
      e.rateHz = batch.rateHz;
      e.gyro ||= batch.gyro !== null;
      this.counts.batches += 1;
      this.counts.bytes += bytes.length;
    } catch (err) {
      this.fail(err);
    }
  }

  /** Writes the buffered records and the index. */
  flush(): void {
    if (this.failed) return;
    try {
      for (const file of this.files.values()) {
        for (const bytes of file.pending) writeSync(file.fd, bytes);
        file.pending = [];
      }
      this.writeIndex(false);
    } catch (err) {
      this.fail(err);
    }
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    if (!this.failed) this.writeIndex(true);
    for (const file of this.files.values()) closeSync(file.fd);
    this.files.clear();
    return Promise.resolve();
  }

  stats(): { readonly batches: number; readonly bytes: number; readonly devices: number; readonly writeErrors: number } {
    return { ...this.counts, devices: this.files.size };
  }

  private fileOf(deviceId: string): DeviceFile {
    let file = this.files.get(deviceId);
    if (!file) {
      // device ids match DEVICE_ID_PATTERN ([A-Za-z0-9_-]), so they are safe file names
      const name = `${deviceId}.hrec`;
      const fd = openSync(join(this.options.dir, name), 'w');
      writeSync(fd, RECORDING_MAGIC);
      file = { fd, pending: [], entry: { file: name, batches: 0, samples: 0, bytes: RECORDING_MAGIC.length, firstT0Ms: null, lastT0Ms: null, rateHz: null, gyro: false } };
      this.files.set(deviceId, file);
    }
    return file;
  }

  private writeIndex(complete: boolean): void {
    const index: RecordingIndex = {
      format: RECORDING_FORMAT,
      startedAtMs: this.startedAtMs,
      updatedAtMs: this.options.now(),
      complete,
      modelId: this.options.modelId,
      devices: Object.fromEntries([...this.files].map(([id, f]) => [id, { ...f.entry }])),
    };
    // bytes in the index count records still buffered; written first, they are on disk once the
    // index is renamed into place (flush writes the records before the index)
    const path = join(this.options.dir, RECORDING_INDEX_FILE);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(index, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  }

  private fail(err: unknown): void {
    this.failed = true;
    this.counts.writeErrors += 1;
    const error = new RecordingError('RECORDING_WRITE', this.options.dir, `recording stopped: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
    this.options.onError?.(error);
  }
}
