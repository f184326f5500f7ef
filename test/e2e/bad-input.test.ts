// End to end, bad input: 23 kinds of bad payloads are mixed into a good device's stream over
// MQTT. The daemon keeps running, the good device's predictions are exactly those of a clean
// run (the reference executor on the same windows), and every bad payload is counted under its
// device and kind — in SQLite and in the WebSocket stats.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Envelope, StatsEnvelope } from '../../daemon/api/envelopes.ts';
import { readArtifact } from '../../models/format/read.ts';
import { quantizeWindow } from '../../models/quantize.ts';
import { createReferenceEngine } from '../../models/reference/executor.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { encodeJsonBatch } from '../../protocol/json-batch.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { startDaemon, type DaemonProcess } from '../unit/daemon/pipeline/fixtures/daemon-process.ts';
import { batchesOf, expectedWindows, generatedRecording } from '../unit/daemon/pipeline/fixtures/signals.ts';
import { TEST_MODEL_SCALE, buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const GOOD = 'good-1';
const OTHER = 'other-2';
const SAMPLES = 1280; // 19 windows of 128 at stride 64
const BATCH = 25;

interface BadPayload {
  readonly kind: string;
  readonly topic: string;
  /** Device the count belongs to ('?' when the topic names no valid device). */
  readonly device: string;
  readonly payload: Buffer;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const goodJson = (seq: number) => ({ version: 1, seq, t0Ms: 1_732_000_000_000, rateHz: 50, acc: [[0, 0, 1], [0, 0.1, 1]], gyro: [[0, 0, 0], [0.1, 0, 0]] });

function binary(mutate: (view: DataView, bytes: Uint8Array) => Uint8Array | void): Buffer {
  const batch: Omit<SampleBatch, 'deviceId'> = { seq: 0, t0Ms: 1_732_000_000_000, rateHz: 50, samples: 2, acc: new Float64Array([0, 0, 1, 0, 0, 1]), gyro: new Float64Array(6) };
  const bytes = encodeBinaryBatch(batch);
  const out = mutate(new DataView(bytes.buffer), bytes) ?? bytes;
  return Buffer.from(out);
}

/** Bad payloads on the good device's topic (none may touch its stream) and on another device's. */
function badPayloads(goodBatches: readonly SampleBatch[]): BadPayload[] {
  const on = (device: string, kind: string, payload: Buffer): BadPayload => ({ kind, topic: `har/${device}/imu`, device, payload });
  const g = (kind: string, payload: Buffer) => on(GOOD, kind, payload);
  const o = (kind: string, payload: Buffer) => on(OTHER, kind, payload);
  const { seq, ...row } = goodJson(0);
  void seq;
  return [
    g('empty', Buffer.alloc(0)),
    g('unknown-format', Buffer.from('hello, gateway')),
    g('invalid-json', Buffer.from('{"version":1,"seq":0,"t0Ms":0,"rateHz":50,"acc":[[NaN,0,1]]}')), // a NaN literal
    o('invalid-json', Buffer.from('{"version":1,"seq":')), // truncated JSON
    g('not-an-object', Buffer.from('[1,2,3]')),
    g('missing-field', json(row)),
    g('unknown-field', json({ ...goodJson(0), battery: 80 })),
    g('wrong-type', json({ ...goodJson(0), acc: [[0, '0', 1], [0, 0, 1]] })),
    g('bad-version', json({ ...goodJson(0), version: 2 })),
    g('bad-magic', binary((_v, b) => ((b[1] = 0x58), b))),
    g('bad-flags', binary((v) => v.setUint8(3, 0x81))),
    g('truncated', binary((_v, b) => b.subarray(0, 40))),
    o('truncated', binary((_v, b) => b.subarray(0, 20))),
    g('length-mismatch', binary((_v, b) => Uint8Array.from([...b, 0, 0]))),
    g('non-finite', binary((v) => v.setFloat32(16, Number.NaN, true))), // NaN rate
    o('non-finite', Buffer.from('{"version":1,"seq":0,"t0Ms":0,"rateHz":50,"acc":[[1e999,0,1]]}')), // Infinity
    g('bad-seq', json({ ...goodJson(0), seq: -1 })),
    g('bad-scale', binary((v) => v.setFloat32(20, 0, true))),
    g('bad-rate', json({ ...goodJson(0), rateHz: -50 })), // negative rate
    o('bad-rate', binary((v) => v.setFloat32(16, 5000, true))),
    g('bad-sample-count', json({ ...goodJson(0), acc: [], gyro: [] })),
    g('bad-timestamp', json({ ...goodJson(0), t0Ms: 1.7e15 })), // microseconds by mistake
    g('out-of-range', json({ ...goodJson(0), acc: [[0, 0, 1e6], [0, 0, 1]] })),
    g('oversized', Buffer.alloc(10 * 1024 * 1024, 0x7b)), // 10 MB
    { kind: 'bad-topic', topic: 'har/bad.device!/imu', device: '?', payload: json(goodJson(0)) },
    { kind: 'bad-topic', topic: 'har/gateway/imu', device: '?', payload: json(goodJson(0)) },
    // sequence faults on the good device: an exact duplicate of a batch already sent, and a late batch
    g('duplicate', Buffer.from(encodeJsonBatch(goodBatches[2]!))),
    g('reordered', Buffer.from(encodeJsonBatch({ ...goodBatches[1]!, seq: goodBatches[1]!.seq + 5, samples: 10, acc: goodBatches[1]!.acc.slice(15, 45), gyro: goodBatches[1]!.gyro!.slice(15, 45) }))),
  ];
}

describe('daemon with bad input (spawned CLI)', () => {
  let daemon: DaemonProcess;
  beforeAll(async () => {
    daemon = await startDaemon();
  }, 30_000);
  afterAll(() => daemon?.cleanup());

  it('keeps running, predicts the good device unchanged and counts every bad payload under its kind', async () => {
    const ws = new WebSocket(daemon.wsUrl);
    const envelopes: Envelope[] = [];
    ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const client = await mqtt.connectAsync(daemon.mqttUrl, { clientId: 'bad-input-publisher', protocolVersion: 4 });

    const recording = generatedRecording(5, SAMPLES);
    const good = batchesOf(GOOD, recording, BATCH);
    const bad = badPayloads(good);
    // good batch k, then (from batch 4 on) one bad payload, in publish order on one connection
    let next = 0;
    for (const [k, batch] of good.entries()) {
      await client.publishAsync(`har/${GOOD}/imu`, Buffer.from(encodeJsonBatch(batch)), { qos: 1 });
      if (k >= 4 && next < bad.length) {
        const b = bad[next++]!;
        await client.publishAsync(b.topic, b.payload, { qos: 1 });
      }
    }
    expect(next).toBe(bad.length); // all were mixed in
    const windows = Math.floor((SAMPLES - 128) / 64) + 1;
    await expect.poll(() => envelopes.filter((e) => e.type === 'prediction').length, { timeout: 20_000 }).toBe(windows);

    // the good device: exactly the clean run's predictions
    const engine = createReferenceEngine(readArtifact(buildTestModel()));
    const expected = expectedWindows(recording, 128, 64).map((w, k) => {
      const r = engine.run(quantizeWindow(w, TEST_MODEL_SCALE), 0xffffffff);
      return [k, r.classIndex, [...r.scores], r.margin];
    });
    const predicted = envelopes.filter((e) => e.type === 'prediction').map((e) => e.type === 'prediction' && [e.windowSeq, e.classIndex, e.scores, e.margin]);
    expect(predicted).toEqual(expected);

    // every bad payload counted under its device and kind
    const expectedCounts = new Map<string, number>();
    for (const b of bad) expectedCounts.set(`${b.device}|${b.kind}`, (expectedCounts.get(`${b.device}|${b.kind}`) ?? 0) + 1);
    const kinds = new Set(bad.map((b) => b.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(20);
    const totals: Record<string, number> = {};
    for (const b of bad) totals[b.kind] = (totals[b.kind] ?? 0) + 1;
    await expect.poll(() => envelopes.findLast((e): e is StatsEnvelope => e.type === 'stats')?.errors, { timeout: 5000 }).toEqual(totals);

    const health = (await (await fetch(daemon.wsUrl.replace('ws://', 'http://').replace(/\/ws$/, '/health'))).json()) as { status: string; predictions: number };
    expect(health).toMatchObject({ status: 'ok', predictions: windows });

    const { code } = await daemon.stop();
    expect(code).toBe(0);
    ws.terminate();
    await client.endAsync();
    const db = new Database(join(daemon.dataDir, 'har-gateway.db'), { readonly: true });
    const rows = db.prepare('SELECT device_id, kind, count FROM ingest_errors').all() as Array<{ device_id: string; kind: string; count: number }>;
    db.close();
    expect(new Map(rows.map((r) => [`${r.device_id}|${r.kind}`, r.count]))).toEqual(expectedCounts);
  });
});
