// Errors of the replay: a source that cannot be read names the file and the line or byte offset.
export type ReplayErrorCode =
  | 'REPLAY_SOURCE_UNKNOWN'
  | 'REPLAY_SOURCE_UNREADABLE'
  | 'REPLAY_SOURCE_MALFORMED'
  | 'REPLAY_SOURCE_TRUNCATED'
  | 'REPLAY_SOURCE_INCOMPATIBLE'
  | 'REPLAY_BAD_ARGUMENT';

export interface ReplayErrorDetails {
  readonly path?: string;
  readonly line?: number;
  readonly offset?: number;
  readonly cause?: unknown;
}

export class ReplayError extends Error {
  readonly code: ReplayErrorCode;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly offset: number | undefined;
  constructor(code: ReplayErrorCode, message: string, details: ReplayErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ReplayError';
    this.code = code;
    this.path = details.path;
    this.line = details.line;
    this.offset = details.offset;
  }
}
