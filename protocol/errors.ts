// Errors thrown by the encoders on input that no valid payload can carry (a programming error of
// the caller; decoders never throw, they return rejections — payload-errors.ts).
export class EncodeError extends Error {
  readonly code: 'batch-too-large' | 'bad-batch';
  constructor(code: EncodeError['code'], message: string) {
    super(message);
    this.name = 'EncodeError';
    this.code = code;
  }
}
