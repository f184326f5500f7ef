import { describe, expect, it } from 'vitest';
import { Thingy52Decoder } from '../../../../protocol/ble/thingy52.ts';
import { MetaWearDecoder } from '../../../../protocol/ble/metawear.ts';
import { createBleDecoder, BLE_PROTOCOL_NAMES } from '../../../../protocol/ble/index.ts';
import { BLE_ERROR_KINDS, BleSettingsError } from '../../../../protocol/ble/types.ts';
import { fromHex } from './hex.ts';

const rad = (deg: number): number => (deg * Math.PI) / 180;

describe('Thingy:52 raw motion data', () => {
  it('decodes Q6.10 acceleration and Q11.5 angular rate', () => {
    // acc (1024, -512, 0) = (1, -0.5, 0) g; gyro (32, -64, 16) = (1, -2, 0.5) deg/s; compass ignored
    const result = new Thingy52Decoder({ rateHz: 100 }).decode(fromHex('0004 00fe 0000 2000 c0ff 1000 0100 0200 0300'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [acc, gyro] = result.chunks;
    expect(Array.from(acc?.xyz ?? [])).toEqual([1, -0.5, 0]);
    expect(acc?.rateHz).toBe(100);
    expect(acc?.firstSampleMs).toBeNull();
    expect(Array.from(gyro?.xyz ?? [])).toEqual([rad(1), rad(-2), rad(0.5)]);
  });

  it.each([
    ['17 bytes', 17, 'ble-truncated'],
    ['19 bytes', 19, 'ble-length'],
    ['empty', 0, 'ble-truncated'],
  ])('rejects %s', (_n, length, kind) => {
    const result = new Thingy52Decoder().decode(new Uint8Array(length));
    expect(result.ok ? 'ok' : result.kind).toBe(kind);
  });
});

describe('MetaWear acc/gyro', () => {
  const decoder = new MetaWearDecoder({ accRangeG: 16, gyroRangeDps: 2000, accRateHz: 100, gyroRateHz: 100 });

  it('decodes a single accelerometer sample with the range scale', () => {
    const result = decoder.decode(fromHex('03 04 0008 00f8 0004'));
    expect(result.ok && Array.from(result.chunks[0]?.xyz ?? [])).toEqual([1, -1, 0.5]);
  });

  it('decodes a packed gyroscope notification of three samples', () => {
    const result = decoder.decode(fromHex('13 07 0100 0200 0300 ffff feff fdff 0040 00c0 0000'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = result.chunks[0];
    expect(c?.sensor).toBe('gyro');
    expect(c?.samples).toBe(3);
    const lsb = (2000 / 32768) * (Math.PI / 180); // LSB per deg/s at +-2000 deg/s, in rad/s
    expect(Array.from(c?.xyz ?? [])).toEqual([1, 2, 3, -1, -2, -3, 16384, -16384, 0].map((v) => v * lsb));
  });

  it('decodes packed accelerometer data at another range', () => {
    const d = new MetaWearDecoder({ accRangeG: 2 });
    const result = d.decode(fromHex('03 1c 0040 0000 0000 0000 0040 0000 0000 0000 00c0'));
    expect(result.ok && Array.from(result.chunks[0]?.xyz ?? [])).toEqual([1, 0, 0, 0, 1, 0, 0, 0, -1]);
  });

  it.each([
    ['unknown register', '03 05 000000000000', 'ble-unknown-type'],
    ['unknown module', '19 04 000000000000', 'ble-unknown-type'],
    ['short single', '03 04 00000000', 'ble-truncated'],
    ['long packed', '13 07' + '00'.repeat(19), 'ble-length'],
    ['one byte', '03', 'ble-truncated'],
  ])('rejects %s', (_n, hex, kind) => {
    const result = decoder.decode(fromHex(hex));
    expect(result.ok ? 'ok' : result.kind).toBe(kind);
  });

  it('refuses ranges the sensor does not have', () => {
    expect(() => new MetaWearDecoder({ accRangeG: 3 })).toThrow(BleSettingsError);
    expect(() => new MetaWearDecoder({ gyroRangeDps: 300 })).toThrow(/gyroRangeDps/);
  });
});

describe('dispatch table', () => {
  it('creates every protocol and refuses unknown ones', () => {
    const settings: Record<string, unknown> = { 'polar-pmd': { acc: { sampleRateHz: 52 } }, thingy52: {}, metawear: {}, 'generic-imu': { rateHz: 50 } };
    for (const name of BLE_PROTOCOL_NAMES) expect(createBleDecoder(name, settings[name]).protocol).toBe(name);
    expect(() => createBleDecoder('nope', {})).toThrow(/unknown BLE protocol/);
    expect(() => createBleDecoder('thingy52', [1])).toThrow(BleSettingsError);
    expect(() => createBleDecoder('polar-pmd', { acc: { sampleRateHz: 0 } })).toThrow(/sampleRateHz/);
  });

  it('no decoder throws on random bytes', () => {
    let seed = 99;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const decoders = [
      createBleDecoder('polar-pmd', { acc: { sampleRateHz: 52 }, gyro: { sampleRateHz: 52 } }),
      createBleDecoder('thingy52', {}),
      createBleDecoder('metawear', {}),
      createBleDecoder('generic-imu', { rateHz: 50, counter: 'uint8', sampleType: 'float32' }),
    ];
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
      if (i % 3 === 0 && bytes.length > 1) bytes[0] = [2, 5, 3, 0x13][i % 4] ?? 2;
      for (const d of decoders) {
        const result = d.decode(bytes);
        if (result.ok) for (const c of result.chunks) expect(c.xyz.every(Number.isFinite)).toBe(true);
        else expect(BLE_ERROR_KINDS).toContain(result.kind);
      }
    }
  });
});
