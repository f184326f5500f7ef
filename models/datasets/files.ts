// File access shared by the readers: a missing file becomes a DatasetError that names the path
// and what the published layout puts there.
import { readFileSync, statSync } from 'node:fs';
import { DatasetError } from './errors.ts';

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Reads a whole file; `expected` says what the dataset's layout puts at that path. */
export function readDatasetFile(path: string, expected: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    if (isNotFound(err)) {
      throw new DatasetError('DATASET_MISSING_FILE', `${path}: file not found (expected ${expected})`, {
        path,
        expected,
        cause: err,
      });
    }
    throw new DatasetError('DATASET_PARSE', `${path}: cannot read (${(err as Error).message})`, { path, cause: err });
  }
}

/** Reads a whole text file (ASCII/latin1: all the published HAR text formats are ASCII). */
export function readDatasetText(path: string, expected: string): string {
  return readDatasetFile(path, expected).toString('latin1');
}

/** Throws DATASET_MISSING_FILE unless `path` is a folder. */
export function requireDirectory(path: string, expected: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!isDir) {
    throw new DatasetError('DATASET_MISSING_FILE', `${path}: folder not found (expected ${expected})`, {
      path,
      expected,
    });
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
