// The BLE-to-MQTT bridge (`har-gateway ble-bridge`): BleIngest whose messages are published to
// a broker instead of handed to the local ingest: `<base>/<deviceId>/imu` in the binary batch
// format (QoS 1, so a broker outage is buffered by mqtt.js up to its queue), battery reports on
// `<base>/<deviceId>/battery`. Runs until SIGINT/SIGTERM (or `signal` aborts).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { BleIngest, type BleInboundMessage } from './ble-ingest.ts';
import type { BleTransport } from './transport.ts';

export interface BleBridgeOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly url?: string;
  readonly signal?: AbortSignal;
  readonly createTransport?: () => Promise<BleTransport>;
}

/** The broker a bridge publishes to: --url, else mqtt.url, else the configured embedded broker's address. */
export function bridgeBrokerUrl(config: Config, url?: string): string {
  if (url !== undefined) return url;
  const m = config.mqtt;
  if (m.broker === 'external' && m.url !== undefined) return m.url;
  const host = m.embedded.host === '0.0.0.0' || m.embedded.host === '::' ? '127.0.0.1' : m.embedded.host;
  return `mqtt://${host.includes(':') ? `[${host}]` : host}:${m.embedded.port}`;
}

export async function runBleBridge(options: BleBridgeOptions): Promise<{ published: number }> {
  const { config, logger } = options;
  const mqtt = await import('mqtt');
  const url = bridgeBrokerUrl(config, options.url);
  const m = config.mqtt;
  const login = m.broker === 'external' ? { username: m.username, password: m.password } : { username: m.embedded.username, password: m.embedded.password };
  const client = await mqtt.connectAsync(url, {
    clientId: `${m.clientId}-ble-bridge`.slice(0, 64),
    ...(login.username !== undefined ? { username: login.username } : {}),
    ...(login.password !== undefined ? { password: login.password } : {}),
    ...(m.caFile ? { ca: readFileSync(m.caFile) } : {}),
    ...(m.certFile ? { cert: readFileSync(m.certFile) } : {}),
    ...(m.keyFile ? { key: readFileSync(m.keyFile) } : {}),
    rejectUnauthorized: m.rejectUnauthorized,
    reconnectPeriod: m.reconnect.initialDelayMs,
    connectTimeout: m.connectTimeoutMs,
  });
  let published = 0;
  const deliver = (message: BleInboundMessage): void => {
    published++;
    client.publish(message.topic, Buffer.from(message.payload), { qos: 1 }, (err) => {
      if (err) logger.warn({ topic: message.topic, err: err.message }, 'ble-bridge: publish failed');
    });
  };
  const ingest = new BleIngest({
    config: config.ble,
    baseTopic: m.baseTopic,
    logger,
    deliver,
    ...(options.createTransport ? { createTransport: options.createTransport } : {}),
  });
  try {
    await ingest.start();
  } catch (err) {
    await client.endAsync();
    throw err;
  }
  logger.info({ url, devices: config.ble.devices.length }, 'ble-bridge running');
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    if (options.signal) {
      if (options.signal.aborted) return resolve();
      options.signal.addEventListener('abort', done, { once: true });
    } else {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }
  });
  await ingest.stop();
  await client.endAsync();
  logger.info({ published }, 'ble-bridge stopped');
  return { published };
}
