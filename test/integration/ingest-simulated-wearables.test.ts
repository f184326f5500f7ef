// Simulated wearables in-process against the embedded broker and the ingest: the synthetic
// signal's documented properties, both payload forms, per-device connections, accelerometer-only
// devices, and the fallback to synthetic signals when the data folder has no recordings.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { ACTIVITY_PROFILES, SEGMENT_SECONDS, createSyntheticSource, startSimulatedWearables } from '../../device-sim/wearables/index.ts';
import { createRecordingSource, type RecordingSet } from '../../device-sim/wearables/recordings.ts';

const silent = pino({ level: 'silent' });

describe('synthetic signal', () => {
  const read = (seed: number, first: number, count: number): { acc: Float64Array; gyro: Float64Array } => {
    const acc = new Float64Array(count * 3);
    const gyro = new Float64Array(count * 3);
    createSyntheticSource({ seed }).read(first, count, acc, gyro);
    return { acc, gyro };
  };

  it('is reproducible for any sample range and differs between seeds', () => {
    const whole = read(3, 0, 100);
    const part = read(3, 40, 20);
    expect(Array.from(part.acc)).toEqual(Array.from(whole.acc.subarray(120, 180)));
    expect(Array.from(part.gyro)).toEqual(Array.from(whole.gyro.subarray(120, 180)));
    expect(Array.from(read(4, 0, 100).acc)).not.toEqual(Array.from(whole.acc));
  });

  it('has gravity of about 1 g and the documented step rhythm while walking, none at rest', () => {
    const segment = SEGMENT_SECONDS * 50;
    const walking = read(1, 0, segment); // activity 0: WALKING
    const standing = read(1, 4 * segment, segment); // activity 4: STANDING
    const mean = (a: Float64Array, axis: number): number => {
      let s = 0;
      for (let i = axis; i < a.length; i += 3) s += a[i] ?? 0;
      return s / (a.length / 3);
    };
    const std = (a: Float64Array, axis: number): number => {
      const m = mean(a, axis);
      let s = 0;
      for (let i = axis; i < a.length; i += 3) s += ((a[i] ?? 0) - m) ** 2;
      return Math.sqrt(s / (a.length / 3));
    };
    expect(mean(standing.acc, 0)).toBeCloseTo(1, 2);
    expect(std(standing.acc, 0)).toBeLessThan(0.02);
    expect(std(walking.acc, 0)).toBeGreaterThan(0.15);
    // dominant period of the vertical axis: autocorrelation peak near 50 / 1.9 = 26 samples
    const x = Array.from({ length: segment }, (_, i) => (walking.acc[i * 3] ?? 0) - mean(walking.acc, 0));
    let bestLag = 0;
    let best = -Infinity;
    for (let lag = 15; lag <= 40; lag++) {
      let s = 0;
      for (let i = 0; i + lag < x.length; i++) s += (x[i] ?? 0) * (x[i + lag] ?? 0);
      if (s > best) [best, bestLag] = [s, lag];
    }
    expect(bestLag).toBeGreaterThanOrEqual(25);
    expect(bestLag).toBeLessThanOrEqual(28);
    const source = createSyntheticSource({ seed: 1, firstActivity: 2 });
    expect(source.activityAt(0)).toBe(ACTIVITY_PROFILES[2]?.name);
    expect(source.activityAt(segment)).toBe(ACTIVITY_PROFILES[3]?.name);
  });
});

describe('recording source', () => {
  it('plays an experiment from its start sample, loops, and labels from the segments', () => {
    const samples = Float64Array.from({ length: 4 * 6 }, (_, i) => i); // 4 generated samples
    const set: RecordingSet = {
      experiments: [{ experiment: 9, user: 5, rateHz: 50, sampleCount: 4, samples, segments: [{ activityId: 2, startSample: 1, endSample: 3 }] }],
      activityNames: ['A', 'B'],
    };
    const src = createRecordingSource(set, 0, 2);
    const acc = new Float64Array(9);
    const gyro = new Float64Array(9);
    src.read(0, 3, acc, gyro); // samples 2, 3, 0
    expect(Array.from(acc)).toEqual([12, 13, 14, 18, 19, 20, 0, 1, 2]);
    expect(Array.from(gyro)).toEqual([15, 16, 17, 21, 22, 23, 3, 4, 5]);
    expect([src.activityAt(0), src.activityAt(1), src.activityAt(3)]).toEqual(['B', null, 'B']);
    expect(src.description).toBe('hapt exp 9 user 5');
  });
});

describe('simulated wearables into the ingest', () => {
  const config = validateConfig({ mqtt: { embedded: { port: 0 }, clientId: 'gw-sim-int' } });
  const connection = new MqttConnection({ config: config.mqtt, logger: silent });
  const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger: silent });
  const batches: SampleBatch[] = [];
  let batteryReports = 0;

  beforeAll(async () => {
    ingest.batches$.subscribe((b) => batches.push(b));
    ingest.batteryReports$.subscribe(() => batteryReports++);
    await ingest.start();
    await connection.start();
  });
  afterAll(async () => {
    await ingest.stop();
    await connection.stop();
  });

  it.each([
    ['binary', 'shared', false],
    ['json', 'per-device', true],
  ] as const)('%s over %s connections (acc only: %s): every batch arrives, contiguous per device', async (format, conn, accOnly) => {
    const prefix = `${format}-${conn}`;
    const emptyDataDir = mkdtempSync(join(tmpdir(), 'no-hapt-'));
    const fleet = await startSimulatedWearables({
      url: connection.brokerUrl,
      devices: 4,
      speed: 20,
      format,
      connection: conn,
      accOnly,
      dataDir: emptyDataDir, // no recordings there: falls back to synthetic
      idPrefix: prefix,
      batteryIntervalS: 2,
      logger: silent,
    });
    expect(fleet.source).toBe('synthetic');
    expect(fleet.deviceIds).toEqual([1, 2, 3, 4].map((k) => `${prefix}-${k}`));
    await new Promise((r) => setTimeout(r, 600));
    await fleet.stop();
    const stats = fleet.stats();
    expect(stats.publishErrors).toBe(0);
    expect(stats.batches).toBeGreaterThanOrEqual(4 * 15); // 0.6 s x 20 = 12 s of data = 24 batches each
    await waitFor(() => batches.filter((b) => b.deviceId.startsWith(prefix)).length === stats.batches);
    for (const id of fleet.deviceIds) {
      const mine = batches.filter((b) => b.deviceId === id);
      expect(mine.map((b) => b.seq)).toEqual(mine.map((_, i) => i * 25));
      expect(mine.every((b) => (b.gyro === null) === accOnly)).toBe(true);
    }
    expect(fleet.activityOf(`${prefix}-1`)).toBe('WALKING');
    expect(batteryReports).toBeGreaterThan(0);
    expect(ingest.counters().dropped).toBe(0);
  });

  it('stops by itself after durationS', async () => {
    const fleet = await startSimulatedWearables({ url: connection.brokerUrl, devices: 1, durationS: 0.3, dataDir: null, idPrefix: 'short', logger: silent });
    const started = Date.now();
    await fleet.done;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fleet.stats().batches).toBeGreaterThan(0);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
