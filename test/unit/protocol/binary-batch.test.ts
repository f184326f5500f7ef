import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BINARY_HEADER_BYTES,
  DEFAULT_ACC_SCALE_G,
  DEFAULT_GYRO_SCALE_RAD_S,
  decodeBinaryBatch,
  encodeBinaryBatch,
} from '../../../protocol/binary-batch.ts';
import { EncodeError } from '../../../protocol/errors.ts';
import { makeBatch } from './make-batch.ts';

function mutate(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

describe('binary batch', () => {
  it('has the documented header layout', () => {
    const batch = makeBatch({ seq: 0x01020304, t0Ms: 1234.5, rateHz: 52, samples: 2 });
    const bytes = encodeBinaryBatch(batch);
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(32 + 2 * 6 * 2);
    expect([bytes[0], bytes[1], bytes[2], bytes[3]]).toEqual([0x48, 0x42, 1, 0x01]);
    expect(view.getUint32(4, true)).toBe(0x01020304);
    expect(view.getFloat64(8, true)).toBe(1234.5);
    expect(view.getFloat32(16, true)).toBe(52);
    expect(view.getFloat32(20, true)).toBe(Math.fround(DEFAULT_ACC_SCALE_G));
    expect(view.getFloat32(24, true)).toBe(Math.fround(DEFAULT_GYRO_SCALE_RAD_S));
    expect(view.getUint16(28, true)).toBe(2);
    expect(view.getUint16(30, true)).toBe(0);
    // first sample: ax ay az gx gy gz as int16 LSBs
    expect(view.getInt16(32, true)).toBe(Math.round((batch.acc[0] ?? 0) / Math.fround(DEFAULT_ACC_SCALE_G)));
    expect(view.getInt16(38, true)).toBe(Math.round((batch.gyro?.[0] ?? 0) / Math.fround(DEFAULT_GYRO_SCALE_RAD_S)));
  });

  it('encodes the example of protocol/README.md byte for byte', () => {
    const bytes = encodeBinaryBatch({ seq: 7, t0Ms: 1000.5, rateHz: 50, samples: 1, acc: Float64Array.from([0, 0, 1]), gyro: null }, { accScaleG: 16 / 32768 });
    const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8');
    const block = /one accelerometer-only sample[^`]*```\n([0-9a-f \n]+)```/.exec(readme)?.[1] ?? '';
    expect(Buffer.from(bytes).toString('hex')).toBe(block.replace(/\s+/g, ''));
  });

  it('round-trips within half an LSB, header fields exactly', () => {
    const batch = makeBatch({ seq: 123_456, samples: 100 });
    const result = decodeBinaryBatch('dev-1', encodeBinaryBatch(batch));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { batch: out } = result;
    expect([out.deviceId, out.seq, out.t0Ms, out.rateHz, out.samples]).toEqual(['dev-1', batch.seq, batch.t0Ms, batch.rateHz, batch.samples]);
    const accLsb = Math.fround(DEFAULT_ACC_SCALE_G);
    const gyroLsb = Math.fround(DEFAULT_GYRO_SCALE_RAD_S);
    for (let i = 0; i < batch.acc.length; i++) {
      expect(Math.abs((out.acc[i] ?? NaN) - (batch.acc[i] ?? 0))).toBeLessThanOrEqual(accLsb / 2 + 1e-12);
      expect(Math.abs((out.gyro?.[i] ?? NaN) - (batch.gyro?.[i] ?? 0))).toBeLessThanOrEqual(gyroLsb / 2 + 1e-12);
    }
  });

  it('decodes the same values from an odd byte offset (unaligned samples)', () => {
    const bytes = encodeBinaryBatch(makeBatch({ samples: 7 }));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const aligned = decodeBinaryBatch('d', bytes);
    const unaligned = decodeBinaryBatch('d', shifted.subarray(1));
    expect(aligned.ok && unaligned.ok).toBe(true);
    if (aligned.ok && unaligned.ok) expect(unaligned.batch).toEqual(aligned.batch);
  });

  it('supports accelerometer-only batches, uint64 timestamps and custom scales', () => {
    const batch = makeBatch({ gyro: null, t0Ms: 1_732_450_000_123, samples: 5 });
    const bytes = encodeBinaryBatch(batch, { t0AsUint64: true, accScaleG: 2 / 32768 });
    expect(bytes.length).toBe(BINARY_HEADER_BYTES + 5 * 3 * 2);
    expect(bytes[3]).toBe(0x02);
    const result = decodeBinaryBatch('d', bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.batch.gyro).toBeNull();
    expect(result.batch.t0Ms).toBe(1_732_450_000_123);
    expect(Math.abs((result.batch.acc[0] ?? 0) - (batch.acc[0] ?? 0))).toBeLessThanOrEqual(1 / 32768 + 1e-12);
  });

  it('saturates out-of-range values to +-32767 LSB', () => {
    const batch = makeBatch({ samples: 1, acc: Float64Array.from([100, -100, 0]), gyro: null });
    const result = decodeBinaryBatch('d', encodeBinaryBatch(batch));
    expect(result.ok && Array.from(result.batch.acc)).toEqual([32767 * Math.fround(DEFAULT_ACC_SCALE_G), -32767 * Math.fround(DEFAULT_ACC_SCALE_G), 0]);
  });

  it('refuses to encode more samples than the uint16 count holds', () => {
    expect(() => encodeBinaryBatch({ ...makeBatch({ samples: 1 }), samples: 70_000 })).toThrow(EncodeError);
  });

  const good = encodeBinaryBatch(makeBatch({ samples: 4 }));
  const rejections: Array<[string, Uint8Array, string]> = [
    ['a wrong magic', mutate(good, (v) => v.setUint8(1, 0x58)), 'bad-magic'],
    ['a one-byte payload', good.slice(0, 1), 'bad-magic'],
    ['a header cut short', good.slice(0, 20), 'truncated'],
    ['samples cut short', good.slice(0, good.length - 1), 'truncated'],
    ['a declared count larger than the payload', mutate(good, (v) => v.setUint16(28, 5, true)), 'truncated'],
    ['trailing bytes', Uint8Array.from([...good, 0, 0]), 'length-mismatch'],
    ['version 2', mutate(good, (v) => v.setUint8(2, 2)), 'bad-version'],
    ['reserved flag bits', mutate(good, (v) => v.setUint8(3, 0x81)), 'bad-flags'],
    ['a non-zero reserved field', mutate(good, (v) => v.setUint16(30, 1, true)), 'bad-flags'],
    ['a NaN timestamp', mutate(good, (v) => v.setFloat64(8, NaN, true)), 'non-finite'],
    ['an infinite rate', mutate(good, (v) => v.setFloat32(16, Infinity, true)), 'non-finite'],
    ['a zero accelerometer scale', mutate(good, (v) => v.setFloat32(20, 0, true)), 'bad-scale'],
    ['a negative gyroscope scale', mutate(good, (v) => v.setFloat32(24, -1, true)), 'bad-scale'],
  ];
  it.each(rejections)('rejects %s', (_what, bytes, kind) => {
    const result = decodeBinaryBatch('dev-1', bytes);
    expect(result.ok ? 'ok' : result.kind).toBe(kind);
  });
});
