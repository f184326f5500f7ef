// One BLE wearable: connect -> subscribe (data, battery) -> start commands -> decode -> batches;
// on a dropped link or a failed attempt: wait (doubling backoff, capped), then again. A link
// restart makes a jump in the device's seq (protocol/ble/assemble.ts) so its window restarts.
// Bad notifications are counted per kind, logged once per kind and dropped; nothing here throws
// into the caller, so one device never disturbs another.
import type { Logger } from 'pino';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { BatchAssembler } from '../../protocol/ble/assemble.ts';
import { createBleDecoder, BLE_PROTOCOLS } from '../../protocol/ble/index.ts';
import type { BleDecoder } from '../../protocol/ble/types.ts';
import { Backoff } from '../mqtt/backoff.ts';
import type { BleDeviceConfig } from './config.ts';
import { controlChannel, startCommands } from './protocol-setup.ts';
import { BATTERY_LEVEL_UUID, BATTERY_SERVICE_UUID, fullUuid, type BleLink, type BleTransport } from './transport.ts';

export type LinkState = 'idle' | 'connecting' | 'streaming' | 'waiting' | 'failed' | 'stopped';

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface BleSink {
  batch(batch: SampleBatch, receivedAtMs: number): void;
  battery(deviceId: string, percent: number, receivedAtMs: number): void;
  error(deviceId: string, kind: string, detail: string): void;
  linkState(deviceId: string, state: LinkState, detail: string): void;
}

export interface DeviceSessionOptions {
  readonly device: BleDeviceConfig;
  readonly transport: BleTransport;
  readonly sink: BleSink;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly discoveryTimeoutMs: number;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  readonly now?: () => number;
}

export interface DeviceSessionStatus {
  readonly deviceId: string;
  readonly state: LinkState;
  readonly connects: number;
  readonly linkLosses: number;
  readonly failedAttempts: number;
  readonly notifications: number;
  readonly samples: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly nextRetryInMs: number | null;
  readonly batteryPercent: number | null;
}

export class BleDeviceSession {
  private readonly o: DeviceSessionOptions;
  private readonly backoff: Backoff;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private decoder: BleDecoder | null = null;
  private readonly assembler: BatchAssembler;
  private link: BleLink | null = null;
  private timer: unknown = null;
  private state: LinkState = 'idle';
  private attempt = 0;
  private nextRetryInMs: number | null = null;
  private counts = { connects: 0, linkLosses: 0, failedAttempts: 0, notifications: 0, samples: 0 };
  private readonly errorCounts = new Map<string, number>();
  private batteryPercent: number | null = null;

  constructor(options: DeviceSessionOptions) {
    this.o = options;
    this.backoff = new Backoff(options.reconnect.initialDelayMs, options.reconnect.maxDelayMs);
    this.scheduler = options.scheduler ?? realScheduler;
    this.now = options.now ?? Date.now;
    this.assembler = new BatchAssembler({ deviceId: options.device.id, gyro: options.device.gyro, clock: options.device.clock });
  }

  get deviceId(): string {
    return this.o.device.id;
  }

  start(): void {
    try {
      this.decoder = createBleDecoder(this.o.device.protocol, this.o.device.settings);
    } catch (err) {
      this.countError('ble-settings', err instanceof Error ? err.message : String(err));
      this.setState('failed', 'decoder settings rejected');
      return;
    }
    void this.connect();
  }

  async stop(): Promise<void> {
    this.setState('stopped', 'stopped');
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
    const link = this.link;
    this.link = null;
    if (link) await link.disconnect().catch(() => undefined);
  }

  status(): DeviceSessionStatus {
    return {
      deviceId: this.deviceId,
      state: this.state,
      ...this.counts,
      errors: Object.fromEntries(this.errorCounts),
      nextRetryInMs: this.nextRetryInMs,
      batteryPercent: this.batteryPercent,
    };
  }

  /** A method, not a field read: the state changes across awaits (stop() may run meanwhile). */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private async connect(): Promise<void> {
    if (this.isStopped()) return;
    const attempt = ++this.attempt;
    const d = this.o.device;
    this.setState('connecting', `attempt ${attempt}`);
    let link: BleLink | null = null;
    try {
      link = await this.o.transport.connect({ ...(d.address ? { address: d.address } : {}), ...(d.name ? { name: d.name } : {}) }, this.o.discoveryTimeoutMs);
      if (this.isStopped()) {
        await link.disconnect();
        return;
      }
      this.link = link;
      const own = link;
      link.onDisconnect(() => this.onLinkLost(own));
      const protocol = BLE_PROTOCOLS[d.protocol];
      const service = fullUuid(d.serviceUuid ?? protocol.serviceUuid ?? '');
      const notify = fullUuid(d.notifyUuid ?? protocol.notifyUuid ?? '');
      await link.subscribe(service, notify, (value) => this.onNotification(value, notify));
      const control = controlChannel(d);
      if (control) {
        await link.subscribe(control.serviceUuid, control.characteristicUuid, (value) => {
          const problem = control.check(value);
          if (problem !== null) this.countError('ble-control-error', problem);
        });
      }
      for (const cmd of startCommands(d)) await link.write(cmd.serviceUuid, cmd.characteristicUuid, cmd.value);
      if (d.battery) await this.startBattery(link);
      this.counts.connects++;
      this.backoff.reset();
      this.nextRetryInMs = null;
      this.setState('streaming', link.address);
    } catch (err) {
      if (this.isStopped()) return;
      this.counts.failedAttempts++;
      if (link) {
        this.link = null;
        await link.disconnect().catch(() => undefined);
      }
      this.scheduleRetry(err instanceof Error ? err.message : String(err));
    }
  }

  private async startBattery(link: BleLink): Promise<void> {
    // Battery Service 0x180F is optional on a device: a missing one is logged, not fatal.
    try {
      this.onBattery(await link.read(BATTERY_SERVICE_UUID, BATTERY_LEVEL_UUID));
      await link.subscribe(BATTERY_SERVICE_UUID, BATTERY_LEVEL_UUID, (v) => this.onBattery(v));
    } catch (err) {
      this.countError('ble-battery', `battery service: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onBattery(value: Uint8Array): void {
    // Battery Level (0x2A19): uint8, percent 0..100 (Bluetooth SIG GATT Specification Supplement).
    const percent = value[0];
    if (value.length !== 1 || percent === undefined || percent > 100) {
      this.countError('ble-battery', `battery level of ${value.length} byte(s), first ${percent ?? '-'}`);
      return;
    }
    this.batteryPercent = percent;
    this.o.sink.battery(this.deviceId, percent, this.now());
  }

  private onNotification(value: Uint8Array, characteristic: string): void {
    if (this.isStopped() || !this.decoder) return;
    this.counts.notifications++;
    const receivedAtMs = this.now();
    try {
      const result = this.decoder.decode(value, characteristic);
      for (const d of result.dropped ?? []) this.countError(d.kind, d.detail);
      if (!result.ok) return this.countError(result.kind, result.detail);
      const { batches, unpairedDropped } = this.assembler.push(result.chunks, receivedAtMs);
      if (unpairedDropped > 0) this.countError('ble-unpaired', `${unpairedDropped} samples without their acc/gyro counterpart`);
      for (const batch of batches) {
        this.counts.samples += batch.samples;
        this.o.sink.batch(batch, receivedAtMs);
      }
    } catch (err) {
      // A decoder bug must not end the device's session (nor anyone else's): count it.
      this.countError('ble-decoder-fault', err instanceof Error ? err.message : String(err));
    }
  }

  private onLinkLost(link: BleLink): void {
    if (this.link !== link || this.isStopped()) return;
    this.link = null;
    this.counts.linkLosses++;
    this.decoder?.reset();
    this.assembler.linkRestart();
    this.scheduleRetry('link lost');
  }

  private scheduleRetry(reason: string): void {
    const delayMs = this.backoff.next();
    this.nextRetryInMs = delayMs;
    this.setState('waiting', `${reason}; retry in ${delayMs} ms`);
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delayMs);
  }

  private setState(state: LinkState, detail: string): void {
    if (this.isStopped() && state !== 'stopped') return;
    this.state = state;
    this.o.logger.info({ deviceId: this.deviceId, state, detail }, 'ble link');
    this.o.sink.linkState(this.deviceId, state, detail);
  }

  private countError(kind: string, detail: string): void {
    const n = (this.errorCounts.get(kind) ?? 0) + 1;
    this.errorCounts.set(kind, n);
    if (n === 1) this.o.logger.warn({ deviceId: this.deviceId, kind, detail }, 'ble: bad input (further ones of this kind are counted, not logged)');
    this.o.sink.error(this.deviceId, kind, detail);
  }
}
