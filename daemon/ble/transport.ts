// The BLE transport interface: what the device sessions need of a Bluetooth stack. Backends:
// node-ble (node-ble-transport.ts, BlueZ over D-Bus, loaded only when BLE is enabled) and the
// fake of the tests (fake-transport.ts).

export interface BleTarget {
  readonly address?: string;
  readonly name?: string;
}

/** A connected device. Characteristic and service ids are lower-case 128-bit UUID strings. */
export interface BleLink {
  readonly address: string;
  /** Subscribe to notifications of a characteristic; values arrive in order. */
  subscribe(serviceUuid: string, characteristicUuid: string, onValue: (value: Uint8Array) => void): Promise<void>;
  read(serviceUuid: string, characteristicUuid: string): Promise<Uint8Array>;
  write(serviceUuid: string, characteristicUuid: string, value: Uint8Array): Promise<void>;
  /** Called once when the link drops (not after disconnect()). */
  onDisconnect(listener: () => void): void;
  disconnect(): Promise<void>;
}

export interface BleTransport {
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Find (scan for) the target and connect; rejects with BleError on failure or timeout. */
  connect(target: BleTarget, timeoutMs: number): Promise<BleLink>;
}

export type BleErrorCode = 'BLE_BACKEND_MISSING' | 'BLE_NOT_FOUND' | 'BLE_CONNECT' | 'BLE_GATT' | 'BLE_ADAPTER';

export class BleError extends Error {
  readonly code: BleErrorCode;
  constructor(code: BleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BleError';
    this.code = code;
  }
}

/** Bluetooth SIG assigned numbers: Battery Service 0x180F, Battery Level 0x2A19 (uint8 percent). */
export const BATTERY_SERVICE_UUID = '0000180f-0000-1000-8000-00805f9b34fb';
export const BATTERY_LEVEL_UUID = '00002a19-0000-1000-8000-00805f9b34fb';

/** Expands a 16-bit SIG UUID ("180f", "0x180F") to the 128-bit form; longer ones are lower-cased. */
export function fullUuid(uuid: string): string {
  const short = uuid.toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{4}$/.test(short) ? `0000${short}-0000-1000-8000-00805f9b34fb` : short;
}
