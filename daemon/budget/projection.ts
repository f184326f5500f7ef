// Projections: when the usable energy runs out at the current mode, at each mode, and at the
// recently measured power, and how that compares with the target. Pure arithmetic.
import { devicePowerUw, secondsToEmpty, type BatterySpec, type WindowTiming } from './battery.ts';
import type { OperatingMode } from './modes.ts';
import type { ResolvedTarget } from './target.ts';
import type { DecisionStatus } from './controller.ts';

export interface ModeProjection {
  readonly index: number;
  readonly threshold: number;
  readonly accuracy: number;
  /** Running-average CNN energy per window (µJ). */
  readonly energyUj: number;
  /** Device power in this mode, baseline included (µW). */
  readonly powerUw: number;
  /** Seconds until the usable energy is spent in this mode (null: never, at 0 µW). */
  readonly secondsToEmpty: number | null;
  /** Sample-timeline time of empty (null: never). */
  readonly emptyAtMs: number | null;
  /** Whether this mode alone meets the target. */
  readonly meetsTarget: boolean;
}

export interface Projection {
  readonly atMs: number;
  readonly chargeFraction: number;
  readonly chargeSigma: number;
  readonly usableRemainingUj: number;
  readonly currentModeIndex: number;
  readonly modes: readonly ModeProjection[];
  /** Device power measured over the recent past (exponential average, µW); null before any window. */
  readonly recentPowerUw: number | null;
  /** Empty time at the recent power (null: unknown or never). */
  readonly recentEmptyAtMs: number | null;
  /** End time of an "until" target, else null. */
  readonly targetEndMs: number | null;
  /** Average-power target (µW), else null. */
  readonly targetPowerUw: number | null;
  /**
   * The controller's plan: while feasible with a mode mix the plan ends at the target; when the
   * most accurate mode underspends the budget it ends later (at that mode); when infeasible or
   * empty it ends at the cheapest mode's empty time. Null when unknown (never empties).
   */
  readonly plannedEmptyAtMs: number | null;
  /**
   * The mode mix that spends exactly the budget (feasible "until" targets between two modes):
   * the most accurate mode that fits, the next more accurate one, and the share of the remaining
   * windows the latter can run. Null when one mode (or none) does.
   */
  readonly plannedMix: { readonly lowModeIndex: number; readonly highModeIndex: number; readonly highShare: number } | null;
  /** recentEmptyAtMs - targetEndMs in seconds (positive: outlives the target); null if either is unknown. */
  readonly recentMarginS: number | null;
}

export interface ProjectionInputs {
  readonly atMs: number;
  readonly spec: BatterySpec;
  readonly timing: WindowTiming;
  readonly modes: readonly OperatingMode[];
  readonly energiesUj: readonly number[];
  readonly chargeFraction: number;
  readonly chargeSigma: number;
  readonly usableRemainingUj: number;
  readonly currentModeIndex: number;
  readonly recentPowerUw: number | null;
  readonly target: ResolvedTarget;
  /** Status of the decision this projection accompanies. */
  readonly status: DecisionStatus;
  /** Budget per window of that decision (µJ), null when unlimited. */
  readonly budgetPerWindowUj: number | null;
}

function emptyAt(atMs: number, seconds: number): number | null {
  return Number.isFinite(seconds) ? atMs + seconds * 1000 : null;
}

/** What modeMix needs of a mode. */
export interface MixCandidate {
  readonly index: number;
  readonly accuracy: number;
  readonly energyUj: number;
}

/** The two modes whose time-shared cost is the budget (see Projection.plannedMix). */
export function modeMix(modes: readonly MixCandidate[], budgetPerWindowUj: number): Projection['plannedMix'] {
  let low: MixCandidate | null = null;
  for (const m of modes) {
    if (m.energyUj <= budgetPerWindowUj && (low === null || m.accuracy > low.accuracy || (m.accuracy === low.accuracy && m.energyUj < low.energyUj))) low = m;
  }
  if (low === null) return null;
  const lowMode = low;
  let high: MixCandidate | null = null;
  for (const m of modes) {
    if (m.accuracy > lowMode.accuracy && m.energyUj > budgetPerWindowUj && (high === null || m.energyUj < high.energyUj)) high = m;
  }
  if (high === null || high.energyUj <= lowMode.energyUj) return null;
  return { lowModeIndex: lowMode.index, highModeIndex: high.index, highShare: (budgetPerWindowUj - lowMode.energyUj) / (high.energyUj - lowMode.energyUj) };
}

export function project(inputs: ProjectionInputs): Projection {
  const { atMs, target } = inputs;
  const targetEndMs = target.kind === 'until' ? target.endMs : null;
  const targetPowerUw = target.kind === 'averagePower' ? target.powerUw : null;
  const modes = inputs.modes.map((mode): ModeProjection => {
    const energyUj = inputs.energiesUj[mode.index] ?? mode.tableEnergyUj;
    const powerUw = devicePowerUw(inputs.spec, inputs.timing, energyUj);
    const seconds = secondsToEmpty(inputs.usableRemainingUj, powerUw);
    const at = emptyAt(atMs, seconds);
    const meetsTarget = targetPowerUw !== null ? powerUw <= targetPowerUw : at === null || targetEndMs === null || at >= targetEndMs;
    return {
      index: mode.index,
      threshold: mode.threshold,
      accuracy: mode.accuracy,
      energyUj,
      powerUw,
      secondsToEmpty: Number.isFinite(seconds) ? seconds : null,
      emptyAtMs: at,
      meetsTarget,
    };
  });
  const recentEmptyAtMs =
    inputs.recentPowerUw === null ? null : emptyAt(atMs, secondsToEmpty(inputs.usableRemainingUj, inputs.recentPowerUw));
  const current = modes.find((m) => m.index === inputs.currentModeIndex);
  let plannedEmptyAtMs: number | null = current?.emptyAtMs ?? null;
  if (inputs.status === 'infeasible' || inputs.status === 'empty') {
    const cheapest = modes.reduce<ModeProjection | null>((a, m) => (a === null || m.powerUw < a.powerUw ? m : a), null);
    plannedEmptyAtMs = cheapest?.emptyAtMs ?? null;
  } else if (inputs.status === 'feasible' && targetEndMs !== null && current && inputs.budgetPerWindowUj !== null) {
    // Underspending even with the most accurate mode: the plan outlives the target.
    const best = modes.reduce<ModeProjection | null>((a, m) => (a === null || m.accuracy > a.accuracy || (m.accuracy === a.accuracy && m.powerUw < a.powerUw) ? m : a), null);
    plannedEmptyAtMs = best && best.index === current.index && current.energyUj < inputs.budgetPerWindowUj ? current.emptyAtMs : targetEndMs;
  }
  return {
    atMs,
    plannedEmptyAtMs,
    plannedMix: inputs.status === 'feasible' && inputs.budgetPerWindowUj !== null ? modeMix(modes, inputs.budgetPerWindowUj) : null,
    chargeFraction: inputs.chargeFraction,
    chargeSigma: inputs.chargeSigma,
    usableRemainingUj: inputs.usableRemainingUj,
    currentModeIndex: inputs.currentModeIndex,
    modes,
    recentPowerUw: inputs.recentPowerUw,
    recentEmptyAtMs,
    targetEndMs,
    targetPowerUw,
    recentMarginS: recentEmptyAtMs !== null && targetEndMs !== null ? (recentEmptyAtMs - targetEndMs) / 1000 : null,
  };
}
