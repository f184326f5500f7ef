// Minimal NumPy .npy codec, format version 1.0 (numpy.lib.format, "Format Version 1.0"):
// magic "\x93NUMPY", major 1, minor 0, u16 little-endian header length, an ASCII Python dict
// literal {'descr', 'fortran_order', 'shape'} padded with spaces and ended by '\n' so that the
// data starts at a multiple of 64 bytes, then the C-order data. Only the dtypes the window cache
// uses: '<f4' (float32), '<f8' (float64), '<i8' (int64), '|u1' (uint8), all little-endian.
import { DatasetError } from './errors.ts';

export type NpyDtype = '<f4' | '<f8' | '<i8' | '|u1';

export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Values in C order; float32 arrays are rounded from these, int64 ones must be safe integers. */
  readonly data: ArrayLike<number>;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const PREAMBLE_BYTES = 10; // magic (6) + version (2) + header length (2)
const ALIGN_BYTES = 64;
const BYTES_PER: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i8': 8, '|u1': 1 };

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function headerText(dtype: NpyDtype, shape: readonly number[]): string {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = PREAMBLE_BYTES + dict.length + 1;
  const padding = (ALIGN_BYTES - (unpadded % ALIGN_BYTES)) % ALIGN_BYTES;
  return `${dict}${' '.repeat(padding)}\n`;
}

export function encodeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `npy: bad shape (${shape.join(', ')})`);
  }
  const count = elementCount(shape);
  if (data.length !== count) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `npy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  }
  const header = headerText(dtype, shape);
  if (header.length > 0xffff) throw new DatasetError('DATASET_BAD_ARGUMENT', 'npy: header longer than format 1.0 allows');
  const dataOffset = PREAMBLE_BYTES + header.length;
  const bytes = new Uint8Array(dataOffset + count * BYTES_PER[dtype]);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i += 1) bytes[PREAMBLE_BYTES + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i += 1) {
    const v = data[i]!;
    const at = dataOffset + i * BYTES_PER[dtype];
    if (dtype === '<f4') {
      view.setFloat32(at, v, true);
    } else if (dtype === '<f8') {
      view.setFloat64(at, v, true);
    } else if (dtype === '<i8') {
      if (!Number.isSafeInteger(v)) throw new DatasetError('DATASET_BAD_ARGUMENT', `npy: value ${v} at ${i} is not a safe integer`);
      view.setBigInt64(at, BigInt(v), true);
    } else {
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new DatasetError('DATASET_BAD_ARGUMENT', `npy: value ${v} at ${i} is not a uint8`);
      bytes[at] = v;
    }
  }
  return bytes;
}

export interface DecodedNpy {
  readonly dtype: NpyDtype;
  readonly shape: number[];
  readonly data: Float64Array;
}

/** Reads what encodeNpy writes (and NumPy's own format 1.0 files of the same dtypes). */
export function decodeNpy(bytes: Uint8Array, path = '<npy>'): DecodedNpy {
  const fail = (why: string): never => {
    throw new DatasetError('DATASET_PARSE', `${path}: not a supported .npy file (${why})`, { path });
  };
  if (bytes.length < PREAMBLE_BYTES || !MAGIC.every((b, i) => bytes[i] === b)) fail('bad magic');
  if (bytes[6] !== 1 || bytes[7] !== 0) fail(`version ${bytes[6]}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint16(8, true);
  if (PREAMBLE_BYTES + headerLength > bytes.length) fail('truncated header');
  const header = String.fromCharCode(...bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4' && descr !== '<f8' && descr !== '<i8' && descr !== '|u1') return fail(`dtype ${descr ?? '?'}`);
  if (fortran !== 'False') fail('fortran order');
  if (shapeText === undefined) return fail('no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) fail('bad shape');
  const count = elementCount(shape);
  const dataOffset = PREAMBLE_BYTES + headerLength;
  const size = BYTES_PER[descr];
  if (bytes.length !== dataOffset + count * size) fail(`expected ${count} values of ${size} bytes after the header`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const at = dataOffset + i * size;
    data[i] =
      descr === '<f4' ? view.getFloat32(at, true) : descr === '<f8' ? view.getFloat64(at, true) : descr === '<i8' ? Number(view.getBigInt64(at, true)) : view.getUint8(at);
  }
  return { dtype: descr, shape, data };
}
