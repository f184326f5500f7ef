// The Linux backend: BlueZ over D-Bus through the node-ble package (no native build; no root
// when the D-Bus policy allows the user, docs/BLE.md). node-ble is an optional package: it is
// imported only here, only when BLE is enabled, through a module name held in a variable so the
// daemon typechecks and runs without it.
// API used (node-ble README): createBluetooth() -> {bluetooth, destroy}; bluetooth.defaultAdapter()
// / getAdapter(name); adapter.isDiscovering(), startDiscovery(), waitDevice(address, timeoutMs),
// devices(), getDevice(address); device.connect(), gatt(), disconnect(), getName(),
// on('disconnect'); gattServer.getPrimaryService(uuid) -> getCharacteristic(uuid) ->
// readValue(), writeValue(buffer), startNotifications(), on('valuechanged', buffer).
import { BleError, type BleLink, type BleTarget, type BleTransport } from './transport.ts';

interface NbCharacteristic {
  readValue(): Promise<Buffer>;
  writeValue(value: Buffer): Promise<void>;
  startNotifications(): Promise<void>;
  on(event: 'valuechanged', listener: (value: Buffer) => void): void;
}
interface NbService {
  getCharacteristic(uuid: string): Promise<NbCharacteristic>;
}
interface NbGatt {
  getPrimaryService(uuid: string): Promise<NbService>;
}
interface NbDevice {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  gatt(): Promise<NbGatt>;
  getName(): Promise<string>;
  once(event: 'disconnect', listener: () => void): void;
}
interface NbAdapter {
  isDiscovering(): Promise<boolean>;
  startDiscovery(): Promise<void>;
  waitDevice(address: string, timeoutMs?: number): Promise<NbDevice>;
  devices(): Promise<string[]>;
  getDevice(address: string): Promise<NbDevice>;
}
interface NodeBle {
  createBluetooth(): { bluetooth: { defaultAdapter(): Promise<NbAdapter>; getAdapter(name: string): Promise<NbAdapter> }; destroy(): void };
}

/** The package name, in a variable so that TypeScript does not resolve it. */
const NODE_BLE_MODULE = 'node-ble';
const NAME_POLL_MS = 1000;

export async function loadNodeBle(moduleName = NODE_BLE_MODULE): Promise<NodeBle> {
  try {
    const mod = (await import(moduleName)) as NodeBle & { default?: NodeBle };
    return typeof mod.createBluetooth === 'function' ? mod : (mod.default ?? mod);
  } catch (err) {
    throw new BleError('BLE_BACKEND_MISSING', `BLE is enabled but the node-ble package is not installed: run \`npm install node-ble\` (Linux with BlueZ; docs/BLE.md)`, { cause: err });
  }
}

class NodeBleLink implements BleLink {
  readonly address: string;
  private readonly device: NbDevice;
  private readonly gatt: NbGatt;
  private readonly characteristics = new Map<string, Promise<NbCharacteristic>>();
  private listeners: (() => void)[] = [];
  private closed = false;

  constructor(address: string, device: NbDevice, gatt: NbGatt) {
    this.address = address;
    this.device = device;
    this.gatt = gatt;
    device.once('disconnect', () => {
      if (this.closed) return;
      this.closed = true;
      for (const l of this.listeners) l();
    });
  }

  private characteristic(service: string, uuid: string): Promise<NbCharacteristic> {
    const key = `${service}/${uuid}`;
    let c = this.characteristics.get(key);
    if (!c) {
      c = this.gatt.getPrimaryService(service).then((s) => s.getCharacteristic(uuid));
      c.catch(() => this.characteristics.delete(key));
      this.characteristics.set(key, c);
    }
    return c.catch((err: unknown) => {
      throw new BleError('BLE_GATT', `${this.address}: no characteristic ${uuid} in service ${service}`, { cause: err });
    });
  }

  async subscribe(service: string, uuid: string, onValue: (value: Uint8Array) => void): Promise<void> {
    const c = await this.characteristic(service, uuid);
    c.on('valuechanged', (buffer) => onValue(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)));
    await c.startNotifications();
  }

  async read(service: string, uuid: string): Promise<Uint8Array> {
    const buffer = await (await this.characteristic(service, uuid)).readValue();
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  async write(service: string, uuid: string, value: Uint8Array): Promise<void> {
    await (await this.characteristic(service, uuid)).writeValue(Buffer.from(value));
  }

  onDisconnect(listener: () => void): void {
    this.listeners.push(listener);
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    this.listeners = [];
    await this.device.disconnect();
  }
}

export class NodeBleTransport implements BleTransport {
  readonly kind = 'node-ble';
  private readonly adapterName: string | undefined;
  private destroy: (() => void) | null = null;
  private adapter: NbAdapter | null = null;
  private readonly moduleName: string;

  constructor(options: { adapter?: string; moduleName?: string } = {}) {
    this.adapterName = options.adapter;
    this.moduleName = options.moduleName ?? NODE_BLE_MODULE;
  }

  async start(): Promise<void> {
    const nodeBle = await loadNodeBle(this.moduleName);
    try {
      const created = nodeBle.createBluetooth();
      this.destroy = () => created.destroy();
      const { bluetooth } = created;
      this.adapter = this.adapterName ? await bluetooth.getAdapter(this.adapterName) : await bluetooth.defaultAdapter();
    } catch (err) {
      this.destroy?.();
      this.destroy = null;
      throw new BleError('BLE_ADAPTER', `no Bluetooth adapter ${this.adapterName ?? '(default)'} over D-Bus: is bluetoothd running and does the D-Bus policy allow this user? (docs/BLE.md)`, { cause: err });
    }
  }

  stop(): Promise<void> {
    this.destroy?.();
    this.destroy = null;
    this.adapter = null;
    return Promise.resolve();
  }

  async connect(target: BleTarget, timeoutMs: number): Promise<BleLink> {
    const adapter = this.adapter;
    if (!adapter) throw new BleError('BLE_ADAPTER', 'transport not started');
    if (!(await adapter.isDiscovering())) await adapter.startDiscovery();
    let device: NbDevice;
    let address: string;
    try {
      if (target.address) {
        address = target.address.toUpperCase();
        device = await adapter.waitDevice(address, timeoutMs);
      } else {
        [address, device] = await this.findByName(adapter, target.name ?? '', timeoutMs);
      }
    } catch (err) {
      throw new BleError('BLE_NOT_FOUND', `${target.address ?? target.name ?? '?'} not found within ${timeoutMs} ms`, { cause: err });
    }
    try {
      await device.connect();
      return new NodeBleLink(address, device, await device.gatt());
    } catch (err) {
      await device.disconnect().catch(() => undefined);
      throw new BleError('BLE_CONNECT', `cannot connect to ${address}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async findByName(adapter: NbAdapter, name: string, timeoutMs: number): Promise<[string, NbDevice]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const address of await adapter.devices()) {
        const device = await adapter.getDevice(address);
        const advertised = await device.getName().catch(() => '');
        if (advertised === name) return [address, device];
      }
      if (Date.now() >= deadline) throw new Error(`no device named ${name}`);
      await new Promise((r) => setTimeout(r, NAME_POLL_MS));
    }
  }
}
