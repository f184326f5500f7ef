// The database schema as an ordered list of migrations. `schema_migrations` records which ran;
// migrate() applies the missing ones in order, each in its own transaction, so it is
// idempotent and brings a database of any older version up to date. Never edit a migration
// that has shipped: add the next one.
import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices and predictions',
    sql: `
      CREATE TABLE devices (
        device_id      TEXT PRIMARY KEY,
        first_seen_ms  INTEGER NOT NULL,
        last_seen_ms   INTEGER NOT NULL,
        windows        INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE predictions (
        id                       INTEGER PRIMARY KEY,
        device_id                TEXT NOT NULL,
        window_seq               INTEGER NOT NULL,
        segment                  INTEGER NOT NULL,
        start_sample             INTEGER NOT NULL,
        t0_ms                    REAL NOT NULL,
        class_index              INTEGER NOT NULL,
        class_name               TEXT NOT NULL,
        scores                   TEXT NOT NULL,
        margin                   INTEGER NOT NULL,
        threshold                INTEGER NOT NULL,
        exit_taken               INTEGER NOT NULL,
        macs                     INTEGER NOT NULL,
        cycles                   INTEGER,
        energy_uj                REAL,
        latency_us               REAL,
        compute_us               INTEGER NOT NULL,
        ingest_to_prediction_ms  REAL NOT NULL,
        created_ms               INTEGER NOT NULL
      );
      CREATE INDEX predictions_by_device ON predictions (device_id, window_seq);
    `,
  },
  {
    version: 2,
    name: 'ingest errors per device and kind',
    sql: `
      CREATE TABLE ingest_errors (
        device_id      TEXT NOT NULL,
        kind           TEXT NOT NULL,
        count          INTEGER NOT NULL,
        first_seen_ms  INTEGER NOT NULL,
        last_seen_ms   INTEGER NOT NULL,
        last_detail    TEXT NOT NULL,
        PRIMARY KEY (device_id, kind)
      );
    `,
  },
  {
    version: 3,
    name: 'model of each prediction; creation-time index for retention',
    sql: `
      ALTER TABLE predictions ADD COLUMN model_id TEXT NOT NULL DEFAULT '';
      CREATE INDEX predictions_by_created ON predictions (created_ms);
    `,
  },
  {
    version: 4,
    name: 'battery budget decisions and projections (daemon/budget/messages.ts, issue 5)',
    // the one definition of the budget tables; a later change of those rows needs a migration 5
    // (test/unit/daemon/store/migrations.test.ts prepares daemon/budget/messages.ts's INSERTs)
    sql: `
  CREATE TABLE budget_decisions (
    id                       INTEGER PRIMARY KEY,
    device_id                TEXT NOT NULL,
    at_ms                    REAL NOT NULL,
    trigger                  TEXT NOT NULL,
    mode_index               INTEGER NOT NULL,
    threshold                INTEGER NOT NULL,
    previous_mode_index      INTEGER,
    changed                  INTEGER NOT NULL,
    held                     INTEGER NOT NULL,
    status                   TEXT NOT NULL,
    budget_per_window_uj     REAL,
    mode_energy_uj           REAL NOT NULL,
    shortfall_per_window_uj  REAL,
    reason                   TEXT NOT NULL
  );
  CREATE INDEX budget_decisions_by_device ON budget_decisions (device_id, at_ms);
  CREATE TABLE budget_projections (
    id                        INTEGER PRIMARY KEY,
    device_id                 TEXT NOT NULL,
    at_ms                     REAL NOT NULL,
    charge_fraction           REAL NOT NULL,
    charge_sigma              REAL NOT NULL,
    usable_remaining_uj       REAL NOT NULL,
    current_mode_index        INTEGER NOT NULL,
    current_mode_empty_at_ms  REAL,
    planned_empty_at_ms       REAL,
    recent_power_uw           REAL,
    recent_empty_at_ms        REAL,
    target_end_ms             REAL,
    target_power_uw           REAL,
    modes_json                TEXT NOT NULL
  );
  CREATE INDEX budget_projections_by_device ON budget_projections (device_id, at_ms);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The version a database is at (0 for an empty file). */
export function schemaVersion(db: Database): number {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Applies the migrations above `from` up to `to` (default: all), in order. Returns the versions
 * applied. Refuses a database newer than this code knows.
 */
export function migrate(db: Database, nowMs: number, to: number = SCHEMA_VERSION, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)');
  const current = schemaVersion(db);
  const known = migrations[migrations.length - 1]?.version ?? 0;
  if (current > known) {
    throw new StoreError('schema-too-new', `the database is at schema version ${current}; this har-gateway knows up to ${known}`);
  }
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > to) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, nowMs);
      })();
    } catch (cause) {
      throw new StoreError('migration-failed', `migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`, { cause });
    }
    applied.push(migration.version);
  }
  return applied;
}
