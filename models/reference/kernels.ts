// The reference kernels (models/ARITHMETIC.md §3-4). One body per kernel kind serves every
// precision: the bit-widths only change the weight values (unpacked once into an Int8Array when
// the engine is created) and the output clamp; kernel-names.ts gives each call its
// precision-carrying name (conv1d_s8_i4_u8, ...) for traces and for the C kernels to mirror.
//
// Activations are Int32Array, time-major ([t][c] at t * C + c). No allocation inside a kernel.
import type { RequantTable } from './requantize.ts';

/**
 * A conv1d / linear layer ready to run: unpacked weights [outCh][rowElems] and requant constants.
 * Weights and the gathered inputs are float64: every product and partial sum is an integer below
 * the accumulator bound (< 2^31), so float64 arithmetic is exact, and V8 runs it faster than
 * int32 arithmetic with overflow checks (bench/reference.ts).
 */
export interface WeightedKernelArgs {
  readonly inCh: number;
  readonly inLen: number;
  readonly outCh: number;
  readonly outLen: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padLeft: number;
  readonly rowElems: number;
  readonly weights: Float64Array;
  readonly bias: Int32Array;
  readonly requant: RequantTable;
}

export interface PoolKernelArgs {
  readonly inCh: number;
  readonly inLen: number;
  readonly outLen: number;
  readonly kernel: number;
  readonly stride: number;
}

/**
 * §3 conv1d: acc = bias[o] + sum_k sum_c x[t*stride + k*dilation - padLeft][c] * w[o][k][c],
 * x = 0 outside [0, inLen) (zero padding: the activation zero point is 0); then requantize.
 * Per output step the receptive field is gathered into `col` ([k][c], zeros on padding), so
 * every output channel is one contiguous dot product of rowElems terms (the order of the sum
 * does not matter: every partial sum is within the accumulator bound, ARITHMETIC.md §3).
 */
export function conv1d(a: WeightedKernelArgs, x: Int32Array, out: Int32Array, col: Float64Array): void {
  const { inCh, inLen, outCh, outLen, kernel, stride, dilation, padLeft, rowElems, weights, bias } = a;
  for (let t = 0; t < outLen; t++) {
    const start = t * stride - padLeft;
    for (let k = 0; k < kernel; k++) {
      const pos = start + k * dilation;
      const cb = k * inCh;
      if (pos < 0 || pos >= inLen) {
        for (let c = 0; c < inCh; c++) col[cb + c] = 0;
      } else {
        const xb = pos * inCh;
        for (let c = 0; c < inCh; c++) col[cb + c] = x[xb + c]!;
      }
    }
    const outBase = t * outCh;
    let o = 0;
    // Four output channels at a time: each gathered input is loaded once for four rows.
    for (; o + 4 <= outCh; o += 4) {
      let a0 = bias[o]!;
      let a1 = bias[o + 1]!;
      let a2 = bias[o + 2]!;
      let a3 = bias[o + 3]!;
      const w0 = o * rowElems;
      const w1 = w0 + rowElems;
      const w2 = w1 + rowElems;
      const w3 = w2 + rowElems;
      for (let i = 0; i < rowElems; i++) {
        const v = col[i]!;
        a0 += v * weights[w0 + i]!;
        a1 += v * weights[w1 + i]!;
        a2 += v * weights[w2 + i]!;
        a3 += v * weights[w3 + i]!;
      }
      out[outBase + o] = requantClamp(a0, o, a.requant);
      out[outBase + o + 1] = requantClamp(a1, o + 1, a.requant);
      out[outBase + o + 2] = requantClamp(a2, o + 2, a.requant);
      out[outBase + o + 3] = requantClamp(a3, o + 3, a.requant);
    }
    for (; o < outCh; o++) out[outBase + o] = requantClamp(bias[o]! + dot(col, weights, o * rowElems, rowElems), o, a.requant);
  }
}

/** §3 requantization of channel o, clamped to the output range (float64, exact: requantize.ts). */
function requantClamp(acc: number, o: number, t: RequantTable): number {
  const r = Math.floor((acc * t.mul[o]! + t.round[o]!) / t.divisor[o]!);
  return r < t.lo ? t.lo : r > t.hi ? t.hi : r;
}

/** sum_i v[i] * w[wStart + i] for i < n, unrolled by four. */
function dot(v: Float64Array, w: Float64Array, wStart: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const n4 = n - (n % 4);
  for (; i < n4; i += 4) {
    s0 += v[i]! * w[wStart + i]!;
    s1 += v[i + 1]! * w[wStart + i + 1]!;
    s2 += v[i + 2]! * w[wStart + i + 2]!;
    s3 += v[i + 3]! * w[wStart + i + 3]!;
  }
  for (; i < n; i++) s0 += v[i]! * w[wStart + i]!;
  return s0 + s1 + s2 + s3;
}

/** §3 linear: the input [inLen][inCh] flattened time-major; acc = bias[o] + sum_i x[i] * w[o][i]. */
export function linear(a: WeightedKernelArgs, x: Int32Array, out: Int32Array, col: Float64Array): void {
  const { outCh, rowElems, weights, bias } = a;
  const { mul, round, divisor, lo, hi } = a.requant;
  for (let i = 0; i < rowElems; i++) col[i] = x[i]!;
  for (let o = 0; o < outCh; o++) {
    const acc = bias[o]! + dot(col, weights, o * rowElems, rowElems);
    const r = Math.floor((acc * mul[o]! + round[o]!) / divisor[o]!);
    out[o] = r < lo ? lo : r > hi ? hi : r;
  }
}

/** §4 maxpool1d: out[t][c] = max_k x[t*stride + k][c]. */
export function maxpool1d(a: PoolKernelArgs, x: Int32Array, out: Int32Array): void {
  const { inCh, outLen, kernel, stride } = a;
  for (let t = 0; t < outLen; t++) {
    const base = t * stride * inCh;
    for (let c = 0; c < inCh; c++) {
      let m = x[base + c]!;
      for (let k = 1; k < kernel; k++) {
        const v = x[base + k * inCh + c]!;
        if (v > m) m = v;
      }
      out[t * inCh + c] = m;
    }
  }
}

/** §4 avgpool1d: out[t][c] = floor((s + floor(K/2)) / K), s = sum_k x[t*stride + k][c] >= 0. */
export function avgpool1d(a: PoolKernelArgs, x: Int32Array, out: Int32Array): void {
  const { inCh, outLen, kernel, stride } = a;
  const half = Math.floor(kernel / 2);
  for (let t = 0; t < outLen; t++) {
    const base = t * stride * inCh;
    for (let c = 0; c < inCh; c++) {
      let s = 0;
      for (let k = 0; k < kernel; k++) s += x[base + k * inCh + c]!;
      out[t * inCh + c] = Math.floor((s + half) / kernel);
    }
  }
}

/** §4 globalavgpool: out[0][c] = floor((s + floor(L/2)) / L), s = sum_t x[t][c], L = inLen. */
export function globalavgpool(a: PoolKernelArgs, x: Int32Array, out: Int32Array): void {
  const { inCh, inLen } = a;
  const half = Math.floor(inLen / 2);
  for (let c = 0; c < inCh; c++) {
    let s = 0;
    for (let t = 0; t < inLen; t++) s += x[t * inCh + c]!;
    out[c] = Math.floor((s + half) / inLen);
  }
}
