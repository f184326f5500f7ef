import { describe, expect, it } from 'vitest';
import { BudgetFleet, readingFromReport, windowObservation } from '../../../../daemon/budget/fleet.ts';
import { budgetSchema } from '../../../../daemon/budget/config.ts';

const T0 = Date.UTC(2026, 0, 1);
const TABLE = [
  { threshold: 0, accuracy: 0.9, energyUj: 10 },
  { threshold: 8, accuracy: 0.93, energyUj: 20 },
  { threshold: 0xffff_ffff, accuracy: 0.95, energyUj: 40 },
];
const CONFIG = budgetSchema.parse({
  classes: { band: { battery: { chemistry: 'lipo', capacityMah: 10, baselineUw: 10 }, target: { durationDays: 30 } } },
  devices: { 'wrist-1': { class: 'band' } },
});

function fleet(table: typeof TABLE | { threshold: number; accuracy: number; energyUj: null }[] = TABLE): BudgetFleet {
  return new BudgetFleet({ config: CONFIG, modelId: 'm', modeTable: table, timing: { rateHz: 50, strideSamples: 50 }, baseTopic: 'har' });
}

describe('readingFromReport', () => {
  it.each([
    [{ percent: 80, millivolts: 3900, tMs: 5 }, 9, { kind: 'percent', timestampMs: 5, percent: 80 }],
    [{ percent: null, millivolts: 3900, tMs: null }, 9, { kind: 'millivolts', timestampMs: 9, millivolts: 3900 }],
    [{ percent: 50, millivolts: null, tMs: null }, null, null],
  ] as const)('%j (fallback %s) -> %j', (report, fallback, expected) => {
    expect(readingFromReport(report, fallback)).toEqual(expected);
  });
});

describe('windowObservation', () => {
  it('places a pipeline result at its last sample', () => {
    expect(windowObservation({ t0Ms: T0, threshold: 8, energyUj: 1.5 }, 128, 50)).toEqual({ timestampMs: T0 + 2560, threshold: 8, energyUj: 1.5 });
  });
});

describe('BudgetFleet', () => {
  it('devices with settings get a budget, others none (null threshold: the default mode)', () => {
    const f = fleet();
    expect(f.nextThreshold('wrist-1')).toBe(0);
    expect(f.nextThreshold('stranger')).toBeNull();
    const out = f.onWindow('wrist-1', { timestampMs: T0, threshold: 0, energyUj: 10 });
    expect(out.mqttMode?.topic).toBe('har/wrist-1/mode');
    expect(f.onWindow('stranger', { timestampMs: T0, threshold: 0, energyUj: 10 }).battery).toBeNull();
    expect(f.counters()).toEqual({ devicesWithBudget: 1, devicesWithout: 1, reportsWithoutTime: 0 });
    expect(f.snapshot().map((s) => s.deviceId)).toEqual(['wrist-1']);
  });

  it('reports use their own time, else the latest window time; without either they are counted and dropped', () => {
    const f = fleet();
    const early = f.onBatteryReport({ deviceId: 'wrist-1', percent: 90, millivolts: null, tMs: null });
    expect(early.outcome).toBeNull();
    expect(f.counters().reportsWithoutTime).toBe(1);
    f.onWindow('wrist-1', { timestampMs: T0, threshold: 0, energyUj: 10 });
    const r = f.onBatteryReport({ deviceId: 'wrist-1', percent: 60, millivolts: null, tMs: null });
    expect(r.outcome?.accepted).toBe(true);
    expect(r.outputs.battery?.atMs).toBe(T0);
    const bad = f.onBatteryReport({ deviceId: 'wrist-1', percent: null, millivolts: 9000, tMs: T0 + 1 });
    expect(bad.outcome).toMatchObject({ accepted: false, reason: 'voltageOutOfRange' });
  });

  it('a model without measured energies: the fleet says why and runs no budget', () => {
    const f = fleet(TABLE.map((m) => ({ ...m, energyUj: null })));
    expect(f.unavailable).toMatch(/model m: .*no measured energy/);
    expect(f.nextThreshold('wrist-1')).toBeNull();
  });
});

describe('BudgetFleet.atRisk', () => {
  it('lists the devices that will miss their target, soonest first', () => {
    const config = budgetSchema.parse({
      classes: {
        big: { battery: { chemistry: 'lipo', capacityMah: 100, baselineUw: 10 }, target: { durationDays: 30 } },
        tiny: { battery: { chemistry: 'lipo', capacityMah: 0.2, baselineUw: 10 }, target: { durationDays: 30 } },
        tinier: { battery: { chemistry: 'lipo', capacityMah: 0.1, baselineUw: 10 }, target: { durationDays: 30 } },
      },
      devices: { ok: { class: 'big' }, weak: { class: 'tiny' }, weaker: { class: 'tinier' } },
    });
    const f = new BudgetFleet({ config, modelId: 'm', modeTable: TABLE, timing: { rateHz: 50, strideSamples: 50 }, baseTopic: 'har' });
    for (const id of ['ok', 'weak', 'weaker']) f.onWindow(id, { timestampMs: T0, threshold: 0, energyUj: 10 });
    const risk = f.atRisk();
    expect(risk.map((r) => r.deviceId)).toEqual(['weaker', 'weak']);
    expect(risk[0]?.status).toBe('infeasible');
    expect(risk[0]?.reason).toMatch(/^infeasible/);
  });
});

describe('DeviceBudget edge cases through the fleet', () => {
  it('a window or report with a non-finite time is counted and ignored', () => {
    const f = fleet();
    f.onWindow('wrist-1', { timestampMs: Number.NaN, threshold: 0, energyUj: 10 });
    const budget = f.budgetOf('wrist-1');
    expect(budget?.snapshot().counters.badTimestamps).toBe(1);
    expect(budget?.resolvedTarget()).toBeNull();
    const r = budget?.onBatteryReport({ kind: 'percent', timestampMs: Number.NaN, percent: 50 });
    expect(r?.report).toMatchObject({ accepted: false, reason: 'notANumber' });
  });
});
