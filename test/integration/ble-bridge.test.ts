// `ble-bridge` in-process: a fake Thingy:52 and a fake Polar through runBleBridge to a real aedes
// broker on port 0; a subscriber receives binary batches (lossless at the device's int16 scale)
// and battery reports on the gateway's topics.
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runBleBridge } from '../../daemon/ble/bridge.ts';
import { FakeBleTransport } from '../../daemon/ble/fake-transport.ts';
import { BATTERY_LEVEL_UUID } from '../../daemon/ble/transport.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import { decodeBatteryReport } from '../../protocol/battery-report.ts';
import { decodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { THINGY_RAW_DATA_UUID } from '../../protocol/ble/thingy52.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ble-bridge', () => {
  it('publishes BLE batches and battery levels to a broker elsewhere', async () => {
    const broker = await Aedes.createBroker();
    const server: Server = createServer((s) => broker.handle(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    cleanups.push(() => new Promise<void>((r) => broker.close(() => r())));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));

    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'gateway-side' });
    cleanups.push(() => sub.endAsync());
    const received: { topic: string; payload: Buffer }[] = [];
    sub.on('message', (topic, payload) => received.push({ topic, payload }));
    await sub.subscribeAsync('site/#', { qos: 1 });

    const transport = new FakeBleTransport();
    const thingy = transport.add('D1:00:00:00:00:09', 'Thingy');
    thingy.setValue(BATTERY_LEVEL_UUID, Uint8Array.of(64));
    const config = validateConfig({
      mqtt: { baseTopic: 'site', broker: 'external', url: `mqtt://127.0.0.1:${port}`, clientId: 'pi-zero' },
      ble: { enabled: true, devices: [{ id: 'thingy-9', address: 'D1:00:00:00:00:09', protocol: 'thingy52', settings: { rateHz: 100 } }] },
    });
    const abort = new AbortController();
    const bridge = runBleBridge({ config, logger: pino({ level: 'silent' }), signal: abort.signal, createTransport: () => Promise.resolve(transport) });
    await expect.poll(() => thingy.connected).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 10; i++) {
      const frame = new Uint8Array(18);
      const v = new DataView(frame.buffer);
      v.setInt16(0, 100 * i, true); // acc x, Q6.10
      v.setInt16(6, -32 * i, true); // gyro x, Q11.5
      thingy.notify(THINGY_RAW_DATA_UUID, frame);
    }
    await expect.poll(() => received.filter((m) => m.topic === 'site/thingy-9/imu').length, { timeout: 5000 }).toBe(10);
    abort.abort();
    expect(await bridge).toEqual({ published: 11 });

    const batches = received.filter((m) => m.topic === 'site/thingy-9/imu').map((m) => decodeBinaryBatch('thingy-9', m.payload));
    expect(batches.map((b) => b.ok && b.batch.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches.map((b) => b.ok && b.batch.acc[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => (100 * i) / 1024));
    expect(batches.map((b) => b.ok && b.batch.gyro?.[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => -32 * i * Math.fround(2 ** -5 * (Math.PI / 180)) + 0)); // raw LSB x the float32 wire scale
    expect(batches.every((b) => b.ok && Math.abs(b.batch.rateHz - 100) < 1e-9)).toBe(true);
    const battery = received.find((m) => m.topic === 'site/thingy-9/battery');
    expect(battery && decodeBatteryReport('thingy-9', battery.payload)).toMatchObject({ ok: true, report: { percent: 64 } });
    expect(thingy.connected).toBe(false);
  });
});
