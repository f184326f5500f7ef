// The Store part: SQLite (better-sqlite3) at <dataDir>/har-gateway.db in WAL mode.
// Writes are buffered and committed in one transaction every `flushIntervalMs` or every
// `batchRows` rows, whichever comes first; error counts are aggregated in memory per
// (device, kind) between flushes. A retention sweep deletes predictions older than
// `retentionDays` at start and every RETENTION_SWEEP_INTERVAL_MS.
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WindowResult } from '../pipeline/pipeline.ts';
import { StoreError } from './errors.ts';
import { migrate } from './migrations.ts';
import { INSERT_DECISION_SQL, INSERT_PROJECTION_SQL, type DecisionRow, type ProjectionRow } from '../budget/messages.ts';

export const DATABASE_FILE = 'har-gateway.db';
/** How often old predictions are deleted: retention is counted in days, so hourly is plenty. */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Rows kept for a retry when a commit fails (disk full, file removed): about a minute of 1,000
 * wearables; past it the oldest are dropped and counted rather than growing without bound.
 */
export const MAX_RETRY_ROWS = 50_000;

export interface StoreOptions {
  /** Folder of the database file (created if missing); ':memory:' for an in-memory database. */
  readonly dataDir: string;
  readonly flushIntervalMs: number;
  readonly batchRows: number;
  /** Keep predictions this many days; 0 keeps them forever. */
  readonly retentionDays: number;
  readonly now: () => number;
  /** A commit that failed (the store keeps running; rows are retried up to MAX_RETRY_ROWS). */
  readonly onWriteError?: (error: Error) => void;
}

/** One bad input or stream anomaly, counted under (device, kind); deviceId '?' when no valid device is known (daemon/ingest/kinds.ts). */
export interface ErrorRecord {
  readonly deviceId: string;
  readonly kind: string;
  readonly detail: string;
}

export interface ErrorCountRow {
  readonly deviceId: string;
  readonly kind: string;
  readonly count: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly lastDetail: string;
}

/** A stored prediction: the pipeline's WindowResult without its wall-clock stamps, plus when it was written. */
export type PredictionRow = Omit<WindowResult, 'receivedAtMs' | 'completedAtMs'> & { readonly createdMs: number };

interface PendingErrors {
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  lastDetail: string;
}

interface Statements {
  insertPrediction: Statement;
  upsertDevice: Statement;
  upsertError: Statement;
  deleteOlder: Statement;
  insertDecision: Statement;
  insertProjection: Statement;
}

/** The battery-budget rows of one evaluation (daemon/budget messages.ts BudgetOutputs). */
export interface BudgetRows {
  readonly decisionRow: DecisionRow | null;
  readonly projectionRow: ProjectionRow | null;
}

export interface StoreStats {
  readonly predictionsWritten: number;
  readonly flushes: number;
  readonly retentionDeleted: number;
  readonly pendingRows: number;
  readonly writeFailures: number;
  /** Rows given up after failed commits (beyond MAX_RETRY_ROWS). */
  readonly rowsDropped: number;
  /** Battery-budget history rows committed (budget_decisions, budget_projections). */
  readonly budgetDecisionsWritten: number;
  readonly budgetProjectionsWritten: number;
}

export class Store {
  private readonly options: StoreOptions;
  private db: Db | null = null;
  private statements: Statements | null = null;
  private pending: WindowResult[] = [];
  private pendingDecisions: DecisionRow[] = [];
  private pendingProjections: ProjectionRow[] = [];
  private pendingErrors = new Map<string, PendingErrors & { deviceId: string; kind: string }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private counts = { predictionsWritten: 0, flushes: 0, retentionDeleted: 0, writeFailures: 0, rowsDropped: 0, budgetDecisionsWritten: 0, budgetProjectionsWritten: 0 };

  constructor(options: StoreOptions) {
    this.options = options;
  }

  get path(): string {
    return this.options.dataDir === ':memory:' ? ':memory:' : join(this.options.dataDir, DATABASE_FILE);
  }

  start(): Promise<void> {
    if (this.options.dataDir !== ':memory:') mkdirSync(this.options.dataDir, { recursive: true });
    const db = new Database(this.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable at checkpoints, no fsync per commit
      db.pragma('busy_timeout = 2000');
      migrate(db, this.options.now());
    } catch (err) {
      db.close();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.db = db;
    this.statements = {
      insertPrediction: db.prepare(`INSERT INTO predictions (device_id, model_id, window_seq, segment, start_sample, t0_ms, class_index, class_name,
          scores, margin, threshold, exit_taken, macs, cycles, energy_uj, latency_us, compute_us, ingest_to_prediction_ms, created_ms)
        VALUES (@deviceId, @modelId, @windowSeq, @segment, @startSample, @t0Ms, @classIndex, @className,
          @scores, @margin, @threshold, @exitTaken, @macs, @cycles, @energyUj, @latencyUs, @computeUs, @ingestToPredictionMs, @createdMs)`),
      upsertDevice: db.prepare(`INSERT INTO devices (device_id, first_seen_ms, last_seen_ms, windows) VALUES (?, ?, ?, 1)
        ON CONFLICT (device_id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms, windows = windows + 1`),
      upsertError: db.prepare(`INSERT INTO ingest_errors (device_id, kind, count, first_seen_ms, last_seen_ms, last_detail) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (device_id, kind) DO UPDATE SET count = count + excluded.count, last_seen_ms = excluded.last_seen_ms, last_detail = excluded.last_detail`),
      deleteOlder: db.prepare('DELETE FROM predictions WHERE created_ms < ?'),
      insertDecision: db.prepare(INSERT_DECISION_SQL),
      insertProjection: db.prepare(INSERT_PROJECTION_SQL),
    };
    this.flushTimer = setInterval(() => this.flush(), this.options.flushIntervalMs);
    this.flushTimer.unref();
    if (this.options.retentionDays > 0) {
      this.sweepRetention();
      this.retentionTimer = setInterval(() => {
        try {
          this.sweepRetention();
        } catch (err) {
          this.options.onWriteError?.(err instanceof Error ? err : new Error(String(err)));
        }
      }, RETENTION_SWEEP_INTERVAL_MS);
      this.retentionTimer.unref();
    }
    return Promise.resolve();
  }

  /** Flushes what is buffered and closes the database. */
  stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.flushTimer = null;
    this.retentionTimer = null;
    if (this.db) {
      this.flush();
      this.db.close();
      this.db = null;
      this.statements = null;
    }
    return Promise.resolve();
  }

  recordPrediction(result: WindowResult): void {
    this.pending.push(result);
    if (this.pending.length >= this.options.batchRows) this.flush();
  }

  /**
   * Buffers the decision and projection rows of a budget evaluation; they are committed with the
   * predictions (same transaction, same flush policy).
   */
  recordBudget(rows: BudgetRows): void {
    if (rows.decisionRow) this.pendingDecisions.push(rows.decisionRow);
    if (rows.projectionRow) this.pendingProjections.push(rows.projectionRow);
    if (this.pending.length + this.pendingDecisions.length + this.pendingProjections.length >= this.options.batchRows) this.flush();
  }

  recordError(error: ErrorRecord): void {
    const atMs = this.options.now();
    const key = `${error.deviceId}\u0000${error.kind}`;
    const entry = this.pendingErrors.get(key);
    if (entry) {
      entry.count += 1;
      entry.lastSeenMs = atMs;
      entry.lastDetail = error.detail;
    } else {
      this.pendingErrors.set(key, { deviceId: error.deviceId, kind: error.kind, count: 1, firstSeenMs: atMs, lastSeenMs: atMs, lastDetail: error.detail });
    }
  }

  /** Commits everything buffered in one transaction. */
  flush(): void {
    if (!this.db || !this.statements) return;
    if (this.pending.length === 0 && this.pendingErrors.size === 0 && this.pendingDecisions.length === 0 && this.pendingProjections.length === 0) return;
    const rows = this.pending;
    const errors = [...this.pendingErrors.values()];
    const budget = { decisions: this.pendingDecisions, projections: this.pendingProjections };
    this.pending = [];
    this.pendingErrors = new Map();
    this.pendingDecisions = [];
    this.pendingProjections = [];
    const s = this.statements;
    const createdMs = this.options.now();
    try {
      this.commit(s, rows, errors, createdMs, budget);
    } catch (err) {
      // budget rows are kept for the next try too, within the same bound (oldest dropped, counted)
      const decisions = [...budget.decisions, ...this.pendingDecisions];
      const projections = [...budget.projections, ...this.pendingProjections];
      const excessDecisions = Math.max(0, decisions.length - MAX_RETRY_ROWS);
      const excessProjections = Math.max(0, projections.length - MAX_RETRY_ROWS);
      this.counts.rowsDropped += excessDecisions + excessProjections;
      this.pendingDecisions = decisions.slice(excessDecisions);
      this.pendingProjections = projections.slice(excessProjections);
      this.counts.writeFailures += 1;
      // keep the rows for the next flush, newest first within the bound
      const retry = [...rows, ...this.pending];
      const excess = Math.max(0, retry.length - MAX_RETRY_ROWS);
      this.counts.rowsDropped += excess;
      this.pending = retry.slice(excess);
      for (const e of errors) this.mergeError(e);
      this.options.onWriteError?.(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.counts.predictionsWritten += rows.length;
    this.counts.budgetDecisionsWritten += budget.decisions.length;
    this.counts.budgetProjectionsWritten += budget.projections.length;
    this.counts.flushes += 1;
  }

  private mergeError(e: PendingErrors & { deviceId: string; kind: string }): void {
    const key = `${e.deviceId}\u0000${e.kind}`;
    const entry = this.pendingErrors.get(key);
    if (!entry) {
      this.pendingErrors.set(key, e);
      return;
    }
    entry.count += e.count;
    entry.firstSeenMs = Math.min(entry.firstSeenMs, e.firstSeenMs);
  }

  private commit(
    s: Statements,
    rows: readonly WindowResult[],
    errors: ReadonlyArray<PendingErrors & { deviceId: string; kind: string }>,
    createdMs: number,
    budget: { readonly decisions: readonly DecisionRow[]; readonly projections: readonly ProjectionRow[] },
  ): void {
    this.db!.transaction(() => {
      for (const r of rows) {
        s.insertPrediction.run({
          deviceId: r.deviceId,
          modelId: r.modelId,
          windowSeq: r.windowSeq,
          segment: r.segment,
          startSample: r.startSample,
          t0Ms: r.t0Ms,
          classIndex: r.classIndex,
          className: r.className,
          scores: JSON.stringify(r.scores),
          margin: r.margin,
          threshold: r.threshold,
          exitTaken: r.exitTaken,
          macs: r.macs,
          cycles: r.cycles,
          energyUj: r.energyUj,
          latencyUs: r.latencyUs,
          computeUs: r.computeUs,
          ingestToPredictionMs: r.ingestToPredictionMs,
          createdMs,
        });
        s.upsertDevice.run(r.deviceId, createdMs, createdMs);
      }
      for (const e of errors) s.upsertError.run(e.deviceId, e.kind, e.count, e.firstSeenMs, e.lastSeenMs, e.lastDetail);
      for (const d of budget.decisions) s.insertDecision.run(d);
      for (const p of budget.projections) s.insertProjection.run(p);
    })();
  }

  /** Deletes predictions older than the retention period; returns how many. */
  sweepRetention(): number {
    if (!this.statements || this.options.retentionDays <= 0) return 0;
    const cutoffMs = this.options.now() - this.options.retentionDays * DAY_MS;
    const { changes } = this.statements.deleteOlder.run(cutoffMs);
    this.counts.retentionDeleted += changes;
    return changes;
  }

  stats(): StoreStats {
    return { ...this.counts, pendingRows: this.pending.length + this.pendingDecisions.length + this.pendingProjections.length };
  }

  // ---- reads (snapshot, CLI, tests) ----

  predictions(deviceId?: string): PredictionRow[] {
    const db = this.requireDb();
    const sql = `SELECT * FROM predictions ${deviceId === undefined ? '' : 'WHERE device_id = ?'} ORDER BY device_id, window_seq`;
    const rows = (deviceId === undefined ? db.prepare(sql).all() : db.prepare(sql).all(deviceId)) as DbPredictionRow[];
    return rows.map(fromDbPrediction);
  }

  errorCounts(): ErrorCountRow[] {
    const rows = this.requireDb().prepare('SELECT * FROM ingest_errors ORDER BY device_id, kind').all() as DbErrorRow[];
    return rows.map((r) => ({ deviceId: r.device_id, kind: r.kind, count: r.count, firstSeenMs: r.first_seen_ms, lastSeenMs: r.last_seen_ms, lastDetail: r.last_detail }));
  }

  /** Battery-budget decisions (mode or status changes), in time order per device. */
  budgetDecisions(deviceId?: string): DecisionRow[] {
    const db = this.requireDb();
    const sql = `SELECT ${DECISION_COLUMNS} FROM budget_decisions ${deviceId === undefined ? '' : 'WHERE device_id = ?'} ORDER BY device_id, at_ms, id`;
    return (deviceId === undefined ? db.prepare(sql).all() : db.prepare(sql).all(deviceId)) as DecisionRow[];
  }

  /** Battery-budget projections (one per evaluation), in time order per device. */
  budgetProjections(deviceId?: string): ProjectionRow[] {
    const db = this.requireDb();
    const sql = `SELECT ${PROJECTION_COLUMNS} FROM budget_projections ${deviceId === undefined ? '' : 'WHERE device_id = ?'} ORDER BY device_id, at_ms, id`;
    return (deviceId === undefined ? db.prepare(sql).all() : db.prepare(sql).all(deviceId)) as ProjectionRow[];
  }

  private requireDb(): Db {
    if (!this.db) throw new StoreError('not-open', 'the store is not started');
    return this.db;
  }
}

const DECISION_COLUMNS = 'device_id, at_ms, trigger, mode_index, threshold, previous_mode_index, changed, held, status, budget_per_window_uj, mode_energy_uj, shortfall_per_window_uj, reason';
const PROJECTION_COLUMNS =
  'device_id, at_ms, charge_fraction, charge_sigma, usable_remaining_uj, current_mode_index, current_mode_empty_at_ms, planned_empty_at_ms, recent_power_uw, recent_empty_at_ms, target_end_ms, target_power_uw, modes_json';

interface DbPredictionRow {
  device_id: string;
  model_id: string;
  window_seq: number;
  segment: number;
  start_sample: number;
  t0_ms: number;
  class_index: number;
  class_name: string;
  scores: string;
  margin: number;
  threshold: number;
  exit_taken: number;
  macs: number;
  cycles: number | null;
  energy_uj: number | null;
  latency_us: number | null;
  compute_us: number;
  ingest_to_prediction_ms: number;
  created_ms: number;
}

interface DbErrorRow {
  device_id: string;
  kind: string;
  count: number;
  first_seen_ms: number;
  last_seen_ms: number;
  last_detail: string;
}

function fromDbPrediction(r: DbPredictionRow): PredictionRow {
  return {
    deviceId: r.device_id,
    modelId: r.model_id,
    windowSeq: r.window_seq,
    segment: r.segment,
    startSample: r.start_sample,
    t0Ms: r.t0_ms,
    classIndex: r.class_index,
    className: r.class_name,
    scores: JSON.parse(r.scores) as number[],
    margin: r.margin,
    threshold: r.threshold,
    exitTaken: r.exit_taken,
    macs: r.macs,
    cycles: r.cycles,
    energyUj: r.energy_uj,
    latencyUs: r.latency_us,
    computeUs: r.compute_us,
    ingestToPredictionMs: r.ingest_to_prediction_ms,
    createdMs: r.created_ms,
  };
}
