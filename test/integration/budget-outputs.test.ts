// The budget's outputs through real components in-process: the SQLite rows into a temporary
// better-sqlite3 database created by the store's migrations, and the retained `<base>/<id>/mode`
// message through the embedded aedes broker to a client that subscribes afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../daemon/store/migrations.ts';
import { DeviceBudget, type BudgetUpdate } from '../../daemon/budget/device-budget.ts';
import { makeBatterySpec } from '../../daemon/budget/battery.ts';
import {
  INSERT_DECISION_SQL,
  INSERT_PROJECTION_SQL,
  decisionRowSchema,
  mqttModePayloadSchema,
  projectionRowSchema,
  type BudgetOutputs,
} from '../../daemon/budget/messages.ts';
import { EmbeddedBroker } from '../../daemon/mqtt/embedded-broker.ts';

const T0 = Date.UTC(2026, 0, 1);
const MODES = [0, 1, 2, 3].map((i) => ({ index: i, threshold: i === 3 ? 0xffff_ffff : i * 16, accuracy: 0.85 + i * 0.03, macroF1: null, tableEnergyUj: 10 + i * 10 }));

/** A small device run: windows at 1 s, a dwindling fuel gauge, returns every output. */
function runDevice(): { budget: DeviceBudget; outputs: BudgetOutputs[] } {
  const budget = new DeviceBudget({
    deviceId: 'wrist-1',
    battery: makeBatterySpec({ chemistry: 'lipo', capacityMah: 0.5, baselineUw: 10 }),
    timing: { rateHz: 50, strideSamples: 50 },
    modes: MODES,
    target: { kind: 'duration', durationS: 2 * 86400 },
    controller: { reevaluateEveryWindows: 600, minDwellS: 600 },
  });
  const outputs: BudgetOutputs[] = [];
  const keep = (u: BudgetUpdate): void => {
    const o = budget.outputs(u, 'har');
    if (o.battery) outputs.push(o);
  };
  for (let i = 0; i < 6 * 3600; i++) {
    const t = T0 + i * 1000;
    const threshold = budget.nextThreshold();
    const mode = MODES.find((m) => m.threshold === threshold);
    keep(budget.onWindow({ timestampMs: t, threshold, energyUj: (mode?.tableEnergyUj ?? 10) * (1 + 0.2 * Math.sin(i)) }));
    if (i % 1800 === 0) keep(budget.onBatteryReport({ kind: 'percent', timestampMs: t, percent: Math.max(0, 100 - i / 400) }));
  }
  return { budget, outputs };
}

describe('budget outputs into SQLite', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'har-budget-db-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the migration creates the tables and every row inserts and reads back', () => {
    const db = new Database(join(dir, 'budget.db'));
    db.pragma('journal_mode = WAL');
    migrate(db, 0); // the store's migrations, budget tables included (migration 4)
    const insertDecision = db.prepare(INSERT_DECISION_SQL);
    const insertProjection = db.prepare(INSERT_PROJECTION_SQL);
    const { budget, outputs } = runDevice();
    let decisions = 0;
    let projections = 0;
    db.transaction(() => {
      for (const o of outputs) {
        if (o.decisionRow) {
          insertDecision.run(o.decisionRow);
          decisions++;
        }
        if (o.projectionRow) {
          insertProjection.run(o.projectionRow);
          projections++;
        }
      }
    })();
    expect(decisions).toBeGreaterThan(1);
    expect(projections).toBeGreaterThan(decisions);
    const stored = db.prepare('SELECT * FROM budget_decisions ORDER BY id').all() as Record<string, unknown>[];
    expect(stored).toHaveLength(decisions);
    for (const row of stored) {
      const { id: _id, ...rest } = row;
      expect(() => decisionRowSchema.parse(rest)).not.toThrow();
    }
    const last = stored[stored.length - 1];
    expect(last?.mode_index).toBe(budget.currentMode()?.index);
    const proj = db.prepare('SELECT * FROM budget_projections ORDER BY id DESC LIMIT 1').get() as Record<string, unknown>;
    const { id: _pid, ...projRest } = proj;
    const parsed = projectionRowSchema.parse(projRest);
    expect(JSON.parse(parsed.modes_json)).toHaveLength(MODES.length);
    db.close();
  });
});

describe('the retained mode message over MQTT', () => {
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
  beforeAll(async () => broker.start());
  afterAll(async () => broker.stop());

  it('a client that subscribes later gets the last mode, reason and projection', async () => {
    const { budget, outputs } = runDevice();
    const modeMessages = outputs.filter((o) => o.mqttMode !== null);
    expect(modeMessages.length).toBeGreaterThan(1);
    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'budget-pub' });
    for (const o of modeMessages) {
      if (o.mqttMode) await publisher.publishAsync(o.mqttMode.topic, JSON.stringify(o.mqttMode.payload), { qos: 1, retain: o.mqttMode.retain });
    }
    await publisher.endAsync();

    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'budget-sub' });
    const received = new Promise<{ topic: string; payload: string; retain: boolean }>((resolve) => {
      subscriber.on('message', (topic, payload, packet) => resolve({ topic, payload: payload.toString('utf8'), retain: packet.retain }));
    });
    await subscriber.subscribeAsync('har/+/mode', { qos: 1 });
    const msg = await received;
    await subscriber.endAsync();
    expect(msg.topic).toBe('har/wrist-1/mode');
    expect(msg.retain).toBe(true);
    const payload = mqttModePayloadSchema.parse(JSON.parse(msg.payload));
    expect(payload.mode.index).toBe(budget.currentMode()?.index);
    expect(payload.reason.length).toBeGreaterThan(20);
    expect(payload.projection.targetEndAt).toBe(new Date(T0 + 2 * 86400 * 1000).toISOString());
  });
});
