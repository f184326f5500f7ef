// The mode controller: picks the operating mode of one device from its energy budget.
// Pure: everything it needs (time, remaining energy, mode energies) arrives as arguments.
//
//   budgetPerWindowUj = usableRemainingUj / remainingWindows - baselineUw x windowPeriodS
//   (target "until": remainingWindows = time left / window period;
//    target "averagePower": budgetPerWindowUj = (powerUw - baselineUw) x windowPeriodS)
//
// Choice: the most accurate mode whose running-average energy per window fits the budget (ties:
// the cheaper). Hysteresis (README "Controller"): the current mode stays affordable up to
// budget x (1 + h); a mode costlier than the current one must fit budget x (1 - h); a cheaper one
// must fit the budget. A switch is held until the current mode has run `minDwellS` seconds of
// sample time (the first decision is never held), which bounds switches to 86400 / minDwellS
// per day. When no mode fits: `infeasible`, with the shortfall, and the cheapest mode runs.
import { formatDurationS, formatEnergyUj, type ResolvedTarget } from './target.ts';
import type { OperatingMode } from './modes.ts';

export interface ControllerOptions {
  /** Relative hysteresis band h (default 0.02). */
  readonly hysteresisFraction: number;
  /** Minimum time in a mode before switching again, in sample time (default 1800 s). */
  readonly minDwellS: number;
  /** Re-evaluate every N windows (also on every battery report) (default 64). */
  readonly reevaluateEveryWindows: number;
}

export const CONTROLLER_DEFAULTS: ControllerOptions = {
  hysteresisFraction: 0.02,
  minDwellS: 1800,
  reevaluateEveryWindows: 64,
};

/** Upper bound on mode switches per day implied by the minimum dwell (README "Controller"). */
export function maxSwitchesPerDay(options: ControllerOptions): number {
  return Math.floor(86_400 / options.minDwellS) + 1;
}

export type DecisionStatus = 'feasible' | 'infeasible' | 'targetReached' | 'empty';
export type DecisionTrigger = 'start' | 'report' | 'windows';

export interface BudgetInputs {
  readonly nowMs: number;
  readonly usableRemainingUj: number;
  readonly windowPeriodS: number;
  readonly baselineUw: number;
  readonly target: ResolvedTarget;
}

export interface EnergyBudget {
  /** CNN energy each remaining window may spend (µJ); Infinity once an "until" target has passed. */
  readonly perWindowUj: number;
  /** Windows left until the target ("until" targets), else null. */
  readonly remainingWindows: number | null;
  readonly status: 'open' | 'targetReached' | 'empty';
}

export function energyBudgetPerWindow(inputs: BudgetInputs): EnergyBudget {
  const baselineShareUj = inputs.baselineUw * inputs.windowPeriodS;
  if (inputs.usableRemainingUj <= 0) return { perWindowUj: -baselineShareUj, remainingWindows: null, status: 'empty' };
  if (inputs.target.kind === 'averagePower') {
    return { perWindowUj: (inputs.target.powerUw - inputs.baselineUw) * inputs.windowPeriodS, remainingWindows: null, status: 'open' };
  }
  const remainingS = (inputs.target.endMs - inputs.nowMs) / 1000;
  if (remainingS <= 0) return { perWindowUj: Number.POSITIVE_INFINITY, remainingWindows: 0, status: 'targetReached' };
  const remainingWindows = remainingS / inputs.windowPeriodS;
  return { perWindowUj: inputs.usableRemainingUj / remainingWindows - baselineShareUj, remainingWindows, status: 'open' };
}

export interface ModeDecision {
  readonly atMs: number;
  readonly trigger: DecisionTrigger;
  readonly modeIndex: number;
  readonly threshold: number;
  readonly previousModeIndex: number | null;
  readonly changed: boolean;
  /** A switch was wanted but held by the minimum dwell. */
  readonly held: boolean;
  readonly status: DecisionStatus;
  /** Budget per window (µJ); null when unlimited (target reached). */
  readonly budgetPerWindowUj: number | null;
  /** Running-average energy per window of the chosen mode (µJ). */
  readonly modeEnergyUj: number;
  /** Infeasible only: how much the cheapest mode overspends each window (µJ). */
  readonly shortfallPerWindowUj: number | null;
  readonly reason: string;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function modeLabel(mode: OperatingMode): string {
  return `mode ${mode.index} (threshold ${mode.threshold}, accuracy ${pct(mode.accuracy)})`;
}

/** Prefers higher accuracy, then lower energy, then the lower index. */
function better(a: OperatingMode, aUj: number, b: OperatingMode, bUj: number): boolean {
  if (a.accuracy !== b.accuracy) return a.accuracy > b.accuracy;
  if (aUj !== bUj) return aUj < bUj;
  return a.index < b.index;
}

export interface ChoiceInputs {
  readonly modes: readonly OperatingMode[];
  readonly energiesUj: readonly number[];
  readonly budgetPerWindowUj: number;
  readonly currentIndex: number | null;
  readonly hysteresisFraction: number;
}

/** The mode the budget prefers (hysteresis applied, dwell not); null when none fits. */
export function preferredMode(inputs: ChoiceInputs): OperatingMode | null {
  const { modes, energiesUj, budgetPerWindowUj: budget, currentIndex, hysteresisFraction: h } = inputs;
  const currentUj = currentIndex === null ? null : (energiesUj[currentIndex] ?? null);
  let best: OperatingMode | null = null;
  let bestUj = 0;
  for (const mode of modes) {
    const uj = energiesUj[mode.index] ?? Number.POSITIVE_INFINITY;
    let limit = budget;
    if (currentUj !== null) {
      if (mode.index === currentIndex) limit = budget * (1 + h);
      else if (uj > currentUj) limit = budget * (1 - h);
    }
    if (!(uj <= limit)) continue;
    if (best === null || better(mode, uj, best, bestUj)) {
      best = mode;
      bestUj = uj;
    }
  }
  return best;
}

export function cheapestMode(modes: readonly OperatingMode[], energiesUj: readonly number[]): OperatingMode {
  let cheapest: OperatingMode | undefined;
  for (const mode of modes) {
    if (cheapest === undefined || (energiesUj[mode.index] ?? Infinity) < (energiesUj[cheapest.index] ?? Infinity)) cheapest = mode;
  }
  if (!cheapest) throw new Error('no modes');
  return cheapest;
}

export function mostAccurateMode(modes: readonly OperatingMode[], energiesUj: readonly number[]): OperatingMode {
  let best: OperatingMode | undefined;
  for (const mode of modes) {
    if (best === undefined || better(mode, energiesUj[mode.index] ?? Infinity, best, energiesUj[best.index] ?? Infinity)) best = mode;
  }
  if (!best) throw new Error('no modes');
  return best;
}

/**
 * Holds the current mode of one device and decides on each evaluation. `evaluate` is the only
 * state change: it records the switch time for the dwell rule.
 */
export class ModeController {
  readonly modes: readonly OperatingMode[];
  readonly options: ControllerOptions;
  private current: OperatingMode | null = null;
  private enteredAtMs: number | null = null;
  private switches = 0;

  constructor(modes: readonly OperatingMode[], options: Partial<ControllerOptions> = {}) {
    this.modes = modes;
    this.options = { ...CONTROLLER_DEFAULTS, ...options };
  }

  currentMode(): OperatingMode | null {
    return this.current;
  }

  switchCount(): number {
    return this.switches;
  }

  evaluate(inputs: BudgetInputs, energiesUj: readonly number[], trigger: DecisionTrigger): ModeDecision {
    const budget = energyBudgetPerWindow(inputs);
    const previous = this.current;
    const cheapest = cheapestMode(this.modes, energiesUj);
    const energyOf = (m: OperatingMode): number => energiesUj[m.index] ?? Number.NaN;

    let wanted: OperatingMode;
    let status: DecisionStatus;
    let shortfall: number | null = null;
    let why: string;
    if (budget.status === 'empty') {
      wanted = cheapest;
      status = 'empty';
      why = `the usable energy is spent (by the estimate): running the cheapest ${modeLabel(cheapest)}`;
    } else if (budget.status === 'targetReached') {
      wanted = mostAccurateMode(this.modes, energiesUj);
      status = 'targetReached';
      why = `the target time has passed with energy left: running the most accurate ${modeLabel(wanted)}`;
    } else {
      const preferred = preferredMode({
        modes: this.modes,
        energiesUj,
        budgetPerWindowUj: budget.perWindowUj,
        currentIndex: previous?.index ?? null,
        hysteresisFraction: this.options.hysteresisFraction,
      });
      const budgetText = `budget ${formatEnergyUj(budget.perWindowUj)} per window${
        budget.remainingWindows !== null ? ` (${formatEnergyUj(inputs.usableRemainingUj)} usable over ${formatDurationS(budget.remainingWindows * inputs.windowPeriodS)} to the target)` : ''
      }`;
      if (preferred === null) {
        wanted = cheapest;
        status = 'infeasible';
        shortfall = energyOf(cheapest) - budget.perWindowUj;
        why =
          budget.perWindowUj <= 0
            ? `infeasible: the baseline alone spends more than the budget allows (${budgetText}); running the cheapest ${modeLabel(cheapest)}`
            : `infeasible: even the cheapest ${modeLabel(cheapest)} costs ${formatEnergyUj(energyOf(cheapest))} per window, ${formatEnergyUj(shortfall)} over the ${budgetText}; running it`;
      } else {
        wanted = preferred;
        status = 'feasible';
        const next = this.modes
          .filter((m) => m.accuracy > preferred.accuracy)
          .sort((a, b) => energyOf(a) - energyOf(b))[0];
        const ties = this.modes.filter((m) => m.accuracy === preferred.accuracy).length;
        why = `${modeLabel(preferred)} costs ${formatEnergyUj(energyOf(preferred))} per window within the ${budgetText}${
          next ? `; the next more accurate ${modeLabel(next)} would cost ${formatEnergyUj(energyOf(next))}` : '; it is the most accurate mode'
        }${ties > 1 ? ` (${ties} modes share this accuracy; the cheapest of them runs)` : ''}`;
      }
    }

    let chosen = wanted;
    let held = false;
    if (previous !== null && wanted.index !== previous.index && this.enteredAtMs !== null) {
      const dwellS = (inputs.nowMs - this.enteredAtMs) / 1000;
      if (dwellS < this.options.minDwellS) {
        chosen = previous;
        held = true;
        why = `holding ${modeLabel(previous)} for the minimum dwell (${formatDurationS(dwellS)} of ${formatDurationS(this.options.minDwellS)}); then: ${why}`;
      }
    }
    const changed = previous === null || chosen.index !== previous.index;
    if (changed) {
      if (previous !== null) this.switches++;
      this.current = chosen;
      this.enteredAtMs = inputs.nowMs;
    }
    return {
      atMs: inputs.nowMs,
      trigger,
      modeIndex: chosen.index,
      threshold: chosen.threshold,
      previousModeIndex: previous?.index ?? null,
      changed,
      held,
      status,
      budgetPerWindowUj: Number.isFinite(budget.perWindowUj) ? budget.perWindowUj : null,
      modeEnergyUj: energyOf(chosen),
      shortfallPerWindowUj: shortfall,
      reason: why,
    };
  }
}
