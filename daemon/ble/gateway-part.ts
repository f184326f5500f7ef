// The daemon's hook for BLE (daemon/gateway.ts): when `ble.enabled`, a part named 'ble' that
// runs BleIngest and hands its messages to the MQTT ingest's public `handle` (same validation,
// counters, per-device sequence checks and battery reports as MQTT). Started after the ingest,
// stopped before it. node-ble is imported only inside start().
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { InboundMessage } from '../mqtt/connection.ts';
import { BleIngest } from './ble-ingest.ts';

export interface BleGatewayPart {
  readonly name: 'ble';
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface HandlesMessages {
  handle(message: InboundMessage): void;
}

function handlesMessages(ingest: object): ingest is HandlesMessages {
  return typeof (ingest as Partial<HandlesMessages>).handle === 'function';
}

export function bleGatewayPart(deps: { readonly config: Config; readonly logger: Logger; readonly ingest: object }): BleGatewayPart | null {
  const { config, logger, ingest } = deps;
  if (!config.ble.enabled) return null;
  if (!handlesMessages(ingest)) {
    logger.error('ble.enabled, but the ingest has no handle(message): BLE devices are not connected');
    return null;
  }
  const ble = new BleIngest({
    config: config.ble,
    baseTopic: config.mqtt.baseTopic,
    logger: logger.child({ part: 'ble' }),
    deliver: (m) => ingest.handle({ topic: m.topic, payload: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength), receivedAtMs: m.receivedAtMs }),
  });
  return { name: 'ble', start: () => ble.start(), stop: () => ble.stop() };
}
