import { describe, expect, it } from 'vitest';
import { ModeController, energyBudgetPerWindow, maxSwitchesPerDay, preferredMode, type BudgetInputs } from '../../../../daemon/budget/controller.ts';
import { FIVE_ENERGIES, FIVE_MODES } from './fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const DAY_S = 86_400;

/** Inputs whose budget per window is exactly `budgetUj` with 1 s windows and 10 µW baseline over 10 days. */
function inputsFor(budgetUj: number, nowMs = T0): BudgetInputs {
  const windows = 10 * DAY_S; // 1 s per window
  return {
    nowMs,
    usableRemainingUj: (budgetUj + 10) * windows - ((nowMs - T0) / 1000) * 0, // baseline share 10 µJ per window
    windowPeriodS: 1,
    baselineUw: 10,
    target: { kind: 'until', endMs: T0 + windows * 1000 },
  };
}

describe('energy budget per window', () => {
  it.each([
    // usable µJ, seconds left, period s, baseline µW -> budget µJ
    [1_000_000, 1000, 1, 0, 1000],
    [1_000_000, 1000, 2, 0, 2000],
    [1_000_000, 1000, 1, 100, 900],
    [1_000_000, 1000, 1, 2000, -1000],
  ])('%d µJ over %d s, %d s windows, %d µW baseline -> %d µJ', (usable, leftS, periodS, baselineUw, expected) => {
    const b = energyBudgetPerWindow({ nowMs: T0, usableRemainingUj: usable, windowPeriodS: periodS, baselineUw, target: { kind: 'until', endMs: T0 + leftS * 1000 } });
    expect(b.status).toBe('open');
    expect(b.perWindowUj).toBeCloseTo(expected, 9);
  });

  it('average power target: (target - baseline) x period, independent of the charge', () => {
    const b = energyBudgetPerWindow({ nowMs: T0, usableRemainingUj: 5, windowPeriodS: 1.28, baselineUw: 15, target: { kind: 'averagePower', powerUw: 40 } });
    expect(b.perWindowUj).toBeCloseTo(25 * 1.28, 9);
  });

  it('target passed -> unlimited; nothing usable -> empty', () => {
    expect(energyBudgetPerWindow({ ...inputsFor(20), nowMs: T0 + 11 * DAY_S * 1000 }).status).toBe('targetReached');
    expect(energyBudgetPerWindow({ ...inputsFor(20), usableRemainingUj: 0 }).status).toBe('empty');
  });
});

describe('mode choice (hysteresis, no dwell)', () => {
  it.each([
    // budget, current, h, expected index (null = infeasible)
    [100, null, 0.02, 4], // everything fits: the most accurate
    [35, null, 0.02, 2], // 30 fits, 40 does not
    [30, null, 0.02, 2], // exactly fits
    [9, null, 0.02, null], // even the cheapest (10) misses
    [30, 1, 0.02, 1], // upgrading from 20 to 30 needs 30 <= 30 x 0.98: no
    [31, 1, 0.02, 2], // 30 <= 31 x 0.98 = 30.38: yes
    [29.5, 2, 0.02, 2], // current 30 stays up to 29.5 x 1.02 = 30.09
    [29, 2, 0.02, 1], // 30 > 29 x 1.02 = 29.58: step down
    [9.9, 0, 0.02, 0], // cheapest stays within its band
    [9.7, 0, 0.02, null], // and leaves it: infeasible
  ])('budget %d µJ, current %s, h %d -> mode %s', (budget, current, h, expected) => {
    const chosen = preferredMode({ modes: FIVE_MODES, energiesUj: FIVE_ENERGIES, budgetPerWindowUj: budget, currentIndex: current, hysteresisFraction: h });
    expect(chosen?.index ?? null).toBe(expected);
  });

  it('prefers accuracy over cost, not the table order', () => {
    const modes = [
      { index: 0, threshold: 0, accuracy: 0.9, macroF1: null, tableEnergyUj: 10 },
      { index: 1, threshold: 1, accuracy: 0.85, macroF1: null, tableEnergyUj: 20 }, // dearer and worse
    ];
    expect(preferredMode({ modes, energiesUj: [10, 20], budgetPerWindowUj: 100, currentIndex: null, hysteresisFraction: 0 })?.index).toBe(0);
  });
});

describe('ModeController', () => {
  it('first decision: the most accurate affordable mode, with a reason naming budget and next mode', () => {
    const c = new ModeController(FIVE_MODES);
    const d = c.evaluate(inputsFor(35), FIVE_ENERGIES, 'start');
    expect(d).toMatchObject({ modeIndex: 2, changed: true, held: false, status: 'feasible', previousModeIndex: null });
    expect(d.budgetPerWindowUj).toBeCloseTo(35, 6);
    expect(d.reason).toMatch(/mode 2 .* costs 30\.0 µJ per window within the budget 35\.0 µJ/);
    expect(d.reason).toMatch(/next more accurate mode 3 .* would cost 40\.0 µJ/);
  });

  it('equal accuracies: the cheapest of them, and the reason says so', () => {
    const modes = [
      { index: 0, threshold: 0, accuracy: 0.9, macroF1: null, tableEnergyUj: 10 },
      { index: 1, threshold: 5, accuracy: 0.95, macroF1: null, tableEnergyUj: 20 },
      { index: 2, threshold: 9, accuracy: 0.95, macroF1: null, tableEnergyUj: 30 },
    ];
    const d = new ModeController(modes).evaluate(inputsFor(100), [10, 20, 30], 'start');
    expect(d.modeIndex).toBe(1);
    expect(d.reason).toMatch(/it is the most accurate mode \(2 modes share this accuracy; the cheapest of them runs\)$/);
  });

  it('infeasible: says so with the shortfall and runs the cheapest mode', () => {
    const c = new ModeController(FIVE_MODES);
    const d = c.evaluate(inputsFor(6), FIVE_ENERGIES, 'start');
    expect(d.status).toBe('infeasible');
    expect(d.modeIndex).toBe(0);
    expect(d.shortfallPerWindowUj).toBeCloseTo(4, 6);
    expect(d.reason).toMatch(/^infeasible: even the cheapest mode 0/);
  });

  it('infeasible because the baseline alone exceeds the budget', () => {
    const c = new ModeController(FIVE_MODES);
    const d = c.evaluate({ ...inputsFor(0), usableRemainingUj: 1 }, FIVE_ENERGIES, 'start');
    expect(d.status).toBe('infeasible');
    expect(d.reason).toMatch(/baseline alone/);
  });

  it('minimum dwell holds a switch, then lets it happen', () => {
    const c = new ModeController(FIVE_MODES, { minDwellS: 600 });
    c.evaluate(inputsFor(35, T0), FIVE_ENERGIES, 'start'); // mode 2
    const held = c.evaluate(inputsFor(15, T0 + 300_000), FIVE_ENERGIES, 'report');
    expect(held).toMatchObject({ modeIndex: 2, changed: false, held: true });
    expect(held.reason).toMatch(/^holding mode 2 .* minimum dwell \(5 min of 10 min\)/);
    const moved = c.evaluate(inputsFor(15, T0 + 600_000), FIVE_ENERGIES, 'windows');
    expect(moved).toMatchObject({ modeIndex: 0, changed: true, held: false, previousModeIndex: 2 });
    expect(c.switchCount()).toBe(1);
  });

  it('does not thrash on a budget that wobbles inside the band', () => {
    const c = new ModeController(FIVE_MODES, { minDwellS: 0 });
    c.evaluate(inputsFor(30.5, T0), FIVE_ENERGIES, 'start');
    let changes = 0;
    for (let i = 1; i <= 200; i++) {
      const budget = 30 + 0.5 * Math.sin(i); // 29.5 .. 30.5 around mode 2's 30 µJ
      if (c.evaluate(inputsFor(budget, T0 + i * 1000), FIVE_ENERGIES, 'windows').changed) changes++;
    }
    expect(c.currentMode()?.index).toBe(2);
    expect(changes).toBe(0);
  });

  it('target reached: the most accurate mode; empty: the cheapest', () => {
    const c = new ModeController(FIVE_MODES, { minDwellS: 0 });
    expect(c.evaluate({ ...inputsFor(5), nowMs: T0 + 20 * DAY_S * 1000 }, FIVE_ENERGIES, 'start')).toMatchObject({ status: 'targetReached', modeIndex: 4, budgetPerWindowUj: null });
    expect(c.evaluate({ ...inputsFor(50), nowMs: T0 + 21 * DAY_S * 1000, usableRemainingUj: 0 }, FIVE_ENERGIES, 'windows')).toMatchObject({ status: 'empty', modeIndex: 0 });
  });

  it('the documented switch bound follows from the dwell', () => {
    expect(maxSwitchesPerDay({ minDwellS: 1800, hysteresisFraction: 0.02, reevaluateEveryWindows: 64 })).toBe(49);
  });
});
