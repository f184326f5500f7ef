// MqttConnection against an external broker over TLS (mqtts://, CA file), WebSocket (ws://) and
// with username/password, using in-process aedes servers. The certificates below were generated
// for this test only (openssl, prime256v1, CN=localhost, SAN IP:127.0.0.1, valid 100 years).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes, type AedesOptions } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { validateConfig } from '../../daemon/config/load.ts';

const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIUE/dwz10EiBRv7qB3ykUeh23t8jYwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLaGFyLXRlc3QtY2EwIBcNMjYxMTI0MTQ1MDIzWhgPMjEyNjEw
MzExNDUwMjNaMBYxFDASBgNVBAMMC2hhci10ZXN0LWNhMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAET20iTNppwM5dL8Pd32xPwMGh5NncdDVxv7PTFKx8+sjL+M1B
dV5sNiOyr2rYdPHAFeTudy3sdwIRjJl40QfF+aNTMFEwHQYDVR0OBBYEFMq44xnv
bKVbDLHISI3ujWhRuuNjMB8GA1UdIwQYMBaAFMq44xnvbKVbDLHISI3ujWhRuuNj
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgfFEZJh0J6uKc6gXh
v2mQ6+KfVI7LtJKMMDnWnO0r1P8CIQDQeIm4n2CHGKmcj0ePi9j+l1vahQNZHmbp
C/liE192iw==
-----END CERTIFICATE-----`;
const SERVER_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBjTCCATKgAwIBAgIUH91lpfRmMTO1kdYM+Fx+r+0+QuEwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLaGFyLXRlc3QtY2EwIBcNMjYxMTI0MTQ1MDIzWhgPMjEyNjEw
MzExNDUwMjNaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABJxfrRtZDUXpVCBfiwqmMgA/wZ0kKBzB4vYSDDopCqU9ckxNOvfH
vcq9PrSRCNkMScIyAgnjf3RM2XyzCuKjNKOjXjBcMBoGA1UdEQQTMBGHBH8AAAGC
CWxvY2FsaG9zdDAdBgNVHQ4EFgQUk4/HF8oPL+RVbnkF33MD2SqxZOkwHwYDVR0j
BBgwFoAUyrjjGe9spVsMschIje6NaFG642MwCgYIKoZIzj0EAwIDSQAwRgIhAOCZ
dvF3UeWfQIxEaLcr0F2ZdG//wKpZn020VS33MiwyAiEA/U80m1bZ/S2GiAL5WOBQ
ANQaVAFf1JGRdkN9vcUq/us=
-----END CERTIFICATE-----`;
const SERVER_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTbZbA4FnuFDJJwLb
Ob27XCFsGUWc4RYyThW8pjga37GhRANCAAScX60bWQ1F6VQgX4sKpjIAP8GdJCgc
weL2Egw6KQqlPXJMTTr3x73KvT60kQjZDEnCMgIJ4390TNl8swriozSj
-----END PRIVATE KEY-----`;

const silent = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'har-mqtt-tls-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, CA_PEM);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

async function broker(options: AedesOptions = {}): Promise<Aedes> {
  const aedes = await Aedes.createBroker(options);
  cleanups.push(() => new Promise<void>((r) => aedes.close(() => r())));
  return aedes;
}

/** Starts the connection, checks it is online and that a published message comes back to it. */
async function roundTrip(conn: MqttConnection, url: string, clientOptions: mqtt.IClientOptions = {}): Promise<void> {
  conn.addSubscriptions(['har/+/imu']);
  const got = firstValueFrom(conn.messages$.pipe(filter((m) => m.topic === 'har/w9/imu'), timeout(5000)));
  await conn.start();
  cleanups.push(() => conn.stop());
  expect(conn.currentState).toBe('online');
  const pub = await mqtt.connectAsync(url, { protocolVersion: 4, ...clientOptions });
  cleanups.push(() => pub.endAsync());
  await new Promise((r) => setTimeout(r, 100));
  await pub.publishAsync('har/w9/imu', 'hello', { qos: 1 });
  expect((await got).payload.toString()).toBe('hello');
}

describe('MqttConnection to external brokers', () => {
  it('connects over mqtts:// verifying the broker certificate against caFile', async () => {
    const aedes = await broker();
    const port = await listen(createTlsServer({ cert: SERVER_CERT_PEM, key: SERVER_KEY_PEM }, aedes.handle));
    const url = `mqtts://127.0.0.1:${port}`;
    const config = validateConfig({ mqtt: { broker: 'external', url, caFile, clientId: 'gw-tls' } }).mqtt;
    await roundTrip(new MqttConnection({ config, logger: silent }), url, { ca: CA_PEM });
  });

  it('does not go online with a broker certificate it cannot verify (keeps retrying in the background)', async () => {
    const aedes = await broker();
    const port = await listen(createTlsServer({ cert: SERVER_CERT_PEM, key: SERVER_KEY_PEM }, aedes.handle));
    const config = validateConfig({ mqtt: { broker: 'external', url: `mqtts://127.0.0.1:${port}`, clientId: 'gw-tls-bad', connectTimeoutMs: 800 } }).mqtt;
    const conn = new MqttConnection({ config, logger: silent });
    cleanups.push(() => conn.stop());
    await conn.start(); // an unreachable broker does not stop the daemon
    expect(conn.currentState).not.toBe('online');
    expect(conn.counters().connects).toBe(0);
  });

  it('connects over ws:// (MQTT over WebSocket)', async () => {
    const aedes = await broker();
    const http = createHttpServer();
    const wss = new WebSocketServer({ server: http });
    wss.on('connection', (socket) => aedes.handle(createWebSocketStream(socket)));
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    const port = await listen(http);
    const url = `ws://127.0.0.1:${port}`;
    const config = validateConfig({ mqtt: { broker: 'external', url, clientId: 'gw-ws' } }).mqtt;
    await roundTrip(new MqttConnection({ config, logger: silent }), url);
  });

  it('sends username and password; a refused login is a coded error', async () => {
    const aedes = await broker({
      authenticate: (_client, username, password, done) => {
        const ok = username === 'gateway' && password?.toString() === 's3cret';
        done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 }), ok);
      },
    });
    let connections = 0;
    const port = await listen(
      (await import('node:net')).createServer((socket) => {
        connections++;
        aedes.handle(socket);
      }),
    );
    const url = `mqtt://127.0.0.1:${port}`;
    const bad = validateConfig({ mqtt: { broker: 'external', url, clientId: 'gw-auth-bad', username: 'gateway', password: 'wrong' } }).mqtt;
    const refused = new MqttConnection({ config: bad, logger: silent });
    cleanups.push(() => refused.stop());
    await expect(refused.start()).rejects.toMatchObject({ name: 'MqttError', code: 'connect-refused' });
    expect(refused.currentState).toBe('stopped');
    expect(connections).toBe(1);
    await new Promise((r) => setTimeout(r, 600)); // longer than the first reconnect delay
    expect(connections).toBe(1); // nothing keeps retrying behind a refused start
    const good = validateConfig({ mqtt: { broker: 'external', url, clientId: 'gw-auth', username: 'gateway', password: 's3cret' } }).mqtt;
    await roundTrip(new MqttConnection({ config: good, logger: silent }), url, { username: 'gateway', password: 's3cret' });
  });
});
