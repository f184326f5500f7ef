// UniMiB-SHAR .mat files from generated values (never dataset content), for the reader and task tests.
import { writeMat, type MatVariableSpec } from './mat5-writer.ts';

export const W = 151;
/** Generated acceleration (m/s^2) of window i, axis a, sample t. */
export function accel(i: number, a: number, t: number): number {
  return (i + 1) * 100 + a * 10 + t / 16;
}

/** acc_data as MATLAB stores it: rows = windows, columns x1..x151 y1..y151 z1..z151, column-major. */
export function accData(n: number, columns = 3 * W): MatVariableSpec {
  const values: number[] = [];
  for (let col = 0; col < columns; col += 1) {
    for (let i = 0; i < n; i += 1) values.push(accel(i, Math.floor(col / W), col % W));
  }
  return { name: 'acc_data', dims: [n, columns], values, compress: true };
}

export function accLabels(rows: ReadonlyArray<readonly [number, number, number]>): MatVariableSpec {
  const values = [0, 1, 2].flatMap((c) => rows.map((r) => r[c]!));
  // MATLAB writes integer-valued doubles compactly; v7 files are compressed.
  return { name: 'acc_labels', dims: [rows.length, 3], values, storage: 'uint8', compress: true };
}

/** acc_data.mat and acc_labels.mat bytes for windows with the given (class, subject, trial) rows. */
export function unimibFiles(rows: ReadonlyArray<readonly [number, number, number]>): { data: Uint8Array; labels: Uint8Array } {
  return { data: writeMat([accData(rows.length)]), labels: writeMat([accLabels(rows)]) };
}
