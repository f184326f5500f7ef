// What a session writes after connecting, per protocol, to make the wearable stream, and the
// int16 scales used when a batch is relayed in the binary batch format (chosen as the device's
// own LSB so the relay loses nothing).
import { DEFAULT_ACC_SCALE_G, DEFAULT_GYRO_SCALE_RAD_S } from '../../protocol/binary-batch.ts';
import { PMD_CONTROL_POINT_UUID, PMD_MEASUREMENT, PMD_SERVICE_UUID, PMD_SETTING, parsePmdControlResponse, pmdStartCommand } from '../../protocol/ble/polar-pmd.ts';
import { METAWEAR_COMMAND_UUID, METAWEAR_MODULE, METAWEAR_SERVICE_UUID } from '../../protocol/ble/metawear.ts';
import { THINGY_ACC_Q_FRACTION_BITS, THINGY_GYRO_Q_FRACTION_BITS } from '../../protocol/ble/thingy52.ts';
import { DEG_TO_RAD } from '../../protocol/ble/types.ts';
import type { BleDeviceConfig } from './config.ts';

export interface GattWrite {
  readonly serviceUuid: string;
  readonly characteristicUuid: string;
  readonly value: Uint8Array;
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Commands written after subscribing to the data characteristic. */
export function startCommands(device: BleDeviceConfig): GattWrite[] {
  const s = device.settings;
  switch (device.protocol) {
    case 'polar-pmd': {
      // PMD spec: REQUEST_MEASUREMENT_START per measurement type, with sample rate and resolution
      // (and range when configured: `startRange`, G for ACC, deg/s for GYRO).
      const out: GattWrite[] = [];
      const sensors: ['acc' | 'gyro', number][] = [['acc', PMD_MEASUREMENT.ACC]];
      if (device.gyro) sensors.push(['gyro', PMD_MEASUREMENT.GYRO]);
      for (const [name, type] of sensors) {
        const o = obj(s[name]);
        const range = o.startRange;
        const value = pmdStartCommand(type, {
          sampleRate: Math.round(num(o.sampleRateHz, 52)),
          resolution: Math.round(num(o.resolutionBits, 16)),
          ...(typeof range === 'number' ? { range } : {}),
        });
        out.push({ serviceUuid: PMD_SERVICE_UUID, characteristicUuid: PMD_CONTROL_POINT_UUID, value });
      }
      return out;
    }
    case 'metawear': {
      // MetaWear C++ SDK (accelerometer_bosch.cpp, gyro_bosch.cpp): subscribe the data
      // register (reg 0x04 acc / 0x05 gyro, enable 1), enable sampling (reg 0x02: 1, 0), power on (reg 0x01: 1).
      const acc = METAWEAR_MODULE.ACCELEROMETER;
      const gyro = METAWEAR_MODULE.GYRO;
      const cmds = [
        [acc, 0x04, 0x01],
        [acc, 0x02, 0x01, 0x00],
        [acc, 0x01, 0x01],
        ...(device.gyro ? [[gyro, 0x05, 0x01], [gyro, 0x02, 0x01, 0x00], [gyro, 0x01, 0x01]] : []),
      ];
      return cmds.map((c) => ({ serviceUuid: METAWEAR_SERVICE_UUID, characteristicUuid: METAWEAR_COMMAND_UUID, value: Uint8Array.from(c) }));
    }
    default:
      // Thingy:52 streams raw motion data as soon as it is subscribed; generic devices are yours.
      return [];
  }
}

export interface ControlChannel {
  readonly serviceUuid: string;
  readonly characteristicUuid: string;
  /** A problem the device reports in an indication (null = fine): counted as 'ble-control-error'. */
  check(value: Uint8Array): string | null;
}

/**
 * The characteristic whose indications answer the start commands, subscribed before writing
 * them. Polar PMD (spec "Control point response"): [0xF0, op, type, status, more, settings...],
 * status 0 = success; a start answer may carry the FACTOR setting, which must match the
 * configured `factor` or the values would be scaled wrongly.
 */
export function controlChannel(device: BleDeviceConfig): ControlChannel | null {
  if (device.protocol !== 'polar-pmd') return null;
  return {
    serviceUuid: PMD_SERVICE_UUID,
    characteristicUuid: PMD_CONTROL_POINT_UUID,
    check: (value) => {
      const r = parsePmdControlResponse(value);
      if (!r) return `malformed PMD control point response (${value.length} bytes)`;
      const what = `op 0x${r.opCode.toString(16)} measurement 0x${r.measurementType.toString(16)}`;
      if (r.status !== 0) return `${what}: error code ${r.status}`;
      const factor = r.settings.get(PMD_SETTING.FACTOR)?.[0];
      const sensor = r.measurementType === PMD_MEASUREMENT.ACC ? 'acc' : r.measurementType === PMD_MEASUREMENT.GYRO ? 'gyro' : null;
      if (factor !== undefined && sensor) {
        const configured = num(obj(device.settings[sensor]).factor, 1);
        if (Math.abs(factor - configured) > 1e-6 * Math.max(1, Math.abs(factor))) return `${what}: device factor ${factor}, configured ${configured} (set settings.${sensor}.factor)`;
      }
      return null;
    },
  };
}

/** int16 scales of the binary batch when this device's batches are relayed (g and rad/s per LSB). */
export function wireScales(device: BleDeviceConfig): { accScaleG: number; gyroScaleRadS: number } {
  const s = device.settings;
  switch (device.protocol) {
    case 'polar-pmd':
      return { accScaleG: num(obj(s.acc).factor, 1) / 1000, gyroScaleRadS: num(obj(s.gyro).factor, 1) * DEG_TO_RAD };
    case 'thingy52':
      return { accScaleG: 2 ** -THINGY_ACC_Q_FRACTION_BITS, gyroScaleRadS: 2 ** -THINGY_GYRO_Q_FRACTION_BITS * DEG_TO_RAD };
    case 'metawear':
      return { accScaleG: num(s.accRangeG, 16) / 32768, gyroScaleRadS: (num(s.gyroRangeDps, 2000) / 32768) * DEG_TO_RAD };
    case 'generic-imu':
      return s.sampleType === 'float32'
        ? { accScaleG: DEFAULT_ACC_SCALE_G, gyroScaleRadS: DEFAULT_GYRO_SCALE_RAD_S }
        : { accScaleG: num(s.accScaleG, 1), gyroScaleRadS: num(s.gyroScaleRadS, 1) };
  }
}
