// The reference kernels (models/ARITHMETIC.md §3-4). One body per kernel kind serves every
// precision: the bit-widths only change the weight values (unpacked once into an Int8Array when
// the engine is created) and the output clamp; kernel-names.ts gives each call its
// precision-carrying name (conv1d_s8_i4_u8, ...) for traces and for the C kernels to mirror.
//
// Activations are Int32Array, time-major ([t][c] at t * C + c). No allocation inside a kernel.
import type { RequantTable } from './requantize.ts';

/** A conv1d / linear layer ready to run: unpacked weights [outCh][rowElems] and requant constants. */
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
  readonly weights: Int8Array;
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
 * The taps that fall on padding are skipped (they add 0), so the inner loop has no branch.
 */
export function conv1d(a: WeightedKernelArgs, x: Int32Array, out: Int32Array): void {
  const { inCh, inLen, outCh, outLen, kernel, stride, dilation, padLeft, rowElems, weights, bias } = a;
  const { mul, round, divisor, lo, hi } = a.requant;
  for (let t = 0; t < outLen; t++) {
    const start = t * stride - padLeft;
    // valid taps: 0 <= start + k*dilation <= inLen - 1
    const kLo = start >= 0 ? 0 : Math.ceil(-start / dilation);
    const kHi = Math.min(kernel, Math.floor((inLen - 1 - start) / dilation) + 1);
    const outBase = t * outCh;
    for (let o = 0; o < outCh; o++) {
      let acc = bias[o]!;
      const wRow = o * rowElems;
      for (let k = kLo; k < kHi; k++) {
        const xb = (start + k * dilation) * inCh;
        const wb = wRow + k * inCh;
        for (let c = 0; c < inCh; c++) acc += x[xb + c]! * weights[wb + c]!;
      }
      const r = Math.floor((acc * mul[o]! + round[o]!) / divisor[o]!);
      out[outBase + o] = r < lo ? lo : r > hi ? hi : r;
    }
  }
}

/** §3 linear: the input [inLen][inCh] flattened time-major; acc = bias[o] + sum_i x[i] * w[o][i]. */
export function linear(a: WeightedKernelArgs, x: Int32Array, out: Int32Array): void {
  const { outCh, rowElems, weights, bias } = a;
  const { mul, round, divisor, lo, hi } = a.requant;
  for (let o = 0; o < outCh; o++) {
    let acc = bias[o]!;
    const wRow = o * rowElems;
    for (let i = 0; i < rowElems; i++) acc += x[i]! * weights[wRow + i]!;
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
