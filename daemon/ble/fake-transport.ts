// An in-memory BLE transport for tests: fake peripherals with characteristics; tests push
// notifications, answer writes, drop links and make connection attempts fail.
import { BleError, fullUuid, type BleLink, type BleTarget, type BleTransport } from './transport.ts';

type Listener = (value: Uint8Array) => void;

export class FakePeripheral {
  readonly address: string;
  readonly name: string;
  /** Connection attempts to refuse before accepting one. */
  failConnects = 0;
  connects = 0;
  readonly writes: { characteristic: string; value: Uint8Array }[] = [];
  /** Answers a write (e.g. a control point); its return values are indicated on `indicate` of the same characteristic. */
  onWrite: ((characteristic: string, value: Uint8Array) => Uint8Array | null) | null = null;
  private readonly values = new Map<string, Uint8Array>();
  private link: FakeLink | null = null;

  constructor(address: string, name: string) {
    this.address = address;
    this.name = name;
  }

  setValue(characteristic: string, value: Uint8Array): void {
    this.values.set(fullUuid(characteristic), value);
  }
  readValue(characteristic: string): Uint8Array | undefined {
    return this.values.get(fullUuid(characteristic));
  }

  get connected(): boolean {
    return this.link !== null;
  }

  /** Sends a notification; false when not connected or nobody subscribed. */
  notify(characteristic: string, value: Uint8Array): boolean {
    return this.link?.deliver(fullUuid(characteristic), value) ?? false;
  }

  /** The radio link drops (the device walked away). */
  dropLink(): void {
    const link = this.link;
    this.link = null;
    link?.dropped();
  }

  attach(link: FakeLink | null): void {
    this.link = link;
  }
}

class FakeLink implements BleLink {
  readonly address: string;
  private readonly peripheral: FakePeripheral;
  private readonly listeners = new Map<string, Listener>();
  private disconnectListeners: (() => void)[] = [];
  private open = true;

  constructor(peripheral: FakePeripheral) {
    this.peripheral = peripheral;
    this.address = peripheral.address;
  }

  subscribe(_service: string, characteristic: string, onValue: Listener): Promise<void> {
    if (!this.open) return Promise.reject(new BleError('BLE_GATT', 'not connected'));
    this.listeners.set(fullUuid(characteristic), onValue);
    return Promise.resolve();
  }

  read(_service: string, characteristic: string): Promise<Uint8Array> {
    const value = this.peripheral.readValue(characteristic);
    if (!this.open || !value) return Promise.reject(new BleError('BLE_GATT', `cannot read ${characteristic}`));
    return Promise.resolve(value);
  }

  write(_service: string, characteristic: string, value: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new BleError('BLE_GATT', 'not connected'));
    const uuid = fullUuid(characteristic);
    this.peripheral.writes.push({ characteristic: uuid, value: Uint8Array.from(value) });
    const answer = this.peripheral.onWrite?.(uuid, value);
    if (answer) queueMicrotask(() => this.deliver(uuid, answer));
    return Promise.resolve();
  }

  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  disconnect(): Promise<void> {
    this.open = false;
    this.disconnectListeners = [];
    this.peripheral.attach(null);
    return Promise.resolve();
  }

  deliver(characteristic: string, value: Uint8Array): boolean {
    const listener = this.listeners.get(characteristic);
    if (!this.open || !listener) return false;
    listener(Uint8Array.from(value));
    return true;
  }

  dropped(): void {
    this.open = false;
    const listeners = this.disconnectListeners;
    this.disconnectListeners = [];
    for (const l of listeners) l();
  }
}

export class FakeBleTransport implements BleTransport {
  readonly kind = 'fake';
  private readonly peripherals: FakePeripheral[] = [];
  started = false;

  add(address: string, name = ''): FakePeripheral {
    const p = new FakePeripheral(address.toUpperCase(), name);
    this.peripherals.push(p);
    return p;
  }

  start(): Promise<void> {
    this.started = true;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.started = false;
    return Promise.resolve();
  }

  connect(target: BleTarget, _timeoutMs: number): Promise<BleLink> {
    const p = this.peripherals.find((x) => (target.address ? x.address === target.address.toUpperCase() : x.name === target.name));
    if (!p) return Promise.reject(new BleError('BLE_NOT_FOUND', `no device ${target.address ?? target.name ?? '?'}`));
    p.connects++;
    if (p.failConnects > 0) {
      p.failConnects--;
      return Promise.reject(new BleError('BLE_CONNECT', `connection to ${p.address} refused`));
    }
    const link = new FakeLink(p);
    p.attach(link);
    return Promise.resolve(link);
  }
}
