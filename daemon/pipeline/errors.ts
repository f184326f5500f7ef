// Errors of the pipeline side. Each carries a `code` so callers branch on it, never on text.

export type PipelineErrorCode =
  | 'unsupported-channel'
  | 'bad-input-spec'
  | 'engine-failed'
  | 'worker-failed'
  | 'pool-stopped';

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.code = code;
  }
}
