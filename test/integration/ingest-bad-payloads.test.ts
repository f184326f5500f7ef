// Bad payloads mixed into a good stream, over a real embedded aedes broker on port 0: the good
// device's batches come out unchanged and in order, every bad payload is counted under its kind,
// each kind is logged once per device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { MqttIngest, type IngestErrorEvent } from '../../daemon/ingest/mqtt-ingest.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import type { Config } from '../../daemon/config/schema.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { encodeJsonBatch, toJsonBatchPayload } from '../../protocol/json-batch.ts';
import { makeBatch } from '../unit/protocol/make-batch.ts';

const BASE = 'har';
const GOOD = 'good-1';
const BAD = 'bad-1';

interface LogLine {
  msg: string;
  kind?: string;
  deviceId?: string;
}

function mutate(bytes: Uint8Array, edit: (view: DataView) => void): Buffer {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return Buffer.from(copy);
}
const json = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

/** [kind, topic, payload]: each a different kind of bad payload (the BAD device's stream is otherwise fine). */
function badPayloads(): Array<[string, string, Buffer]> {
  const imu = `${BASE}/${BAD}/imu`;
  const ok = makeBatch({ deviceId: BAD, samples: 10, seq: 500 });
  const okBinary = encodeBinaryBatch(ok);
  const okJson = { ...toJsonBatchPayload(ok) } as Record<string, unknown>;
  return [
    ['bad-topic', `${BASE}/bad device!/imu`, Buffer.from(okBinary)],
    ['bad-topic', `${BASE}/${'x'.repeat(80)}/imu`, Buffer.from(okBinary)],
    ['oversized', imu, Buffer.alloc(10 * 1024 * 1024, 0x7b)],
    ['empty', imu, Buffer.alloc(0)],
    ['unknown-format', imu, json('hello')],
    ['invalid-json', imu, json('{"version":1,"seq":')],
    ['not-an-object', imu, json('[1,2,3]')],
    ['missing-field', imu, json({ ...okJson, rateHz: undefined })],
    ['unknown-field', imu, json({ ...okJson, temperatureC: 21 })],
    ['wrong-type', imu, json({ ...okJson, seq: 'five hundred' })],
    ['bad-version', imu, mutate(okBinary, (v) => v.setUint8(2, 9))],
    ['bad-magic', imu, mutate(okBinary, (v) => v.setUint8(1, 0x00))],
    ['bad-flags', imu, mutate(okBinary, (v) => v.setUint8(3, 0xf1))],
    ['truncated', imu, Buffer.from(okBinary.subarray(0, okBinary.length - 7))],
    ['length-mismatch', imu, Buffer.from([...okBinary, 1, 2, 3, 4])],
    ['length-mismatch', imu, json({ ...okJson, gyro: [[0, 0, 0]] })],
    ['non-finite', imu, mutate(okBinary, (v) => v.setFloat64(8, NaN, true))],
    ['non-finite', imu, json('{"version":1,"seq":1,"t0Ms":1e999,"rateHz":50,"acc":[[0,0,1]]}')],
    ['bad-seq', imu, json({ ...okJson, seq: -4 })],
    ['bad-scale', imu, mutate(okBinary, (v) => v.setFloat32(20, -0.001, true))],
    ['bad-rate', imu, mutate(okBinary, (v) => v.setFloat32(16, -50, true))],
    ['bad-sample-count', imu, Buffer.from(encodeBinaryBatch({ ...ok, samples: 0 }))],
    ['bad-timestamp', imu, Buffer.from(encodeJsonBatch({ ...ok, t0Ms: -5 }))],
    ['out-of-range', imu, json({ ...okJson, acc: [[0, 0, 1], [0, 9000, 1], ...((okJson.acc as unknown[]).slice(2))] })],
    // sequence: a valid batch, then its repeat, then an older one
    ['accepted', imu, Buffer.from(okBinary)],
    ['duplicate', imu, Buffer.from(okBinary)],
    ['reordered', imu, Buffer.from(encodeBinaryBatch({ ...ok, seq: 480, samples: 10 }))],
    ['accepted', imu, Buffer.from(encodeBinaryBatch({ ...makeBatch({ deviceId: BAD, samples: 10, seq: 510 }) }))],
    ['wrong-type', `${BASE}/${BAD}/battery`, json('{"percent":"full"}')],
    ['out-of-range', `${BASE}/${BAD}/battery`, json('{"millivolts":-1}')],
    ['accepted-battery', `${BASE}/${BAD}/battery`, json('{"percent":64}')],
  ];
}

describe('ingest over a real aedes broker: bad payloads mixed into a good stream', () => {
  let config: Config;
  let connection: MqttConnection;
  let ingest: MqttIngest;
  let publisher: MqttClient;
  const logs: LogLine[] = [];
  const received: SampleBatch[] = [];
  const errors: IngestErrorEvent[] = [];
  const batteries: unknown[] = [];

  beforeAll(async () => {
    config = validateConfig({ mqtt: { embedded: { port: 0 }, clientId: 'gw-test-bad' } });
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    connection = new MqttConnection({ config: config.mqtt, logger });
    ingest = new MqttIngest({ source: connection, baseTopic: BASE, config: config.ingest, logger });
    ingest.batches$.subscribe((b) => received.push(b));
    ingest.errors$.subscribe((e) => errors.push(e));
    ingest.batteryReports$.subscribe((r) => batteries.push(r));
    await ingest.start();
    await connection.start();
    publisher = await mqtt.connectAsync(connection.brokerUrl, { clientId: 'pub-bad', protocolVersion: 4 });
    await waitFor(() => logs.some((l) => l.msg === 'MQTT connected'));
    await new Promise((r) => setTimeout(r, 100)); // let SUBACK land
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await ingest?.stop();
    await connection?.stop();
  });

  it('keeps the good stream intact and counts each bad payload under its kind', async () => {
    const goodBatches = Array.from({ length: 40 }, (_, i) => makeBatch({ deviceId: GOOD, seq: i * 25, samples: 25 }));
    const bad = badPayloads();
    // interleave: one good batch, then one bad payload, alternating JSON and binary for the good one
    for (let i = 0; i < goodBatches.length; i++) {
      const g = goodBatches[i] as SampleBatch;
      const payload = i % 2 === 0 ? encodeJsonBatch(g) : encodeBinaryBatch(g);
      await publisher.publishAsync(`${BASE}/${GOOD}/imu`, Buffer.from(payload), { qos: 1 });
      const b = bad[i];
      if (b) await publisher.publishAsync(b[1], b[2], { qos: 1 });
    }
    const expectedBad = bad.filter(([k]) => !k.startsWith('accepted'));
    await waitFor(() => received.filter((b) => b.deviceId === GOOD).length === goodBatches.length && errors.length === expectedBad.length);

    // the good device: unchanged and in order (binary ones within half an LSB)
    const good = received.filter((b) => b.deviceId === GOOD);
    expect(good.map((b) => b.seq)).toEqual(goodBatches.map((b) => b.seq));
    good.forEach((b, i) => {
      const want = goodBatches[i] as SampleBatch;
      expect([b.t0Ms, b.rateHz, b.samples]).toEqual([want.t0Ms, want.rateHz, want.samples]);
      for (let k = 0; k < want.acc.length; k++) expect(Math.abs((b.acc[k] ?? NaN) - (want.acc[k] ?? 0))).toBeLessThan(3e-4);
    });
    expect(ingest.counters().devices[GOOD]).toEqual({ batches: 40, samples: 1000, batteryReports: 0, errors: {} });

    // every bad payload counted under its kind
    const wantByKind: Record<string, number> = {};
    for (const [k] of expectedBad) wantByKind[k] = (wantByKind[k] ?? 0) + 1;
    expect(Object.keys(wantByKind).length).toBeGreaterThanOrEqual(20);
    expect(ingest.counters().errorsByKind).toEqual(wantByKind);
    expect(errors.map((e) => e.kind)).toEqual(expectedBad.map(([k]) => k));
    expect(errors.filter((e) => e.kind === 'bad-topic').every((e) => e.deviceId === '?')).toBe(true);

    // the bad device's valid batches still came through, its battery report too
    expect(received.filter((b) => b.deviceId === BAD).map((b) => b.seq)).toEqual([500, 510]);
    expect(batteries).toEqual([expect.objectContaining({ deviceId: BAD, percent: 64, millivolts: null })]);

    // logged once per device and kind
    const dropLogs = logs.filter((l) => l.msg.startsWith('dropped a bad payload'));
    const distinct = new Set(expectedBad.map(([k, topic]) => `${topic.includes('bad device') || topic.includes('xxxx') ? '?' : BAD}/${k}`));
    expect(dropLogs).toHaveLength(distinct.size);
  });

  it('stops counting devices beyond ingest.maxDevices', () => {
    const small = new MqttIngest({
      source: connection,
      baseTopic: BASE,
      config: { ...config.ingest, maxDevices: 2 },
      logger: pino({ level: 'silent' }),
    });
    const out: string[] = [];
    small.batches$.subscribe((b) => out.push(b.deviceId));
    for (const id of ['a', 'b', 'c', 'a']) {
      small.handle({ topic: `${BASE}/${id}/imu`, payload: Buffer.from(encodeBinaryBatch(makeBatch({ samples: 2, seq: id === 'a' && out.includes('a') ? 2 : 0 }))), receivedAtMs: 0 });
    }
    expect(out).toEqual(['a', 'b', 'a']);
    expect(small.counters().errorsByKind).toEqual({ 'too-many-devices': 1 });
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
