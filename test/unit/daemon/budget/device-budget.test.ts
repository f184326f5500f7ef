import { describe, expect, it } from 'vitest';
import { DeviceBudget } from '../../../../daemon/budget/device-budget.ts';
import { makeBatterySpec } from '../../../../daemon/budget/battery.ts';
import { batteryEnvelopeSchema, modeEnvelopeSchema, mqttModePayloadSchema, decisionRowSchema, projectionRowSchema } from '../../../../daemon/budget/messages.ts';
import { FIVE_MODES } from './fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const PERIOD_MS = 1000; // rate 50 Hz, stride 50

function budget(reevaluateEveryWindows = 10, capacityMah = 10): DeviceBudget {
  return new DeviceBudget({
    deviceId: 'dev-1',
    battery: makeBatterySpec({ chemistry: 'lipo', capacityMah, baselineUw: 10 }),
    timing: { rateHz: 50, strideSamples: 50 },
    modes: FIVE_MODES,
    target: { kind: 'duration', durationS: 30 * 86400 },
    controller: { reevaluateEveryWindows, minDwellS: 0 },
  });
}

describe('DeviceBudget', () => {
  it('before any event it proposes the cheapest mode; the first window makes the first decision', () => {
    const b = budget();
    expect(b.nextThreshold()).toBe(0);
    const u = b.onWindow({ timestampMs: T0, threshold: 0, energyUj: 10 });
    expect(u.decision?.trigger).toBe('start');
    expect(b.resolvedTarget()).toEqual({ kind: 'until', endMs: T0 + 30 * 86400 * 1000 });
    // 10 mAh x 3.7 V x 0.9 = 119.88 J over 2.592e6 windows = 46.25 µJ - 10 µJ baseline = 36.25 µJ -> mode 2 (30 µJ)
    expect(u.decision?.modeIndex).toBe(2);
    expect(b.nextThreshold()).toBe(200);
  });

  it('re-evaluates every N windows and on every accepted report, not on rejected ones', () => {
    const b = budget(10);
    let evaluations = 0;
    for (let i = 0; i < 35; i++) if (b.onWindow({ timestampMs: T0 + i * PERIOD_MS, threshold: b.nextThreshold(), energyUj: 30 }).decision) evaluations++;
    expect(evaluations).toBe(4); // start + windows 10, 20, 30
    expect(b.onBatteryReport({ kind: 'percent', timestampMs: T0 + 35_000, percent: 99 }).decision?.trigger).toBe('report');
    const rejected = b.onBatteryReport({ kind: 'percent', timestampMs: T0 + 36_000, percent: 180 });
    expect(rejected.decision).toBeNull();
    expect(rejected.report?.accepted).toBe(false);
    expect(b.snapshot().charge.rejected.percentAbove100).toBe(1);
    expect(b.snapshot().counters).toMatchObject({ windows: 35, evaluations: 5 });
  });

  it('windows without a measured energy, or with a bad one, count the mode average; unknown thresholds are counted', () => {
    const b = budget(1000);
    b.onWindow({ timestampMs: T0, threshold: 200, energyUj: null });
    b.onWindow({ timestampMs: T0 + 1000, threshold: 12345, energyUj: 5 });
    b.onWindow({ timestampMs: T0 + 2000, threshold: 200, energyUj: -3 });
    b.onWindow({ timestampMs: T0 + 3000, threshold: 200, energyUj: 7e9 });
    const snap = b.snapshot();
    expect(snap.counters).toMatchObject({ windowsWithoutEnergy: 3, unknownThreshold: 1, badEnergy: 2 });
    // 3 x 30 µJ (mode 2's average) + 5 µJ + 10 µW x 3 s
    expect(snap.charge.countedUj).toBeCloseTo(125, 9);
    expect(snap.modeEnergiesUj[2]).toBe(30);
  });

  it('a device that never reports keeps counting to empty and then runs the cheapest mode', () => {
    const b = budget(100, 0.01); // 0.01 mAh: 133 mJ, gone in about an hour
    let last = null;
    for (let i = 0; i < 4000; i++) {
      const u = b.onWindow({ timestampMs: T0 + i * PERIOD_MS, threshold: b.nextThreshold(), energyUj: 30 });
      if (u.decision) last = u.decision;
    }
    expect(last?.status).toBe('empty');
    expect(b.nextThreshold()).toBe(0);
  });

  it('its outputs validate against the message schemas; mode messages only on change', () => {
    const b = budget(10);
    const first = b.onWindow({ timestampMs: T0, threshold: 0, energyUj: 10 });
    const out = b.outputs(first, 'har');
    expect(out.mqttMode?.topic).toBe('har/dev-1/mode');
    expect(out.mqttMode?.retain).toBe(true);
    expect(() => mqttModePayloadSchema.parse(out.mqttMode?.payload)).not.toThrow();
    expect(() => modeEnvelopeSchema.parse(out.mode)).not.toThrow();
    expect(() => batteryEnvelopeSchema.parse(out.battery)).not.toThrow();
    expect(() => decisionRowSchema.parse(out.decisionRow)).not.toThrow();
    expect(() => projectionRowSchema.parse(out.projectionRow)).not.toThrow();
    expect(out.battery?.projection.modes).toHaveLength(5);
    let later = b.onWindow({ timestampMs: T0 + 1000, threshold: 200, energyUj: 30 });
    for (let i = 2; !later.decision; i++) later = b.onWindow({ timestampMs: T0 + i * 1000, threshold: 200, energyUj: 30 });
    const again = b.outputs(later, 'har');
    expect(again.mode).toBeNull();
    expect(again.mqttMode).toBeNull();
    expect(again.battery).not.toBeNull();
    expect(again.projectionRow).not.toBeNull();
  });
});

describe('DeviceBudget started by a report', () => {
  it('a report before any window anchors the target and corrects the starting charge', () => {
    const b = budget(10);
    const u = b.onBatteryReport({ kind: 'percent', timestampMs: T0, percent: 50 });
    expect(b.resolvedTarget()).toEqual({ kind: 'until', endMs: T0 + 30 * 86400 * 1000 });
    expect(u.report?.accepted).toBe(true);
    expect(u.decision?.trigger).toBe('report');
    // half a battery: (0.5 - 0.1) x 133.2 J over 30 d = 20.6 µJ - 10 µJ baseline: mode 0 (10 µJ) only
    expect(u.decision?.modeIndex).toBe(0);
    expect(b.snapshot().charge.chargeFraction).toBeLessThan(0.6);
  });

  it('a report as the first event still publishes the first mode (the start decision is not lost)', () => {
    const accepted = budget().onBatteryReport({ kind: 'percent', timestampMs: T0, percent: 100 });
    expect(accepted.decision?.trigger).toBe('report');
    expect(accepted.modeChanged).toBe(true);
    const b = budget();
    const u = b.onBatteryReport({ kind: 'percent', timestampMs: T0, percent: 100 });
    expect(b.outputs(u, 'har')).toMatchObject({ mode: { modeIndex: 2 }, decisionRow: { mode_index: 2 }, mqttMode: { topic: 'har/dev-1/mode' } });
    // a rejected first report: the start decision is what comes back
    const r = budget().onBatteryReport({ kind: 'percent', timestampMs: T0, percent: 180 });
    expect(r.report?.accepted).toBe(false);
    expect(r.decision?.trigger).toBe('start');
    expect(r.modeChanged).toBe(true);
  });
});
