// Errors of the store. `code` is what callers branch on.
export type StoreErrorCode = 'schema-too-new' | 'migration-failed' | 'not-open';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
