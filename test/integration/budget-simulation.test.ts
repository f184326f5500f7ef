// Acceptance of issue 5: a deterministic month of operation at accelerated time. Synthetic
// windows (per-mode energies that vary per window and over the day), a simulated battery (the
// truth), noisy battery reports read from the truth through the chemistry curve. Nothing here
// comes from a dataset or a real model: the mode table is made up.
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationOptions, type SimulationResult } from '../../daemon/budget/simulation.ts';
import { CONTROLLER_DEFAULTS, maxSwitchesPerDay } from '../../daemon/budget/controller.ts';
import { makeBatterySpec } from '../../daemon/budget/battery.ts';
import { modesFromTable } from '../../daemon/budget/modes.ts';
import { loadZooModel } from '../../models/zoo/index.ts';
import { SCENARIOS, SCENARIO_MODES as MODES, SCENARIO_START_MS as START_MS, SCENARIO_TARGET_S as TARGET_S, monthScenario } from '../../daemon/budget/scenarios.ts';

const DAY_S = 86_400;
const PERIOD_S = 1.28;

// The scenario (daemon/budget/scenarios.ts): ten made-up modes of 20 .. 59.6 µJ, 10 mAh LiPo,
// 15 µW configured baseline but 16 µW drawn, hourly voltage reports (20 mV noise), 30-day target.
function base(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return monthScenario(overrides);
}

function endDays(r: SimulationResult): number {
  return ((r.trueEmptyAtMs ?? r.endedAtMs) - START_MS) / 86_400_000;
}

/** CNN energy per window the usable battery affords over the target, given the true baseline. */
function idealBudgetUj(r: SimulationResult, trueBaselineUw: number): number {
  return r.usableCapacityUj / (TARGET_S / PERIOD_S) - trueBaselineUw * PERIOD_S;
}

describe('a month of operation, feasible target', () => {
  const r = simulate(base());
  const bound = maxSwitchesPerDay(CONTROLLER_DEFAULTS);

  it('the battery ends within 2 % of the 30-day target', () => {
    expect(r.trueEmptyAtMs).not.toBeNull();
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
  });

  it('every day, the projected end (the controller plan) is within 2 % of when the simulated battery really empties', () => {
    const trueEndMs = r.trueEmptyAtMs ?? r.endedAtMs;
    for (const day of r.days.slice(0, 29)) {
      expect(day.plannedEmptyAtMs, `day ${day.day}`).not.toBeNull();
      expect(Math.abs((day.plannedEmptyAtMs ?? 0) - trueEndMs) / (TARGET_S * 1000), `day ${day.day}`).toBeLessThan(0.02);
    }
  });

  it('the estimated charge follows the simulated battery within 3 points every day', () => {
    for (const day of r.days) {
      expect(Math.abs(day.estimatedFraction - day.trueFraction), `day ${day.day}`).toBeLessThan(0.03);
    }
  });

  it('uses the most accurate modes it can afford: the modes around the budget, not cheaper ones', () => {
    const ideal = idealBudgetUj(r, 16);
    const total = r.windows;
    const cheapShare = MODES.filter((m) => m.meanEnergyUj < ideal * 0.85).reduce((n, m) => n + (r.windowsPerMode[m.mode.index] ?? 0), 0) / total;
    expect(cheapShare).toBeLessThan(0.05);
    // the time-weighted energy per window is the budget (within 3 %)
    const spentUj = MODES.reduce((sum, m) => sum + m.meanEnergyUj * (r.windowsPerMode[m.mode.index] ?? 0), 0) / total;
    expect(Math.abs(spentUj - ideal) / ideal).toBeLessThan(0.03);
    // most windows run in one of the two modes that bracket the budget
    const bracket = MODES.filter((m) => Math.abs(m.meanEnergyUj - ideal) <= 4.4 * 1.03).map((m) => m.mode.index);
    const bracketShare = bracket.reduce((n, i) => n + (r.windowsPerMode[i] ?? 0), 0) / total;
    expect(bracketShare).toBeGreaterThan(0.6);
  });

  it(`never says infeasible, and switches modes at most ${bound} times a day (the dwell bound); in practice far fewer`, () => {
    expect(r.statuses.infeasible).toBe(0);
    const perDay = r.days.map((d) => d.switches);
    expect(Math.max(...perDay)).toBeLessThanOrEqual(bound);
    expect(Math.max(...perDay)).toBeLessThanOrEqual(12);
  });

  it('every decision carries a reason', () => {
    expect(r.decisions.length).toBeGreaterThan(1);
    for (const d of r.decisions) expect(d.reason.length).toBeGreaterThan(40);
  });
});

describe('a month of operation, infeasible target', () => {
  // 6 mAh cannot last 30 days even in the cheapest mode (~31 µW x 30 d = 80 J > 72 J usable)
  const r = simulate(base(SCENARIOS.infeasible));

  it('says so, with a shortfall, and runs the cheapest mode', () => {
    const infeasible = r.decisions.filter((d) => d.status === 'infeasible');
    expect(infeasible.length).toBeGreaterThan(0);
    expect(infeasible[0]?.reason).toMatch(/^infeasible: even the cheapest mode 0/);
    expect(infeasible[0]?.shortfallPerWindowUj).toBeGreaterThan(0);
    expect((r.windowsPerMode[0] ?? 0) / r.windows).toBeGreaterThan(0.99);
    expect(r.statuses.infeasible).toBeGreaterThan(r.statuses.feasible);
  });

  it('the battery ends before the target, where the cheapest-mode projection said', () => {
    expect(endDays(r)).toBeLessThan(29);
    const firstDay = r.days[1];
    const plannedDays = ((firstDay?.plannedEmptyAtMs ?? 0) - START_MS) / 86_400_000;
    expect(Math.abs(plannedDays - endDays(r)) / endDays(r)).toBeLessThan(0.03);
  });
});

describe('reports and their absence', () => {
  it('without reports and a true baseline, coulomb counting alone meets the target within 2 %', () => {
    const r = simulate(base(SCENARIOS['no-reports']));
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
    expect(r.reportsSent).toBe(0);
  });

  it('when the configured baseline is wrong, voltage reports pull the end closer to the target than counting alone', () => {
    // the device draws 18 µW, 20 % more than the configured 15 µW
    const counted = simulate(base(SCENARIOS['wrong-baseline-no-reports']));
    const reported = simulate(base(SCENARIOS['wrong-baseline-reports']));
    const countedError = Math.abs(endDays(counted) - 30);
    const reportedError = Math.abs(endDays(reported) - 30);
    expect(reportedError).toBeLessThan(countedError);
    expect(reportedError / 30).toBeLessThan(0.02);
  });

  it('fuel-gauge percent reports work as well', () => {
    const r = simulate(base(SCENARIOS.percent));
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
  });

  it('a CR2032 (flat curve) with voltage reports meets the target within 2 %', () => {
    const r = simulate(base(SCENARIOS.cr2032));
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
  });

  it('42 modes 2.5 % apart: still within 2 % of the target, switches within the bound', () => {
    const r = simulate(base(SCENARIOS['many-modes']));
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
    expect(Math.max(...r.days.map((d) => d.switches))).toBeLessThanOrEqual(maxSwitchesPerDay(CONTROLLER_DEFAULTS));
  });

  it('nonsense reports among the real ones are rejected and counted; the estimate keeps going', () => {
    const r = simulate(base({ nonsenseEvery: 5 }));
    const rejected = r.budget.snapshot().charge.rejected;
    expect(rejected.negative).toBeGreaterThan(10);
    expect(rejected.percentAbove100).toBeGreaterThan(10);
    expect(rejected.voltageOutOfRange).toBeGreaterThan(10);
    expect(rejected.notANumber).toBeGreaterThan(10);
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
  });

  it('is deterministic', () => {
    const a = simulate(base({ durationS: 2 * DAY_S }));
    const b = simulate(base({ durationS: 2 * DAY_S }));
    expect(a.windowsPerMode).toEqual(b.windowsPerMode);
    expect(a.decisions.map((d) => d.reason)).toEqual(b.decisions.map((d) => d.reason));
  });
});

describe('the shipped default model (its measured mode table, when it has one)', () => {
  const loaded = (() => {
    try {
      return loadZooModel('default');
    } catch {
      return null;
    }
  })();
  const table = loaded?.artifact.metadata.modes ?? [];
  const measured = table.length > 1 && table.every((m) => m.energyUj !== null);

  it.skipIf(!measured)('a budget between two of its modes: the battery ends within 2 % of the target, on the modes around the budget', () => {
    const modes = modesFromTable(table);
    // The two cheapest modes of different accuracy, and a budget half way between their costs.
    const byCost = [...modes].sort((a, b) => a.tableEnergyUj - b.tableEnergyUj);
    const low = byCost[0];
    const high = byCost.find((m) => low !== undefined && m.accuracy > low.accuracy && m.tableEnergyUj > low.tableEnergyUj);
    expect(low && high).toBeTruthy();
    if (!low || !high) return;
    const budgetUj = (low.tableEnergyUj + high.tableEnergyUj) / 2;
    const { rateHz, strideSamples } = loaded?.artifact.metadata.input ?? { rateHz: 50, strideSamples: 64 };
    const periodS = strideSamples / rateHz;
    const baselineUw = 15;
    const usableUj = (budgetUj / periodS + baselineUw) * TARGET_S;
    const capacityMah = usableUj / 0.9 / (3.7 * 3.6e6);
    const r = simulate(
      base({
        battery: makeBatterySpec({ chemistry: 'lipo', capacityMah, baselineUw }),
        trueBaselineUw: baselineUw,
        timing: { rateHz, strideSamples },
        modes: modes.map((mode) => ({ mode, meanEnergyUj: mode.tableEnergyUj, jitter: 0.2 })),
        dailyInputSwing: 0.1,
      }),
    );
    expect(Math.abs(endDays(r) - 30) / 30).toBeLessThan(0.02);
    const aroundShare = ((r.windowsPerMode[low.index] ?? 0) + (r.windowsPerMode[high.index] ?? 0)) / r.windows;
    expect(aroundShare).toBeGreaterThan(0.5);
  });
});
