import { describe, expect, it } from 'vitest';
import { GenericImuDecoder } from '../../../../protocol/ble/generic-imu.ts';
import { BleSettingsError, type BleDecodeResult, type SensorChunk } from '../../../../protocol/ble/types.ts';
import { fromHex } from './hex.ts';

function chunks(result: BleDecodeResult): readonly SensorChunk[] {
  if (!result.ok) throw new Error(`rejected: ${result.kind} ${result.detail}`);
  return result.chunks;
}

describe('generic IMU layout', () => {
  // counter uint8, timestamp uint32 ms, 2 samples of ax ay az gx gy gz int16 => 1 + 4 + 24 = 29 bytes
  const settings = { rateHz: 100, counter: 'uint8', timestamp: 'uint32', timestampEpochMs: 1_700_000_000_000, samplesPerFrame: 2, accScaleG: 1 / 4096, gyroScaleRadS: 0.001 } as const;
  const frame = (counter: number, tMs: number): string => {
    const c = counter.toString(16).padStart(2, '0');
    const t = [0, 1, 2, 3].map((k) => ((tMs >>> (8 * k)) & 0xff).toString(16).padStart(2, '0')).join('');
    return `${c} ${t} 0010 00f0 0008 e803 18fc 0000  0020 0000 0000 0100 0200 0300`;
  };

  it('decodes a frame with counter and timestamp', () => {
    const d = new GenericImuDecoder(settings);
    expect(d.frameBytes).toBe(29);
    const [acc, gyro] = chunks(d.decode(fromHex(frame(7, 1000))));
    expect(Array.from(acc?.xyz ?? [])).toEqual([1, -1, 0.5, 2, 0, 0]);
    expect(Array.from(gyro?.xyz ?? [])).toEqual([1, -1, 0, 0.001, 0.002, 0.003]);
    expect(acc?.firstSampleMs).toBe(1_700_000_001_000);
    expect(acc?.lostBefore).toBe(0);
  });

  it('reassembles frames split across notifications and several frames in one', () => {
    const d = new GenericImuDecoder(settings);
    const bytes = fromHex(frame(1, 0) + frame(2, 20) + frame(3, 40));
    expect(chunks(d.decode(bytes.subarray(0, 10)))).toEqual([]);
    const second = chunks(d.decode(bytes.subarray(10, 70)));
    expect(second.filter((c) => c.sensor === 'acc').map((c) => c.firstSampleMs)).toEqual([1_700_000_000_000, 1_700_000_000_020]);
    const third = chunks(d.decode(bytes.subarray(70)));
    expect(third[0]?.firstSampleMs).toBe(1_700_000_000_040);
  });

  it('reports frames lost by the counter (wrapping) and rejects jumps', () => {
    const d = new GenericImuDecoder(settings);
    chunks(d.decode(fromHex(frame(254, 0))));
    expect(chunks(d.decode(fromHex(frame(255, 20))))[0]?.lostBefore).toBe(0);
    expect(chunks(d.decode(fromHex(frame(2, 80))))[0]?.lostBefore).toBe(4); // 0, 1 lost: 2 frames x 2 samples
    const repeat = d.decode(fromHex(frame(2, 80)));
    expect(repeat.ok ? 'ok' : repeat.kind).toBe('ble-counter-jump');
    const d2 = new GenericImuDecoder(settings);
    chunks(d2.decode(fromHex(frame(0, 0))));
    const jump = d2.decode(fromHex(frame(200, 0)));
    expect(jump.ok ? 'ok' : jump.kind).toBe('ble-counter-jump');
  });

  it('decodes float32 accelerometer-only frames and rejects NaN', () => {
    const d = new GenericImuDecoder({ rateHz: 25, sampleType: 'float32', channels: ['az', 'ax', 'ay'] });
    const result = chunks(d.decode(fromHex('0000803f 00000040 000000c0'))); // az 1, ax 2, ay -2
    expect(result.length).toBe(1);
    expect(Array.from(result[0]?.xyz ?? [])).toEqual([2, -2, 1]);
    const nan = d.decode(fromHex('0000c07f 00000000 00000000'));
    expect(nan.ok ? 'ok' : nan.kind).toBe('ble-non-finite');
  });

  it('refuses impossible layouts', () => {
    expect(() => new GenericImuDecoder({ rateHz: 50, channels: ['ax', 'ay', 'gx'] })).toThrow(BleSettingsError);
    expect(() => new GenericImuDecoder({ rateHz: 50, channels: ['ax', 'ay', 'az', 'gx'] })).toThrow(/together/);
    expect(() => new GenericImuDecoder({ rateHz: -1 })).toThrow(/rateHz/);
    expect(() => new GenericImuDecoder({ rateHz: 50, extra: 1 } as never)).toThrow(BleSettingsError);
  });
});
