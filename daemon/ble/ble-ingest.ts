// BleIngest: the BLE side of the daemon (and all of `ble-bridge`). Starts the transport (node-ble
// unless one is injected), one BleDeviceSession per configured wearable, and turns what they
// produce into the gateway's inbound messages: each batch in the binary batch format on
// `<base>/<deviceId>/imu`, each battery level as a battery report on `<base>/<deviceId>/battery`.
// The daemon hands those messages to MqttIngest.handle (same validation, counters and sequence
// checks as MQTT); the bridge publishes them to a broker. Lifecycle: start() / stop().
import type { Logger } from 'pino';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { encodeBatteryReport } from '../../protocol/battery-report.ts';
import { batteryTopic, imuTopic } from '../../protocol/topics.ts';
import type { BleConfig } from './config.ts';
import { BleDeviceSession, type DeviceSessionStatus, type LinkState, type Scheduler } from './device-session.ts';
import { wireScales } from './protocol-setup.ts';
import type { BleTransport } from './transport.ts';

export interface BleInboundMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly receivedAtMs: number;
}

export interface BleIngestOptions {
  readonly config: BleConfig;
  readonly baseTopic: string;
  readonly logger: Logger;
  /** Where inbound messages go (MqttIngest.handle, or the bridge's publisher). Must not throw. */
  readonly deliver: (message: BleInboundMessage) => void;
  /** Transport factory; default: node-ble, imported only now. */
  readonly createTransport?: (config: BleConfig) => Promise<BleTransport>;
  readonly scheduler?: Scheduler;
  readonly now?: () => number;
  readonly onLinkState?: (deviceId: string, state: LinkState, detail: string) => void;
  readonly onError?: (deviceId: string, kind: string, detail: string) => void;
}

async function defaultTransport(config: BleConfig): Promise<BleTransport> {
  const { NodeBleTransport } = await import('./node-ble-transport.ts');
  return new NodeBleTransport(config.adapter !== undefined ? { adapter: config.adapter } : {});
}

export class BleIngest {
  private readonly o: BleIngestOptions;
  private transport: BleTransport | null = null;
  private sessions: BleDeviceSession[] = [];
  private relayed = { batches: 0, samples: 0, batteryReports: 0, encodeFailures: 0 };

  constructor(options: BleIngestOptions) {
    this.o = options;
  }

  async start(): Promise<void> {
    const transport = await (this.o.createTransport ?? defaultTransport)(this.o.config);
    await transport.start();
    this.transport = transport;
    const { config, logger } = this.o;
    this.sessions = config.devices.map((device) => {
      const scales = wireScales(device);
      return new BleDeviceSession({
        device,
        transport,
        reconnect: config.reconnect,
        discoveryTimeoutMs: config.discoveryTimeoutMs,
        logger,
        ...(this.o.scheduler ? { scheduler: this.o.scheduler } : {}),
        ...(this.o.now ? { now: this.o.now } : {}),
        sink: {
          batch: (batch, receivedAtMs) => {
            let payload: Uint8Array;
            try {
              payload = encodeBinaryBatch(batch, scales);
            } catch (err) {
              this.relayed.encodeFailures++;
              this.o.onError?.(batch.deviceId, 'ble-encode', err instanceof Error ? err.message : String(err));
              return;
            }
            this.relayed.batches++;
            this.relayed.samples += batch.samples;
            this.o.deliver({ topic: imuTopic(this.o.baseTopic, batch.deviceId), payload, receivedAtMs });
          },
          battery: (deviceId, percent, receivedAtMs) => {
            this.relayed.batteryReports++;
            this.o.deliver({ topic: batteryTopic(this.o.baseTopic, deviceId), payload: encodeBatteryReport({ percent, millivolts: null, tMs: null }), receivedAtMs });
          },
          error: (deviceId, kind, detail) => this.o.onError?.(deviceId, kind, detail),
          linkState: (deviceId, state, detail) => this.o.onLinkState?.(deviceId, state, detail),
        },
      });
    });
    for (const s of this.sessions) s.start();
    logger.info({ transport: transport.kind, devices: this.sessions.length }, 'ble ingest started');
  }

  async stop(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.stop()));
    this.sessions = [];
    const t = this.transport;
    this.transport = null;
    await t?.stop();
  }

  status(): { relayed: { batches: number; samples: number; batteryReports: number; encodeFailures: number }; devices: DeviceSessionStatus[] } {
    return { relayed: { ...this.relayed }, devices: this.sessions.map((s) => s.status()) };
  }
}
