// Weight packing of models/FORMAT.md ("Weight packing"): signed b-bit two's-complement values,
// one output channel per row, every row starting on a 4-byte boundary; inside a row element i
// occupies bits [(i*b) mod 8, (i*b) mod 8 + b) of byte floor(i*b / 8) (first element in the
// least significant bits); padding bits at the end of a row are 0.
import { rowBytes } from './shapes.ts';

export function weightRange(bits: number): { min: number; max: number } {
  return { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 };
}

/**
 * Packs `rows * elemsPerRow` signed values (row-major) into rows of rowBytes(elemsPerRow, bits).
 * Throws RangeError on a value outside [-2^(b-1), 2^(b-1) - 1] or a non-integer.
 */
export function packWeights(values: ArrayLike<number>, rows: number, elemsPerRow: number, bits: number): Uint8Array {
  if (bits !== 2 && bits !== 4 && bits !== 8) throw new RangeError(`weight bits must be 2, 4 or 8, got ${bits}`);
  if (values.length !== rows * elemsPerRow) throw new RangeError(`expected ${rows * elemsPerRow} weights, got ${values.length}`);
  const { min, max } = weightRange(bits);
  const mask = (1 << bits) - 1;
  const rb = rowBytes(elemsPerRow, bits);
  const out = new Uint8Array(rows * rb);
  for (let r = 0; r < rows; r++) {
    const base = r * rb;
    for (let i = 0; i < elemsPerRow; i++) {
      const v = values[r * elemsPerRow + i] ?? 0;
      if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`weight [${r}][${i}] = ${v} outside [${min}, ${max}] for ${bits} bits`);
      const bit = i * bits;
      const byte = base + (bit >> 3);
      out[byte] = (out[byte] ?? 0) | ((v & mask) << (bit & 7));
    }
  }
  return out;
}

/** Signed value of element `i` of the row starting at `rowStart` of `packed`. */
export function unpackElement(packed: Uint8Array, rowStart: number, i: number, bits: number): number {
  const bit = i * bits;
  const raw = ((packed[rowStart + (bit >> 3)] ?? 0) >> (bit & 7)) & ((1 << bits) - 1);
  return raw >= 1 << (bits - 1) ? raw - (1 << bits) : raw;
}

/** Unpacks `rows` rows of `elemsPerRow` signed values (row-major) into an Int8Array. */
export function unpackWeights(packed: Uint8Array, rows: number, elemsPerRow: number, bits: number): Int8Array {
  const rb = rowBytes(elemsPerRow, bits);
  if (packed.length < rows * rb) throw new RangeError(`packed weights: ${packed.length} bytes, need ${rows * rb}`);
  const out = new Int8Array(rows * elemsPerRow);
  for (let r = 0; r < rows; r++) {
    const start = r * rb;
    for (let i = 0; i < elemsPerRow; i++) out[r * elemsPerRow + i] = unpackElement(packed, start, i, bits);
  }
  return out;
}

/** True when every padding bit after the last element of every row is 0. */
export function rowPaddingIsZero(packed: Uint8Array, rows: number, elemsPerRow: number, bits: number): boolean {
  const rb = rowBytes(elemsPerRow, bits);
  const usedBits = elemsPerRow * bits;
  for (let r = 0; r < rows; r++) {
    const start = r * rb;
    for (let bit = usedBits; bit < rb * 8; ) {
      const byte = packed[start + (bit >> 3)] ?? 0;
      const from = bit & 7;
      if (byte >> from !== 0) return false;
      bit += 8 - from;
    }
  }
  return true;
}
