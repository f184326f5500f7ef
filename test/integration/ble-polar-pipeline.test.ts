// A fake Polar Verity Sense (FakeBleTransport) streams a GENERATED recording converted to PMD
// delta frames through BleIngest -> MqttIngest.handle -> the gateway's pipeline (worker threads,
// fake engine, SQLite): its predictions must equal those of the same recording sent as MQTT
// binary batches. Then the link drops mid-stream: the session reconnects with backoff, the gap
// restarts the device's window (a new segment), and another device is not affected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BleIngest } from '../../daemon/ble/ble-ingest.ts';
import type { Scheduler } from '../../daemon/ble/device-session.ts';
import { FakeBleTransport, type FakePeripheral } from '../../daemon/ble/fake-transport.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import { Gateway, type ConnectionPart } from '../../daemon/gateway.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import type { InboundMessage, MessageSource } from '../../daemon/mqtt/connection.ts';
import type { GatewayModel } from '../../daemon/pipeline/model.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { PMD_DATA_UUID, PMD_MEASUREMENT } from '../../protocol/ble/polar-pmd.ts';
import { encodePmdDeltaFrame } from '../../protocol/ble/polar-pmd-encode.ts';
import { generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';

const FAKE_ENGINE = new URL('../unit/daemon/pipeline/fixtures/fake-engine.ts', import.meta.url);
const MODEL: GatewayModel = {
  id: 'fake-model',
  bytes: new Uint8Array(12),
  input: { channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'], rateHz: 50, windowSamples: 32, strideSamples: 16, scale: [1 / 64, 1 / 64, 1 / 64, 1 / 32, 1 / 32, 1 / 32] },
  classes: ['A', 'B', 'C', 'D'],
};
const RATE_HZ = 52; // Polar ACC/GYRO rate; the pipeline resamples to the model's 50 Hz
const GYRO_FACTOR = 0.0625; // PMD FACTOR setting: deg/s per unit
const DEG = Math.PI / 180;
const SAMPLES_PER_FRAME = 18;
const T0_MS = 1_732_000_000_000;
const ADDRESS = 'A0:9E:1A:00:00:07';

class FakeConnection implements ConnectionPart, MessageSource {
  readonly messages = new Subject<InboundMessage>();
  readonly messages$ = this.messages.asObservable();
  currentState = 'stopped';
  brokerUrl = 'mqtt://fake';
  addSubscriptions(): void {}
  start(): Promise<void> {
    this.currentState = 'online';
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.currentState = 'stopped';
    return Promise.resolve();
  }
  publishActivity(): void {}
  counters(): object {
    return {};
  }
}

class ManualScheduler implements Scheduler {
  readonly delays: number[] = [];
  private pending: (() => void)[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    this.pending.push(fn);
    return fn;
  }
  clearTimeout(h: unknown): void {
    this.pending = this.pending.filter((f) => f !== h);
  }
  runAll(): void {
    const due = this.pending;
    this.pending = [];
    for (const f of due) f();
  }
}

/** The recording in the device's integer units: ACC mG, GYRO units of GYRO_FACTOR deg/s. */
function deviceUnits(deviceIndex: number, samples: number): { acc: number[][]; gyro: number[][] } {
  const r = generatedRecording(deviceIndex, samples, RATE_HZ);
  const acc: number[][] = [];
  const gyro: number[][] = [];
  for (let i = 0; i < samples; i++) {
    acc.push([0, 1, 2].map((a) => Math.round((r.acc[3 * i + a] ?? 0) * 1000)));
    gyro.push([0, 1, 2].map((a) => Math.round((r.gyro[3 * i + a] ?? 0) / (GYRO_FACTOR * DEG))));
  }
  return { acc, gyro };
}

const lastSampleMs = (endSample: number): number => T0_MS + ((endSample - 1) * 1000) / RATE_HZ;

function streamFrames(polar: FakePeripheral, rec: { acc: number[][]; gyro: number[][] }, from: number, to: number): void {
  for (let s = from; s < to; s += SAMPLES_PER_FRAME) {
    const end = Math.min(to, s + SAMPLES_PER_FRAME);
    const half = Math.ceil((end - s - 1) / 2);
    const blocks = [{ count: half }, { count: end - s - 1 - half }].filter((b) => b.count > 0);
    polar.notify(PMD_DATA_UUID, encodePmdDeltaFrame(PMD_MEASUREMENT.ACC, 0, lastSampleMs(end), rec.acc.slice(s, end), { blocks }));
    polar.notify(PMD_DATA_UUID, encodePmdDeltaFrame(PMD_MEASUREMENT.GYRO, 0, lastSampleMs(end), rec.gyro.slice(s, end), { blocks }));
  }
}

/** The same recording as MQTT binary batches with the same int16 scales (what a bridge-less device would send). */
function publishOverMqtt(ingest: MqttIngest, deviceId: string, rec: { acc: number[][]; gyro: number[][] }, batchSamples: number): void {
  for (let s = 0; s < rec.acc.length; s += batchSamples) {
    const n = Math.min(batchSamples, rec.acc.length - s);
    const batch = {
      seq: s,
      t0Ms: T0_MS + (s * 1000) / RATE_HZ,
      rateHz: RATE_HZ,
      samples: n,
      acc: Float64Array.from(rec.acc.slice(s, s + n).flat(), (v) => v / 1000),
      gyro: Float64Array.from(rec.gyro.slice(s, s + n).flat(), (v) => v * GYRO_FACTOR * DEG),
    };
    const payload = encodeBinaryBatch(batch, { accScaleG: 0.001, gyroScaleRadS: GYRO_FACTOR * DEG });
    ingest.handle({ topic: `har/${deviceId}/imu`, payload: Buffer.from(payload), receivedAtMs: Date.now() });
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'har-ble-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = validateConfig({
    gateway: { dataDir },
    engine: { workers: 2 },
    pipeline: { maxQueuedWindowsPerDevice: 64 },
    store: { flushIntervalMs: 20 },
    websocket: { enabled: false },
    ble: {
      reconnect: { initialDelayMs: 500, maxDelayMs: 2000 },
      devices: [{ id: 'polar-ble', address: ADDRESS, protocol: 'polar-pmd', battery: false, settings: { acc: { sampleRateHz: RATE_HZ }, gyro: { sampleRateHz: RATE_HZ, factor: GYRO_FACTOR } } }],
    },
  });
  const logger = pino({ level: 'silent' });
  const connection = new FakeConnection();
  const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger });
  const gateway = new Gateway({ config, logger, model: MODEL, connection, ingest, engineModule: FAKE_ENGINE });
  await gateway.start();
  cleanups.push(() => gateway.stop());
  const transport = new FakeBleTransport();
  const polar = transport.add(ADDRESS, 'Polar Sense');
  const scheduler = new ManualScheduler();
  const ble = new BleIngest({
    config: config.ble,
    baseTopic: 'har',
    logger,
    deliver: (m) => ingest.handle({ topic: m.topic, payload: Buffer.from(m.payload), receivedAtMs: m.receivedAtMs }),
    createTransport: () => Promise.resolve(transport),
    scheduler,
  });
  await ble.start();
  cleanups.push(() => ble.stop());
  await expect.poll(() => polar.connected).toBe(true);
  await new Promise((r) => setTimeout(r, 10)); // subscriptions and start commands
  return { gateway, ingest, polar, scheduler, ble };
}

const rows = (g: Gateway, id: string) => g.store.predictions(id).map((r) => ({ windowSeq: r.windowSeq, segment: r.segment, startSample: r.startSample, classIndex: r.classIndex, scores: r.scores, margin: r.margin }));

describe('BLE Polar device through the full pipeline', () => {
  it('gives the same predictions as the same recording over MQTT', async () => {
    const { gateway, ingest, polar } = await setup();
    const rec = deviceUnits(1, 520); // 10 s at 52 Hz
    streamFrames(polar, rec, 0, rec.acc.length);
    publishOverMqtt(ingest, 'polar-mqtt', rec, 26);
    await expect.poll(() => gateway.store.predictions('polar-mqtt').length, { timeout: 15_000 }).toBeGreaterThan(25);
    await expect.poll(() => rows(gateway, 'polar-ble'), { timeout: 15_000 }).toEqual(rows(gateway, 'polar-mqtt'));
    expect(gateway.store.errorCounts()).toEqual([]);
  });

  it('link loss mid-stream: reconnect with backoff, window restarted, the other device unaffected', async () => {
    const { gateway, ingest, polar, scheduler, ble } = await setup();
    const rec = deviceUnits(2, 780);
    const other = deviceUnits(3, 780);
    streamFrames(polar, rec, 0, 360);
    polar.failConnects = 1;
    polar.dropLink();
    streamFrames(polar, rec, 360, 420); // lost while disconnected (nobody subscribed)
    scheduler.runAll(); // attempt 1 refused
    await new Promise((r) => setTimeout(r, 10));
    scheduler.runAll(); // attempt 2 accepted
    await expect.poll(() => polar.connected).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(scheduler.delays).toEqual([500, 1000]);
    streamFrames(polar, rec, 420, 780);
    publishOverMqtt(ingest, 'other-mqtt', other, 26);
    await expect.poll(() => gateway.store.predictions('other-mqtt').length, { timeout: 15_000 }).toBe(45); // 780 samples at 52 Hz -> 750 at 50 Hz -> 45 windows of 32 at stride 16
    await expect.poll(() => gateway.store.errorCounts().map((e) => `${e.deviceId}:${e.kind}:${e.count}`), { timeout: 15_000 }).toEqual(['polar-ble:gap-restart:1']);
    const polarRows = rows(gateway, 'polar-ble');
    await expect.poll(() => rows(gateway, 'polar-ble').filter((r) => r.segment === 1).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const segments = rows(gateway, 'polar-ble').map((r) => r.segment);
    expect(segments.indexOf(1)).toBeGreaterThan(0);
    expect(segments.slice(segments.indexOf(1)).every((s) => s === 1)).toBe(true);
    expect(polarRows.every((r, k) => r.windowSeq === k)).toBe(true);
    expect(ble.status().devices[0]).toMatchObject({ state: 'streaming', linkLosses: 1, failedAttempts: 1, connects: 2 });
    // the other device: every window, no errors
    expect(rows(gateway, 'other-mqtt').map((r) => r.windowSeq)).toEqual(Array.from({ length: 45 }, (_, k) => k));
  });
});
