// Fixed numbers of the artifact format (models/FORMAT.md) and the arithmetic
// (models/ARITHMETIC.md §2), shared by the reader, the writer and the reference executor.

export const MAGIC = [0x48, 0x41, 0x52, 0x4d] as const; // "HARM"
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 32;
export const NET_HEADER_BYTES = 16;
export const STAGE_RECORD_BYTES = 8;
export const LAYER_RECORD_BYTES = 48;
export const MAX_STAGES = 4;
/** Offset of the first byte covered by the CRC (FORMAT.md "Header"). */
export const CRC_START = 16;

/** FORMAT.md "Layer table", field kind. */
export const LAYER_KIND = {
  conv1d: 1,
  maxpool1d: 2,
  avgpool1d: 3,
  globalavgpool: 4,
  linear: 5,
} as const;
export type LayerKindName = keyof typeof LAYER_KIND;
export type LayerKindCode = (typeof LAYER_KIND)[LayerKindName];

export const LAYER_KIND_NAMES: Readonly<Record<number, LayerKindName>> = {
  1: 'conv1d',
  2: 'maxpool1d',
  3: 'avgpool1d',
  4: 'globalavgpool',
  5: 'linear',
};

/** Weight bit-widths (ARITHMETIC.md §2). */
export const WEIGHT_BITS: readonly number[] = [2, 4, 8];
/** Unsigned activation bit-widths (hidden layers, after ReLU). */
export const UNSIGNED_ACT_BITS: readonly number[] = [2, 4, 8];
/** Signed output bit-widths (the last layer of a head: scores). */
export const SIGNED_OUT_BITS: readonly number[] = [8, 16];
/** Bits of the signed input window. */
export const INPUT_BITS = 8;

/** Requantization multiplier range (ARITHMETIC.md §2). */
export const MUL_MAX = 32767;
/** Requantization shift range (ARITHMETIC.md §2). */
export const SHIFT_MAX = 46;
export const INT32_MAX = 2 ** 31 - 1;
export const UINT32_MAX = 0xffff_ffff;

/** Largest magnitude of an input element: 128 for the signed input, 2^b - 1 for unsigned (ARITHMETIC.md §3). */
export function activationMax(bits: number, signed: boolean): number {
  return signed ? 2 ** (bits - 1) : 2 ** bits - 1;
}
