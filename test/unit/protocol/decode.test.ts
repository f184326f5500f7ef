import { describe, expect, it } from 'vitest';
import { decodeImuPayload, detectForm } from '../../../protocol/decode.ts';
import { encodeBinaryBatch } from '../../../protocol/binary-batch.ts';
import { encodeJsonBatch } from '../../../protocol/json-batch.ts';
import { makeBatch } from './make-batch.ts';

describe('imu payload dispatch', () => {
  it('routes by the first byte', () => {
    const batch = makeBatch({ samples: 3 });
    expect(detectForm(encodeJsonBatch(batch))).toBe('json');
    expect(detectForm(new TextEncoder().encode('\n {"a":1}'))).toBe('json');
    expect(detectForm(encodeBinaryBatch(batch))).toBe('binary');
    expect(detectForm(Uint8Array.from([0x00]))).toBeNull();
    expect(detectForm(new Uint8Array(0))).toBeNull();
  });

  it('decodes both forms into the same batch (within the binary form LSB)', () => {
    const batch = makeBatch({ samples: 8, seq: 77 });
    const fromJson = decodeImuPayload('w', encodeJsonBatch(batch));
    const fromBinary = decodeImuPayload('w', encodeBinaryBatch(batch));
    expect(fromJson.ok && fromBinary.ok).toBe(true);
    if (!fromJson.ok || !fromBinary.ok) return;
    expect(fromJson.batch.deviceId).toBe('w');
    expect(fromBinary.batch.seq).toBe(fromJson.batch.seq);
    expect(fromBinary.batch.samples).toBe(8);
    expect(Math.abs((fromBinary.batch.acc[5] ?? 0) - (fromJson.batch.acc[5] ?? 0))).toBeLessThan(1e-3);
  });

  it('rejects empty payloads and unknown first bytes', () => {
    const empty = decodeImuPayload('w', new Uint8Array(0));
    const unknown = decodeImuPayload('w', new TextEncoder().encode('hello'));
    expect(empty.ok ? 'ok' : empty.kind).toBe('empty');
    expect(unknown.ok ? 'ok' : unknown.kind).toBe('unknown-format');
  });
});
