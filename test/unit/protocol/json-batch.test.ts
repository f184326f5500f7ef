import { describe, expect, it } from 'vitest';
import { decodeJsonBatch, encodeJsonBatch, toJsonBatchPayload } from '../../../protocol/json-batch.ts';
import { makeBatch } from './make-batch.ts';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const good = (): Record<string, unknown> => ({ ...toJsonBatchPayload(makeBatch({ samples: 4 })) });

describe('JSON batch', () => {
  it('round-trips a six-axis batch exactly', () => {
    const batch = makeBatch({ seq: 4_294_967_000 });
    const result = decodeJsonBatch('dev-1', encodeJsonBatch(batch));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.batch).toEqual(batch);
  });

  it('rounds to the requested fraction digits', () => {
    const batch = makeBatch({ samples: 2, acc: Float64Array.from([0.123456789, -1.000004, 2, 0, 0, 1]), gyro: null });
    const result = decodeJsonBatch('d', encodeJsonBatch(batch, { fractionDigits: 5 }));
    expect(result.ok && Array.from(result.batch.acc)).toEqual([0.12346, -1, 2, 0, 0, 1]);
  });

  it('accepts an accelerometer-only batch (no gyro key) as gyro null', () => {
    const batch = makeBatch({ gyro: null, samples: 3 });
    const bytes = encodeJsonBatch(batch);
    expect(new TextDecoder().decode(bytes)).not.toContain('gyro');
    const result = decodeJsonBatch('d', bytes);
    expect(result.ok && result.batch.gyro).toBeNull();
    expect(result.ok && Array.from(result.batch.acc)).toEqual(Array.from(batch.acc));
  });

  const rejections: Array<[string, Uint8Array, string]> = [
    ['invalid JSON', enc('{"version":1,'), 'invalid-json'],
    ['a NaN literal', enc('{"version":1,"seq":0,"t0Ms":NaN,"rateHz":50,"acc":[]}'), 'invalid-json'],
    ['invalid UTF-8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid-json'],
    ['an array', enc([1, 2, 3]), 'not-an-object'],
    ['a string', enc('"hello"'), 'not-an-object'],
    ['a missing seq', enc({ ...good(), seq: undefined }), 'missing-field'],
    ['an extra key', enc({ ...good(), temperature: 21 }), 'unknown-field'],
    ['rate as a string', enc({ ...good(), rateHz: '50' }), 'wrong-type'],
    ['acc as an object', enc({ ...good(), acc: { x: 1 } }), 'wrong-type'],
    ['a row that is a number', enc({ ...good(), acc: [1, 2, 3] }), 'wrong-type'],
    ['a null value in a row', enc({ ...good(), acc: [[0, null, 1]] }), 'wrong-type'],
    ['a row of two values', enc({ ...good(), acc: [[0, 1]] }), 'length-mismatch'],
    ['gyro shorter than acc', enc({ ...good(), gyro: [[0, 0, 0]] }), 'length-mismatch'],
    ['an overflowing number (1e999 = Infinity)', enc('{"version":1,"seq":0,"t0Ms":1e999,"rateHz":50,"acc":[[0,0,1]]}'), 'non-finite'],
    ['an overflowing sample', enc('{"version":1,"seq":0,"t0Ms":0,"rateHz":50,"acc":[[0,-1e999,1]]}'), 'non-finite'],
    ['version 2', enc({ ...good(), version: 2 }), 'bad-version'],
    ['a fractional seq', enc({ ...good(), seq: 1.5 }), 'bad-seq'],
    ['a negative seq', enc({ ...good(), seq: -1 }), 'bad-seq'],
    ['a seq beyond uint32', enc({ ...good(), seq: 2 ** 32 }), 'bad-seq'],
  ];
  it.each(rejections)('rejects %s', (_what, bytes, kind) => {
    const result = decodeJsonBatch('dev-1', bytes);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.kind).toBe(kind);
    expect(result.detail.length).toBeGreaterThan(0);
  });
});
