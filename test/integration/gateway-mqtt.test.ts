// The gateway in-process with its real MQTT side: the embedded aedes broker on port 0, the
// MqttConnection and MqttIngest, worker threads running the reference executor on a
// writer-built model, SQLite on a temp file, the WebSocket on port 0. A device publishes over a
// real MQTT client; its activity comes back retained on <base>/<deviceId>/activity, and stop()
// publishes `offline`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../daemon/config/load.ts';
import { Gateway } from '../../daemon/gateway.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { gatewayModelFromBytes } from '../../daemon/pipeline/model.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { batchesOf, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Gateway with the embedded broker (in-process)', () => {
  it('publishes each device\'s latest activity retained and goes offline on stop', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'har-gw-mqtt-'));
    dirs.push(dataDir);
    const config = validateConfig({ gateway: { dataDir }, mqtt: { embedded: { port: 0 }, clientId: 'gw-under-test' }, websocket: { port: 0 }, store: { flushIntervalMs: 20 } });
    const logger = pino({ level: 'silent' });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
    const gateway = new Gateway({ config, logger, model: gatewayModelFromBytes(buildTestModel()), connection, ingest });
    await gateway.start();
    let client: mqtt.MqttClient | null = null;
    try {
      client = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'wearable-sim', protocolVersion: 4 });
      const states: string[] = [];
      client.on('message', (topic, payload) => {
        if (topic === 'har/gateway/state') states.push(payload.toString());
      });
      await client.subscribeAsync('har/gateway/state', { qos: 1 });
      for (const batch of batchesOf('wrist-7', generatedRecording(7, 384), 32)) {
        await client.publishAsync('har/wrist-7/imu', Buffer.from(encodeBinaryBatch(batch)), { qos: 1 });
      }
      await expect.poll(() => gateway.live.predictions(), { timeout: 15_000 }).toBe(5);
      await expect.poll(() => states.at(-1)).toBe('online');

      // a late subscriber gets the retained latest activity
      const late = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'late-dashboard', protocolVersion: 4 });
      const retained = new Promise<{ retain: boolean; body: Record<string, unknown> }>((resolve) =>
        late.on('message', (_t, payload, packet) => resolve({ retain: packet.retain, body: JSON.parse(payload.toString()) as Record<string, unknown> })),
      );
      await late.subscribeAsync('har/wrist-7/activity', { qos: 0 });
      const activity = await retained;
      await late.endAsync();
      await expect.poll(() => gateway.store.predictions('wrist-7').length).toBe(5);
      const last = gateway.store.predictions('wrist-7').at(-1);
      expect(activity.retain).toBe(true);
      expect(activity.body).toMatchObject({ deviceId: 'wrist-7', windowSeq: 4, class: last?.className, margin: last?.margin, mode: 'full' });

      await gateway.stop();
      await expect.poll(() => states.at(-1), { timeout: 3000 }).toBe('offline');
    } finally {
      await client?.endAsync().catch(() => undefined);
      await gateway.stop();
    }
  });
});
