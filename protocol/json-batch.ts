// The readable payload form of `<base>/<deviceId>/imu` (README.md "JSON batch"):
//
//   { "version": 1, "seq": 1200, "t0Ms": 1732450000000, "rateHz": 50,
//     "acc":  [[ax, ay, az], ...],     // g
//     "gyro": [[gx, gy, gz], ...] }    // rad/s, optional (accelerometer-only devices omit it)
//
// The object is strict (unknown keys are rejected), the sample count is the number of acc rows,
// every row has exactly three numbers and gyro (when present) has as many rows as acc.
// This module checks structure and types; value bounds are validate-batch.ts's job.
import { z } from 'zod';
import type { SampleBatch } from './sample-batch.ts';
import { reject, type PayloadRejection } from './payload-errors.ts';

export const JSON_BATCH_VERSION = 1;
const AXES = 3;

export interface JsonBatchPayload {
  readonly version: number;
  readonly seq: number;
  readonly t0Ms: number;
  readonly rateHz: number;
  readonly acc: readonly (readonly number[])[];
  readonly gyro?: readonly (readonly number[])[];
}

export type DecodeResult = { readonly ok: true; readonly batch: SampleBatch } | PayloadRejection;

/** The envelope; rows are checked by hand below (faster, and gives precise kinds). */
const envelopeSchema = z.strictObject({
  version: z.number(),
  seq: z.number(),
  t0Ms: z.number(),
  rateHz: z.number(),
  acc: z.array(z.unknown()),
  gyro: z.array(z.unknown()).optional(),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeJsonBatch(deviceId: string, bytes: Uint8Array): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    return reject('invalid-json', err instanceof Error ? err.message.slice(0, 120) : 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not-an-object', `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) return envelopeRejection(value as Record<string, unknown>, parsed.error.issues);
  const env = parsed.data;
  if (env.version !== JSON_BATCH_VERSION) return reject('bad-version', `version ${env.version} (supported: ${JSON_BATCH_VERSION})`);
  if (!Number.isInteger(env.seq) || env.seq < 0 || env.seq > 0xffff_ffff) return reject('bad-seq', `seq ${env.seq} is not a uint32`);

  const samples = env.acc.length;
  const acc = readRows(env.acc, 'acc');
  if (!(acc instanceof Float64Array)) return acc;
  let gyro: Float64Array | null = null;
  if (env.gyro !== undefined) {
    if (env.gyro.length !== samples) return reject('length-mismatch', `gyro has ${env.gyro.length} rows, acc has ${samples}`);
    const rows = readRows(env.gyro, 'gyro');
    if (!(rows instanceof Float64Array)) return rows;
    gyro = rows;
  }
  return { ok: true, batch: { deviceId, seq: env.seq, t0Ms: env.t0Ms, rateHz: env.rateHz, samples, acc, gyro } };
}

function readRows(rows: readonly unknown[], field: string): Float64Array | PayloadRejection {
  const out = new Float64Array(rows.length * AXES);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) return reject('wrong-type', `${field}[${i}] is not an array`);
    if (row.length !== AXES) return reject('length-mismatch', `${field}[${i}] has ${row.length} values, expected ${AXES}`);
    for (let a = 0; a < AXES; a++) {
      const v: unknown = row[a];
      if (typeof v !== 'number') return reject('wrong-type', `${field}[${i}][${a}] is ${v === null ? 'null' : typeof v}, expected a number`);
      if (!Number.isFinite(v)) return reject('non-finite', `${field}[${i}][${a}] is ${v}`);
      out[i * AXES + a] = v;
    }
  }
  return out;
}

function envelopeRejection(raw: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): PayloadRejection {
  const issue = issues[0];
  if (!issue) return reject('wrong-type', 'invalid batch');
  if (issue.code === 'unrecognized_keys') return reject('unknown-field', `unknown field(s): ${issue.keys.slice(0, 5).join(', ')}`);
  const key = String(issue.path[0] ?? '');
  if (!(key in raw)) return reject('missing-field', `missing field "${key}"`);
  const v = raw[key];
  if (typeof v === 'number' && !Number.isFinite(v)) return reject('non-finite', `${key} is ${v}`);
  return reject('wrong-type', `${key}: ${issue.message}`);
}

export interface JsonEncodeOptions {
  /**
   * Round samples to this many decimal places (e.g. 5: 1e-5 g, far below a 16-bit sensor's LSB)
   * for payloads about half as long and faster to parse; default: full double precision.
   */
  readonly fractionDigits?: number;
}

/** Builds the JSON form of a batch (rows of [x, y, z]); used by simulated wearables and tests. */
export function toJsonBatchPayload(batch: Omit<SampleBatch, 'deviceId'>, options: JsonEncodeOptions = {}): JsonBatchPayload {
  const digits = options.fractionDigits;
  const factor = digits === undefined ? 0 : 10 ** digits;
  const round = digits === undefined ? (v: number) => v : (v: number) => Math.round(v * factor) / factor;
  const rows = (data: Float64Array): number[][] => {
    const out: number[][] = [];
    for (let i = 0; i < batch.samples; i++) out.push([round(data[i * AXES] ?? 0), round(data[i * AXES + 1] ?? 0), round(data[i * AXES + 2] ?? 0)]);
    return out;
  };
  const payload: JsonBatchPayload = { version: JSON_BATCH_VERSION, seq: batch.seq, t0Ms: batch.t0Ms, rateHz: batch.rateHz, acc: rows(batch.acc) };
  return batch.gyro ? { ...payload, gyro: rows(batch.gyro) } : payload;
}

export function encodeJsonBatch(batch: Omit<SampleBatch, 'deviceId'>, options: JsonEncodeOptions = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toJsonBatchPayload(batch, options)));
}
