// Simulated wearables: N devices streaming sample batches (and battery reports) over MQTT at
// real time or faster. Each device plays a HAPT recording when the data is there, else a
// synthetic signal (synthetic.ts); batches carry proper sample-counter sequence numbers and
// first-sample timestamps of the simulated clock (start + seq / rate).
//
// One timer drives every device: each device is due every `batchSamples / rateHz / speed`
// seconds, devices staggered over that period so the publishes spread evenly.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { encodeBinaryBatch } from '../../protocol/binary-batch.ts';
import { encodeJsonBatch } from '../../protocol/json-batch.ts';
import { encodeBatteryReport } from '../../protocol/battery-report.ts';
import { batteryTopic, imuTopic } from '../../protocol/topics.ts';
import type { SignalSource } from './signal-source.ts';
import { createSyntheticSource, ACTIVITY_PROFILES } from './synthetic.ts';
import { createRecordingSource, loadRecordings } from './recordings.ts';

export type PayloadFormat = 'json' | 'binary';

export interface SimulatedWearablesOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  readonly url: string;
  /** Broker login, when it requires one. */
  readonly username?: string;
  readonly password?: string;
  readonly devices: number;
  /** Playback speed: 1 = real time, 10 = ten times faster. */
  readonly speed?: number;
  readonly format?: PayloadFormat;
  /** Stop by itself after this many wall-clock seconds (default: run until stop()). */
  readonly durationS?: number;
  /**
   * Folder of the shared datasets (HAPT under hapt/); null = synthetic signals only. When the
   * folder has no HAPT data the devices fall back to synthetic signals (said in the log).
   */
  readonly dataDir?: string | null;
  readonly baseTopic?: string;
  /** Samples per batch (default 25: 0.5 s at 50 Hz). */
  readonly batchSamples?: number;
  readonly qos?: 0 | 1;
  /** Device ids are `<idPrefix>-<k>` (k from 1). */
  readonly idPrefix?: string;
  /** 'shared' (default): one MQTT connection for all devices; 'per-device': one each, like real wearables. */
  readonly connection?: 'shared' | 'per-device';
  /** Send a battery report every this many simulated seconds (0 = never; default 60). */
  readonly batteryIntervalS?: number;
  /** Simulated drain, percent per simulated hour (default 5). */
  readonly batteryDrainPctPerHour?: number;
  /** Accelerometer-only devices (no gyroscope in the batches). */
  readonly accOnly?: boolean;
  readonly seed?: number;
  /** Simulated clock at sample 0, ms since the epoch (default: now). */
  readonly startTimeMs?: number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** Injected clock and timers (tests). */
  readonly now?: () => number;
}

export interface SimulatedWearablesStats {
  readonly devices: number;
  readonly source: 'hapt' | 'synthetic';
  readonly batches: number;
  readonly samples: number;
  readonly batteryReports: number;
  readonly publishErrors: number;
  /** Batches skipped because a device fell more than MAX_CATCH_UP_BATCHES behind. */
  readonly skippedBatches: number;
}

export interface SimulatedWearables {
  readonly deviceIds: readonly string[];
  readonly source: 'hapt' | 'synthetic';
  /** Resolves when the simulation ends (duration reached or stop()). */
  readonly done: Promise<void>;
  stats(): SimulatedWearablesStats;
  /** The activity device k is playing now (ground truth), for demos. */
  activityOf(deviceId: string): string | null;
  stop(): Promise<void>;
}

/** The scheduler's tick: short enough to keep batches on time at 50 Hz x 25 samples x speed 20. */
const TICK_MS = 10;
/** A device that falls this far behind (event-loop stall) skips ahead instead of bursting. */
const MAX_CATCH_UP_BATCHES = 20;
/** JSON samples to 1e-5 g / 1e-5 rad/s: below any 16-bit sensor's LSB, half the payload of full doubles. */
const JSON_FRACTION_DIGITS = 5;
/** Per-device connections are opened this many at a time. */
const CONNECT_CHUNK = 50;
/** How long stop() lets in-flight QoS 1 publishes finish before cutting the connections. */
const STOP_GRACE_MS = 2_000;
/** Cell voltage model for battery reports: linear 3.3 V (0 %) .. 4.2 V (100 %). */
const EMPTY_MV = 3300;
const FULL_MV = 4200;

interface Device {
  readonly id: string;
  readonly source: SignalSource;
  readonly client: MqttClient;
  /** Next sample index to send (= seq of the next batch). */
  nextSample: number;
  /** Wall-clock ms between two batches of this device (its rate, the speed). */
  readonly periodMs: number;
  /** Wall-clock ms when the next batch is due. */
  dueMs: number;
  batteryPct: number;
  nextBatterySample: number;
}

export async function startSimulatedWearables(options: SimulatedWearablesOptions): Promise<SimulatedWearables> {
  const speed = options.speed ?? 1;
  const batchSamples = options.batchSamples ?? 25;
  const format = options.format ?? 'binary';
  const baseTopic = options.baseTopic ?? 'har';
  const qos = options.qos ?? 1;
  const prefix = options.idPrefix ?? 'sim';
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const startTimeMs = options.startTimeMs ?? Date.now();
  if (!(options.devices >= 1) || !Number.isInteger(options.devices)) throw new RangeError(`devices must be a positive integer, got ${options.devices}`);
  if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  if (!(batchSamples >= 1 && batchSamples <= 1024)) throw new RangeError(`batchSamples must be 1..1024, got ${batchSamples}`);

  const recordings = options.dataDir ? await loadRecordings(options.dataDir) : { set: null, reason: 'no data folder given' };
  const sourceKind: 'hapt' | 'synthetic' = recordings.set ? 'hapt' : 'synthetic';
  if (!recordings.set) options.logger?.info({ reason: recordings.reason }, 'simulated wearables: no recordings, using synthetic signals');

  const login = {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  };
  const clientOptions = (clientId: string): IClientOptions => ({ clientId, protocolVersion: 4, clean: true, reconnectPeriod: 500, connectTimeout: 5000, ...login });
  const clients: MqttClient[] = [];
  const connect = async (clientId: string): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(options.url, clientOptions(clientId));
    clients.push(client);
    return client;
  };
  const runId = Math.floor(Math.random() * 0xffffff).toString(16);
  const shared = options.connection === 'per-device' ? null : await connect(`${prefix}-fleet-${runId}`);

  const ids = Array.from({ length: options.devices }, (_, k) => `${prefix}-${k + 1}`);
  let perDevice: MqttClient[] = [];
  try {
    if (!shared) {
      // one connection per device, opened CONNECT_CHUNK at a time
      for (let k = 0; k < ids.length; k += CONNECT_CHUNK) {
        perDevice = perDevice.concat(await Promise.all(ids.slice(k, k + CONNECT_CHUNK).map((id) => connect(`${id}-${runId}`))));
      }
    }
  } catch (err) {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    throw err;
  }
  const startWallMs = now(); // after connecting: the first batches are due from here on
  const devices: Device[] = ids.map((id, k) => {
    const source = recordings.set
      ? createRecordingSource(recordings.set, k, (k * 7919 * batchSamples) % 5000)
      : createSyntheticSource({ seed: seed + k, firstActivity: k % ACTIVITY_PROFILES.length });
    const client = shared ?? (perDevice[k] as MqttClient);
    const periodMs = ((batchSamples / source.rateHz) * 1000) / speed;
    const dueMs = startWallMs + (periodMs * k) / options.devices; // staggered over one period
    return { id, source, client, nextSample: 0, periodMs, dueMs, batteryPct: 100 - (k % 10) * 3, nextBatterySample: 0 };
  });
  options.logger?.info({ devices: options.devices, source: sourceKind, url: options.url, format, speed }, 'simulated wearables streaming');

  const stats = { batches: 0, samples: 0, batteryReports: 0, publishErrors: 0, skippedBatches: 0 };
  const acc = new Float64Array(batchSamples * 3);
  const gyro = new Float64Array(batchSamples * 3);
  const batteryIntervalS = options.batteryIntervalS ?? 60;
  const drainPctPerHour = options.batteryDrainPctPerHour ?? 5;
  const onPublished = (err?: Error): void => {
    if (err) stats.publishErrors++;
  };

  const publishBatch = (d: Device): void => {
    d.source.read(d.nextSample, batchSamples, acc, gyro);
    const rateHz = d.source.rateHz;
    const batch = {
      seq: d.nextSample % 2 ** 32,
      t0Ms: startTimeMs + (d.nextSample * 1000) / rateHz,
      rateHz,
      samples: batchSamples,
      acc,
      gyro: options.accOnly ? null : gyro,
    };
    const payload = format === 'json' ? encodeJsonBatch(batch, { fractionDigits: JSON_FRACTION_DIGITS }) : encodeBinaryBatch(batch);
    d.client.publish(imuTopic(baseTopic, d.id), Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos }, onPublished);
    stats.batches++;
    stats.samples += batchSamples;
    d.nextSample += batchSamples;
    d.batteryPct = Math.max(0, d.batteryPct - (drainPctPerHour * batchSamples) / (3600 * rateHz));
    if (batteryIntervalS > 0 && d.nextSample >= d.nextBatterySample) {
      d.nextBatterySample += Math.max(1, Math.round(batteryIntervalS * rateHz));
      const percent = Math.round(d.batteryPct * 10) / 10;
      const report = encodeBatteryReport({ percent, millivolts: Math.round(EMPTY_MV + ((FULL_MV - EMPTY_MV) * percent) / 100), tMs: batch.t0Ms });
      d.client.publish(batteryTopic(baseTopic, d.id), Buffer.from(report), { qos }, onPublished);
      stats.batteryReports++;
    }
  };

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let stopped = false;
  const tick = (): void => {
    const t = now();
    for (const d of devices) {
      if (t - d.dueMs > MAX_CATCH_UP_BATCHES * d.periodMs) {
        const skip = Math.floor((t - d.dueMs) / d.periodMs);
        stats.skippedBatches += skip;
        d.nextSample += skip * batchSamples; // a gap the gateway sees as such
        d.dueMs += skip * d.periodMs;
      }
      while (d.dueMs <= t) {
        publishBatch(d);
        d.dueMs += d.periodMs;
      }
    }
  };
  const shortestPeriodMs = Math.min(...devices.map((d) => d.periodMs));
  const timer = setInterval(tick, Math.min(TICK_MS, Math.max(1, shortestPeriodMs / 4)));
  const durationTimer = options.durationS !== undefined ? setTimeout(() => void stop(), options.durationS * 1000) : null;

  const stop = async (): Promise<void> => {
    if (stopped) return done;
    stopped = true;
    clearInterval(timer);
    if (durationTimer) clearTimeout(durationTimer);
    // a graceful end waits for in-flight QoS 1 publishes to be acknowledged; a broker that cannot
    // keep up would make that wait unbounded, so after STOP_GRACE_MS the connections are cut
    await Promise.all(clients.map((c) => endWithin(c, STOP_GRACE_MS)));
    options.logger?.info({ ...stats }, 'simulated wearables stopped');
    resolveDone();
  };

  const byId = new Map(devices.map((d) => [d.id, d]));
  return {
    deviceIds: devices.map((d) => d.id),
    source: sourceKind,
    done,
    stats: () => ({ devices: devices.length, source: sourceKind, ...stats }),
    activityOf: (id) => {
      const d = byId.get(id);
      return d ? d.source.activityAt(Math.max(0, d.nextSample - 1)) : null;
    },
    stop,
  };
}

/** Ends a client gracefully, or forcibly after graceMs (unacknowledged publishes are lost). */
async function endWithin(client: MqttClient, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = client.endAsync().then(() => true, () => false);
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const clean = await Promise.race([graceful, timedOut]);
  clearTimeout(timer);
  if (!clean) await client.endAsync(true).catch(() => undefined);
}
