// The simulated month of the acceptance test and of `har-gateway bench budget`: ten made-up
// modes (20 .. 59.6 µJ per window in the table, accuracy 0.85 .. 0.949; the device's input makes
// them 3 % dearer, +-30 % per window, +-20 % over the day), a 10 mAh LiPo, 15 µW configured
// baseline while the device draws 16 µW, hourly voltage reports with 20 mV noise, target 30 days.
import { makeBatterySpec } from './battery.ts';
import type { SimulatedMode, SimulationOptions } from './simulation.ts';

export const SCENARIO_START_MS = Date.UTC(2026, 0, 1);
export const SCENARIO_TARGET_S = 30 * 86_400;
export const SCENARIO_TIMING = { rateHz: 50, strideSamples: 64 } as const;

export const SCENARIO_MODES: readonly SimulatedMode[] = Array.from({ length: 10 }, (_, i) => ({
  mode: { index: i, threshold: i === 9 ? 0xffff_ffff : i * 10, accuracy: 0.85 + i * 0.011, macroF1: null, tableEnergyUj: 20 + i * 4.4 },
  meanEnergyUj: (20 + i * 4.4) * 1.03,
  jitter: 0.3,
}));

export function monthScenario(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return {
    seed: 7,
    startMs: SCENARIO_START_MS,
    durationS: 36 * 86_400,
    battery: makeBatterySpec({ chemistry: 'lipo', capacityMah: 10, baselineUw: 15 }),
    trueBaselineUw: 16,
    timing: SCENARIO_TIMING,
    modes: SCENARIO_MODES,
    target: { kind: 'duration', durationS: SCENARIO_TARGET_S },
    reports: { everyS: 3600, kind: 'millivolts', noiseMv: 20 },
    dailyInputSwing: 0.2,
    ...overrides,
  };
}

/** 42 modes 2.5 % apart in cost (like a swept adaptive threshold): 20 .. 61 µJ, accuracy 0.85 .. 0.95. */
export const MANY_MODES: readonly SimulatedMode[] = Array.from({ length: 42 }, (_, i) => ({
  mode: { index: i, threshold: i === 41 ? 0xffff_ffff : i, accuracy: 0.85 + i * 0.0025, macroF1: null, tableEnergyUj: 20 + i },
  meanEnergyUj: (20 + i) * 1.03,
  jitter: 0.3,
}));

/** Named variants (bench and tests). */
export const SCENARIOS: Readonly<Record<string, Partial<SimulationOptions>>> = {
  feasible: {},
  infeasible: { battery: makeBatterySpec({ chemistry: 'lipo', capacityMah: 6, baselineUw: 15 }), trueBaselineUw: 15 },
  'no-reports': { reports: null, trueBaselineUw: 15 },
  'wrong-baseline-no-reports': { reports: null, trueBaselineUw: 18 },
  'wrong-baseline-reports': { trueBaselineUw: 18 },
  percent: { reports: { everyS: 3600, kind: 'percent', noisePct: 2 } },
  'many-modes': { modes: MANY_MODES },
  cr2032: { battery: makeBatterySpec({ chemistry: 'cr2032', capacityMah: 12.3, nominalVoltageV: 3.0, baselineUw: 15 }) },
};
