// End to end: the real CLI as a child process. A generated recording is published over MQTT;
// the predictions in SQLite and over the WebSocket must equal the reference executor run
// directly on the same windows, window for window. SIGTERM must exit 0 within 5 s with
// `offline` published.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Envelope } from '../../daemon/api/envelopes.ts';
import { readArtifact } from '../../models/format/read.ts';
import { quantizeWindow } from '../../models/quantize.ts';
import { createReferenceEngine } from '../../models/reference/executor.ts';
import { encodeJsonBatch } from '../../protocol/json-batch.ts';
import { startDaemon, type DaemonProcess } from '../unit/daemon/pipeline/fixtures/daemon-process.ts';
import { batchesOf, expectedWindows, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { TEST_MODEL_CLASSES, TEST_MODEL_SCALE, buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const DEVICES = ['wrist-e2e-1', 'waist-e2e-2'];
const SAMPLES = 640; // 9 windows of 128 at stride 64

describe('daemon (spawned CLI)', () => {
  let daemon: DaemonProcess;
  beforeAll(async () => {
    daemon = await startDaemon();
  }, 30_000);
  afterAll(() => daemon?.cleanup());

  it('predicts exactly what the reference executor predicts on the same windows, in SQLite and over the WebSocket; SIGTERM exits 0 within 5 s with offline published', async () => {
    const ws = new WebSocket(daemon.wsUrl);
    const envelopes: Envelope[] = [];
    ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
    await new Promise((r, j) => ws.once('open', r).once('error', j));

    const client = await mqtt.connectAsync(daemon.mqttUrl, { clientId: 'e2e-publisher', protocolVersion: 4 });
    const states: string[] = [];
    const activity = new Map<string, number>();
    client.on('message', (topic, payload) => {
      if (topic === 'har/gateway/state') states.push(payload.toString());
      else if (topic.endsWith('/activity')) activity.set(topic, (activity.get(topic) ?? 0) + 1);
    });
    await client.subscribeAsync(['har/gateway/state', 'har/+/activity'], { qos: 1 });

    for (const [i, deviceId] of DEVICES.entries()) {
      for (const batch of batchesOf(deviceId, generatedRecording(i, SAMPLES), 25)) {
        await client.publishAsync(`har/${deviceId}/imu`, Buffer.from(encodeJsonBatch(batch)), { qos: 1 });
      }
    }
    const windowsPerDevice = Math.floor((SAMPLES - 128) / 64) + 1;
    await expect.poll(() => envelopes.filter((e) => e.type === 'prediction').length, { timeout: 20_000 }).toBe(DEVICES.length * windowsPerDevice);

    const engine = createReferenceEngine(readArtifact(buildTestModel()));
    const expected = new Map(
      DEVICES.map((deviceId, i) => [
        deviceId,
        expectedWindows(generatedRecording(i, SAMPLES), 128, 64).map((w, k) => {
          const r = engine.run(quantizeWindow(w, TEST_MODEL_SCALE), 0xffffffff);
          return { windowSeq: k, startSample: k * 64, classIndex: r.classIndex, className: TEST_MODEL_CLASSES[r.classIndex], scores: [...r.scores], margin: r.margin, exitTaken: r.exitTaken, macs: r.macs };
        }),
      ]),
    );
    for (const deviceId of DEVICES) {
      const viaWs = envelopes
        .filter((e) => e.type === 'prediction' && e.deviceId === deviceId)
        .map((e) => e.type === 'prediction' && { windowSeq: e.windowSeq, startSample: e.startSample, classIndex: e.classIndex, className: e.className, scores: e.scores, margin: e.margin, exitTaken: e.exitTaken, macs: e.macs });
      expect(viaWs).toEqual(expected.get(deviceId));
    }
    await expect.poll(() => [...activity.values()].reduce((a, b) => a + b, 0), { timeout: 5000 }).toBeGreaterThanOrEqual(DEVICES.length);

    const { code, signal, elapsedMs } = await daemon.stop();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(elapsedMs).toBeLessThan(5000);
    await expect.poll(() => states.at(-1), { timeout: 3000 }).toBe('offline');
    ws.terminate();
    await client.endAsync();

    const db = new Database(join(daemon.dataDir, 'har-gateway.db'), { readonly: true });
    for (const deviceId of DEVICES) {
      const rows = db
        .prepare('SELECT window_seq, start_sample, class_index, class_name, scores, margin, exit_taken, macs FROM predictions WHERE device_id = ? ORDER BY window_seq')
        .all(deviceId) as Array<{ window_seq: number; start_sample: number; class_index: number; class_name: string; scores: string; margin: number; exit_taken: number; macs: number }>;
      expect(
        rows.map((r) => ({ windowSeq: r.window_seq, startSample: r.start_sample, classIndex: r.class_index, className: r.class_name, scores: JSON.parse(r.scores) as number[], margin: r.margin, exitTaken: r.exit_taken, macs: r.macs })),
      ).toEqual(expected.get(deviceId));
    }
    db.close();
  });
});
