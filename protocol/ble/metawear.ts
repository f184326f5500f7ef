// MbientLab MetaWear (BMI160 / BMI270 boards): accelerometer and gyroscope data notifications.
// Source: MbientLab MetaWear C++ SDK (github.com/mbientlab/MetaWear-SDK-Cpp),
// src/metawear/sensor/accelerometer_bosch_register.h and gyro_bosch_register.h, and its data
// processors: a notification is [module id, register id, data...].
//   accelerometer module 0x03: DATA_INTERRUPT 0x04 = x, y, z int16 LE (one sample, 8 bytes);
//                              PACKED_ACC_DATA 0x1C = 3 samples (20 bytes)
//   gyroscope module 0x13:     DATA 0x05 = x, y, z int16 LE; PACKED_GYRO_DATA 0x07 = 3 samples
// Scales (Bosch datasheets, as the SDK's FSR tables): acc LSB/g = 32768 / range g (2, 4, 8, 16);
// gyro LSB per deg/s = 32768 / range deg/s (125, 250, 500, 1000, 2000).
// Notifications carry no timestamp (the SDK stamps them on arrival).
import { bleReject, type BleDecodeResult, type BleDecoder, DEG_TO_RAD, BleSettingsError, type Sensor } from './types.ts';

export const METAWEAR_SERVICE_UUID = '326a9000-85cb-9195-d9dd-464cfbbae75a';
export const METAWEAR_NOTIFY_UUID = '326a9006-85cb-9195-d9dd-464cfbbae75a';
export const METAWEAR_COMMAND_UUID = '326a9001-85cb-9195-d9dd-464cfbbae75a';
export const METAWEAR_MODULE = { ACCELEROMETER: 0x03, GYRO: 0x13 } as const;
export const METAWEAR_REGISTER = { ACC_DATA: 0x04, ACC_PACKED: 0x1c, GYRO_DATA: 0x05, GYRO_PACKED: 0x07 } as const;
export const METAWEAR_ACC_RANGES_G = [2, 4, 8, 16] as const;
export const METAWEAR_GYRO_RANGES_DPS = [125, 250, 500, 1000, 2000] as const;
export const METAWEAR_PACKED_SAMPLES = 3;

export interface MetaWearSettings {
  readonly accRangeG?: number;
  readonly accRateHz?: number;
  readonly gyroRangeDps?: number;
  readonly gyroRateHz?: number;
}

export class MetaWearDecoder implements BleDecoder {
  readonly protocol = 'metawear';
  private readonly accGPerLsb: number;
  private readonly gyroRadSPerLsb: number;
  private readonly accRateHz: number;
  private readonly gyroRateHz: number;

  constructor(settings: MetaWearSettings = {}) {
    const accRange = settings.accRangeG ?? 16;
    const gyroRange = settings.gyroRangeDps ?? 2000;
    if (!(METAWEAR_ACC_RANGES_G as readonly number[]).includes(accRange)) throw new BleSettingsError(`metawear accRangeG ${accRange} (one of ${METAWEAR_ACC_RANGES_G.join(', ')})`);
    if (!(METAWEAR_GYRO_RANGES_DPS as readonly number[]).includes(gyroRange)) throw new BleSettingsError(`metawear gyroRangeDps ${gyroRange} (one of ${METAWEAR_GYRO_RANGES_DPS.join(', ')})`);
    this.accRateHz = settings.accRateHz ?? 50;
    this.gyroRateHz = settings.gyroRateHz ?? settings.accRateHz ?? 50;
    for (const r of [this.accRateHz, this.gyroRateHz]) if (!(Number.isFinite(r) && r > 0)) throw new BleSettingsError('metawear rates must be positive numbers');
    this.accGPerLsb = accRange / 32768;
    this.gyroRadSPerLsb = (gyroRange / 32768) * DEG_TO_RAD;
  }

  reset(): void {}

  flush(): null {
    return null;
  }

  decode(value: Uint8Array): BleDecodeResult {
    if (value.length < 2) return bleReject('ble-truncated', `${value.length} bytes, no module/register header`);
    const module = value[0] ?? 0;
    const register = value[1] ?? 0;
    let sensor: Sensor;
    let samples: number;
    if (module === METAWEAR_MODULE.ACCELEROMETER && register === METAWEAR_REGISTER.ACC_DATA) [sensor, samples] = ['acc', 1];
    else if (module === METAWEAR_MODULE.ACCELEROMETER && register === METAWEAR_REGISTER.ACC_PACKED) [sensor, samples] = ['acc', METAWEAR_PACKED_SAMPLES];
    else if (module === METAWEAR_MODULE.GYRO && register === METAWEAR_REGISTER.GYRO_DATA) [sensor, samples] = ['gyro', 1];
    else if (module === METAWEAR_MODULE.GYRO && register === METAWEAR_REGISTER.GYRO_PACKED) [sensor, samples] = ['gyro', METAWEAR_PACKED_SAMPLES];
    else return bleReject('ble-unknown-type', `module 0x${module.toString(16)} register 0x${register.toString(16)}`);
    const expected = 2 + samples * 6;
    if (value.length < expected) return bleReject('ble-truncated', `${value.length} bytes, needs ${expected}`);
    if (value.length > expected) return bleReject('ble-length', `${value.length} bytes, expected ${expected}`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const scale = sensor === 'acc' ? this.accGPerLsb : this.gyroRadSPerLsb;
    const xyz = new Float64Array(samples * 3);
    for (let k = 0; k < samples * 3; k++) xyz[k] = view.getInt16(2 + 2 * k, true) * scale;
    const rateHz = sensor === 'acc' ? this.accRateHz : this.gyroRateHz;
    return { ok: true, chunks: [{ sensor, xyz, samples, rateHz, firstSampleMs: null, lostBefore: 0 }] };
  }
}
