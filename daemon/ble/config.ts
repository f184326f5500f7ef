// The `ble` section of the configuration (daemon/config/schema.ts includes it): devices to
// connect over Bluetooth Low Energy and how (docs/BLE.md).
import { z } from 'zod';

export const BLE_PROTOCOL_IDS = ['polar-pmd', 'thingy52', 'metawear', 'generic-imu'] as const;

export const bleDeviceSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64').describe('device id in the gateway (topics, database)'),
    address: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/, 'a MAC address like A0:9E:1A:12:34:56')
      .optional()
      .describe('Bluetooth address of the wearable (preferred: names are not unique)'),
    name: z.string().min(1).max(248).optional().describe('advertised name to match when no address is given'),
    protocol: z.enum(BLE_PROTOCOL_IDS).describe('decoder (protocol/ble): polar-pmd, thingy52, metawear, generic-imu'),
    settings: z.record(z.string(), z.unknown()).default({}).describe('decoder settings (docs/BLE.md per protocol; the same JSON as `ble decode --settings`)'),
    clock: z
      .enum(['device', 'arrival'])
      .default('device')
      .describe("sample times: 'device' = the frame timestamps when the protocol has them (Polar, generic with timestamp), 'arrival' = this host's clock at the segment's first sample + seq / rate (for a device whose clock was never set)"),
    gyro: z.boolean().default(true).describe('pair gyroscope samples with the accelerometer (false: accelerometer-only batches)'),
    serviceUuid: z.string().min(4).optional().describe('GATT service of the data characteristic (default: the protocol\'s; required for generic-imu)'),
    notifyUuid: z.string().min(4).optional().describe('data characteristic to subscribe to (default: the protocol\'s; required for generic-imu)'),
    battery: z.boolean().default(true).describe('read and subscribe to the standard battery service (0x180F) and feed the battery budget'),
  })
  .refine((d) => d.address !== undefined || d.name !== undefined, { message: 'give an address or a name', path: ['address'] })
  .refine((d) => d.protocol !== 'generic-imu' || (d.serviceUuid !== undefined && d.notifyUuid !== undefined), {
    message: 'generic-imu needs serviceUuid and notifyUuid',
    path: ['notifyUuid'],
  });

export const bleSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('connect to the BLE wearables below (Linux, BlueZ, the node-ble package; docs/BLE.md)'),
    adapter: z.string().min(1).optional().describe('BlueZ adapter, e.g. hci0 (default: the default adapter)'),
    discoveryTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000).describe('time to find a device in one connection attempt, ms'),
    reconnect: z
      .strictObject({
        initialDelayMs: z.number().int().min(100).max(60_000).default(1_000).describe('delay before the first reconnection attempt, ms'),
        maxDelayMs: z.number().int().min(100).max(600_000).default(60_000).describe('cap of the doubling delay between attempts, ms'),
      })
      .prefault({})
      .refine((r) => r.maxDelayMs >= r.initialDelayMs, { message: 'maxDelayMs must be >= initialDelayMs', path: ['maxDelayMs'] }),
    devices: z.array(bleDeviceSchema).max(32).default([]).describe('the wearables (BlueZ handles about 7-10 connections per adapter)'),
  })
  .prefault({})
  .refine((b) => new Set(b.devices.map((d) => d.id)).size === b.devices.length, { message: 'device ids repeat', path: ['devices'] })
  .describe('BLE ingest: wearables connected directly to this host over Bluetooth Low Energy');

export type BleConfig = z.output<typeof bleSchema>;
export type BleDeviceConfig = z.output<typeof bleDeviceSchema>;
