// MqttConnection against real aedes brokers in-process: the embedded one (port 0), and a
// standalone one used as an "external" broker so it can outlive, lose and restart under the
// connection (reconnect with backoff, persistent session, retained state and last will).
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { firstValueFrom, filter, take, toArray, timeout } from 'rxjs';
import { MqttConnection, type InboundMessage } from '../../daemon/mqtt/connection.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import { startSimulatedWearables } from '../../device-sim/wearables/index.ts';

const silent = pino({ level: 'silent' });

interface TestBroker {
  readonly port: number;
  readonly aedes: Aedes;
  close(): Promise<void>;
}

async function startBroker(port = 0): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    aedes.handle(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    port: bound,
    aedes,
    close: async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function externalConfig(port: number, clientId: string) {
  return validateConfig({
    mqtt: { broker: 'external', url: `mqtt://127.0.0.1:${port}`, clientId, reconnect: { initialDelayMs: 100, maxDelayMs: 400 }, connectTimeoutMs: 2000 },
  }).mqtt;
}

async function retainedValue(port: number, topic: string): Promise<string | null> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: `probe-${Math.random()}` });
  try {
    const got = new Promise<string | null>((resolve) => {
      const t = setTimeout(() => resolve(null), 500);
      c.on('message', (tp, payload, packet) => {
        if (tp === topic && packet.retain) {
          clearTimeout(t);
          resolve(payload.toString());
        }
      });
    });
    await c.subscribeAsync(topic, { qos: 1 });
    return await got;
  } finally {
    await c.endAsync();
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

describe('MqttConnection', () => {
  it('runs the embedded broker on a free port, keeps a retained online state and publishes retained activity', async () => {
    const config = validateConfig({ mqtt: { embedded: { port: 0 }, clientId: 'gw-embedded' } }).mqtt;
    const conn = new MqttConnection({ config, logger: silent });
    cleanups.push(() => conn.stop());
    await conn.start();
    expect(conn.currentState).toBe('online');
    const port = Number(new URL(conn.brokerUrl).port);
    expect(port).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(await retainedValue(port, 'har/gateway/state')).toBe('online');
    conn.publishActivity('w1', { activity: 'walking', score: 0.9 });
    conn.publishMode('w1', { mode: 3 });
    await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse((await retainedValue(port, 'har/w1/activity')) ?? 'null')).toEqual({ activity: 'walking', score: 0.9 });
    expect(JSON.parse((await retainedValue(port, 'har/w1/mode')) ?? 'null')).toEqual({ mode: 3 });
    await conn.stop();
    expect(conn.currentState).toBe('stopped');
    // the embedded broker is gone with it
    await expect(mqtt.connectAsync(conn.brokerUrl, { reconnectPeriod: 0, connectTimeout: 500 })).rejects.toThrow();
  });

  it('makes the embedded broker require a login when embedded.username/password are set', async () => {
    const config = validateConfig({ mqtt: { embedded: { port: 0, username: 'gw', password: 'pa55' }, clientId: 'gw-login' } }).mqtt;
    const conn = new MqttConnection({ config, logger: silent });
    cleanups.push(() => conn.stop());
    conn.addSubscriptions(['har/+/imu']);
    const messages: InboundMessage[] = [];
    conn.messages$.subscribe((m) => messages.push(m));
    await conn.start(); // its own client logs in with the same credentials
    expect(conn.currentState).toBe('online');
    const anonymous = mqtt.connectAsync(conn.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 });
    await expect(anonymous).rejects.toThrow(/bad username or password/i);
    const wrong = mqtt.connectAsync(conn.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, username: 'gw', password: 'nope' });
    await expect(wrong).rejects.toThrow();
    const fleet = await startSimulatedWearables({ url: conn.brokerUrl, username: 'gw', password: 'pa55', devices: 1, speed: 20, dataDir: null, idPrefix: 'login', logger: silent });
    await waitFor(() => messages.length >= 3);
    await fleet.stop();
    expect(fleet.stats().publishErrors).toBe(0);
  });

  it('publishes offline on stop and as its last will when it dies', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const conn = new MqttConnection({ config: externalConfig(broker.port, 'gw-will'), logger: silent });
    await conn.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(await retainedValue(broker.port, 'har/gateway/state')).toBe('online');
    await conn.stop();
    expect(await retainedValue(broker.port, 'har/gateway/state')).toBe('offline');

    const conn2 = new MqttConnection({ config: externalConfig(broker.port, 'gw-will'), logger: silent });
    cleanups.push(() => conn2.stop());
    await conn2.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(await retainedValue(broker.port, 'har/gateway/state')).toBe('online');
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, clientId: 'watch-will' });
    cleanups.push(() => watcher.endAsync());
    const states: string[] = [];
    watcher.on('message', (_t, payload, packet) => {
      if (!packet.retain) states.push(payload.toString());
    });
    await watcher.subscribeAsync('har/gateway/state', { qos: 1 });
    // the connection dies without a DISCONNECT: the broker publishes the will, then the client
    // reconnects and says online again
    const client = (broker.aedes as unknown as { clients: Record<string, { conn: Socket }> }).clients['gw-will'];
    expect(client).toBeDefined();
    client?.conn.destroy();
    await waitFor(() => states.length >= 2);
    expect(states.slice(0, 2)).toEqual(['offline', 'online']);
    expect(conn2.counters().connects).toBe(2);
  });

  it('reconnects after a broker restart with capped backoff and resubscribes when the session is gone', async () => {
    let broker = await startBroker();
    const port = broker.port;
    const conn = new MqttConnection({ config: externalConfig(port, 'gw-restart'), logger: silent });
    cleanups.push(() => conn.stop());
    conn.addSubscriptions(['har/+/imu']);
    const messages: InboundMessage[] = [];
    conn.messages$.subscribe((m) => messages.push(m));
    await conn.start();
    const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: 'pub-restart', reconnectPeriod: 100 });
    cleanups.push(() => pub.endAsync());
    await new Promise((r) => setTimeout(r, 100));
    await pub.publishAsync('har/w1/imu', 'before', { qos: 1 });
    await waitFor(() => messages.length === 1);

    await broker.close();
    await waitFor(() => conn.currentState === 'offline');
    await new Promise((r) => setTimeout(r, 1000)); // several failed attempts: the delay grows to the cap
    broker = await startBroker(port); // in-memory broker: the session is lost
    cleanups.push(() => broker.close());
    const restartedAt = Date.now();
    await waitFor(() => conn.currentState === 'online', 5000);
    expect(Date.now() - restartedAt).toBeLessThan(1000); // cap 400 ms
    expect(conn.counters().reconnectAttempts).toBeGreaterThanOrEqual(3);
    await waitFor(() => pub.connected);
    await new Promise((r) => setTimeout(r, 200)); // resubscription lands
    await pub.publishAsync('har/w1/imu', 'after', { qos: 1 });
    await waitFor(() => messages.length === 2);
    expect(messages.map((m) => m.payload.toString())).toEqual(['before', 'after']);
    const stopStart = Date.now();
    await conn.stop();
    expect(Date.now() - stopStart).toBeLessThan(1000);
  });

  it('resumes its persistent session: QoS 1 messages the broker queued while the gateway was away arrive', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const config = externalConfig(broker.port, 'gw-session');
    const first = new MqttConnection({ config, logger: silent });
    first.addSubscriptions(['har/+/imu']);
    first.messages$.subscribe(() => undefined);
    await first.start();
    await new Promise((r) => setTimeout(r, 100));
    await first.stop();

    const pub: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, clientId: 'pub-session' });
    cleanups.push(() => pub.endAsync());
    for (let i = 0; i < 5; i++) await pub.publishAsync('har/w2/imu', `queued-${i}`, { qos: 1 });

    const second = new MqttConnection({ config, logger: silent });
    cleanups.push(() => second.stop());
    const arrived = firstValueFrom(second.messages$.pipe(filter((m) => m.topic === 'har/w2/imu'), take(5), toArray(), timeout(5000)));
    await second.start();
    expect((await arrived).map((m) => m.payload.toString())).toEqual(['queued-0', 'queued-1', 'queued-2', 'queued-3', 'queued-4']);
  });

  it('refuses to start when the embedded port is taken, with a coded error', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const config = validateConfig({ mqtt: { embedded: { port: broker.port } } }).mqtt;
    const conn = new MqttConnection({ config, logger: silent });
    await expect(conn.start()).rejects.toMatchObject({ name: 'MqttError', code: 'broker-listen' });
  });

  it('reports an unreadable TLS file with a coded error', async () => {
    const config = validateConfig({ mqtt: { broker: 'external', url: 'mqtts://127.0.0.1:1', caFile: '/nonexistent/ca.pem' } }).mqtt;
    const conn = new MqttConnection({ config, logger: silent });
    await expect(conn.start()).rejects.toMatchObject({ code: 'tls-file' });
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
