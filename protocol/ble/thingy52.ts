// Nordic Thingy:52 motion service, raw data characteristic.
// Source: Nordic Semiconductor "Thingy:52 Firmware documentation", Motion service
// (EF680400-9B35-4933-9B10-52FFA9740042): raw data characteristic EF680406 (notify), 18 bytes:
//   accelerometer x, y, z  int16 LE, Q6.10  (g: value / 2^10)
//   gyroscope     x, y, z  int16 LE, Q11.5  (deg/s: value / 2^5)
//   compass       x, y, z  int16 LE, Q12.4  (uT: value / 2^4; not used by the gateway)
// The rate is the "motion processing unit frequency" of the motion configuration
// characteristic EF680401 (uint16 Hz at offset 6); notifications carry no timestamp or counter.
import { bleReject, type BleDecodeResult, type BleDecoder, DEG_TO_RAD, BleSettingsError } from './types.ts';

export const THINGY_MOTION_SERVICE_UUID = 'ef680400-9b35-4933-9b10-52ffa9740042';
export const THINGY_MOTION_CONFIG_UUID = 'ef680401-9b35-4933-9b10-52ffa9740042';
export const THINGY_RAW_DATA_UUID = 'ef680406-9b35-4933-9b10-52ffa9740042';
export const THINGY_RAW_BYTES = 18;
export const THINGY_ACC_Q_FRACTION_BITS = 10; // Q6.10
export const THINGY_GYRO_Q_FRACTION_BITS = 5; // Q11.5
/** Motion processing unit frequency the firmware uses until configured (Thingy:52 docs, motion configuration default). */
export const THINGY_DEFAULT_RATE_HZ = 60;

export interface Thingy52Settings {
  readonly rateHz?: number;
}

export class Thingy52Decoder implements BleDecoder {
  readonly protocol = 'thingy52';
  private readonly rateHz: number;

  constructor(settings: Thingy52Settings = {}) {
    const rateHz = settings.rateHz ?? THINGY_DEFAULT_RATE_HZ;
    if (!(Number.isFinite(rateHz) && rateHz > 0)) throw new BleSettingsError('thingy52 rateHz must be a positive number');
    this.rateHz = rateHz;
  }

  reset(): void {}

  flush(): null {
    return null;
  }

  decode(value: Uint8Array): BleDecodeResult {
    if (value.length < THINGY_RAW_BYTES) return bleReject('ble-truncated', `${value.length} bytes, raw motion data is ${THINGY_RAW_BYTES}`);
    if (value.length > THINGY_RAW_BYTES) return bleReject('ble-length', `${value.length} bytes, raw motion data is ${THINGY_RAW_BYTES}`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    const acc = new Float64Array(3);
    const gyro = new Float64Array(3);
    for (let a = 0; a < 3; a++) {
      acc[a] = view.getInt16(2 * a, true) / 2 ** THINGY_ACC_Q_FRACTION_BITS;
      gyro[a] = (view.getInt16(6 + 2 * a, true) / 2 ** THINGY_GYRO_Q_FRACTION_BITS) * DEG_TO_RAD;
    }
    return {
      ok: true,
      chunks: [
        { sensor: 'acc', xyz: acc, samples: 1, rateHz: this.rateHz, firstSampleMs: null, lostBefore: 0 },
        { sensor: 'gyro', xyz: gyro, samples: 1, rateHz: this.rateHz, firstSampleMs: null, lostBefore: 0 },
      ],
    };
  }
}
