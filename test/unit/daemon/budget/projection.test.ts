import { describe, expect, it } from 'vitest';
import { project, type ProjectionInputs } from '../../../../daemon/budget/projection.ts';
import { makeBatterySpec } from '../../../../daemon/budget/battery.ts';
import { FIVE_ENERGIES, FIVE_MODES } from './fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const spec = makeBatterySpec({ chemistry: 'lipo', capacityMah: 10, baselineUw: 10 });
const USABLE_UJ = 100e6; // 100 J

function inputs(overrides: Partial<ProjectionInputs> = {}): ProjectionInputs {
  return {
    atMs: T0,
    spec,
    timing: { rateHz: 50, strideSamples: 50 }, // 1 s windows
    modes: FIVE_MODES,
    energiesUj: FIVE_ENERGIES,
    chargeFraction: 0.8,
    chargeSigma: 0.02,
    usableRemainingUj: USABLE_UJ,
    currentModeIndex: 2,
    recentPowerUw: 40,
    target: { kind: 'until', endMs: T0 + 30 * 86400e3 },
    status: 'feasible',
    budgetPerWindowUj: 25,
    ...overrides,
  };
}

describe('projections', () => {
  it('time to empty per mode = usable / (baseline + energy per window / period)', () => {
    const p = project(inputs());
    FIVE_ENERGIES.forEach((e, i) => {
      const seconds = USABLE_UJ / (10 + e);
      expect(p.modes[i]?.secondsToEmpty).toBeCloseTo(seconds, 6);
      expect(p.modes[i]?.emptyAtMs).toBeCloseTo(T0 + seconds * 1000, 0);
      expect(p.modes[i]?.meetsTarget).toBe(seconds >= 30 * 86400);
    });
    expect(p.recentEmptyAtMs).toBeCloseTo(T0 + (USABLE_UJ / 40) * 1000, 0);
    expect(p.recentMarginS).toBeCloseTo(USABLE_UJ / 40 - 30 * 86400, 3);
  });

  it('feasible between two modes: the plan ends at the target with a documented mix', () => {
    const p = project(inputs({ budgetPerWindowUj: 25 }));
    expect(p.plannedEmptyAtMs).toBe(T0 + 30 * 86400e3);
    // 25 µJ between mode 1 (20) and mode 2 (30): half the windows in mode 2
    expect(p.plannedMix).toEqual({ lowModeIndex: 1, highModeIndex: 2, highShare: 0.5 });
  });

  it('the most accurate mode underspends: the plan outlives the target', () => {
    // 233.28 J over 30 d of 1 s windows: 90 µJ per window - 10 µJ baseline = 80 µJ, above mode 4's 50 µJ
    const usable = 90 * 30 * 86400;
    const p = project(inputs({ currentModeIndex: 4, budgetPerWindowUj: 80, usableRemainingUj: usable }));
    expect(p.plannedEmptyAtMs).toBeCloseTo(T0 + (usable / 60) * 1000, 0);
    expect(p.plannedEmptyAtMs ?? 0).toBeGreaterThan(T0 + 30 * 86400e3 - 1);
    expect(p.plannedMix).toBeNull();
  });

  it('infeasible: the plan is the cheapest mode', () => {
    const p = project(inputs({ status: 'infeasible', currentModeIndex: 0, budgetPerWindowUj: 5 }));
    expect(p.plannedEmptyAtMs).toBeCloseTo(T0 + (USABLE_UJ / 20) * 1000, 0);
    expect(p.plannedMix).toBeNull();
  });

  it('average-power targets: a mode meets the target when its power is below it', () => {
    const p = project(inputs({ target: { kind: 'averagePower', powerUw: 35 } }));
    expect(p.targetEndMs).toBeNull();
    // device power 20, 30, 40, 50, 60 µW
    expect(p.modes.map((m) => m.meetsTarget)).toEqual([true, true, false, false, false]);
  });
});
