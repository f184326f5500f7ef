// Errors of the gateway's own recording format (README.md): always with the file and byte offset.
export type RecordingErrorCode = 'RECORDING_TRUNCATED' | 'RECORDING_MALFORMED' | 'RECORDING_INDEX' | 'RECORDING_WRITE';

export class RecordingError extends Error {
  readonly code: RecordingErrorCode;
  readonly path: string;
  readonly offset: number | undefined;
  constructor(code: RecordingErrorCode, path: string, message: string, offset?: number, options?: { cause?: unknown }) {
    super(offset === undefined ? `${path}: ${message}` : `${path}: byte offset ${offset}: ${message}`, options);
    this.name = 'RecordingError';
    this.code = code;
    this.path = path;
    this.offset = offset;
  }
}
