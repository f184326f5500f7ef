// A small writer of MATLAB level-5 MAT-files (MathWorks "MAT-File Format", chapter 1) for the
// tests: numeric and char matrices, stored as any numeric data type, optionally zlib-compressed.
import { deflateSync } from 'node:zlib';

export type StorageType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'single' | 'double';

const MI_TYPE: Record<StorageType, [number, number]> = {
  int8: [1, 1],
  uint8: [2, 1],
  int16: [3, 2],
  uint16: [4, 2],
  int32: [5, 4],
  uint32: [6, 4],
  single: [7, 4],
  double: [9, 8],
};
const CLASS_ID: Record<string, number> = { cell: 1, char: 4, double: 6, single: 7, int8: 8, uint8: 9, int16: 10, uint16: 11, int32: 12, uint32: 13 };

export interface MatVariableSpec {
  readonly name: string;
  /** MATLAB class of the array (default 'double'). */
  readonly className?: string;
  readonly dims: readonly number[];
  /** Column-major values. */
  readonly values: readonly number[];
  /** Data type the values are stored as (MATLAB stores integer-valued doubles compactly). */
  readonly storage?: StorageType;
  readonly compress?: boolean;
  readonly complex?: boolean;
  /** Cells of a 'cell' array, column-major (their names are written empty, as MATLAB does). */
  readonly cells?: readonly MatVariableSpec[];
}

/** A char row vector, stored as UTF-16 code units like MATLAB's default. */
export function charSpec(text: string, name = ''): MatVariableSpec {
  return { name, className: 'char', dims: [1, text.length], values: Array.from(text, (c) => c.charCodeAt(0)) };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Tag + data + padding to 8 bytes; data of at most 4 bytes in the small element format when asked. */
export function dataElement(type: number, data: Uint8Array, small = false): Uint8Array {
  if (small && data.length <= 4) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, (data.length << 16) | type, true);
    out.set(data, 4);
    return out;
  }
  const padded = Math.ceil(data.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

function encodeValues(values: readonly number[], storage: StorageType): Uint8Array {
  const [, size] = MI_TYPE[storage];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    const at = i * size;
    switch (storage) {
      case 'int8': view.setInt8(at, v); break;
      case 'uint8': view.setUint8(at, v); break;
      case 'int16': view.setInt16(at, v, true); break;
      case 'uint16': view.setUint16(at, v, true); break;
      case 'int32': view.setInt32(at, v, true); break;
      case 'uint32': view.setUint32(at, v, true); break;
      case 'single': view.setFloat32(at, v, true); break;
      case 'double': view.setFloat64(at, v, true); break;
    }
  });
  return out;
}

export function matrixElement(spec: MatVariableSpec): Uint8Array {
  const className = spec.className ?? 'double';
  const storage = spec.storage ?? (className === 'char' ? 'uint16' : 'double');
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, (CLASS_ID[className] ?? 0) | (spec.complex ? 0x0800 : 0), true);
  const dims = new Uint8Array(spec.dims.length * 4);
  spec.dims.forEach((d, i) => new DataView(dims.buffer).setInt32(i * 4, d, true));
  const name = Uint8Array.from(spec.name, (c) => c.charCodeAt(0));
  const [type] = MI_TYPE[storage];
  const parts = [dataElement(6, flags), dataElement(5, dims), dataElement(1, name, true)];
  if (className === 'cell') {
    for (const cell of spec.cells ?? []) parts.push(matrixElement({ ...cell, compress: false }));
  } else {
    parts.push(dataElement(type, encodeValues(spec.values, storage)));
    if (spec.complex) parts.push(dataElement(type, encodeValues(spec.values, storage)));
  }
  const body = concat(parts);
  const element = dataElement(14, body);
  if (!spec.compress) return element;
  const compressed = deflateSync(element);
  const out = new Uint8Array(8 + compressed.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 15, true);
  view.setUint32(4, compressed.length, true);
  out.set(compressed, 8);
  return out;
}

export function matHeader(text = 'MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024', endian = 'IM', version = 0x0100): Uint8Array {
  const out = new Uint8Array(128).fill(0x20);
  for (let i = 0; i < Math.min(text.length, 116); i += 1) out[i] = text.charCodeAt(i);
  out.fill(0, 116, 124);
  new DataView(out.buffer).setUint16(124, version, true);
  out[126] = endian.charCodeAt(0);
  out[127] = endian.charCodeAt(1);
  return out;
}

export function writeMat(variables: readonly MatVariableSpec[]): Uint8Array {
  return concat([matHeader(), ...variables.map(matrixElement)]);
}
