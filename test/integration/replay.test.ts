// The replay through real parts in-process: a Gateway with worker threads running the reference
// executor on a writer-built test model, SQLite on a temp folder; `mqtt` through the embedded
// aedes broker on port 0 and MqttIngest. Data: generated signals (never dataset windows).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
import type { WindowResult } from '../../daemon/pipeline/pipeline.ts';
import { replay } from '../../daemon/replay/replay.ts';
import { windowsOf } from '../../daemon/replay/flow-control.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { formatCsvRecording } from '../../models/datasets/csv.ts';
import { batchesOf, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { buildTestModel, TEST_MODEL_CLASSES } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'har-replay-it-'));
  dirs.push(d);
  return d;
};
const logger = pino({ level: 'silent' });
const model = gatewayModelFromBytes(buildTestModel());

/** A labelled CSV of generated signals: the first half WALKING, the second LAYING. */
function writeCsv(dir: string, name: string, deviceIndex: number, samples: number): string {
  const rec = generatedRecording(deviceIndex, samples);
  const rows = Array.from({ length: samples }, (_, i) => i);
  const text = formatCsvRecording({
    timestampsS: Float64Array.from(rows, (i) => i / rec.rateHz),
    channels: ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'],
    units: ['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s'],
    samples: Float64Array.from(rows.flatMap((i) => [rec.acc[i * 3]!, rec.acc[i * 3 + 1]!, rec.acc[i * 3 + 2]!, rec.gyro[i * 3]!, rec.gyro[i * 3 + 1]!, rec.gyro[i * 3 + 2]!])),
    labels: rows.map((i) => (i < samples / 2 ? TEST_MODEL_CLASSES[0]! : TEST_MODEL_CLASSES[5]!)),
  });
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, text);
  return path;
}

const key = (r: { deviceId: string; windowSeq: number; classIndex: number; scores: readonly number[]; margin: number }): string => `${r.deviceId}#${r.windowSeq}:${r.classIndex}:${r.margin}:${r.scores.join(',')}`;

describe('replay (in-process gateway)', () => {
  it('direct and mqtt give the same predictions for every window, none lost, and a broken source is skipped and reported', async () => {
    const dir = tempDir();
    const a = writeCsv(dir, 'wrist-a', 1, 1600);
    const b = writeCsv(dir, 'wrist-b', 2, 1000);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'timestamp[s],acc_x[g],acc_y[g],acc_z[g]\n0,0.1,0.2,0.3\n0.02,0.1,oops,0.3\n');
    const config = validateConfig({ mqtt: { embedded: { port: 0 } }, store: { flushIntervalMs: 20 } });
    const common = { sources: [a, broken, b], dataDir: dir, model, config, speed: 'max' as const, logger };
    const direct = await replay({ ...common, via: 'direct' });
    const viaMqtt = await replay({ ...common, via: 'mqtt' });

    for (const { report } of [direct, viaMqtt]) {
      expect(report.recordings.map((r) => r.name)).toEqual(['wrist-a', 'wrist-b']);
      expect(report.recordings.map((r) => r.windows)).toEqual([windowsOf(1600, 128, 64), windowsOf(1000, 128, 64)]);
      expect(report.overall.windowsDropped).toBe(0);
      expect(report.unsettledWindows).toBe(0);
      expect(report.flowStalls).toBe(0);
      expect(report.skipped).toHaveLength(1);
      expect(report.skipped[0]!.error).toMatch(/broken\.csv:3/);
      // windows straddling the label change are not scored; the rest are
      const labelled = report.recordings[0]!.scoredWindows;
      expect(labelled).toBeGreaterThan(0);
      expect(labelled).toBeLessThan(report.recordings[0]!.windows);
      expect(report.overall.confusion.flat().reduce((s, n) => s + n, 0)).toBe(report.overall.scoredWindows);
    }
    const timeline = (o: typeof direct): string[] => o.report.recordings.flatMap((r) => r.timeline.map((t) => `${r.name}#${t.windowSeq}:${t.predicted}:${t.exitTaken}`));
    expect(timeline(viaMqtt)).toEqual(timeline(direct));
    expect(viaMqtt.report.overall.confusion).toEqual(direct.report.overall.confusion);
    expect(viaMqtt.report.overall.accuracy).toBe(direct.report.overall.accuracy);
  }, 60_000);

  it('a live session recorded with gateway.record replays bit for bit: the same predictions as live', async () => {
    const dataDir = tempDir();
    const config = validateConfig({ gateway: { dataDir, record: ['wrist-7', 'wrist-8'] }, mqtt: { embedded: { port: 0 }, clientId: 'gw-rec' }, websocket: { enabled: false }, store: { flushIntervalMs: 20 } });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
    const gateway = new Gateway({ config, logger, model, connection, ingest });
    const live: WindowResult[] = [];
    gateway.pipeline.results$.subscribe((r) => live.push(r));
    await gateway.start();
    const client = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'wearables', protocolVersion: 4 });
    try {
      // binary payloads (int16: the recording keeps the decoded float64 values exactly), a gap in wrist-8
      for (const [id, index] of [['wrist-7', 7], ['wrist-8', 8], ['wrist-9', 9]] as const) {
        const batches = batchesOf(id, generatedRecording(index, 700), 25).filter((_, k) => !(id === 'wrist-8' && k === 10));
        for (const batch of batches) await client.publishAsync(`har/${id}/imu`, Buffer.from(encodeBinaryBatch(batch)), { qos: 1 });
      }
      // 700 samples: 9 windows; wrist-8 lost 25 samples (> maxGapFillSamples): 250 + 425 samples, 2 + 5 windows
      await expect.poll(() => live.length, { timeout: 15_000 }).toBe(9 + 7 + 9);
    } finally {
      await client.endAsync();
      await gateway.stop();
    }
    const sessions = readdirSync(join(dataDir, 'recordings'));
    expect(sessions).toHaveLength(1);
    const session = join(dataDir, 'recordings', sessions[0]!);
    expect(readdirSync(session).sort()).toEqual(['index.json', 'wrist-7.hrec', 'wrist-8.hrec']);

    const { report, recordings, run } = await replay({ sources: [session], dataDir, model, config: validateConfig({}), via: 'direct', speed: 'max', logger });
    expect(recordings.map((r) => r.deviceId).sort()).toEqual(['wrist-7', 'wrist-8']);
    const liveRecorded = live.filter((r) => r.deviceId !== 'wrist-9');
    expect(report.overall.windows).toBe(liveRecorded.length);
    // the gap in wrist-8 is seen again, the same way
    expect(report.recordings.find((r) => r.deviceId === 'wrist-8')!.streamEvents['gap-restart']).toBe(1);
    const replayed = [...run.devices.values()].flatMap((d) => d.results.map(key)).sort();
    expect(replayed).toEqual(liveRecorded.map(key).sort());
  }, 60_000);
});
