// MqttConnection + MqttIngest against a real mosquitto (Debian's /usr/sbin/mosquitto), started
// by the test in the foreground on a free loopback port with persistence in a temp folder.
// Killing and restarting the broker mid-stream: the connection resumes within 5 s, the stream
// continues without gaps, and QoS 1 messages the broker queued for the gateway's persistent
// session (while it was away, across a broker restart) are delivered.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { createSyntheticSource } from '../../device-sim/wearables/synthetic.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const BATCH = 25;
const logger = pino({ level: process.env.HAR_TEST_LOG ?? 'silent' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

class Mosquitto {
  private child: ChildProcess | null = null;
  readonly conf: string;
  readonly port: number;
  constructor(port: number) {
    this.port = port;
    const dir = mkdtempSync(join(tmpdir(), 'har-mosquitto-'));
    this.conf = join(dir, 'mosquitto.conf');
    const lines = [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 10000',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ];
    if (process.getuid?.() === 0) lines.push('user root'); // NOTES.md: as root it would switch to `mosquitto`
    writeFileSync(this.conf, `${lines.join('\n')}\n`);
  }

  async start(): Promise<void> {
    this.child = spawn(MOSQUITTO, ['-c', this.conf], { stdio: ['ignore', 'ignore', 'inherit'] });
    // ready when a real MQTT connect succeeds (NOTES.md)
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${this.port}`, { reconnectPeriod: 0, connectTimeout: 500, protocolVersion: 4 });
        await probe.endAsync();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(50);
      }
    }
  }

  /** SIGTERM: mosquitto writes its persistence file and exits. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }
}

function batchPayload(source: ReturnType<typeof createSyntheticSource>, index: number, t0: number): Buffer {
  const acc = new Float64Array(BATCH * 3);
  const gyro = new Float64Array(BATCH * 3);
  source.read(index * BATCH, BATCH, acc, gyro);
  const bytes = encodeBinaryBatch({ seq: index * BATCH, t0Ms: t0 + index * 500, rateHz: 50, samples: BATCH, acc, gyro });
  return Buffer.from(bytes);
}

describe.skipIf(!existsSync(MOSQUITTO))('interop with a real mosquitto', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  });

  it('resumes within 5 s after a broker restart mid-stream and delivers what the broker kept', async () => {
    const broker = new Mosquitto(await freePort());
    await broker.start();
    cleanups.push(() => broker.stop());
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const config = validateConfig({
      mqtt: { broker: 'external', url, clientId: 'har-gw-interop', reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } },
    });

    const received: SampleBatch[] = [];
    const startGateway = async (): Promise<{ connection: MqttConnection; ingest: MqttIngest }> => {
      const connection = new MqttConnection({ config: config.mqtt, logger });
      const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger });
      ingest.batches$.subscribe((b) => received.push(b));
      await ingest.start(); // before the connection: queued messages may arrive at once
      await connection.start();
      return { connection, ingest };
    };
    let gw = await startGateway();
    cleanups.push(() => gw.connection.stop());
    expect(gw.connection.currentState).toBe('online');

    // a wearable publishing QoS 1 with its own persistent session
    const publisher: MqttClient = await mqtt.connectAsync(url, { clientId: 'wearable-1', clean: false, protocolVersion: 4, reconnectPeriod: 200 });
    cleanups.push(() => publisher.endAsync());
    const source = createSyntheticSource({ seed: 7 });
    const t0 = Date.UTC(2026, 0, 1);
    let next = 0;
    const publishOne = (): void => {
      publisher.publish('har/wearable-1/imu', batchPayload(source, next, t0), { qos: 1 });
      next++;
    };

    // 1. steady stream
    const timer = setInterval(publishOne, 20);
    await waitFor(() => received.length >= 30);

    // 2. the broker dies mid-stream and comes back: the wearable keeps producing meanwhile
    await broker.stop('SIGTERM');
    await waitFor(() => gw.connection.currentState === 'offline');
    await sleep(1500);
    await broker.start();
    const restartedAt = Date.now();
    await waitFor(() => gw.connection.currentState === 'online', 5000);
    const resumeMs = Date.now() - restartedAt;
    expect(resumeMs).toBeLessThan(5000);
    await sleep(1000);
    clearInterval(timer);
    const published = next;
    await waitFor(() => received.length >= published, 10_000).catch(() => undefined);
    // the broker kept both persistent sessions (the gateway's subscription included); the
    // wearable's client resends what was not acknowledged and what it queued while offline:
    // nothing is missing, nothing repeated
    expect(received.map((b) => b.seq)).toEqual(Array.from({ length: published }, (_, i) => i * BATCH));

    // 3. the gateway goes away; the broker queues for its persistent session, is restarted
    //    (SIGTERM: it saves its state), and the gateway comes back: the queue is delivered
    await gw.ingest.stop();
    await gw.connection.stop();
    received.length = 0;
    const queuedFrom = next;
    for (let i = 0; i < 40; i++) publishOne();
    await sleep(300); // acknowledged by the broker
    await broker.stop('SIGTERM');
    await broker.start();
    await waitFor(() => publisher.connected, 5000);
    gw = await startGateway();
    await waitFor(() => received.length >= 40, 10_000).catch(() => undefined);
    expect(received.map((b) => b.seq)).toEqual(Array.from({ length: 40 }, (_, i) => (queuedFrom + i) * BATCH));
    expect(gw.ingest.counters().dropped).toBe(0);
    process.stdout.write(`mosquitto interop: resumed ${resumeMs} ms after the broker restart\n`);
  });

  it('after a crash that loses the broker state (SIGKILL, no save) it resubscribes and the stream resumes', async () => {
    const broker = new Mosquitto(await freePort());
    await broker.start();
    cleanups.push(() => broker.stop());
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const config = validateConfig({ mqtt: { broker: 'external', url, clientId: 'har-gw-crash', reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } } });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger });
    const received: SampleBatch[] = [];
    ingest.batches$.subscribe((b) => received.push(b));
    await ingest.start();
    await connection.start();
    cleanups.push(() => connection.stop());
    const publisher: MqttClient = await mqtt.connectAsync(url, { clientId: 'wearable-2', clean: true, protocolVersion: 4, reconnectPeriod: 200 });
    cleanups.push(() => publisher.endAsync());
    const source = createSyntheticSource({ seed: 8 });
    let next = 0;
    const timer = setInterval(() => {
      if (publisher.connected) publisher.publish('har/wearable-2/imu', batchPayload(source, next++, 0), { qos: 1 });
    }, 20);
    cleanups.push(() => Promise.resolve(clearInterval(timer)));
    await waitFor(() => received.length >= 20);
    await broker.stop('SIGKILL');
    await waitFor(() => connection.currentState === 'offline');
    const before = received.length;
    await broker.start(); // empty: no sessions, no subscriptions
    const restartedAt = Date.now();
    await waitFor(() => connection.currentState === 'online', 5000);
    expect(Date.now() - restartedAt).toBeLessThan(5000);
    await waitFor(() => received.length >= before + 20, 5000);
    clearInterval(timer);
    const seqs = received.map((b) => b.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // still in order; a gap is allowed
    expect(ingest.counters().dropped).toBe(0);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await sleep(20);
  }
}
