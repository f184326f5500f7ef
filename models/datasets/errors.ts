// Errors of the dataset readers. Every failure names the path it concerns and, for a missing or
// partial copy of a dataset, the file that was expected there (docs/ARCHITECTURE.md, "models").

export type DatasetErrorCode =
  /** A file or folder of the published layout is not there. */
  | 'DATASET_MISSING_FILE'
  /** A file is there but its content does not follow the published format. */
  | 'DATASET_PARSE'
  /** Files are individually valid but disagree with each other (row counts, users, ranges). */
  | 'DATASET_INCONSISTENT'
  /** A caller passed an unknown task, split or option. */
  | 'DATASET_BAD_ARGUMENT'
  /** A MATLAB file is malformed or truncated. */
  | 'MAT_FORMAT'
  /** A MATLAB file is valid but uses a feature this reader does not implement. */
  | 'MAT_UNSUPPORTED';

export interface DatasetErrorDetails {
  /** The file or folder concerned. */
  readonly path?: string;
  /** What was expected at `path` (a file name, a layout), for missing or partial copies. */
  readonly expected?: string;
  /** 1-based line of a text file, when known. */
  readonly line?: number;
  /** Byte offset in a binary file, when known. */
  readonly offset?: number;
  readonly cause?: unknown;
}

export class DatasetError extends Error {
  readonly code: DatasetErrorCode;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  readonly line: number | undefined;
  readonly offset: number | undefined;

  constructor(code: DatasetErrorCode, message: string, details: DatasetErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DatasetError';
    this.code = code;
    this.path = details.path;
    this.expected = details.expected;
    this.line = details.line;
    this.offset = details.offset;
  }
}
