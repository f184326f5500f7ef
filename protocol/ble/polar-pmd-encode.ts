// Builds PMD data frames exactly as polar-pmd.ts documents them (PMD spec "Data frame"): used by
// the fake Polar device of the tests and by tooling that turns recordings into captures.
import { PMD_DELTA_FLAG, PMD_HEADER_BYTES, polarTimestampNs } from './polar-pmd.ts';

const AXES = 3;

function header(measurementType: number, lastSampleUnixMs: number, frameType: number, bodyBytes: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(PMD_HEADER_BYTES + bodyBytes);
  const view = new DataView(bytes.buffer);
  bytes[0] = measurementType;
  view.setBigUint64(1, polarTimestampNs(lastSampleUnixMs), true);
  bytes[9] = frameType;
  return { bytes, view };
}

/** Raw frame: values interleaved x, y, z in device units; bytesPerValue 1, 2 or 3 (ACC frame type 0x00/0x01/0x02). */
export function encodePmdRawFrame(measurementType: number, frameType: number, bytesPerValue: 1 | 2 | 3, lastSampleUnixMs: number, values: readonly number[]): Uint8Array {
  const { bytes, view } = header(measurementType, lastSampleUnixMs, frameType, values.length * bytesPerValue);
  values.forEach((v, k) => {
    const at = PMD_HEADER_BYTES + k * bytesPerValue;
    if (bytesPerValue === 1) view.setInt8(at, v);
    else if (bytesPerValue === 2) view.setInt16(at, v, true);
    else for (let b = 0; b < 3; b++) bytes[at + b] = (v >> (8 * b)) & 0xff;
  });
  return bytes;
}

function writeBits(out: Uint8Array, bit: number, width: number, value: number): void {
  const unsigned = value < 0 ? value + 2 ** width : value;
  for (let k = 0; k < width; k++) {
    if (Math.floor(unsigned / 2 ** k) % 2 === 1) {
      const b = bit + k;
      out[b >> 3] = (out[b >> 3] ?? 0) | (1 << (b & 7));
    }
  }
}

/** Smallest signed bit width that holds every value. */
export function signedBitWidth(values: readonly number[]): number {
  let width = 1;
  for (const v of values) while (v < -(2 ** (width - 1)) || v > 2 ** (width - 1) - 1) width++;
  return width;
}

export interface DeltaBlockPlan {
  /** Samples in this block (after the reference sample). */
  readonly count: number;
  /** Bit width; default the smallest that fits the block's deltas. */
  readonly width?: number;
}

/**
 * Delta frame (frame type | 0x80): `samples` is a list of [x, y, z] in device units; the first is
 * the reference sample (resolutionBits per channel), the rest are split into blocks by `blocks`
 * (default: one block).
 */
export function encodePmdDeltaFrame(
  measurementType: number,
  frameType: number,
  lastSampleUnixMs: number,
  samples: readonly (readonly number[])[],
  options: { resolutionBits?: 8 | 16 | 24; blocks?: readonly DeltaBlockPlan[] } = {},
): Uint8Array {
  const resolution = options.resolutionBits ?? 16;
  const first = samples[0] ?? [0, 0, 0];
  const rest = samples.length - 1;
  const plans = options.blocks ?? (rest > 0 ? [{ count: rest }] : []);
  const parts: Uint8Array[] = [];
  const ref = new Uint8Array((resolution / 8) * AXES);
  for (let a = 0; a < AXES; a++) writeBits(ref, a * resolution, resolution, first[a] ?? 0);
  parts.push(ref);
  let s = 1;
  for (const plan of plans) {
    const deltas: number[] = [];
    for (let k = 0; k < plan.count; k++, s++) {
      for (let a = 0; a < AXES; a++) deltas.push((samples[s]?.[a] ?? 0) - (samples[s - 1]?.[a] ?? 0));
    }
    const width = plan.width ?? signedBitWidth(deltas);
    const block = new Uint8Array(2 + Math.ceil((width * deltas.length) / 8));
    block[0] = width;
    block[1] = plan.count;
    const packed = block.subarray(2);
    deltas.forEach((d, k) => writeBits(packed, k * width, width, d));
    parts.push(block);
  }
  const bodyBytes = parts.reduce((n, p) => n + p.length, 0);
  const { bytes } = header(measurementType, lastSampleUnixMs, frameType | PMD_DELTA_FLAG, bodyBytes);
  let at = PMD_HEADER_BYTES;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}
