// The composition root with real parts in-process — MqttIngest, Pipeline with worker threads,
// Store on a temp SQLite file, WebSocket on port 0 — and a fake MQTT connection (a message
// source and an activity recorder) and a fake engine module (its result is a function of the
// quantized input, so the expected predictions are computed from the same windows).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { validateConfig } from '../../daemon/config/load.ts';
import { Gateway, type ConnectionPart } from '../../daemon/gateway.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import type { InboundMessage, MessageSource } from '../../daemon/mqtt/connection.ts';
import type { GatewayModel } from '../../daemon/pipeline/model.ts';
import type { Envelope } from '../../daemon/api/envelopes.ts';
import { quantizeWindow } from '../../models/quantize.ts';
import { encodeJsonBatch } from '../../protocol/json-batch.ts';
import { createEngine } from '../unit/daemon/pipeline/fixtures/fake-engine.ts';
import { batchesOf, expectedWindows, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';

const FAKE_ENGINE = new URL('../unit/daemon/pipeline/fixtures/fake-engine.ts', import.meta.url);
const MODEL: GatewayModel = {
  id: 'fake-model',
  bytes: new Uint8Array(12),
  input: { channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'], rateHz: 50, windowSamples: 32, strideSamples: 16, scale: [1 / 64, 1 / 64, 1 / 64, 1 / 32, 1 / 32, 1 / 32] },
  classes: ['A', 'B', 'C', 'D'],
};

class FakeConnection implements ConnectionPart, MessageSource {
  readonly messages = new Subject<InboundMessage>();
  readonly messages$ = this.messages.asObservable();
  readonly activity: Array<[string, unknown]> = [];
  readonly filters: string[] = [];
  currentState = 'stopped';
  brokerUrl = 'mqtt://fake';
  addSubscriptions(filters: readonly string[]): void {
    this.filters.push(...filters);
  }
  start(): Promise<void> {
    this.currentState = 'online';
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.currentState = 'stopped';
    return Promise.resolve();
  }
  publishActivity(deviceId: string, payload: unknown): void {
    this.activity.push([deviceId, payload]);
  }
  counters(): object {
    return {};
  }
  publish(topic: string, payload: Uint8Array | string): void {
    this.messages.next({ topic, payload: Buffer.from(payload), receivedAtMs: Date.now() });
  }
}

const dirs: string[] = [];
const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startGateway(): Promise<{ gateway: Gateway; connection: FakeConnection }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'har-gw-'));
  dirs.push(dataDir);
  const config = validateConfig({
    gateway: { dataDir },
    engine: { workers: 2 },
    pipeline: { maxQueuedWindowsPerDevice: 64 }, // the test publishes whole recordings at once
    store: { flushIntervalMs: 20 },
    websocket: { port: 0, statsIntervalMs: 50 },
  });
  const logger = pino({ level: 'silent' });
  const connection = new FakeConnection();
  const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
  const gateway = new Gateway({ config, logger, model: MODEL, connection, ingest, engineModule: FAKE_ENGINE });
  gateways.push(gateway);
  await gateway.start();
  return { gateway, connection };
}

function expectedResults(deviceIndex: number, samples: number) {
  const engine = createEngine(MODEL.bytes, {});
  return expectedWindows(generatedRecording(deviceIndex, samples), 32, 16).map((w) => engine.run(quantizeWindow(w, MODEL.input.scale), 0xffffffff));
}

describe('Gateway (in-process)', () => {
  it('turns MQTT batches into predictions in SQLite, over the WebSocket and on MQTT, window for window', async () => {
    const { gateway, connection } = await startGateway();
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.websocket!.address().port}/ws`);
    const envelopes: Envelope[] = [];
    ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
    await new Promise((r) => ws.once('open', r));

    const samples = 160; // 9 windows of 32 at stride 16
    for (const [i, deviceId] of ['wrist-a', 'wrist-b'].entries()) {
      for (const batch of batchesOf(deviceId, generatedRecording(i, samples), 10)) connection.publish(`har/${deviceId}/imu`, encodeJsonBatch(batch));
    }
    await expect.poll(() => gateway.live.predictions(), { timeout: 10_000 }).toBe(18);
    await expect.poll(() => gateway.store.stats().predictionsWritten).toBe(18);

    for (const [i, deviceId] of ['wrist-a', 'wrist-b'].entries()) {
      const expected = expectedResults(i, samples);
      const stored = gateway.store.predictions(deviceId);
      expect(stored.map((r) => r.windowSeq)).toEqual(expected.map((_, k) => k));
      expect(stored.map((r) => [r.classIndex, r.scores, r.margin])).toEqual(expected.map((e) => [e.classIndex, e.scores, e.margin]));
      expect(stored.map((r) => r.startSample)).toEqual(expected.map((_, k) => k * 16));
      const viaWs = envelopes.filter((e) => e.type === 'prediction' && e.deviceId === deviceId);
      expect(viaWs.map((e) => e.type === 'prediction' && [e.windowSeq, e.classIndex, e.scores])).toEqual(expected.map((e, k) => [k, e.classIndex, e.scores]));
      expect(connection.activity.filter(([d]) => d === deviceId)).toHaveLength(expected.length);
    }
    expect(envelopes[0]).toMatchObject({ type: 'snapshot', modelId: 'fake-model', classes: ['A', 'B', 'C', 'D'] });
    expect(connection.filters).toEqual(['har/+/imu', 'har/+/battery']);
    ws.terminate();
  });

  it('counts bad payloads and stream gaps per device and kind in SQLite and in the WebSocket stats', async () => {
    const { gateway, connection } = await startGateway();
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.websocket!.address().port}/ws`);
    const envelopes: Envelope[] = [];
    ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
    await new Promise((r) => ws.once('open', r));
    const batches = batchesOf('w', generatedRecording(0, 100), 10);
    connection.publish('har/w/imu', encodeJsonBatch(batches[0]!));
    connection.publish('har/w/imu', '{"version":1');
    connection.publish('har/not/a/valid/topic', encodeJsonBatch(batches[1]!));
    connection.publish('har/w/imu', encodeJsonBatch(batches[3]!)); // 10 samples missing: > 8, restarts the window
    await expect.poll(() => gateway.store.errorCounts().map((e) => `${e.deviceId}:${e.kind}:${e.count}`), { timeout: 5000 }).toEqual(['?:bad-topic:1', 'w:gap-restart:1', 'w:invalid-json:1']);
    await expect.poll(() => envelopes.findLast((e) => e.type === 'stats')).toMatchObject({ errors: { 'bad-topic': 1, 'gap-restart': 1, 'invalid-json': 1 } });
    expect(envelopes.filter((e) => e.type === 'error').map((e) => e.type === 'error' && e.kind).sort()).toEqual(['bad-topic', 'gap-restart', 'invalid-json']);
    ws.terminate();
  });

  it('drains the windows in flight on stop and flushes them to SQLite', async () => {
    const { gateway, connection } = await startGateway();
    for (const batch of batchesOf('d', generatedRecording(3, 320), 32)) connection.publish('har/d/imu', encodeJsonBatch(batch));
    await gateway.stop();
    gateways.length = 0;
    const { windows, inference } = gateway.pipeline.stats();
    expect(windows).toBe(19);
    expect(inference.dropped).toBe(0);
    expect(gateway.store.stats().predictionsWritten).toBe(windows);
  });
});
