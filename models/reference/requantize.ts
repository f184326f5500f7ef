// Requantization (models/ARITHMETIC.md §3, PULP-NN style (M * acc + R) >> S then clamp):
//   r = floor((acc * M + R) / 2^S),  R = 2^(S-1) if S > 0 else 0   (half up, towards +infinity)
// computed in float64, where it is exact: |acc * M| < 2^46 and |acc * M + R| < 2^53, and a
// division by a power of two is exact, so Math.floor sees the true rational value.

/** r before the clamp. */
export function requantizeRaw(acc: number, mul: number, shift: number): number {
  const round = shift > 0 ? 2 ** (shift - 1) : 0;
  return Math.floor((acc * mul + round) / 2 ** shift);
}

/** Output range of a layer: [0, 2^b - 1] unsigned (ReLU + clip) or [-2^(b-1), 2^(b-1) - 1] signed. */
export function outputRange(outBits: number, outSigned: boolean): { lo: number; hi: number } {
  return outSigned ? { lo: -(2 ** (outBits - 1)), hi: 2 ** (outBits - 1) - 1 } : { lo: 0, hi: 2 ** outBits - 1 };
}

/** r clamped to the layer's output range. */
export function requantize(acc: number, mul: number, shift: number, outBits: number, outSigned: boolean): number {
  const { lo, hi } = outputRange(outBits, outSigned);
  const r = requantizeRaw(acc, mul, shift);
  return r < lo ? lo : r > hi ? hi : r;
}

/** Per-channel constants precomputed once per layer so the inner loop does one multiply-add, one divide, one floor. */
export interface RequantTable {
  readonly mul: Float64Array;
  readonly round: Float64Array;
  readonly divisor: Float64Array;
  readonly lo: number;
  readonly hi: number;
}

export function requantTable(mul: Int32Array, shift: Uint8Array, outBits: number, outSigned: boolean): RequantTable {
  const n = mul.length;
  const t = { mul: new Float64Array(n), round: new Float64Array(n), divisor: new Float64Array(n), ...outputRange(outBits, outSigned) };
  for (let o = 0; o < n; o++) {
    const s = shift[o] ?? 0;
    t.mul[o] = mul[o] ?? 0;
    t.round[o] = s > 0 ? 2 ** (s - 1) : 0;
    t.divisor[o] = 2 ** s;
  }
  return t;
}
