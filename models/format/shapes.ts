// Shape and size formulas of models/FORMAT.md ("Shapes", "Weight packing"), in one place for
// the reader, the writer, the executor and the footprint figures.

/** FORMAT.md "Shapes", conv1d: floor((inLen + padL + padR - dilation*(kernel-1) - 1) / stride) + 1. */
export function conv1dOutLen(inLen: number, kernel: number, stride: number, dilation: number, padLeft: number, padRight: number): number {
  return Math.floor((inLen + padLeft + padRight - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** FORMAT.md "Shapes", maxpool1d / avgpool1d: floor((inLen - kernel) / stride) + 1, no padding. */
export function poolOutLen(inLen: number, kernel: number, stride: number): number {
  return Math.floor((inLen - kernel) / stride) + 1;
}

/** Elements of one weight row: conv1d kernel * inCh; linear inLen * inCh. */
export function rowElems(kind: 'conv1d' | 'linear', kernel: number, inCh: number, inLen: number): number {
  return kind === 'conv1d' ? kernel * inCh : inLen * inCh;
}

/** FORMAT.md "Weight packing": rowBytes = ceil(rowElems * b / 32) * 4. */
export function rowBytes(elems: number, weightBits: number): number {
  return Math.ceil((elems * weightBits) / 32) * 4;
}

/** FORMAT.md "Shapes": multiply-accumulates of one layer. */
export function layerMacs(kind: string, outCh: number, outLen: number, kernel: number, inCh: number, inLen: number): number {
  if (kind === 'conv1d') return outLen * outCh * kernel * inCh;
  if (kind === 'linear') return outCh * inLen * inCh;
  return 0;
}

export function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
