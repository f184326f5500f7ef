import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { BleIngest, type BleInboundMessage } from '../../../../daemon/ble/ble-ingest.ts';
import { bleSchema } from '../../../../daemon/ble/config.ts';
import type { Scheduler } from '../../../../daemon/ble/device-session.ts';
import { FakeBleTransport } from '../../../../daemon/ble/fake-transport.ts';
import { BATTERY_LEVEL_UUID } from '../../../../daemon/ble/transport.ts';
import { decodeBinaryBatch } from '../../../../protocol/binary-batch.ts';
import { decodeBatteryReport } from '../../../../protocol/battery-report.ts';
import { LINK_RESTART_GAP_SAMPLES } from '../../../../protocol/ble/assemble.ts';
import { PMD_CONTROL_POINT_UUID, PMD_DATA_UUID, PMD_MEASUREMENT, POLAR_EPOCH_UNIX_MS } from '../../../../protocol/ble/polar-pmd.ts';
import { encodePmdDeltaFrame } from '../../../../protocol/ble/polar-pmd-encode.ts';
import { THINGY_RAW_DATA_UUID } from '../../../../protocol/ble/thingy52.ts';
import type { SampleBatch } from '../../../../protocol/sample-batch.ts';

class ManualScheduler implements Scheduler {
  readonly delays: number[] = [];
  private pending: (() => void)[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    this.pending.push(fn);
    return fn;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((f) => f !== handle);
  }
  runAll(): void {
    const due = this.pending;
    this.pending = [];
    for (const f of due) f();
  }
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
const POLAR = 'A0:9E:1A:00:00:01';
const THINGY = 'D1:00:00:00:00:02';

function setup() {
  const transport = new FakeBleTransport();
  const polar = transport.add(POLAR, 'Polar Sense 1');
  const thingy = transport.add(THINGY, 'Thingy');
  polar.setValue(BATTERY_LEVEL_UUID, Uint8Array.of(87));
  const config = bleSchema.parse({
    enabled: true,
    reconnect: { initialDelayMs: 1000, maxDelayMs: 4000 },
    devices: [
      { id: 'polar-1', address: POLAR, protocol: 'polar-pmd', settings: { acc: { sampleRateHz: 52 }, gyro: { sampleRateHz: 52, factor: 0.5 } } },
      { id: 'thingy-1', name: 'Thingy', protocol: 'thingy52', gyro: false, battery: false, settings: { rateHz: 50 } },
    ],
  });
  const messages: BleInboundMessage[] = [];
  const errors: string[] = [];
  const states: string[] = [];
  const scheduler = new ManualScheduler();
  let nowMs = 1_700_000_000_000;
  const ingest = new BleIngest({
    config,
    baseTopic: 'har',
    logger: pino({ level: 'silent' }),
    deliver: (m) => messages.push(m),
    createTransport: () => Promise.resolve(transport),
    scheduler,
    now: () => (nowMs += 20),
    onError: (id, kind) => errors.push(`${id}:${kind}`),
    onLinkState: (id, state) => states.push(`${id}:${state}`),
  });
  const batches = (id: string): SampleBatch[] =>
    messages
      .filter((m) => m.topic === `har/${id}/imu`)
      .map((m) => {
        const r = decodeBinaryBatch(id, m.payload);
        if (!r.ok) throw new Error(r.detail);
        return r.batch;
      });
  return { transport, polar, thingy, ingest, messages, errors, states, scheduler, batches };
}

const thingyFrame = (x: number): Uint8Array => {
  const b = new Uint8Array(18);
  new DataView(b.buffer).setInt16(0, x, true);
  return b;
};

describe('BleIngest with a fake transport', () => {
  it('connects, starts Polar streams, relays paired batches and battery levels', async () => {
    const t = setup();
    await t.ingest.start();
    await flush();
    // REQUEST_MEASUREMENT_START for ACC and GYRO at 52 Hz, 16 bits (PMD control point)
    expect(t.polar.writes.map((w) => [w.characteristic, Array.from(w.value)])).toEqual([
      [PMD_CONTROL_POINT_UUID, [2, 2, 0, 1, 52, 0, 1, 1, 16, 0]],
      [PMD_CONTROL_POINT_UUID, [2, 5, 0, 1, 52, 0, 1, 1, 16, 0]],
    ]);
    const battery = t.messages.find((m) => m.topic === 'har/polar-1/battery');
    expect(battery && decodeBatteryReport('polar-1', battery.payload)).toMatchObject({ ok: true, report: { percent: 87 } });

    const last = POLAR_EPOCH_UNIX_MS + 800_000_000_000;
    const acc = [[10, -20, 1000], [12, -18, 998], [15, -30, 1003]];
    const gyro = [[100, -100, 4], [90, -80, 2], [0, 1, 3]];
    expect(t.polar.notify(PMD_DATA_UUID, encodePmdDeltaFrame(PMD_MEASUREMENT.ACC, 0, last, acc))).toBe(true);
    expect(t.batches('polar-1')).toEqual([]); // waits for the gyroscope
    t.polar.notify(PMD_DATA_UUID, encodePmdDeltaFrame(PMD_MEASUREMENT.GYRO, 0, last, gyro));
    const [b] = t.batches('polar-1');
    expect(b).toMatchObject({ seq: 0, samples: 3 });
    expect(b?.t0Ms).toBeCloseTo(last - (2 * 1000) / 52, 6);
    expect(b?.rateHz).toBeCloseTo(52, 5);
    expect(Array.from(b?.acc ?? []).map((v) => Math.round(v * 1000))).toEqual(acc.flat());
    expect(Array.from(b?.gyro ?? []).map((v) => Math.round((v * 180) / Math.PI / 0.5))).toEqual(gyro.flat());
    t.polar.setValue(BATTERY_LEVEL_UUID, Uint8Array.of(86));
    t.polar.notify(BATTERY_LEVEL_UUID, Uint8Array.of(86));
    expect(t.messages.filter((m) => m.topic === 'har/polar-1/battery')).toHaveLength(2);
    await t.ingest.stop();
  });

  it('counts hostile Polar frames without disturbing the Thingy', async () => {
    const t = setup();
    await t.ingest.start();
    await flush();
    for (let i = 0; i < 5; i++) {
      t.thingy.notify(THINGY_RAW_DATA_UUID, thingyFrame(1024 * i));
      t.polar.notify(PMD_DATA_UUID, Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x20, 1, 0xff)); // bit width 32
      t.polar.notify(PMD_DATA_UUID, Uint8Array.of(2, 1, 2)); // truncated
    }
    t.thingy.notify(THINGY_RAW_DATA_UUID, new Uint8Array(5)); // shorter than 18 bytes
    const thingy = t.batches('thingy-1');
    expect(thingy.map((b) => b.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(thingy.map((b) => b.acc[0])).toEqual([0, 1, 2, 3, 4]);
    expect(thingy.every((b) => b.gyro === null)).toBe(true);
    const status = t.ingest.status();
    expect(status.devices.find((d) => d.deviceId === 'polar-1')?.errors).toEqual({ 'ble-bad-bit-width': 5, 'ble-truncated': 5 });
    expect(status.devices.find((d) => d.deviceId === 'thingy-1')?.errors).toEqual({ 'ble-truncated': 1 });
    expect(status.devices.every((d) => d.state === 'streaming')).toBe(true);
    await t.ingest.stop();
  });

  it('reconnects with doubling, capped backoff after a link loss; the seq shows the restart; the other device is unaffected', async () => {
    const t = setup();
    await t.ingest.start();
    await flush();
    t.thingy.notify(THINGY_RAW_DATA_UUID, thingyFrame(1));
    t.thingy.notify(THINGY_RAW_DATA_UUID, thingyFrame(2));
    t.thingy.failConnects = 3;
    t.thingy.dropLink();
    expect(t.thingy.notify(THINGY_RAW_DATA_UUID, thingyFrame(3))).toBe(false);
    for (let i = 0; i < 4; i++) {
      t.scheduler.runAll();
      await flush();
    }
    expect(t.scheduler.delays).toEqual([1000, 2000, 4000, 4000]);
    expect(t.thingy.connected).toBe(true);
    t.thingy.notify(THINGY_RAW_DATA_UUID, thingyFrame(4));
    expect(t.batches('thingy-1').map((b) => b.seq)).toEqual([0, 1, 2 + LINK_RESTART_GAP_SAMPLES]);
    const s = t.ingest.status().devices.find((d) => d.deviceId === 'thingy-1');
    expect(s).toMatchObject({ state: 'streaming', connects: 2, linkLosses: 1, failedAttempts: 3 });
    expect(t.states.filter((x) => x.startsWith('polar-1')).every((x) => !x.endsWith('waiting'))).toBe(true);
    // backoff starts over after a good connection
    t.thingy.dropLink();
    expect(t.scheduler.delays.at(-1)).toBe(1000);
    await t.ingest.stop();
    t.scheduler.runAll();
    await flush();
    expect(t.thingy.connected).toBe(false);
  });

  it('a device with impossible settings fails alone', async () => {
    const t = setup();
    const config = bleSchema.parse({ enabled: true, devices: [{ id: 'bad', address: POLAR, protocol: 'polar-pmd', settings: { acc: { sampleRateHz: -5 } } }] });
    const errors: string[] = [];
    const ingest = new BleIngest({ config, baseTopic: 'har', logger: pino({ level: 'silent' }), deliver: () => undefined, createTransport: () => Promise.resolve(t.transport), onError: (id, kind) => errors.push(`${id}:${kind}`) });
    await ingest.start();
    expect(errors).toEqual(['bad:ble-settings']);
    expect(ingest.status().devices[0]?.state).toBe('failed');
    await ingest.stop();
  });
});

describe('ble config', () => {
  it('needs an address or a name, UUIDs for generic devices, unique ids', () => {
    expect(bleSchema.safeParse({ devices: [{ id: 'a', protocol: 'thingy52' }] }).success).toBe(false);
    expect(bleSchema.safeParse({ devices: [{ id: 'a', name: 'x', protocol: 'generic-imu' }] }).success).toBe(false);
    expect(bleSchema.safeParse({ devices: [{ id: 'a', name: 'x', protocol: 'thingy52' }, { id: 'a', name: 'y', protocol: 'thingy52' }] }).success).toBe(false);
    expect(bleSchema.parse({}).enabled).toBe(false);
  });
});

describe('Polar control point responses', () => {
  it('counts an error status and a FACTOR that differs from the configured one', async () => {
    const t = setup();
    // answer each start: ACC ok with factor 1 (as configured: default), GYRO with factor 0.0305 (configured 0.5)
    t.polar.onWrite = (_c, v) => (v[1] === 2 ? Uint8Array.of(0xf0, 2, 2, 0, 0, 5, 1, 0, 0, 0x80, 0x3f) : Uint8Array.of(0xf0, 2, 5, 0, 0, 5, 1, ...new Uint8Array(Float32Array.of(0.0305).buffer)));
    await t.ingest.start();
    await flush();
    expect(t.errors).toEqual(['polar-1:ble-control-error']);
    t.polar.notify(PMD_CONTROL_POINT_UUID, Uint8Array.of(0xf0, 2, 2, 5, 0)); // status 5: error
    t.polar.notify(PMD_CONTROL_POINT_UUID, Uint8Array.of(0x01)); // malformed
    expect(t.ingest.status().devices[0]?.errors).toEqual({ 'ble-control-error': 3 });
    await t.ingest.stop();
  });
});
