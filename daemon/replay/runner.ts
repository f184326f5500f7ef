// The replay runner: plays recordings as concurrent devices into a real Gateway (pipeline,
// inference workers, SQLite, MQTT outputs), either straight into the pipeline (`direct`) or as
// MQTT messages through the embedded broker and the full ingest path (`mqtt`: JSON batches,
// which carry float64 samples exactly, so both paths see the same numbers).
//
// Timing: each batch is due at its original time offset divided by the speed; `max` sends as
// fast as the pipeline takes windows without drops (FlowControl: backpressure, not sleeping).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { Subject } from 'rxjs';
import type { Config } from '../config/schema.ts';
import { Gateway, type ConnectionPart, type IngestError, type IngestPart } from '../gateway.ts';
import { MqttIngest } from '../ingest/mqtt-ingest.ts';
import { MqttConnection } from '../mqtt/connection.ts';
import type { GatewayModel } from '../pipeline/model.ts';
import type { WindowResult } from '../pipeline/pipeline.ts';
import type { StreamEventKind } from '../pipeline/types.ts';
import { encodeJsonBatch } from '../../protocol/json-batch.ts';
import type { SampleBatch } from '../../protocol/sample-batch.ts';
import { FlowControl } from './flow-control.ts';
import type { ReplayRecording } from './recording.ts';

export type ReplaySpeed = number | 'max';
export type ReplayVia = 'direct' | 'mqtt';

/** Windows a device may have outstanding (cut, not answered): half the pool's per-device queue bound, so drop-oldest never fires. */
export function maxOutstandingWindows(config: Config, devices: number): number {
  const perDevice = Math.floor(config.pipeline.maxQueuedWindowsPerDevice / 2);
  // every device shares a worker's queue with the others on it
  const perWorker = Math.floor(config.pipeline.maxQueuedWindowsPerWorker / Math.max(1, Math.ceil(devices / config.engine.workers)) / 2);
  return Math.max(1, Math.min(perDevice, perWorker) + config.pipeline.maxInFlightPerWorker);
}

export interface ReplayProgress {
  /** Recording seconds sent so far, over all devices, and in total. */
  readonly sentS: number;
  readonly totalS: number;
  readonly windows: number;
  readonly elapsedMs: number;
}

export interface ReplayRunOptions {
  readonly recordings: readonly ReplayRecording[];
  readonly model: GatewayModel;
  /** Configuration of the gateway under test (dataDir, mqtt and websocket are overridden). */
  readonly config: Config;
  readonly via: ReplayVia;
  readonly speed: ReplaySpeed;
  readonly logger: Logger;
  readonly onProgress?: (progress: ReplayProgress) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Longest wait for the last windows after everything was sent. */
  readonly settleTimeoutMs?: number;
}

export interface DeviceRun {
  readonly deviceId: string;
  readonly results: WindowResult[];
  /** Stream events and ingest errors charged to the device, by kind. */
  readonly errors: Readonly<Record<string, number>>;
  readonly batchesSent: number;
}

export interface ReplayRun {
  readonly via: ReplayVia;
  readonly speed: ReplaySpeed;
  readonly devices: ReadonlyMap<string, DeviceRun>;
  /** Errors no device could be charged with (e.g. a payload on a bad topic), by kind. */
  readonly unattributedErrors: Readonly<Record<string, number>>;
  readonly wallMs: number;
  readonly recordingS: number;
  /** Windows cut minus windows answered when the run ended (0 unless the settle wait timed out). */
  readonly unsettledWindows: number;
  /** Backpressure waits that went on without a result (FlowControl stallTimeoutMs). */
  readonly flowStalls: number;
}

const STREAM_EVENT_KINDS: ReadonlySet<string> = new Set<StreamEventKind>(['missing-gyro', 'seq-duplicate', 'seq-overlap', 'gap-filled', 'gap-restart', 'seq-reset', 'rate-change', 'window-dropped', 'inference-failed', 'stream-error']);
export function isStreamEventKind(kind: string): boolean {
  return STREAM_EVENT_KINDS.has(kind);
}

const DEFAULT_SETTLE_TIMEOUT_MS = 30_000;
const PROGRESS_INTERVAL_MS = 200;

/** A batch source for `direct`: the pipeline takes the batches as an ingest would give them. */
class DirectIngest implements IngestPart {
  private readonly subject = new Subject<SampleBatch>();
  readonly batches$ = this.subject.asObservable();
  readonly errors$ = new Subject<IngestError>().asObservable();
  private counts = { batches: 0, samples: 0, dropped: 0 };
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.subject.complete();
    return Promise.resolve();
  }
  push(batch: SampleBatch): void {
    this.counts.batches += 1;
    this.counts.samples += batch.samples;
    this.subject.next(batch);
  }
  counters(): { batches: number; samples: number; dropped: number } {
    return { ...this.counts };
  }
}

/** The MQTT side of `direct`: predictions go nowhere (the report collects them). */
const NO_CONNECTION: ConnectionPart = {
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
  publishActivity: () => undefined,
  currentState: 'online',
  brokerUrl: 'none (replay --via direct)',
  counters: () => ({}),
};

export async function runReplay(options: ReplayRunOptions): Promise<ReplayRun> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const dataDir = mkdtempSync(join(tmpdir(), 'har-replay-'));
  const base = options.config;
  const config: Config = {
    ...base,
    gateway: { ...base.gateway, dataDir, record: false },
    mqtt: { ...base.mqtt, broker: 'embedded', embedded: { ...base.mqtt.embedded, port: 0 }, clientId: `har-replay-${process.pid}` },
    websocket: { ...base.websocket, enabled: false },
  };
  const { model, logger } = options;
  const input = model.input;
  const flow = new FlowControl({ windowSamples: input.windowSamples, strideSamples: input.strideSamples, maxOutstandingWindows: maxOutstandingWindows(config, options.recordings.length), maxGapFillSamples: config.pipeline.maxGapFillSamples });
  const runs = new Map<string, DeviceRun>(options.recordings.map((r) => [r.deviceId, { deviceId: r.deviceId, results: [], errors: {}, batchesSent: 0 }]));
  if (runs.size !== options.recordings.length) throw new Error('replay: two recordings have the same device id');

  let direct: DirectIngest | null = null;
  let connection: MqttConnection | null = null;
  let ingest: IngestPart;
  if (options.via === 'direct') {
    direct = new DirectIngest();
    ingest = direct;
  } else {
    connection = new MqttConnection({ config: config.mqtt, logger });
    ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
  }
  const gateway = new Gateway({ config, logger, model, connection: connection ?? NO_CONNECTION, ingest });
  let windows = 0;
  gateway.pipeline.results$.subscribe((r) => {
    runs.get(r.deviceId)?.results.push(r);
    windows += 1;
    flow.settled(r.deviceId);
  });
  // windows that never come back still settle (dropped, failed). The gateway counts every stream
  // event per device through live.recordError (its only per-device hook), so the replay wraps it.
  const settleOnEvent = (deviceId: string, kind: string): void => {
    if (kind === 'window-dropped' || kind === 'inference-failed') flow.settled(deviceId);
  };
  const origRecordError = gateway.live.recordError.bind(gateway.live);
  gateway.live.recordError = (deviceId: string, kind: string): number => {
    settleOnEvent(deviceId, kind);
    return origRecordError(deviceId, kind);
  };

  const startedMs = now();
  const totalS = options.recordings.reduce((s, r) => s + r.durationS, 0);
  let sentS = 0;
  let client: mqtt.MqttClient | null = null;
  const progressTimer = options.onProgress
    ? setInterval(() => options.onProgress?.({ sentS, totalS, windows, elapsedMs: now() - startedMs }), PROGRESS_INTERVAL_MS)
    : null;
  let unsettledWindows = 0;
  try {
    await gateway.start();
    if (connection) client = await mqtt.connectAsync(connection.brokerUrl, { clientId: `har-replay-pub-${process.pid}`, protocolVersion: 4, clean: true });
    const send = async (batch: SampleBatch): Promise<void> => {
      if (direct) direct.push(batch);
      else await client!.publishAsync(`${config.mqtt.baseTopic}/${batch.deviceId}/imu`, Buffer.from(encodeJsonBatch(batch)), { qos: 1 });
    };
    const playStartMs = now();
    await Promise.all(
      options.recordings.map(async (recording) => {
        const run = runs.get(recording.deviceId)!;
        for (const { batch, offsetMs } of recording.batches) {
          if (options.speed !== 'max') {
            const waitMs = playStartMs + offsetMs / options.speed - now();
            if (waitMs > 0) await sleep(waitMs);
          }
          await flow.ready(recording.deviceId);
          const rateRatio = input.rateHz / (batch.rateHz || input.rateHz);
          flow.pushed(recording.deviceId, batch.seq, batch.samples, rateRatio);
          await send(batch);
          (run as { batchesSent: number }).batchesSent += 1;
          sentS += batch.samples / (batch.rateHz || 1);
        }
      }),
    );
    unsettledWindows = await settle(gateway, direct ? null : options.recordings.reduce((n, r) => n + r.batches.length, 0), options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS, sleep, now);
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    flow.releaseAll();
    await client?.endAsync().catch(() => undefined);
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  options.onProgress?.({ sentS, totalS, windows, elapsedMs: now() - startedMs });

  const unattributed: Record<string, number> = {};
  const summary = gateway.live.devicesSummary();
  for (const d of summary) {
    const run = runs.get(d.deviceId);
    if (run) Object.assign(run.errors, d.errors);
    else for (const [kind, n] of Object.entries(d.errors)) unattributed[kind] = (unattributed[kind] ?? 0) + n;
  }
  for (const [kind, total] of Object.entries(gateway.live.errorTotalsByKind())) {
    const charged = summary.reduce((n, d) => n + (d.errors[kind] ?? 0), 0);
    if (total > charged) unattributed[kind] = (unattributed[kind] ?? 0) + total - charged;
  }
  return { via: options.via, speed: options.speed, devices: runs, unattributedErrors: unattributed, wallMs: now() - startedMs, recordingS: totalS, unsettledWindows, flowStalls: flow.stalls() };
}

/**
 * Waits until every sent batch reached the pipeline (mqtt) and every window cut was answered,
 * dropped or failed; returns the windows still outstanding when the timeout ends the wait.
 */
async function settle(gateway: Gateway, batchesSent: number | null, timeoutMs: number, sleep: (ms: number) => Promise<void>, now: () => number): Promise<number> {
  const deadline = now() + timeoutMs;
  const outstanding = (): number => {
    const s = gateway.pipeline.stats();
    return s.windows - s.results - s.inference.dropped - s.inference.failed;
  };
  for (;;) {
    const c = gateway.counters().pipeline;
    const arrived = batchesSent === null || (c.ingestBatches ?? 0) + (c.ingestDropped ?? 0) >= batchesSent;
    if (arrived && outstanding() === 0) return 0;
    if (now() > deadline) return Math.max(0, outstanding());
    await sleep(5);
  }
}
