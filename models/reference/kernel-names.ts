// Kernel names carry the precision, like the C kernels' (see models/reference/README.md):
//   <kind>_<input>_<weights>_<output> for conv1d and linear, <kind>_<input> for pooling, where
//   input  = s8 (the signed window) | u2 | u4 | u8 (unsigned activations),
//   weights = i2 | i4 | i8,
//   output = u2 | u4 | u8 (ReLU + clip) | s8 | s16 (head scores).
// Examples: conv1d_s8_i8_u8, conv1d_u4_i2_u4, linear_u8_i4_s16, maxpool1d_u4, globalavgpool_u8.
import type { LayerRecord } from '../format/types.ts';

export function activationTag(bits: number, signed: boolean): string {
  return `${signed ? 's' : 'u'}${bits}`;
}

export function kernelName(l: Pick<LayerRecord, 'kind' | 'inBits' | 'inSigned' | 'weightBits' | 'outBits' | 'outSigned'>): string {
  const input = activationTag(l.inBits, l.inSigned);
  if (l.kind === 'conv1d' || l.kind === 'linear') return `${l.kind}_${input}_i${l.weightBits}_${activationTag(l.outBits, l.outSigned)}`;
  return `${l.kind}_${input}`;
}
