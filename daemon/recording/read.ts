// Reading a recording session (a folder with index.json) or one device file (.hrec).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RecordingError } from './errors.ts';
import { decodeRecordingFile, type RecordedBatch } from './format.ts';
import { RECORDING_INDEX_FILE, recordingIndexSchema, type RecordingIndex } from './index-file.ts';

export const RECORDING_FILE_EXTENSION = '.hrec';

export interface RecordedDevice {
  readonly deviceId: string;
  readonly path: string;
  readonly batches: readonly RecordedBatch[];
}

export function isRecordingSession(dir: string): boolean {
  return existsSync(join(dir, RECORDING_INDEX_FILE)) && statSync(dir).isDirectory();
}

export function readRecordingIndex(dir: string): RecordingIndex {
  const path = join(dir, RECORDING_INDEX_FILE);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RecordingError('RECORDING_INDEX', path, `unreadable index: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const parsed = recordingIndexSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RecordingError('RECORDING_INDEX', path, `invalid index: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema mismatch'}`);
  }
  return parsed.data;
}

/** One device file; the device id is the file name without `.hrec` unless given. */
export function readRecordedDevice(path: string, deviceId = basename(path, RECORDING_FILE_EXTENSION)): RecordedDevice {
  return { deviceId, path, batches: decodeRecordingFile(new Uint8Array(readFileSync(path)), path, deviceId) };
}

/**
 * Every device of a session, checked against the index: a file shorter than the index says is
 * truncated (RecordingError with the offset where the index expected more).
 */
export function readRecordingSession(dir: string): RecordedDevice[] {
  const index = readRecordingIndex(dir);
  return Object.entries(index.devices).map(([deviceId, entry]) => {
    const path = join(dir, entry.file);
    const device = readRecordedDevice(path, deviceId);
    const size = statSync(path).size;
    if (size < entry.bytes) throw new RecordingError('RECORDING_TRUNCATED', path, `${size} bytes, the index lists ${entry.bytes} (${entry.batches} batches)`, size);
    return device;
  });
}
