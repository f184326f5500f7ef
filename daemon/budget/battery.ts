// The battery of one device (pure data + arithmetic): chemistry, capacity, usable fraction,
// nominal voltage, baseline power of everything but the CNN, and the window rate that follows
// from the model's stride.
import { BudgetError } from './errors.ts';
import { CHEMISTRIES, type Chemistry, type ChemistryId } from './chemistry.ts';

/** Microjoules in one mAh at one volt: 1 mAh = 3.6 C; 3.6 C x 1 V = 3.6 J = 3.6e6 µJ. */
export const UJ_PER_MAH_VOLT = 3.6e6;

export interface BatterySpec {
  readonly chemistry: ChemistryId;
  /** Rated capacity to the chemistry's cut-off voltage. */
  readonly capacityMah: number;
  /** Energy is capacity x nominal voltage (a documented approximation: the curve's mean voltage differs by a few %). */
  readonly nominalVoltageV: number;
  /**
   * Share of the rated capacity the budget may spend (0 < f <= 1). The rest is a reserve at the
   * bottom of the curve (ageing, cold, the voltage sag of radio bursts).
   */
  readonly usableFraction: number;
  /** Average power of everything but the CNN: sensor, radio, sleep (µW). */
  readonly baselineUw: number;
  /** One-sigma noise of a voltage report (mV): a voltage under load is noisy. */
  readonly voltageNoiseMv: number;
  /**
   * Average drop of a reported voltage below the resting voltage the curves describe, from the
   * device's load and the cell's internal resistance (mV, default 0); added back before the
   * curve lookup.
   */
  readonly voltageSagMv: number;
  /** One-sigma error of a percent report from a fuel gauge (percentage points). */
  readonly percentNoisePct: number;
  /** Relative error of coulomb counting (model energies and baseline are estimates), e.g. 0.1. */
  readonly countingRelError: number;
}

export const BATTERY_DEFAULTS = {
  usableFraction: 0.9,
  voltageNoiseMv: 20,
  voltageSagMv: 0,
  percentNoisePct: 2,
  countingRelError: 0.1,
} as const;

export interface BatterySpecInput {
  readonly chemistry: ChemistryId;
  readonly capacityMah: number;
  readonly nominalVoltageV?: number | null;
  readonly usableFraction?: number;
  readonly baselineUw: number;
  readonly voltageNoiseMv?: number;
  readonly voltageSagMv?: number;
  readonly percentNoisePct?: number;
  readonly countingRelError?: number;
}

/** Fills defaults (nominal voltage from the chemistry) and checks ranges; throws BudgetError('BAD_BATTERY'). */
export function makeBatterySpec(input: BatterySpecInput): BatterySpec {
  const chemistry = CHEMISTRIES[input.chemistry] as Chemistry | undefined;
  if (!chemistry) throw new BudgetError('BAD_BATTERY', `unknown chemistry "${String(input.chemistry)}"`);
  const spec: BatterySpec = {
    chemistry: input.chemistry,
    capacityMah: input.capacityMah,
    nominalVoltageV: input.nominalVoltageV ?? chemistry.nominalVoltageV,
    usableFraction: input.usableFraction ?? BATTERY_DEFAULTS.usableFraction,
    baselineUw: input.baselineUw,
    voltageNoiseMv: input.voltageNoiseMv ?? BATTERY_DEFAULTS.voltageNoiseMv,
    voltageSagMv: input.voltageSagMv ?? BATTERY_DEFAULTS.voltageSagMv,
    percentNoisePct: input.percentNoisePct ?? BATTERY_DEFAULTS.percentNoisePct,
    countingRelError: input.countingRelError ?? BATTERY_DEFAULTS.countingRelError,
  };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new BudgetError('BAD_BATTERY', what);
  };
  check(Number.isFinite(spec.capacityMah) && spec.capacityMah > 0, `capacityMah must be > 0 (got ${spec.capacityMah})`);
  check(Number.isFinite(spec.nominalVoltageV) && spec.nominalVoltageV > 0 && spec.nominalVoltageV < 50, `nominalVoltageV must be in (0, 50) V (got ${spec.nominalVoltageV})`);
  check(spec.usableFraction > 0 && spec.usableFraction <= 1, `usableFraction must be in (0, 1] (got ${spec.usableFraction})`);
  check(Number.isFinite(spec.baselineUw) && spec.baselineUw >= 0, `baselineUw must be >= 0 (got ${spec.baselineUw})`);
  check(spec.voltageNoiseMv > 0, `voltageNoiseMv must be > 0 (got ${spec.voltageNoiseMv})`);
  check(Number.isFinite(spec.voltageSagMv) && spec.voltageSagMv >= 0 && spec.voltageSagMv < 1000, `voltageSagMv must be in [0, 1000) mV (got ${spec.voltageSagMv})`);
  check(spec.percentNoisePct > 0, `percentNoisePct must be > 0 (got ${spec.percentNoisePct})`);
  check(spec.countingRelError >= 0 && spec.countingRelError < 1, `countingRelError must be in [0, 1) (got ${spec.countingRelError})`);
  return spec;
}

export function chemistryOf(spec: BatterySpec): Chemistry {
  return CHEMISTRIES[spec.chemistry];
}

/** Energy of the full rated capacity (µJ) = capacityMah x nominalVoltageV x 3.6e6. */
export function fullEnergyUj(spec: BatterySpec): number {
  return spec.capacityMah * spec.nominalVoltageV * UJ_PER_MAH_VOLT;
}

/** Charge fraction below which the budget does not spend (1 - usableFraction). */
export function reserveFraction(spec: BatterySpec): number {
  return 1 - spec.usableFraction;
}

/** Energy the budget may still spend at a remaining charge fraction (of the full capacity). */
export function usableEnergyUj(spec: BatterySpec, chargeFraction: number): number {
  return Math.max(0, chargeFraction - reserveFraction(spec)) * fullEnergyUj(spec);
}

/** The model's window timing: a new window every `strideSamples` samples at `rateHz`. */
export interface WindowTiming {
  readonly rateHz: number;
  readonly strideSamples: number;
}

export function windowPeriodS(timing: WindowTiming): number {
  if (!(timing.rateHz > 0) || !(timing.strideSamples > 0)) {
    throw new BudgetError('BAD_BATTERY', `window timing needs rateHz > 0 and strideSamples > 0 (got ${timing.rateHz} Hz, ${timing.strideSamples})`);
  }
  return timing.strideSamples / timing.rateHz;
}

export function windowsPerHour(timing: WindowTiming): number {
  return 3600 / windowPeriodS(timing);
}

/** Baseline energy over one window period (µJ) = baselineUw x periodS. */
export function baselinePerWindowUj(spec: BatterySpec, timing: WindowTiming): number {
  return spec.baselineUw * windowPeriodS(timing);
}

/** Average device power (µW) when every window costs `cnnEnergyUj`. */
export function devicePowerUw(spec: BatterySpec, timing: WindowTiming, cnnEnergyUj: number): number {
  return spec.baselineUw + cnnEnergyUj / windowPeriodS(timing);
}

/** Seconds until the usable energy is spent at a constant device power (Infinity at 0 µW). */
export function secondsToEmpty(usableUj: number, powerUw: number): number {
  if (usableUj <= 0) return 0;
  return powerUw > 0 ? usableUj / powerUw : Number.POSITIVE_INFINITY;
}
