// The store on a real SQLite file in a temp folder.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WindowResult } from '../../daemon/pipeline/pipeline.ts';
import { Store, DATABASE_FILE, type StoreOptions } from '../../daemon/store/store.ts';
import { SCHEMA_VERSION } from '../../daemon/store/migrations.ts';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'har-store-'));
  dirs.push(d);
  return d;
}

function result(deviceId: string, windowSeq: number, overrides: Partial<WindowResult> = {}): WindowResult {
  return {
    deviceId, modelId: 'm1', windowSeq, segment: 0, startSample: windowSeq * 64, t0Ms: 1000 + windowSeq * 1280, threshold: 4294967295,
    classIndex: windowSeq % 3, className: ['A', 'B', 'C'][windowSeq % 3]!, scores: [windowSeq, -1, 2], margin: 3, exitTaken: 1, macs: 1234,
    cycles: null, energyUj: null, latencyUs: null, computeUs: 250, receivedAtMs: 10, completedAtMs: 12, ingestToPredictionMs: 2, ...overrides,
  };
}

function store(options: Partial<StoreOptions> & { clock?: { ms: number } } = {}): Store {
  const clock = options.clock ?? { ms: 1_700_000_000_000 };
  const s = new Store({ dataDir: tempDir(), flushIntervalMs: 60_000, batchRows: 1000, retentionDays: 0, now: () => clock.ms, ...options });
  stores.push(s);
  return s;
}

describe('Store', () => {
  it('creates <dataDir>/har-gateway.db in WAL mode at the current schema', async () => {
    const s = store();
    await s.start();
    expect(s.path.endsWith(DATABASE_FILE)).toBe(true);
    const db = new Database(s.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: SCHEMA_VERSION });
    db.close();
  });

  it('buffers predictions until the row bound, then writes them in one transaction', async () => {
    const s = store({ batchRows: 3 });
    await s.start();
    s.recordPrediction(result('a', 0));
    s.recordPrediction(result('a', 1));
    expect(s.predictions()).toHaveLength(0);
    s.recordPrediction(result('b', 0));
    expect(s.stats()).toMatchObject({ predictionsWritten: 3, flushes: 1, pendingRows: 0 });
    const rows = s.predictions();
    expect(rows.map((r) => [r.deviceId, r.windowSeq, r.className])).toEqual([['a', 0, 'A'], ['a', 1, 'B'], ['b', 0, 'A']]);
    expect(rows[1]).toMatchObject({ scores: [1, -1, 2], margin: 3, exitTaken: 1, macs: 1234, threshold: 4294967295, modelId: 'm1', cycles: null, computeUs: 250 });
  });

  it('flushes on its interval', async () => {
    const s = store({ flushIntervalMs: 20 });
    await s.start();
    s.recordPrediction(result('a', 0));
    await new Promise((r) => setTimeout(r, 80));
    expect(s.predictions('a')).toHaveLength(1);
  });

  it('aggregates error counts per device and kind, across flushes', async () => {
    const clock = { ms: 5000 };
    const s = store({ clock });
    await s.start();
    s.recordError({ deviceId: 'a', kind: 'json-invalid', detail: 'first' });
    clock.ms = 6000;
    s.recordError({ deviceId: 'a', kind: 'json-invalid', detail: 'second' });
    s.recordError({ deviceId: '?', kind: 'topic-shape', detail: 'har/x/y/z' });
    s.flush();
    clock.ms = 7000;
    s.recordError({ deviceId: 'a', kind: 'json-invalid', detail: 'third' });
    s.flush();
    expect(s.errorCounts()).toEqual([
      { deviceId: '?', kind: 'topic-shape', count: 1, firstSeenMs: 6000, lastSeenMs: 6000, lastDetail: 'har/x/y/z' },
      { deviceId: 'a', kind: 'json-invalid', count: 3, firstSeenMs: 5000, lastSeenMs: 7000, lastDetail: 'third' },
    ]);
  });

  it('writes what is buffered on stop, and reopens the same file', async () => {
    const dir = tempDir();
    const s1 = store({ dataDir: dir });
    await s1.start();
    s1.recordPrediction(result('a', 0));
    await s1.stop();
    const s2 = store({ dataDir: dir });
    await s2.start();
    expect(s2.predictions()).toHaveLength(1);
    const devices = new Database(s2.path, { readonly: true }).prepare('SELECT device_id, windows FROM devices').all();
    expect(devices).toEqual([{ device_id: 'a', windows: 1 }]);
  });

  it('survives a failing commit: counts it, keeps the rows and writes them once the database works again', async () => {
    const failures: Error[] = [];
    const s = store({ onWriteError: (e) => failures.push(e) });
    await s.start();
    const other = new Database(s.path);
    other.exec('ALTER TABLE predictions RENAME TO predictions_away');
    s.recordPrediction(result('a', 0));
    s.recordError({ deviceId: 'a', kind: 'invalid-json', detail: 'x' });
    s.flush(); // INSERT INTO predictions fails: no such table
    expect(failures).toHaveLength(1);
    expect(s.stats()).toMatchObject({ writeFailures: 1, pendingRows: 1, predictionsWritten: 0, rowsDropped: 0 });
    other.exec('ALTER TABLE predictions_away RENAME TO predictions');
    other.close();
    s.recordError({ deviceId: 'a', kind: 'invalid-json', detail: 'y' });
    s.flush();
    expect(s.stats()).toMatchObject({ writeFailures: 1, pendingRows: 0, predictionsWritten: 1 });
    expect(s.errorCounts()).toMatchObject([{ deviceId: 'a', kind: 'invalid-json', count: 2, lastDetail: 'y' }]);
  });

  it('deletes predictions older than the retention period', async () => {
    const clock = { ms: 10 * 86_400_000 };
    const s = store({ clock, retentionDays: 2 });
    await s.start();
    s.recordPrediction(result('a', 0));
    s.flush(); // created at day 10
    clock.ms = 11 * 86_400_000;
    s.recordPrediction(result('a', 1));
    s.flush(); // day 11
    clock.ms = 12.5 * 86_400_000; // cutoff 10.5 days
    expect(s.sweepRetention()).toBe(1);
    expect(s.predictions().map((r) => r.windowSeq)).toEqual([1]);
    expect(s.stats().retentionDeleted).toBe(1);
  });
});
