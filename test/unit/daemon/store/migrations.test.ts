import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from '../../../../daemon/store/migrations.ts';
import { INSERT_DECISION_SQL, INSERT_PROJECTION_SQL } from '../../../../daemon/budget/messages.ts';

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
}

describe('migrations', () => {
  it('are numbered 1..n in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('build the full schema from an empty database, once', () => {
    const db = new Database(':memory:');
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db, 1000)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(columns(db, 'predictions')).toContain('model_id');
    expect(columns(db, 'ingest_errors')).toEqual(['device_id', 'kind', 'count', 'first_seen_ms', 'last_seen_ms', 'last_detail']);
    expect(migrate(db, 2000)).toEqual([]); // idempotent
    expect(db.prepare('SELECT version, applied_ms FROM schema_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, applied_ms: 1000 })));
  });

  for (const older of MIGRATIONS.slice(0, -1)) {
    it(`upgrade a database at version ${older.version} and keep its rows`, () => {
      const db = new Database(':memory:');
      migrate(db, 1, older.version);
      expect(schemaVersion(db)).toBe(older.version);
      db.prepare(`INSERT INTO predictions (device_id, window_seq, segment, start_sample, t0_ms, class_index, class_name, scores, margin, threshold,
        exit_taken, macs, compute_us, ingest_to_prediction_ms, created_ms) VALUES ('d', 7, 0, 448, 5.5, 2, 'SITTING', '[1,2]', 1, 0, 0, 10, 3, 1.5, 99)`).run();
      const applied = migrate(db, 2);
      expect(applied).toEqual(MIGRATIONS.filter((m) => m.version > older.version).map((m) => m.version));
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT device_id, window_seq, class_name, model_id FROM predictions').all()).toEqual([{ device_id: 'd', window_seq: 7, class_name: 'SITTING', model_id: '' }]);
    });
  }

  it('hold the budget tables the budget part writes (its INSERT statements prepare)', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    expect(() => db.prepare(INSERT_DECISION_SQL)).not.toThrow();
    expect(() => db.prepare(INSERT_PROJECTION_SQL)).not.toThrow();
  });

  it('refuse a database newer than the code', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, 'from the future', 0)").run(SCHEMA_VERSION + 1);
    expect(() => migrate(db, 2)).toThrow(expect.objectContaining({ code: 'schema-too-new' }));
  });

  it('roll back a failing migration and report it', () => {
    const db = new Database(':memory:');
    const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE t (a); CREATE TABLE t (a);' }];
    expect(() => migrate(db, 1, SCHEMA_VERSION + 1, broken)).toThrow(expect.objectContaining({ code: 'migration-failed' }));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
  });
});
