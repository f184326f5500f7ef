// The BLE decoder dispatch table: protocol name -> factory taking the device's settings (the
// `settings` object of a ble.devices[] entry, or `ble decode --settings <json>`).
import type { BleDecoder } from './types.ts';
import { BleSettingsError } from './types.ts';
import { PolarPmdDecoder, PMD_DATA_UUID, PMD_SERVICE_UUID } from './polar-pmd.ts';
import { Thingy52Decoder, THINGY_MOTION_SERVICE_UUID, THINGY_RAW_DATA_UUID } from './thingy52.ts';
import { MetaWearDecoder, METAWEAR_NOTIFY_UUID, METAWEAR_SERVICE_UUID } from './metawear.ts';
import { GenericImuDecoder, type GenericImuSettings } from './generic-imu.ts';

export interface BleProtocol {
  /** Create a decoder for one device (state is per device). */
  create(settings: unknown): BleDecoder;
  /** Default GATT service and notify characteristic (the generic one comes from config). */
  readonly serviceUuid: string | null;
  readonly notifyUuid: string | null;
  readonly description: string;
}

function objectSettings(protocol: string, settings: unknown): Record<string, unknown> {
  if (settings === undefined || settings === null) return {};
  if (typeof settings !== 'object' || Array.isArray(settings)) throw new BleSettingsError(`${protocol} settings must be a JSON object`);
  return settings as Record<string, unknown>;
}

export const BLE_PROTOCOLS = {
  'polar-pmd': {
    create: (s) => new PolarPmdDecoder(objectSettings('polar-pmd', s)),
    serviceUuid: PMD_SERVICE_UUID,
    notifyUuid: PMD_DATA_UUID,
    description: 'Polar H10 / Verity Sense PMD ACC and GYRO (raw and delta frames); settings {acc: {sampleRateHz, factor?, resolutionBits?}, gyro: {...}}',
  },
  thingy52: {
    create: (s) => new Thingy52Decoder(objectSettings('thingy52', s)),
    serviceUuid: THINGY_MOTION_SERVICE_UUID,
    notifyUuid: THINGY_RAW_DATA_UUID,
    description: 'Nordic Thingy:52 motion raw data (Q6.10 g, Q11.5 deg/s); settings {rateHz?}',
  },
  metawear: {
    create: (s) => new MetaWearDecoder(objectSettings('metawear', s)),
    serviceUuid: METAWEAR_SERVICE_UUID,
    notifyUuid: METAWEAR_NOTIFY_UUID,
    description: 'MbientLab MetaWear acc/gyro data and packed data; settings {accRangeG?, accRateHz?, gyroRangeDps?, gyroRateHz?}',
  },
  'generic-imu': {
    create: (s) => new GenericImuDecoder(objectSettings('generic-imu', s) as unknown as GenericImuSettings),
    serviceUuid: null,
    notifyUuid: null,
    description: 'configurable layout (protocol/ble/generic-imu.ts); settings {rateHz, sampleType?, channels?, samplesPerFrame?, accScaleG?, gyroScaleRadS?, counter?, timestamp?, ...}',
  },
} as const satisfies Record<string, BleProtocol>;

export type BleProtocolName = keyof typeof BLE_PROTOCOLS;
export const BLE_PROTOCOL_NAMES = Object.keys(BLE_PROTOCOLS) as BleProtocolName[];

export function createBleDecoder(protocol: string, settings: unknown): BleDecoder {
  if (!Object.hasOwn(BLE_PROTOCOLS, protocol)) throw new BleSettingsError(`unknown BLE protocol "${protocol}" (known: ${BLE_PROTOCOL_NAMES.join(', ')})`);
  return BLE_PROTOCOLS[protocol as BleProtocolName].create(settings);
}
