// Reader of the subset of MATLAB level-5 MAT-files (MathWorks, "MAT-File Format", R2016b and
// earlier, chapter 1 "Level 5 MAT-File Format") that the UniMiB-SHAR files use: little-endian,
// numeric matrices (values converted to float64), possibly inside miCOMPRESSED (zlib) elements.
// Other array classes (char, cell, struct, sparse, object) are listed with their dimensions but
// no values. Every size and offset is checked against the buffer: a truncated or hostile file is
// a MAT_FORMAT error, never an out-of-bounds read; decompression is capped.
import { inflateSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

/** "Header Format for Level 5 MAT-Files": 116 bytes text, 8 subsystem offset, 2 version, 2 endian. */
const HEADER_BYTES = 128;
const VERSION_OFFSET = 124;
const ENDIAN_OFFSET = 126;
const LEVEL5_VERSION = 0x0100;
const TAG_BYTES = 8;
/** MATLAB names have at most 63 characters (namelengthmax); anything far longer is corrupt. */
const MAX_NAME_BYTES = 255;
/** Cells inside cells deeper than this are refused (a hostile file could recurse without end). */
const MAX_CELL_DEPTH = 16;
/** An N x 0 char array is N empty rows; more than this many is treated as corrupt. */
const MAX_EMPTY_CHAR_ROWS = 1 << 16;

/** "Table 1-1: MAT-File Data Types". */
export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

/** "Table 1-3: MATLAB Array Types (Classes)". */
const MX_CLASS_NAMES: Readonly<Record<number, string>> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const FIRST_NUMERIC_CLASS = 6;
const LAST_NUMERIC_CLASS = 15;
/** "Array Flags Subelement": the complex bit in the flags byte (bit 4 of byte 2 = 0x0800). */
const COMPLEX_FLAG = 0x0800;

const NUMERIC_BYTES: Readonly<Record<number, number>> = {
  [MI.INT8]: 1,
  [MI.UINT8]: 1,
  [MI.INT16]: 2,
  [MI.UINT16]: 2,
  [MI.INT32]: 4,
  [MI.UINT32]: 4,
  [MI.SINGLE]: 4,
  [MI.DOUBLE]: 8,
  [MI.INT64]: 8,
  [MI.UINT64]: 8,
};

export interface MatVariable {
  readonly name: string;
  /** MATLAB class: 'double', 'uint8', ..., or 'char', 'cell', 'struct', 'sparse', 'object'. */
  readonly className: string;
  readonly dims: readonly number[];
  /** Column-major values of a real numeric array, converted to float64; undefined otherwise. */
  readonly real: Float64Array | undefined;
  /** Rows of a char array ("Character arrays": column-major UTF-16 code units or UTF-8). */
  readonly text?: readonly string[];
  /** Elements of a cell array, column-major ("Cell arrays": one miMATRIX per cell). */
  readonly cells?: ReadonlyArray<MatVariable | undefined>;
}

export interface ReadMatOptions {
  /** Largest decompressed size of one miCOMPRESSED element (default 1 GiB). */
  readonly maxInflatedBytes?: number;
}

const DEFAULT_MAX_INFLATED_BYTES = 1 << 30;

interface Element {
  readonly type: number;
  /** Data range in `bytes`. */
  readonly start: number;
  readonly end: number;
  /** Offset of the next element. */
  readonly next: number;
}

class MatReader {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly path: string;
  /** Where `bytes` come from, for messages ('' for the file, the element for inflated data). */
  readonly where: string;
  constructor(bytes: Uint8Array, path: string, where: string) {
    this.bytes = bytes;
    this.path = path;
    this.where = where;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string, offset: number): never {
    throw new DatasetError('MAT_FORMAT', `${this.path}: ${message} at ${this.where}byte ${offset}`, { path: this.path, offset });
  }

  /** "Data Element Format" and "Small Data Element Format" (1-5, 1-6). */
  element(offset: number, limit: number): Element {
    if (offset + TAG_BYTES > limit) this.fail('truncated element tag', offset);
    const first = this.view.getUint32(offset, true);
    const smallBytes = first >>> 16;
    if (smallBytes !== 0) {
      if (smallBytes > 4) this.fail(`small data element of ${smallBytes} bytes (at most 4)`, offset);
      return { type: first & 0xffff, start: offset + 4, end: offset + 4 + smallBytes, next: offset + TAG_BYTES };
    }
    const size = this.view.getUint32(offset + 4, true);
    const start = offset + TAG_BYTES;
    if (size > limit - start) this.fail(`element of ${size} bytes runs past the end (${limit - start} left)`, offset);
    const end = start + size;
    // Elements are padded to 8 bytes, except compressed ones; tolerate a last unpadded element.
    const padded = first === MI.COMPRESSED ? end : start + Math.ceil(size / 8) * 8;
    return { type: first, start, end, next: Math.min(padded, limit) };
  }

  numeric(el: Element, what: string): Float64Array {
    const size = NUMERIC_BYTES[el.type];
    if (size === undefined) this.fail(`${what}: data type ${el.type} is not numeric`, el.start - TAG_BYTES);
    const length = el.end - el.start;
    if (length % size !== 0) this.fail(`${what}: ${length} bytes is not a whole number of ${size}-byte values`, el.start);
    const n = length / size;
    const out = new Float64Array(n);
    const v = this.view;
    let p = el.start;
    for (let i = 0; i < n; i += 1, p += size) {
      switch (el.type) {
        case MI.INT8: out[i] = v.getInt8(p); break;
        case MI.UINT8: out[i] = v.getUint8(p); break;
        case MI.INT16: out[i] = v.getInt16(p, true); break;
        case MI.UINT16: out[i] = v.getUint16(p, true); break;
        case MI.INT32: out[i] = v.getInt32(p, true); break;
        case MI.UINT32: out[i] = v.getUint32(p, true); break;
        case MI.SINGLE: out[i] = v.getFloat32(p, true); break;
        case MI.DOUBLE: out[i] = v.getFloat64(p, true); break;
        case MI.INT64: out[i] = Number(v.getBigInt64(p, true)); break;
        default: out[i] = Number(v.getBigUint64(p, true)); break;
      }
    }
    return out;
  }

  /** "miMATRIX Format" (1-15): flags, dimensions, name, then the class's parts. */
  matrix(el: Element, depth = 0): MatVariable | undefined {
    if (el.end === el.start) return undefined; // an empty miMATRIX (empty cell entries)
    if (depth > MAX_CELL_DEPTH) this.fail(`cells nested deeper than ${MAX_CELL_DEPTH}`, el.start);
    const flagsEl = this.element(el.start, el.end);
    if (flagsEl.type !== MI.UINT32 || flagsEl.end - flagsEl.start !== 8) this.fail('array flags must be 8 bytes of miUINT32', el.start);
    const flags = this.view.getUint32(flagsEl.start, true);
    const classId = flags & 0xff;
    const className = MX_CLASS_NAMES[classId];
    if (className === undefined) this.fail(`unknown array class ${classId}`, flagsEl.start);
    const dimsEl = this.element(flagsEl.next, el.end);
    if (dimsEl.type !== MI.INT32) this.fail('dimensions must be miINT32', flagsEl.next);
    const dims = [...this.numeric(dimsEl, 'dimensions')];
    if (dims.length < 2 || dims.some((d) => d < 0)) this.fail(`bad dimensions [${dims.join(', ')}]`, dimsEl.start);
    const nameEl = this.element(dimsEl.next, el.end);
    if (nameEl.type !== MI.INT8) this.fail('array name must be miINT8', dimsEl.next);
    if (nameEl.end - nameEl.start > MAX_NAME_BYTES) this.fail(`array name of ${nameEl.end - nameEl.start} bytes`, nameEl.start);
    const name = String.fromCharCode(...this.bytes.subarray(nameEl.start, nameEl.end));
    const count = dims.reduce((n, d) => n * d, 1);
    if (className === 'char') return { name, className, dims, real: undefined, text: this.charRows(this.element(nameEl.next, el.end), dims, name) };
    if (className === 'cell') return { name, className, dims, real: undefined, cells: this.cellElements(nameEl.next, el.end, count, name, depth) };
    if (classId < FIRST_NUMERIC_CLASS || classId > LAST_NUMERIC_CLASS) {
      return { name, className, dims, real: undefined };
    }
    if ((flags & COMPLEX_FLAG) !== 0) {
      throw new DatasetError('MAT_UNSUPPORTED', `${this.path}: variable "${name}" is complex (only real arrays are read)`, { path: this.path });
    }
    const realEl = this.element(nameEl.next, el.end);
    const real = this.numeric(realEl, `real part of "${name}"`);
    if (real.length !== count) this.fail(`"${name}" has ${real.length} values for dimensions [${dims.join(', ')}]`, realEl.start);
    return { name, className, dims, real };
  }

  /** A char array's rows; its data element holds code units (miUINT16/miUINT8) or miUTF8. */
  charRows(dataEl: Element, dims: readonly number[], name: string): string[] {
    let units: string;
    if (dataEl.type === MI.UTF8) {
      units = new TextDecoder('utf-8').decode(this.bytes.subarray(dataEl.start, dataEl.end));
    } else {
      const codes = this.numeric(dataEl, `characters of "${name}"`);
      units = Array.from(codes, (c) => String.fromCharCode(c)).join('');
    }
    const rows = dims.length === 2 ? dims[0]! : 1;
    if (rows > Math.max(units.length, MAX_EMPTY_CHAR_ROWS)) this.fail(`char array "${name}" claims ${rows} rows for ${units.length} characters`, dataEl.start);
    const columns = rows === 0 ? 0 : units.length / rows;
    if (dims.length !== 2 || !Number.isInteger(columns) || (dataEl.type !== MI.UTF8 && rows * columns !== dims[0]! * dims[1]!)) {
      this.fail(`char array "${name}" has ${units.length} characters for dimensions [${dims.join(', ')}]`, dataEl.start);
    }
    return Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => units[c * rows + r]).join(''));
  }

  /** The `count` miMATRIX elements of a cell array, from `offset` to `end`. */
  cellElements(offset: number, end: number, count: number, name: string, depth: number): Array<MatVariable | undefined> {
    const cells: Array<MatVariable | undefined> = [];
    let at = offset;
    for (let i = 0; i < count; i += 1) {
      const cellEl = this.element(at, end);
      if (cellEl.type !== MI.MATRIX) this.fail(`cell ${i + 1} of "${name}" is not a miMATRIX element`, at);
      cells.push(this.matrix(cellEl, depth + 1));
      at = cellEl.next;
    }
    return cells;
  }
}

function readElements(reader: MatReader, from: number, options: Required<ReadMatOptions>, out: MatVariable[], depth: number): void {
  let offset = from;
  const limit = reader.bytes.length;
  while (offset < limit) {
    const el = reader.element(offset, limit);
    if (el.type === MI.MATRIX) {
      const variable = reader.matrix(el);
      if (variable) out.push(variable);
    } else if (el.type === MI.COMPRESSED) {
      if (depth > 0) reader.fail('compressed element inside a compressed element', offset);
      let inflated: Buffer;
      try {
        inflated = inflateSync(reader.bytes.subarray(el.start, el.end), { maxOutputLength: options.maxInflatedBytes });
      } catch (err) {
        throw new DatasetError('MAT_FORMAT', `${reader.path}: compressed element at byte ${offset} does not inflate (${(err as Error).message})`, {
          path: reader.path,
          offset,
          cause: err,
        });
      }
      const inner = new MatReader(new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength), reader.path, `inflated element at byte ${offset}, `);
      readElements(inner, 0, options, out, depth + 1);
    } else {
      reader.fail(`top-level element of type ${el.type} (expected miMATRIX or miCOMPRESSED)`, offset);
    }
    offset = el.next;
  }
}

/** Parses a level-5 MAT-file; returns its variables in file order. */
export function readMat5(bytes: Uint8Array, path = '<mat>', options: ReadMatOptions = {}): MatVariable[] {
  const opts: Required<ReadMatOptions> = { maxInflatedBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES };
  if (bytes.length < HEADER_BYTES) {
    throw new DatasetError('MAT_FORMAT', `${path}: ${bytes.length} bytes is shorter than the 128-byte MAT-file header`, { path, offset: 0 });
  }
  const text = String.fromCharCode(...bytes.subarray(0, 116));
  if (text.startsWith('MATLAB 7.3 MAT-file')) {
    throw new DatasetError('MAT_UNSUPPORTED', `${path}: a MATLAB 7.3 (HDF5) file; save it with -v7 or -v6 to read it here`, { path });
  }
  if (!text.startsWith('MATLAB 5.0 MAT-file')) {
    throw new DatasetError('MAT_FORMAT', `${path}: not a level-5 MAT-file (header text "${text.slice(0, 19)}")`, { path, offset: 0 });
  }
  const endian = String.fromCharCode(bytes[ENDIAN_OFFSET]!, bytes[ENDIAN_OFFSET + 1]!);
  if (endian === 'MI') {
    throw new DatasetError('MAT_UNSUPPORTED', `${path}: big-endian MAT-file (only little-endian files are read)`, { path, offset: ENDIAN_OFFSET });
  }
  if (endian !== 'IM') {
    throw new DatasetError('MAT_FORMAT', `${path}: bad endian indicator "${endian}"`, { path, offset: ENDIAN_OFFSET });
  }
  const version = bytes[VERSION_OFFSET]! | (bytes[VERSION_OFFSET + 1]! << 8);
  if (version !== LEVEL5_VERSION) {
    throw new DatasetError('MAT_FORMAT', `${path}: version 0x${version.toString(16)} (expected 0x0100)`, { path, offset: VERSION_OFFSET });
  }
  const variables: MatVariable[] = [];
  readElements(new MatReader(bytes, path, ''), HEADER_BYTES, opts, variables, 0);
  return variables;
}

/** The variable `name` of a MAT-file, which must be a real numeric 2-D matrix. */
export function matMatrix(variables: readonly MatVariable[], name: string, path: string): { rows: number; columns: number; values: Float64Array } {
  const v = variables.find((candidate) => candidate.name === name);
  if (!v) {
    throw new DatasetError('DATASET_PARSE', `${path}: no variable "${name}" (found: ${variables.map((c) => c.name).join(', ') || 'none'})`, { path, expected: `a variable named ${name}` });
  }
  if (!v.real || v.dims.length !== 2) {
    throw new DatasetError('DATASET_PARSE', `${path}: "${name}" is a ${v.className} array of [${v.dims.join(', ')}], expected a real 2-D numeric matrix`, { path });
  }
  return { rows: v.dims[0]!, columns: v.dims[1]!, values: v.real };
}
