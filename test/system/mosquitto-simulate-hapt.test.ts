// Simulated wearables playing the real HAPT recordings (HAR_DATA_DIR, default ../shared/datasets)
// through a real mosquitto into the ingest: the batches carry the recorded samples (within the
// binary form's half LSB), contiguous per device. Skipped when mosquitto or the data is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { DEFAULT_ACC_SCALE_G, DEFAULT_GYRO_SCALE_RAD_S } from '../../protocol/binary-batch.ts';
import { startSimulatedWearables } from '../../device-sim/wearables/index.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATA_DIR = resolve(REPO, process.env.HAR_DATA_DIR ?? '../shared/datasets');
const HAVE_HAPT = existsSync(join(DATA_DIR, 'hapt', 'HAPT Data Set', 'RawData', 'labels.txt'));
const silent = pino({ level: 'silent' });

async function startMosquitto(): Promise<{ port: number; child: ChildProcess }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const address = probe.address();
  await new Promise<void>((r) => probe.close(() => r()));
  const port = typeof address === 'object' && address ? address.port : 0;
  const dir = mkdtempSync(join(tmpdir(), 'har-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'log_dest none', ...(process.getuid?.() === 0 ? ['user root'] : [])].join('\n') + '\n');
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      await (await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 })).endAsync();
      return { port, child };
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.skipIf(!existsSync(MOSQUITTO) || !HAVE_HAPT)('simulated wearables playing HAPT recordings through mosquitto', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  });

  it('delivers the recorded samples, contiguous per device', async () => {
    const { port, child } = await startMosquitto();
    cleanups.push(async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    });
    const url = `mqtt://127.0.0.1:${port}`;
    const config = validateConfig({ mqtt: { broker: 'external', url, clientId: 'gw-hapt' } });
    const connection = new MqttConnection({ config: config.mqtt, logger: silent });
    const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger: silent });
    const batches: SampleBatch[] = [];
    ingest.batches$.subscribe((b) => batches.push(b));
    await ingest.start();
    await connection.start();
    cleanups.push(() => connection.stop());

    const fleet = await startSimulatedWearables({ url, devices: 3, speed: 20, dataDir: DATA_DIR, idPrefix: 'hapt', logger: silent });
    expect(fleet.source).toBe('hapt');
    await new Promise((r) => setTimeout(r, 1000));
    await fleet.stop();
    await waitFor(() => batches.length === fleet.stats().batches);
    expect(ingest.counters().dropped).toBe(0);

    const { loadHaptExperiments, HAPT_ACTIVITIES } = await import('../../models/datasets/index.ts');
    const first = loadHaptExperiments(DATA_DIR)[0];
    if (!first) throw new Error('no HAPT experiment');
    const device1 = batches.filter((b) => b.deviceId === 'hapt-1');
    expect(device1.length).toBeGreaterThan(10);
    expect(device1.map((b) => b.seq)).toEqual(device1.map((_, i) => i * 25));
    // device 1 plays the first experiment from sample 0
    const accHalfLsb = Math.fround(DEFAULT_ACC_SCALE_G) / 2 + 1e-9;
    const gyroHalfLsb = Math.fround(DEFAULT_GYRO_SCALE_RAD_S) / 2 + 1e-9;
    for (const b of device1) {
      for (let i = 0; i < b.samples; i++) {
        const row = (b.seq + i) * 6;
        for (let a = 0; a < 3; a++) {
          expect(Math.abs((b.acc[i * 3 + a] ?? NaN) - (first.samples[row + a] ?? NaN))).toBeLessThanOrEqual(accHalfLsb);
          expect(Math.abs((b.gyro?.[i * 3 + a] ?? NaN) - (first.samples[row + 3 + a] ?? NaN))).toBeLessThanOrEqual(gyroHalfLsb);
        }
      }
    }
    // ground truth from labels.txt: a HAPT activity name, or null between labelled segments
    expect([null, ...HAPT_ACTIVITIES]).toContain(fleet.activityOf('hapt-1'));
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
