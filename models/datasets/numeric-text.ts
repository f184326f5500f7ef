// Parser of whitespace-separated numeric text tables (HAPT RawData, UCI HAR Inertial Signals,
// labels files). Numbers are converted with Number() so every value is the correctly rounded
// double of its decimal text; a token that is not a number is an error with its line.
import { DatasetError } from './errors.ts';

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

export interface NumericTable {
  readonly rows: number;
  readonly columns: number;
  /** Row-major values, rows * columns. */
  readonly values: Float64Array;
}

/**
 * Parses `text` as a table of `columns` numbers per non-empty line. Blank lines (only whitespace)
 * are skipped; a line with another number of values is an error naming the path and line.
 */
export function parseNumericTable(text: string, columns: number, path: string): NumericTable {
  let capacity = Math.max(columns, Math.ceil(text.length / 8));
  let values = new Float64Array(capacity);
  let count = 0;
  let rows = 0;
  let line = 1;
  let inLine = 0;
  const len = text.length;
  let i = 0;
  const endLine = (): void => {
    if (inLine === 0) return;
    if (inLine !== columns) {
      throw new DatasetError('DATASET_PARSE', `${path}:${line}: expected ${columns} numbers, found ${inLine}`, { path, line });
    }
    rows += 1;
    inLine = 0;
  };
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === LF) {
      endLine();
      line += 1;
      i += 1;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR) {
      i += 1;
      continue;
    }
    let j = i + 1;
    while (j < len) {
      const d = text.charCodeAt(j);
      if (d === SPACE || d === TAB || d === CR || d === LF) break;
      j += 1;
    }
    const token = text.slice(i, j);
    const value = Number(token);
    if (!Number.isFinite(value)) {
      throw new DatasetError('DATASET_PARSE', `${path}:${line}: "${token.slice(0, 40)}" is not a finite number`, { path, line });
    }
    if (count === capacity) {
      capacity *= 2;
      const grown = new Float64Array(capacity);
      grown.set(values);
      values = grown;
    }
    values[count] = value;
    count += 1;
    inLine += 1;
    i = j;
  }
  endLine();
  return { rows, columns, values: values.slice(0, count) };
}
