// The battery budget inside the running gateway (issue 5, section 3): the embedded aedes broker
// on port 0, MqttConnection + MqttIngest, worker threads running the reference executor on a
// writer-built model whose mode table carries made-up energies, SQLite on a temp file, the
// WebSocket on port 0. Three wearables stream generated signals over a real MQTT client:
//  - `small-a`: a LiPo sized so the budget sits between modes 2 and 3 (feasible, mode 2), then
//    a fuel-gauge report of 20 % makes it infeasible (baseline alone above the budget): mode 0;
//  - `tiny-b`: a battery too small for even the cheapest mode from the start (infeasible, mode 0);
//  - `free-c`: no budget entry: every window at model.threshold, no battery/mode messages.
// The thresholds the pipeline used (prediction rows) must follow the decisions in effect when
// each window was submitted. (The mcu engine end to end: gateway-budget-mcu.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { validateConfig } from '../../daemon/config/load.ts';
import { Gateway } from '../../daemon/gateway.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { gatewayModelFromBytes } from '../../daemon/pipeline/model.ts';
import type { Envelope } from '../../daemon/api/envelopes.ts';
import { batteryEnvelopeSchema, modeEnvelopeSchema, mqttModePayloadSchema, type ModeEnvelope, type MqttModePayload } from '../../daemon/budget/messages.ts';
import { readArtifact } from '../../models/format/read.ts';
import { replaceMetadata } from '../../models/format/write.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { encodeBatteryReport } from '../../protocol/battery-report.ts';
import { batchesOf, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const FULL = 0xffff_ffff;
/** Made-up mode table (cheapest first): thresholds of the test model's early exit, energies in µJ per window. */
const MODES = [
  { threshold: 0, accuracy: 0.8, energyUj: 2 },
  { threshold: 40, accuracy: 0.85, energyUj: 4 },
  { threshold: 120, accuracy: 0.88, energyUj: 6 },
  { threshold: FULL, accuracy: 0.9, energyUj: 8 },
] as const;

function modelWithModeTable(): Uint8Array {
  const bytes = buildTestModel(7, 'budget-test-ee');
  const { metadata } = readArtifact(bytes);
  return replaceMetadata(bytes, {
    ...metadata,
    modes: MODES.map((m, i) => ({ threshold: m.threshold, accuracy: m.accuracy, macroF1: m.accuracy, continueShare: i / (MODES.length - 1), avgMacs: 0, cycles: null, latencyUs: null, energyUj: m.energyUj })),
  });
}

// Window period 64 / 50 Hz = 1.28 s; 30 days = 2,025,000 windows; baseline 10 µW = 12.8 µJ a window.
// small-a: 0.9 x 3.345 mAh x 3.7 V x 3.6e6 = 40.1 J -> 19.8 µJ a window -> 7.0 µJ for the CNN:
// mode 2 (6 µJ) fits, mode 3 (8 µJ) does not. tiny-b: 1 mAh -> 5.9 µJ a window < the baseline.
const BUDGET = {
  classes: {
    lipoBand: { battery: { chemistry: 'lipo', capacityMah: 3.345, baselineUw: 10 }, target: { durationDays: 30 } },
  },
  devices: {
    'small-a': { class: 'lipoBand' },
    'tiny-b': { class: 'lipoBand', battery: { capacityMah: 1 } },
  },
  controller: { minDwellS: 0 },
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DEVICES = ['small-a', 'tiny-b', 'free-c'] as const;
const BATCH_SAMPLES = 64;

describe('Gateway with battery budgets (embedded broker, SQLite, WebSocket)', () => {
  it('runs each device at the mode its budget decides and publishes the decisions over WS, retained MQTT and SQLite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'har-gw-budget-'));
    dirs.push(dataDir);
    const config = validateConfig({
      gateway: { dataDir },
      mqtt: { embedded: { port: 0 }, clientId: 'gw-budget-test' },
      engine: { kind: 'reference', workers: 1 },
      websocket: { port: 0, statsIntervalMs: 0 },
      store: { flushIntervalMs: 20 },
      model: { threshold: FULL },
      budget: BUDGET,
    });
    const logger = pino({ level: 'silent' });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
    const gateway = new Gateway({ config, logger, model: gatewayModelFromBytes(modelWithModeTable()), connection, ingest });
    await gateway.start();
    let client: mqtt.MqttClient | null = null;
    let ws: WebSocket | null = null;
    try {
      ws = new WebSocket(`ws://127.0.0.1:${gateway.websocket!.address().port}/ws`);
      const envelopes: Envelope[] = [];
      ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
      await new Promise((r) => ws!.once('open', r));
      client = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'wearables', protocolVersion: 4 });

      // 640 samples per device = 9 windows of 128 at stride 64, sent in three phases
      const batches = new Map(DEVICES.map((id, i) => [id, batchesOf(id, generatedRecording(i, 640), BATCH_SAMPLES)]));
      const send = async (fromBatch: number, toBatch: number): Promise<void> => {
        for (const id of DEVICES) {
          for (const b of batches.get(id)!.slice(fromBatch, toBatch)) await client!.publishAsync(`har/${id}/imu`, Buffer.from(encodeBinaryBatch(b)), { qos: 1 });
        }
      };
      const modes = (id: string): ModeEnvelope[] => envelopes.filter((e): e is ModeEnvelope => e.type === 'mode' && e.deviceId === id);

      // phase 1: one window each; the first evaluation of a budgeted device happens on its first result
      await send(0, 2);
      await expect.poll(() => gateway.live.predictions(), { timeout: 15_000 }).toBe(3);
      await expect.poll(() => modes('small-a').length + modes('tiny-b').length).toBe(2);
      const startA = modeEnvelopeSchema.parse(modes('small-a')[0]);
      expect(startA).toMatchObject({ trigger: 'start', status: 'feasible', modeIndex: 2, threshold: 120, previousModeIndex: null });
      expect(startA.budgetPerWindowUj).toBeGreaterThan(6 * 1.02);
      expect(startA.budgetPerWindowUj).toBeLessThan(8 * 0.98);
      expect(startA.reason).toMatch(/mode 2/);
      const startB = modeEnvelopeSchema.parse(modes('tiny-b')[0]);
      expect(startB).toMatchObject({ trigger: 'start', status: 'infeasible', modeIndex: 0, threshold: 0 });
      expect(startB.shortfallPerWindowUj).toBeGreaterThan(0);
      expect(startB.reason).toMatch(/baseline/);

      // phase 2: four more windows each, at the decided modes
      await send(2, 6);
      await expect.poll(() => gateway.live.predictions(), { timeout: 15_000 }).toBe(15);

      // a fuel-gauge report of 20 % for small-a (time: its latest window), and a nonsense one (9 V on a LiPo)
      await client.publishAsync('har/small-a/battery', Buffer.from(encodeBatteryReport({ percent: 20, millivolts: null, tMs: null })), { qos: 1 });
      await client.publishAsync('har/small-a/battery', Buffer.from(encodeBatteryReport({ percent: null, millivolts: 9000, tMs: null })), { qos: 1 });
      await client.publishAsync('har/free-c/battery', Buffer.from(encodeBatteryReport({ percent: 50, millivolts: null, tMs: null })), { qos: 1 });
      await expect.poll(() => modes('small-a').length, { timeout: 5000 }).toBe(2);
      const afterReport = modeEnvelopeSchema.parse(modes('small-a')[1]);
      expect(afterReport).toMatchObject({ trigger: 'report', status: 'infeasible', modeIndex: 0, threshold: 0, previousModeIndex: 2 });
      await expect.poll(() => gateway.counters().budget?.reportsRejected).toBe(1);
      await expect.poll(() => gateway.counters().budget?.reportsIgnored).toBe(1); // free-c's report, published last, arrives on its own time
      expect(gateway.counters().budget).toMatchObject({ devicesWithBudget: 2, devicesWithout: 1, reportsAccepted: 1, reportsRejected: 1, reportsIgnored: 1, infeasibleDevices: 2 });
      expect(gateway.counters().errors['battery-rejected']).toBe(1);

      // phase 3: four more windows each
      await send(6, 10);
      await expect.poll(() => gateway.live.predictions(), { timeout: 15_000 }).toBe(27);
      await expect.poll(() => gateway.store.stats().predictionsWritten).toBe(27);

      // the threshold each window ran at: small-a 0 (before any decision), then mode 2, then mode 0 after the report
      const thresholds = (id: string) => gateway.store.predictions(id).map((r) => r.threshold);
      expect(thresholds('small-a')).toEqual([0, 120, 120, 120, 120, 0, 0, 0, 0]);
      expect(thresholds('tiny-b')).toEqual(Array(9).fill(0));
      expect(thresholds('free-c')).toEqual(Array(9).fill(FULL));
      const viaWs = envelopes.filter((e) => e.type === 'prediction' && e.deviceId === 'small-a').map((e) => e.type === 'prediction' && e.threshold);
      expect(viaWs).toEqual(thresholds('small-a'));

      // battery envelopes: valid shapes, only for budgeted devices; after the report small-a's charge follows it
      const battery = envelopes.filter((e) => e.type === 'battery');
      for (const b of battery) batteryEnvelopeSchema.parse(b);
      expect(new Set(battery.map((b) => b.type === 'battery' && b.deviceId))).toEqual(new Set(['small-a', 'tiny-b']));
      const lastA = battery.filter((b) => b.type === 'battery' && b.deviceId === 'small-a').at(-1);
      expect(lastA).toMatchObject({ lastReport: { kind: 'percent', chargePct: 20 } });
      // the rejected report triggers no evaluation; it is counted in the device's estimator (and the stats above)
      expect(gateway.budget?.snapshot().find((d) => d.deviceId === 'small-a')?.charge.rejected.voltageOutOfRange).toBe(1);
      expect(lastA?.type === 'battery' && lastA.chargePct).toBeLessThan(40);

      // SQLite: decision history (changes only) and projections (every evaluation)
      await expect.poll(() => gateway.store.budgetDecisions('small-a').length).toBe(2);
      expect(gateway.store.budgetDecisions('small-a').map((d) => [d.trigger, d.mode_index, d.threshold, d.status, d.changed])).toEqual([
        ['start', 2, 120, 'feasible', 1],
        ['report', 0, 0, 'infeasible', 1],
      ]);
      expect(gateway.store.budgetDecisions('tiny-b').map((d) => [d.trigger, d.mode_index, d.status])).toEqual([['start', 0, 'infeasible']]);
      expect(gateway.store.budgetDecisions('free-c')).toEqual([]);
      const projections = gateway.store.budgetProjections('small-a');
      expect(projections.length).toBeGreaterThanOrEqual(2);
      expect(projections.at(-1)!.charge_fraction).toBeLessThan(0.4);
      expect((JSON.parse(projections.at(-1)!.modes_json) as unknown[]).length).toBe(MODES.length);

      // a new WebSocket client gets the battery state in its snapshot
      const late = new WebSocket(`ws://127.0.0.1:${gateway.websocket!.address().port}/ws`);
      const snapshot = await new Promise<Envelope>((resolve) => late.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Envelope)));
      late.terminate();
      expect(snapshot.type).toBe('snapshot');
      const devices = snapshot.type === 'snapshot' ? snapshot.devices : [];
      expect(devices.find((d) => d.deviceId === 'small-a')).toMatchObject({ mode: { modeIndex: 0, status: 'infeasible' }, battery: { deviceId: 'small-a' } });
      expect(devices.find((d) => d.deviceId === 'free-c')).toMatchObject({ mode: null, battery: null });

      // /health lists the devices that will miss their target, soonest first
      const health = (await (await fetch(`http://127.0.0.1:${gateway.websocket!.address().port}/health`)).json()) as { budgetAtRisk: { deviceId: string; status: string }[] };
      expect(health.budgetAtRisk.map((d) => [d.deviceId, d.status]).sort()).toEqual([
        ['small-a', 'infeasible'],
        ['tiny-b', 'infeasible'],
      ]);

      // MQTT: the latest mode of each budgeted device is retained for a late subscriber
      const sub = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'late-fleet-view', protocolVersion: 4 });
      const retained = new Map<string, { retain: boolean; body: MqttModePayload }>();
      sub.on('message', (topic, payload, packet) => retained.set(topic, { retain: packet.retain, body: mqttModePayloadSchema.parse(JSON.parse(payload.toString())) }));
      await sub.subscribeAsync('har/+/mode', { qos: 1 });
      await expect.poll(() => retained.size).toBe(2);
      await sub.endAsync();
      expect(retained.get('har/small-a/mode')).toMatchObject({ retain: true, body: { deviceId: 'small-a', mode: { index: 0, threshold: 0 }, status: 'infeasible' } });
      expect(retained.get('har/small-a/mode')?.body.projection.chargePct).toBeLessThan(40);
      expect(retained.get('har/tiny-b/mode')).toMatchObject({ retain: true, body: { status: 'infeasible', mode: { index: 0 } } });
      expect(retained.has('har/free-c/mode')).toBe(false);
    } finally {
      ws?.terminate();
      await client?.endAsync().catch(() => undefined);
      await gateway.stop();
    }
  }, 60_000);

  it('runs every device at model.threshold and says why when the model has no measured energies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'har-gw-budget-none-'));
    dirs.push(dataDir);
    const config = validateConfig({
      gateway: { dataDir },
      mqtt: { embedded: { port: 0 }, clientId: 'gw-budget-none' },
      engine: { kind: 'reference', workers: 1 },
      websocket: { enabled: false },
      store: { flushIntervalMs: 20 },
      model: { threshold: 0 },
      budget: { ...BUDGET, defaultClass: 'lipoBand' },
    });
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
    // the test model's table has energyUj null (not measured): the budget must not invent energies
    const gateway = new Gateway({ config, logger, model: gatewayModelFromBytes(buildTestModel()), connection, ingest });
    await gateway.start();
    let client: mqtt.MqttClient | null = null;
    try {
      expect(gateway.budget?.unavailable).toMatch(/no measured energy/);
      expect(warnings.some((w) => w.includes('battery budget unavailable'))).toBe(true);
      client = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'wearables-none', protocolVersion: 4 });
      for (const b of batchesOf('small-a', generatedRecording(0, 256), BATCH_SAMPLES)) await client.publishAsync('har/small-a/imu', Buffer.from(encodeBinaryBatch(b)), { qos: 1 });
      await client.publishAsync('har/small-a/battery', Buffer.from(encodeBatteryReport({ percent: 50, millivolts: null, tMs: null })), { qos: 1 });
      await expect.poll(() => gateway.store.stats().predictionsWritten, { timeout: 15_000 }).toBe(3);
      expect(gateway.store.predictions('small-a').map((r) => r.threshold)).toEqual([0, 0, 0]);
      await expect.poll(() => gateway.counters().budget?.reportsIgnored).toBe(1);
      expect(gateway.counters().budget).toMatchObject({ devicesWithBudget: 0, modeChanges: 0 });
      expect(gateway.store.budgetDecisions()).toEqual([]);
    } finally {
      await client?.endAsync().catch(() => undefined);
      await gateway.stop();
    }
  }, 60_000);
});
