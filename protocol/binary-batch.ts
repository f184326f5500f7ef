// The compact payload form of `<base>/<deviceId>/imu` (README.md "Binary batch"). All fields
// little-endian; the header is 32 bytes, then the samples:
//
//   offset size  field
//        0    2  magic "HB" (0x48 0x42)
//        2    1  version (1)
//        3    1  flags: bit 0 gyroscope present, bit 1 t0 is uint64 (else float64); others 0
//        4    4  seq: uint32 index of the first sample in the device's stream
//        8    8  t0: first-sample timestamp, ms since the Unix epoch (float64 or uint64)
//       16    4  rateHz: float32
//       20    4  accScaleG: float32, g per LSB
//       24    4  gyroScaleRadS: float32, rad/s per LSB (0 when no gyroscope)
//       28    2  samples: uint16
//       30    2  reserved, 0
//       32  ...  samples x (ax, ay, az[, gx, gy, gz]) int16
//
// The payload length must be exactly 32 + samples * channels * 2. This module checks structure;
// value bounds are validate-batch.ts's job.
import type { SampleBatch } from './sample-batch.ts';
import { reject } from './payload-errors.ts';
import type { DecodeResult } from './json-batch.ts';
import { EncodeError } from './errors.ts';

export const BINARY_MAGIC_0 = 0x48; // 'H'
export const BINARY_MAGIC_1 = 0x42; // 'B'
export const BINARY_BATCH_VERSION = 1;
export const BINARY_HEADER_BYTES = 32;
export const FLAG_GYRO = 0x01;
export const FLAG_T0_UINT64 = 0x02;
const KNOWN_FLAGS = FLAG_GYRO | FLAG_T0_UINT64;
const AXES = 3;
const INT16_MAX = 32767;

/** Default scales of the encoder: a +-16 g accelerometer and a +-2000 deg/s gyroscope. */
export const DEFAULT_ACC_SCALE_G = 16 / 32768;
export const DEFAULT_GYRO_SCALE_RAD_S = ((2000 * Math.PI) / 180) / 32768;

export function decodeBinaryBatch(deviceId: string, bytes: Uint8Array): DecodeResult {
  if (bytes.length < 2 || bytes[0] !== BINARY_MAGIC_0 || bytes[1] !== BINARY_MAGIC_1) {
    return reject('bad-magic', `first bytes ${hex(bytes.subarray(0, 2))}, expected 48 42 ("HB")`);
  }
  if (bytes.length < BINARY_HEADER_BYTES) return reject('truncated', `${bytes.length} bytes, header needs ${BINARY_HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(2);
  if (version !== BINARY_BATCH_VERSION) return reject('bad-version', `version ${version} (supported: ${BINARY_BATCH_VERSION})`);
  const flags = view.getUint8(3);
  if ((flags & ~KNOWN_FLAGS) !== 0 || view.getUint16(30, true) !== 0) {
    return reject('bad-flags', `flags 0x${flags.toString(16)}, reserved 0x${view.getUint16(30, true).toString(16)}`);
  }
  const hasGyro = (flags & FLAG_GYRO) !== 0;
  const seq = view.getUint32(4, true);
  const t0Ms = (flags & FLAG_T0_UINT64) !== 0 ? Number(view.getBigUint64(8, true)) : view.getFloat64(8, true);
  const rateHz = view.getFloat32(16, true);
  const accScaleG = view.getFloat32(20, true);
  const gyroScaleRadS = view.getFloat32(24, true);
  const samples = view.getUint16(28, true);
  if (!Number.isFinite(t0Ms) || !Number.isFinite(rateHz)) return reject('non-finite', `t0 ${t0Ms}, rate ${rateHz}`);
  if (!(Number.isFinite(accScaleG) && accScaleG > 0)) return reject('bad-scale', `accelerometer scale ${accScaleG}`);
  if (hasGyro && !(Number.isFinite(gyroScaleRadS) && gyroScaleRadS > 0)) return reject('bad-scale', `gyroscope scale ${gyroScaleRadS}`);

  const channels = hasGyro ? 2 * AXES : AXES;
  const expectedBytes = BINARY_HEADER_BYTES + samples * channels * 2;
  if (bytes.length < expectedBytes) return reject('truncated', `${bytes.length} bytes, ${samples} samples need ${expectedBytes}`);
  if (bytes.length > expectedBytes) return reject('length-mismatch', `${bytes.length - expectedBytes} bytes after ${samples} samples`);

  const acc = new Float64Array(samples * AXES);
  const gyro = hasGyro ? new Float64Array(samples * AXES) : null;
  const lsb = int16Samples(bytes, view, samples * channels);
  for (let i = 0, j = 0; i < samples; i++) {
    for (let a = 0; a < AXES; a++) acc[i * AXES + a] = (lsb[j++] ?? 0) * accScaleG;
    if (gyro) for (let a = 0; a < AXES; a++) gyro[i * AXES + a] = (lsb[j++] ?? 0) * gyroScaleRadS;
  }
  const batch: SampleBatch = { deviceId, seq, t0Ms, rateHz, samples, acc, gyro };
  return { ok: true, batch };
}

export interface BinaryEncodeOptions {
  /** g per LSB (stored as float32); default DEFAULT_ACC_SCALE_G. */
  readonly accScaleG?: number;
  /** rad/s per LSB (stored as float32); default DEFAULT_GYRO_SCALE_RAD_S. */
  readonly gyroScaleRadS?: number;
  /** Write t0 as uint64 whole milliseconds instead of float64. */
  readonly t0AsUint64?: boolean;
}

/**
 * Encodes a batch; samples are rounded to the nearest LSB and saturated to +-32767. Decoding
 * gives each value back within half an LSB (inside the range).
 */
export function encodeBinaryBatch(batch: Omit<SampleBatch, 'deviceId'>, options: BinaryEncodeOptions = {}): Uint8Array {
  if (!Number.isInteger(batch.samples) || batch.samples < 0 || batch.samples > 0xffff) {
    throw new EncodeError('batch-too-large', `${batch.samples} samples do not fit the uint16 count`);
  }
  const accScale = Math.fround(options.accScaleG ?? DEFAULT_ACC_SCALE_G);
  const gyroScale = batch.gyro ? Math.fround(options.gyroScaleRadS ?? DEFAULT_GYRO_SCALE_RAD_S) : 0;
  const channels = batch.gyro ? 2 * AXES : AXES;
  const bytes = new Uint8Array(BINARY_HEADER_BYTES + batch.samples * channels * 2);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, BINARY_MAGIC_0);
  view.setUint8(1, BINARY_MAGIC_1);
  view.setUint8(2, BINARY_BATCH_VERSION);
  view.setUint8(3, (batch.gyro ? FLAG_GYRO : 0) | (options.t0AsUint64 ? FLAG_T0_UINT64 : 0));
  view.setUint32(4, batch.seq >>> 0, true);
  if (options.t0AsUint64) view.setBigUint64(8, BigInt(Math.round(batch.t0Ms)), true);
  else view.setFloat64(8, batch.t0Ms, true);
  view.setFloat32(16, batch.rateHz, true);
  view.setFloat32(20, accScale, true);
  view.setFloat32(24, gyroScale, true);
  view.setUint16(28, batch.samples, true);
  let offset = BINARY_HEADER_BYTES;
  for (let i = 0; i < batch.samples; i++) {
    for (let a = 0; a < AXES; a++, offset += 2) view.setInt16(offset, toLsb(batch.acc[i * AXES + a] ?? 0, accScale), true);
    if (batch.gyro) for (let a = 0; a < AXES; a++, offset += 2) view.setInt16(offset, toLsb(batch.gyro[i * AXES + a] ?? 0, gyroScale), true);
  }
  return bytes;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The int16 samples after the header: a view when the host is little-endian and they are aligned, else a copy. */
function int16Samples(bytes: Uint8Array, view: DataView, count: number): Int16Array {
  const start = bytes.byteOffset + BINARY_HEADER_BYTES;
  if (LITTLE_ENDIAN_HOST && start % 2 === 0) return new Int16Array(bytes.buffer, start, count);
  const out = new Int16Array(count);
  for (let k = 0; k < count; k++) out[k] = view.getInt16(BINARY_HEADER_BYTES + 2 * k, true);
  return out;
}

function toLsb(value: number, scale: number): number {
  const lsb = Math.round(value / scale);
  return lsb > INT16_MAX ? INT16_MAX : lsb < -INT16_MAX ? -INT16_MAX : lsb;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') || '(none)';
}
