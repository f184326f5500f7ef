// Seeded random event sequences (good, bad and absurd windows and reports) through DeviceBudget:
// whatever arrives, the estimate stays a number in [0, 1], the controller always names a mode of
// the table with a reason, and nothing throws.
import { describe, expect, it } from 'vitest';
import { DeviceBudget } from '../../../../daemon/budget/device-budget.ts';
import { makeBatterySpec } from '../../../../daemon/budget/battery.ts';
import { seededRandom } from '../../../../daemon/budget/simulation.ts';
import type { BatteryReading } from '../../../../daemon/budget/charge-estimator.ts';
import { FIVE_MODES } from './fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const ABSURD = [Number.NaN, Number.POSITIVE_INFINITY, -1, -1e9, 0, 1e12];

describe.each([1, 2, 3, 4, 5])('fuzzed event sequence, seed %i', (seed) => {
  it('keeps a sane estimate and a valid mode', () => {
    const random = seededRandom(seed);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const budget = new DeviceBudget({
      deviceId: 'fuzz',
      battery: makeBatterySpec({ chemistry: random() < 0.5 ? 'lipo' : 'cr2032', capacityMah: 0.05 + random() * 5, baselineUw: random() * 50 }),
      timing: { rateHz: 50, strideSamples: 64 },
      modes: FIVE_MODES,
      target: pick([{ kind: 'duration', durationS: 86400 }, { kind: 'until', endMs: T0 + 3600e3 }, { kind: 'averagePower', powerUw: 30 }] as const),
      controller: { reevaluateEveryWindows: 5, minDwellS: random() * 600 },
    });
    let t = T0;
    for (let i = 0; i < 3000; i++) {
      t += random() < 0.02 ? -5000 : random() * 3000; // sometimes backwards
      const r = random();
      if (r < 0.8) {
        const energy = random() < 0.05 ? pick(ABSURD) : random() < 0.1 ? null : random() * 80;
        const threshold = random() < 0.05 ? 777 : budget.nextThreshold();
        budget.onWindow({ timestampMs: random() < 0.01 ? Number.NaN : t, threshold, energyUj: energy });
      } else {
        const reading: BatteryReading =
          random() < 0.5
            ? { kind: 'percent', timestampMs: t, percent: random() < 0.2 ? pick(ABSURD) : random() * 100 }
            : { kind: 'millivolts', timestampMs: t, millivolts: random() < 0.2 ? pick(ABSURD) : 1800 + random() * 2600 };
        budget.onBatteryReport(reading);
      }
      const snap = budget.snapshot();
      expect(snap.charge.chargeFraction).toBeGreaterThanOrEqual(0);
      expect(snap.charge.chargeFraction).toBeLessThanOrEqual(1);
      expect(Number.isFinite(snap.charge.sigma)).toBe(true);
      expect(FIVE_MODES.map((m) => m.threshold)).toContain(budget.nextThreshold());
      for (const e of snap.modeEnergiesUj) expect(Number.isFinite(e) && e >= 0).toBe(true);
      if (snap.decision) expect(snap.decision.reason.length).toBeGreaterThan(10);
    }
    const rejected = budget.snapshot().charge.rejected;
    expect(Object.values(rejected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
