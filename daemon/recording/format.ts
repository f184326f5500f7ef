// The gateway's own recording format (README.md in this folder): one file per device holding
// every SampleBatch the daemon received from it, bit for bit (float64 samples, the batch's own
// seq / t0 / rate), plus the wall-clock time it arrived. A session folder has an index.json.
//
// File layout (all little-endian):
//   offset 0   8 bytes  magic "HGREC\0\0\x01" (format version 1 in the last byte)
//   then records, each:
//     0   4  bodyBytes: uint32, length of the body that follows
//     4   4  crc32 of the body (IEEE, models/format/crc32.ts)
//     8   .. body:
//            0  8  receivedAtMs float64
//            8  4  seq uint32
//           12  4  samples uint32
//           16  8  t0Ms float64
//           24  8  rateHz float64
//           32  1  flags: bit 0 gyroscope present
//           33  7  reserved, 0
//           40  .. acc float64 x 3 x samples, then gyro float64 x 3 x samples (when present)
import { crc32 } from '../../models/format/crc32.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { RecordingError } from './errors.ts';

export const RECORDING_MAGIC = Uint8Array.of(0x48, 0x47, 0x52, 0x45, 0x43, 0x00, 0x00, 0x01);
export const RECORDING_FILE_HEADER_BYTES = RECORDING_MAGIC.length;
export const RECORD_PREFIX_BYTES = 8;
export const RECORD_BODY_HEADER_BYTES = 40;
const FLAG_GYRO = 0x01;
const AXES = 3;
/** Largest body accepted on read: MAX_BATCH_SAMPLES is 1024, so a valid body is at most ~49 kB; 16 MB means "corrupt length". */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface RecordedBatch {
  readonly batch: SampleBatch;
  readonly receivedAtMs: number;
}

/** The bytes of one record (prefix + body) for a received batch. */
export function encodeRecord(batch: SampleBatch, receivedAtMs: number): Uint8Array {
  const channels = batch.gyro ? 2 * AXES : AXES;
  const bodyBytes = RECORD_BODY_HEADER_BYTES + batch.samples * channels * 8;
  const out = new Uint8Array(RECORD_PREFIX_BYTES + bodyBytes);
  const view = new DataView(out.buffer);
  const b = RECORD_PREFIX_BYTES;
  view.setUint32(0, bodyBytes, true);
  view.setFloat64(b + 0, receivedAtMs, true);
  view.setUint32(b + 8, batch.seq >>> 0, true);
  view.setUint32(b + 12, batch.samples, true);
  view.setFloat64(b + 16, batch.t0Ms, true);
  view.setFloat64(b + 24, batch.rateHz, true);
  view.setUint8(b + 32, batch.gyro ? FLAG_GYRO : 0);
  let offset = b + RECORD_BODY_HEADER_BYTES;
  for (let k = 0; k < batch.samples * AXES; k++, offset += 8) view.setFloat64(offset, batch.acc[k] ?? 0, true);
  if (batch.gyro) for (let k = 0; k < batch.samples * AXES; k++, offset += 8) view.setFloat64(offset, batch.gyro[k] ?? 0, true);
  view.setUint32(4, crc32(out.subarray(RECORD_PREFIX_BYTES)), true);
  return out;
}

/**
 * Decodes a whole recording file. Any structural problem throws RecordingError with the file
 * and the byte offset of the record at fault: truncated (the file ends inside a record) or
 * malformed (bad magic, CRC mismatch, inconsistent lengths).
 */
export function decodeRecordingFile(bytes: Uint8Array, path: string, deviceId: string): RecordedBatch[] {
  if (bytes.length < RECORDING_FILE_HEADER_BYTES) {
    throw new RecordingError('RECORDING_TRUNCATED', path, `${bytes.length} bytes, the file header needs ${RECORDING_FILE_HEADER_BYTES}`, 0);
  }
  for (let i = 0; i < RECORDING_MAGIC.length; i++) {
    if (bytes[i] !== RECORDING_MAGIC[i]) throw new RecordingError('RECORDING_MALFORMED', path, 'not a har-gateway recording (bad magic or version)', i);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RecordedBatch[] = [];
  let offset = RECORDING_FILE_HEADER_BYTES;
  while (offset < bytes.length) {
    if (offset + RECORD_PREFIX_BYTES > bytes.length) {
      throw new RecordingError('RECORDING_TRUNCATED', path, `record ${out.length}: ${bytes.length - offset} bytes left, its prefix needs ${RECORD_PREFIX_BYTES}`, offset);
    }
    const bodyBytes = view.getUint32(offset, true);
    if (bodyBytes < RECORD_BODY_HEADER_BYTES || bodyBytes > MAX_BODY_BYTES) {
      throw new RecordingError('RECORDING_MALFORMED', path, `record ${out.length}: body length ${bodyBytes} out of range`, offset);
    }
    const bodyStart = offset + RECORD_PREFIX_BYTES;
    if (bodyStart + bodyBytes > bytes.length) {
      throw new RecordingError('RECORDING_TRUNCATED', path, `record ${out.length}: ${bytes.length - bodyStart} of ${bodyBytes} body bytes present`, offset);
    }
    const body = bytes.subarray(bodyStart, bodyStart + bodyBytes);
    const expectedCrc = view.getUint32(offset + 4, true);
    if (crc32(body) !== expectedCrc) throw new RecordingError('RECORDING_MALFORMED', path, `record ${out.length}: CRC mismatch`, offset);
    out.push(decodeBody(view, bodyStart, bodyBytes, deviceId, path, out.length));
    offset = bodyStart + bodyBytes;
  }
  return out;
}

function decodeBody(view: DataView, at: number, bodyBytes: number, deviceId: string, path: string, index: number): RecordedBatch {
  const receivedAtMs = view.getFloat64(at, true);
  const seq = view.getUint32(at + 8, true);
  const samples = view.getUint32(at + 12, true);
  const t0Ms = view.getFloat64(at + 16, true);
  const rateHz = view.getFloat64(at + 24, true);
  const flags = view.getUint8(at + 32);
  if ((flags & ~FLAG_GYRO) !== 0) throw new RecordingError('RECORDING_MALFORMED', path, `record ${index}: unknown flags 0x${flags.toString(16)}`, at - RECORD_PREFIX_BYTES);
  const hasGyro = (flags & FLAG_GYRO) !== 0;
  const channels = hasGyro ? 2 * AXES : AXES;
  if (bodyBytes !== RECORD_BODY_HEADER_BYTES + samples * channels * 8) {
    throw new RecordingError('RECORDING_MALFORMED', path, `record ${index}: ${samples} samples x ${channels} channels do not fill a ${bodyBytes}-byte body`, at - RECORD_PREFIX_BYTES);
  }
  let offset = at + RECORD_BODY_HEADER_BYTES;
  const acc = new Float64Array(samples * AXES);
  for (let k = 0; k < acc.length; k++, offset += 8) acc[k] = view.getFloat64(offset, true);
  let gyro: Float64Array | null = null;
  if (hasGyro) {
    gyro = new Float64Array(samples * AXES);
    for (let k = 0; k < gyro.length; k++, offset += 8) gyro[k] = view.getFloat64(offset, true);
  }
  return { batch: { deviceId, seq, t0Ms, rateHz, samples, acc, gyro }, receivedAtMs };
}
