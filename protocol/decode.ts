// One entry point for `<base>/<deviceId>/imu` payloads: the first byte picks the form through
// one dispatch table (a JSON object starts with `{`, possibly after whitespace; the binary form
// starts with its magic "HB"). Nothing here throws on bad input.
import { decodeBinaryBatch, BINARY_MAGIC_0 } from './binary-batch.ts';
import { decodeJsonBatch, type DecodeResult } from './json-batch.ts';
import { reject } from './payload-errors.ts';

export type PayloadForm = 'json' | 'binary';
type Decoder = (deviceId: string, bytes: Uint8Array) => DecodeResult;

const DECODERS: Record<PayloadForm, Decoder> = {
  json: decodeJsonBatch,
  binary: decodeBinaryBatch,
};

/** First byte -> form. JSON may start with whitespace (RFC 8259 section 2). */
const FORM_BY_FIRST_BYTE = new Map<number, PayloadForm>([
  [0x7b, 'json'], // {
  [0x5b, 'json'], // [ (a JSON array: rejected by the JSON decoder as not-an-object)
  [0x20, 'json'], // space
  [0x09, 'json'], // tab
  [0x0a, 'json'], // LF
  [0x0d, 'json'], // CR
  [BINARY_MAGIC_0, 'binary'],
]);

export function detectForm(bytes: Uint8Array): PayloadForm | null {
  const first = bytes[0];
  return first === undefined ? null : (FORM_BY_FIRST_BYTE.get(first) ?? null);
}

export function decodeImuPayload(deviceId: string, bytes: Uint8Array): DecodeResult {
  if (bytes.length === 0) return reject('empty', 'zero-byte payload');
  const form = detectForm(bytes);
  if (form === null) return reject('unknown-format', `first byte 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')} starts neither a JSON object nor a binary batch`);
  return DECODERS[form](deviceId, bytes);
}
