// The composition root: builds every part of the daemon and runs their lifecycle.
//
// Start order: store -> pipeline (inference workers ready) -> websocket -> ingest -> mqtt.
// The ingest subscribes to the connection's messages before the connection starts, because a
// persistent session may deliver queued messages as soon as it is up.
// Stop order (graceful shutdown): ingest (no new batches) -> pipeline (drain the windows in
// flight: their results still go to SQLite, the WebSocket and MQTT) -> store (flush) ->
// websocket -> mqtt (publishes `offline`, stops the embedded broker). That is the reverse of
// the start order except for the MQTT connection, which stops last so that the drained windows
// are still published and `offline` is its last word.
// A part that fails to stop is logged and the others still stop.
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';
import type { Config } from './config/schema.ts';
import type { SampleBatch } from '../protocol/sample-batch.ts';
import { LiveState } from './api/live-state.ts';
import { WebSocketApi } from './api/websocket-server.ts';
import type { ErrorEnvelope, GatewayCounters } from './api/envelopes.ts';
import { ENGINE_MODULES } from './pipeline/engines.ts';
import { InferencePool } from './pipeline/inference-pool.ts';
import { Pipeline, type WindowResult } from './pipeline/pipeline.ts';
import { PredictionLog, modeName } from './pipeline/prediction-log.ts';
import type { GatewayModel } from './pipeline/model.ts';
import type { StreamEvent } from './pipeline/types.ts';
import { Store } from './store/store.ts';
import { join as joinPath } from 'node:path';
import { Recorder, sessionFolderName } from './recording/recorder.ts';
import { bleGatewayPart } from './ble/gateway-part.ts';
import { BudgetFleet, windowObservation } from './budget/fleet.ts';
import type { BudgetOutputs } from './budget/messages.ts';
import type { BatteryReport } from '../protocol/battery-report.ts';

/** What the gateway needs of the MQTT connection (daemon/mqtt MqttConnection). */
export interface ConnectionPart {
  start(): Promise<void>;
  stop(): Promise<void>;
  publishActivity(deviceId: string, payload: unknown): void;
  /** Retained `<base>/<deviceId>/mode` (battery budget); optional for connections that publish nothing. */
  publishMode?(deviceId: string, payload: unknown): void;
  readonly currentState: string;
  readonly brokerUrl: string;
  counters(): object;
}

/** A counted bad input from the ingest (daemon/ingest MqttIngest errors$). */
export interface IngestError {
  readonly deviceId: string;
  readonly kind: string;
  readonly detail: string;
}

/** What the gateway needs of the ingest (daemon/ingest MqttIngest). */
export interface IngestPart {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly batches$: Observable<SampleBatch>;
  readonly errors$: Observable<IngestError>;
  /** Battery reports (`<base>/<deviceId>/battery`) for the budget; optional for ingests without them. */
  readonly batteryReports$?: Observable<BatteryReport>;
  counters(): { readonly batches: number; readonly samples: number; readonly dropped: number };
}

export interface GatewayDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly model: GatewayModel;
  readonly connection: ConnectionPart;
  readonly ingest: IngestPart;
  readonly now?: () => number;
  /** Engine module override (tests); default: ENGINE_MODULES[config.engine.kind]. */
  readonly engineModule?: URL;
  /** Per-prediction log lines per interval before summarising. */
  readonly predictionLogLines?: number;
}

/**
 * Stream events are logged once per (device, kind), for at most this many pairs: a thousand
 * overloaded devices must not write a thousand lines; everything stays counted (stats, SQLite).
 */
export const MAX_LOGGED_STREAM_EVENT_PAIRS = 50;

/** An error envelope per (device, kind) at most this often; the counts are in every `stats`. */
export const ERROR_DELTA_MIN_INTERVAL_MS = 1000;

/** Devices listed in /health `budgetAtRisk` (soonest planned end first); the rest are in the `battery` messages. */
export const MAX_AT_RISK_IN_HEALTH = 20;

interface Part {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class Gateway {
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly websocket: WebSocketApi | null;
  readonly live: LiveState;
  private readonly deps: GatewayDeps;
  private readonly now: () => number;
  private readonly predictionLog: PredictionLog;
  private readonly startedAtMs: number;
  private readonly lastErrorDeltaMs = new Map<string, number>();
  private readonly loggedEventKinds = new Set<string>();
  private started: Part[] = [];
  /** The battery budgets (daemon/budget), or null when no device has one configured. */
  readonly budget: BudgetFleet | null;
  /** Raw batch recording (config `record`, daemon/recording/README.md), or null when off. */
  readonly recorder: Recorder | null;
  private readonly budgetCounts = { reportsAccepted: 0, reportsRejected: 0, reportsIgnored: 0, modeChanges: 0 };

  constructor(deps: GatewayDeps) {
    this.deps = deps;
    const { config, model, logger } = deps;
    // sub-millisecond wall clock for latencies (Date.now() has 1 ms steps)
    this.now = deps.now ?? (() => performance.timeOrigin + performance.now());
    this.startedAtMs = this.now();
    this.live = new LiveState();
    this.predictionLog = new PredictionLog(logger, deps.predictionLogLines);
    this.store = new Store({
      dataDir: config.gateway.dataDir,
      flushIntervalMs: config.store.flushIntervalMs,
      batchRows: config.store.batchRows,
      retentionDays: config.store.retentionDays,
      now: deps.now ?? Date.now,
      onWriteError: (err) => logger.error({ err: err.message, pendingRows: this.store.stats().pendingRows }, 'SQLite commit failed; rows kept for the next try'),
    });
    this.recorder = config.gateway.record === false
      ? null
      : new Recorder({
          dir: joinPath(config.gateway.dataDir, 'recordings', sessionFolderName(Date.now())),
          select: config.gateway.record,
          modelId: model.id,
          now: Date.now,
          onError: (err) => logger.error({ err: err.message }, 'recording failed; recording stopped, the gateway goes on'),
        });
    const threshold = config.model.threshold;
    this.budget = createBudgetFleet(config, model);
    const budget = this.budget;
    this.pipeline = new Pipeline({
      batches$: deps.ingest.batches$,
      modelId: model.id,
      input: model.input,
      classes: model.classes,
      gap: { fill: config.pipeline.gapFill, maxGapFillSamples: config.pipeline.maxGapFillSamples },
      // the budget decides each window's mode as it is submitted (a map lookup: never blocks ingest)
      thresholdFor: budget ? (deviceId) => budget.nextThreshold(deviceId) ?? threshold : () => threshold,
      now: this.now,
      drainTimeoutMs: config.pipeline.drainTimeoutMs,
      onEvent: (event) => this.onStreamEvent(event),
      createRunner: (callbacks) =>
        new InferencePool({
          workers: config.engine.workers,
          engineModule: deps.engineModule ?? ENGINE_MODULES[config.engine.kind],
          artifactBytes: model.bytes,
          engineOptions: config.engine.profile === undefined ? {} : { profile: config.engine.profile },
          maxInFlightPerWorker: config.pipeline.maxInFlightPerWorker,
          maxQueuedPerDevice: config.pipeline.maxQueuedWindowsPerDevice,
          maxQueuedPerWorker: config.pipeline.maxQueuedWindowsPerWorker,
          onWorkerError: (index, err) => logger.error({ worker: index, err: err.message }, 'inference worker failed'),
          ...callbacks,
        }),
    });
    this.websocket = config.websocket.enabled
      ? new WebSocketApi({
          host: config.websocket.host,
          port: config.websocket.port,
          maxBufferedBytes: config.websocket.maxBufferedBytes,
          statsIntervalMs: config.websocket.statsIntervalMs,
          snapshot: () => ({ modelId: model.id, classes: model.classes, devices: this.live.devicesSummary() }),
          counters: () => this.counters(),
          health: () => this.health(),
          onClientDropped: (reason) => logger.warn({ reason }, 'WebSocket client dropped (not reading)'),
          onServerError: (err) => logger.error({ err: err.message }, 'WebSocket server error'),
        })
      : null;
  }

  /** Starts every part in order; if one fails, the ones already started are stopped and the error is rethrown. */
  async start(): Promise<void> {
    const { logger } = this.deps;
    // an output that throws is logged; it must not end the streams (RxJS would rethrow it globally)
    this.pipeline.results$.subscribe((result) => this.guard('prediction output', () => this.onResult(result)));
    this.deps.ingest.errors$.subscribe((error) => this.guard('ingest error output', () => this.onIngestError(error)));
    const recorder = this.recorder;
    if (recorder) this.deps.ingest.batches$.subscribe((batch) => recorder.record(batch, this.now()));
    this.deps.ingest.batteryReports$?.subscribe((report) => this.guard('battery report', () => this.onBatteryReport(report)));
    if (this.budget?.unavailable) logger.warn({ reason: this.budget.unavailable }, 'battery budget unavailable: every device runs at model.threshold');
    for (const part of this.parts()) {
      try {
        await part.start();
      } catch (err) {
        logger.error({ part: part.name, err: err instanceof Error ? err.message : String(err) }, 'part failed to start; stopping the others');
        await this.stop();
        throw err;
      }
      this.started.push(part);
      logger.debug({ part: part.name }, 'started');
    }
    this.predictionLog.start();
    const ws = this.websocket?.address();
    logger.info(
      {
        model: this.deps.model.id,
        engine: this.deps.config.engine.kind,
        workers: this.deps.config.engine.workers,
        mqtt: this.deps.connection.brokerUrl,
        websocket: ws ? `ws://${ws.host}:${ws.port}/ws` : 'disabled',
        database: this.store.path,
      },
      'gateway started',
    );
  }

  /** Graceful stop (see the order at the top). Never throws; logs the parts that fail. */
  async stop(): Promise<void> {
    const { logger } = this.deps;
    const order = ['ble', 'ingest', 'recorder', 'pipeline', 'store', 'websocket', 'mqtt'];
    const started = this.started;
    this.started = [];
    for (const name of order) {
      const part = started.find((p) => p.name === name);
      if (!part) continue;
      try {
        await part.stop();
        logger.debug({ part: name }, 'stopped');
      } catch (err) {
        logger.error({ part: name, err: err instanceof Error ? err.message : String(err) }, 'part failed to stop');
      }
    }
    this.predictionLog.stop();
  }

  /** The counters of the whole gateway (WebSocket `stats`, bench, tests). */
  counters(): Omit<GatewayCounters, 'websocket'> {
    const p = this.pipeline.stats();
    const s = this.store.stats();
    const ingest = this.deps.ingest.counters();
    return {
      uptimeMs: this.now() - this.startedAtMs,
      devices: this.live.deviceCount(),
      predictions: this.live.predictions(),
      errors: this.live.errorTotalsByKind(),
      pipeline: {
        ingestBatches: ingest.batches,
        ingestSamples: ingest.samples,
        ingestDropped: ingest.dropped,
        batches: p.batches,
        samples: p.samples,
        windows: p.windows,
        results: p.results,
        windowsDropped: p.inference.dropped,
        inferenceFailed: p.inference.failed,
        queued: p.inference.queued,
        inFlight: p.inference.inFlight,
        workerRestarts: p.inference.workerRestarts,
      },
      store: {
        predictionsWritten: s.predictionsWritten,
        flushes: s.flushes,
        pendingRows: s.pendingRows,
        retentionDeleted: s.retentionDeleted,
        writeFailures: s.writeFailures,
        rowsDropped: s.rowsDropped,
        budgetDecisionsWritten: s.budgetDecisionsWritten,
        budgetProjectionsWritten: s.budgetProjectionsWritten,
      },
      budget: this.budgetCounters(),
    };
  }

  private budgetCounters(): Record<string, number> {
    const fleet = this.budget;
    const c = fleet?.counters();
    const infeasibleDevices = fleet ? fleet.snapshot().filter((d) => d.decision?.status === 'infeasible').length : 0;
    return {
      devicesWithBudget: c?.devicesWithBudget ?? 0,
      devicesWithout: c?.devicesWithout ?? 0,
      reportsWithoutTime: c?.reportsWithoutTime ?? 0,
      ...this.budgetCounts,
      infeasibleDevices,
    };
  }

  private health(): Record<string, unknown> {
    return {
      uptimeS: Math.round((this.now() - this.startedAtMs) / 1000),
      model: this.deps.model.id,
      engine: this.deps.config.engine.kind,
      mqtt: this.deps.connection.currentState,
      devices: this.live.deviceCount(),
      predictions: this.live.predictions(),
      memoryMb: memoryMb(),
      ...(this.budget ? { budgetAtRisk: this.budget.atRisk().slice(0, MAX_AT_RISK_IN_HEALTH) } : {}),
    };
  }

  private parts(): Part[] {
    const { connection, ingest } = this.deps;
    const parts: Part[] = [
      { name: 'store', start: () => this.store.start(), stop: () => this.store.stop() },
      { name: 'pipeline', start: () => this.pipeline.start(), stop: () => this.pipeline.stop() },
    ];
    const recorder = this.recorder;
    if (recorder) parts.push({ name: 'recorder', start: () => recorder.start(), stop: () => recorder.stop() });
    const ws = this.websocket;
    if (ws) parts.push({ name: 'websocket', start: () => ws.start(), stop: () => ws.stop() });
    parts.push({ name: 'ingest', start: () => ingest.start(), stop: () => ingest.stop() });
    // BLE wearables (issue 7, daemon/ble/gateway-part.ts): only when ble.enabled; feeds the ingest's handle().
    const ble = bleGatewayPart(this.deps);
    if (ble) parts.push(ble);
    parts.push({ name: 'mqtt', start: () => connection.start(), stop: () => connection.stop() });
    return parts;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, `${what} failed`);
    }
  }

  private onResult(result: WindowResult): void {
    this.store.recordPrediction(result);
    // recorded even without a WebSocket (`ws?.broadcast(f())` would skip f when ws is null)
    const envelope = this.live.recordPrediction(result);
    this.websocket?.broadcast(envelope);
    this.deps.connection.publishActivity(result.deviceId, {
      deviceId: result.deviceId,
      modelId: result.modelId,
      windowSeq: result.windowSeq,
      t0Ms: result.t0Ms,
      class: result.className,
      classIndex: result.classIndex,
      margin: result.margin,
      mode: modeName(result.threshold),
      exitTaken: result.exitTaken,
    });
    this.predictionLog.record(result);
    if (this.budget) this.publishBudget(this.budget.onWindow(result.deviceId, windowObservation(result, this.deps.model.input.windowSamples, this.deps.model.input.rateHz)));
  }

  /** A battery report: to the device's budget; one the budget rejects is counted like a bad payload. */
  private onBatteryReport(report: BatteryReport): void {
    if (!this.budget) {
      this.budgetCounts.reportsIgnored += 1;
      return;
    }
    const { outcome, outputs } = this.budget.onBatteryReport(report);
    if (outcome === null) {
      this.budgetCounts.reportsIgnored += 1; // no budget for this device, or no time to place it at (counted by the fleet)
    } else if (outcome.accepted) {
      this.budgetCounts.reportsAccepted += 1;
    } else {
      this.budgetCounts.reportsRejected += 1;
      this.countError(report.deviceId, 'battery-rejected', `${outcome.reason}: ${outcome.detail}`);
    }
    this.publishBudget(outputs);
  }

  /** One budget evaluation's outputs: WebSocket `battery`/`mode`, retained MQTT mode, SQLite history. */
  private publishBudget(out: BudgetOutputs): void {
    if (out.battery) {
      this.live.recordBudget(out.battery);
      this.websocket?.broadcast(out.battery);
    }
    if (out.mode) {
      this.budgetCounts.modeChanges += 1;
      this.live.recordBudget(out.mode);
      this.websocket?.broadcast(out.mode);
      this.deps.logger.info({ device: out.mode.deviceId, mode: out.mode.modeIndex, threshold: out.mode.threshold, status: out.mode.status }, out.mode.reason);
    }
    if (out.mqttMode) this.deps.connection.publishMode?.(out.mqttMode.payload.deviceId, out.mqttMode.payload);
    if (out.decisionRow || out.projectionRow) this.store.recordBudget(out);
  }

  /** Ingest errors are logged by the ingest (once per device and kind); here they are stored and streamed. */
  private onIngestError(error: IngestError): void {
    this.countError(error.deviceId, error.kind, error.detail);
  }

  /** Pipeline events (gaps, drops, failures): logged once per device and kind, stored, streamed. */
  private onStreamEvent(event: StreamEvent): void {
    const key = `${event.deviceId}\u0000${event.kind}`;
    if (!this.loggedEventKinds.has(key) && this.loggedEventKinds.size <= MAX_LOGGED_STREAM_EVENT_PAIRS) {
      this.loggedEventKinds.add(key);
      const level = event.kind === 'inference-failed' || event.kind === 'stream-error' ? 'error' : 'warn';
      if (this.loggedEventKinds.size > MAX_LOGGED_STREAM_EVENT_PAIRS) {
        this.deps.logger.warn({ pairs: MAX_LOGGED_STREAM_EVENT_PAIRS }, 'further stream events are counted (WebSocket stats, SQLite ingest_errors) but not logged');
      } else {
        this.deps.logger[level]({ device: event.deviceId, kind: event.kind, detail: event.detail }, 'stream event (logged once per device and kind; all are counted)');
      }
    }
    this.countError(event.deviceId, event.kind, event.detail);
  }

  private countError(deviceId: string, kind: string, detail: string): void {
    this.store.recordError({ deviceId, kind, detail });
    const count = this.live.recordError(deviceId, kind);
    const key = `${deviceId}\u0000${kind}`;
    const nowMs = this.now();
    const last = this.lastErrorDeltaMs.get(key);
    if (last !== undefined && nowMs - last < ERROR_DELTA_MIN_INTERVAL_MS) return;
    this.lastErrorDeltaMs.set(key, nowMs);
    const envelope: ErrorEnvelope = { type: 'error', deviceId, kind, detail, count };
    this.websocket?.broadcast(envelope);
  }
}

/**
 * The fleet of battery budgets, when the config gives any device a budget (budget.devices or
 * budget.defaultClass) and the model has a mode table; otherwise null (every window at
 * model.threshold). A table without measured energies gives a fleet that says why
 * (`unavailable`) and budgets nobody.
 */
function createBudgetFleet(config: Config, model: GatewayModel): BudgetFleet | null {
  const b = config.budget;
  if (Object.keys(b.devices).length === 0 && b.defaultClass === undefined) return null;
  return new BudgetFleet({
    config: b,
    modelId: model.id,
    modeTable: model.modes ?? [],
    timing: { rateHz: model.input.rateHz, strideSamples: model.input.strideSamples },
    baseTopic: config.mqtt.baseTopic,
  });
}

/** Memory of the process (rss: all threads) and of the main thread's V8 heap, MB. */
function memoryMb(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return { rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
}
