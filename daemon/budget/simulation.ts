// A deterministic simulation of one wearable's battery under the budget, at accelerated time:
// synthetic windows (per-mode energies that vary per window with the input), a simulated
// battery (the "truth"), and battery reports read from the truth through the chemistry curve
// with seeded noise. Used by the acceptance test and usable for what-if runs. Pure and seeded:
// the same options give the same result.
import { chemistryOf, fullEnergyUj, usableEnergyUj, windowPeriodS, type BatterySpec, type WindowTiming } from './battery.ts';
import { millivoltsAt } from './chemistry.ts';
import { DeviceBudget } from './device-budget.ts';
import type { ControllerOptions, DecisionStatus, ModeDecision } from './controller.ts';
import type { OperatingMode } from './modes.ts';
import type { BudgetTarget } from './target.ts';

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller) from a uniform source. */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface SimulatedMode {
  readonly mode: OperatingMode;
  /** True mean CNN energy per window on this device's input (µJ); may differ from the table. */
  readonly meanEnergyUj: number;
  /** Per-window variation: energy = mean x (1 + jitter x u), u uniform in [-1, 1]. */
  readonly jitter: number;
}

export interface SimulationOptions {
  readonly seed: number;
  readonly startMs: number;
  /** Simulated time span (s); the run also stops when the true battery is empty. */
  readonly durationS: number;
  /** Battery as configured in the gateway. */
  readonly battery: BatterySpec;
  /** The real device's baseline (µW) when it differs from the configured one (default: equal). */
  readonly trueBaselineUw?: number;
  /** The real battery's charge at the start (default 1). */
  readonly trueInitialFraction?: number;
  readonly timing: WindowTiming;
  readonly modes: readonly SimulatedMode[];
  readonly target: BudgetTarget;
  readonly controller?: Partial<ControllerOptions>;
  /** Battery reports: every `everyS` seconds, as millivolts (noise `noiseMv` sigma) or percent. */
  readonly reports?: { readonly everyS: number; readonly kind: 'millivolts' | 'percent'; readonly noiseMv?: number; readonly noisePct?: number } | null;
  /**
   * Every `nonsenseEvery`-th report is replaced by a nonsense one (cycling: negative percent,
   * percent > 100, volts sent as millivolts, NaN); they must be rejected and counted.
   */
  readonly nonsenseEvery?: number;
  /** Slow variation of the input: the adaptive modes' energy is multiplied by 1 + a x sin(2 pi t / 1 d). */
  readonly dailyInputSwing?: number;
}

export interface DaySummary {
  readonly day: number;
  readonly switches: number;
  /** Windows run in each mode index during the day. */
  readonly windowsPerMode: readonly number[];
  /** Projection at the end of the day (recent-power trend), ms on the timeline. */
  readonly recentEmptyAtMs: number | null;
  /** The controller's planned end at the end of the day. */
  readonly plannedEmptyAtMs: number | null;
  readonly estimatedFraction: number;
  readonly trueFraction: number;
}

export interface SimulationResult {
  readonly windows: number;
  readonly endedAtMs: number;
  /** When the true usable energy reached zero (null: it lasted the whole run). */
  readonly trueEmptyAtMs: number | null;
  readonly trueUsableLeftUj: number;
  readonly usableCapacityUj: number;
  readonly windowsPerMode: readonly number[];
  readonly switches: number;
  readonly days: readonly DaySummary[];
  readonly decisions: readonly ModeDecision[];
  readonly statuses: Readonly<Record<DecisionStatus, number>>;
  readonly reportsSent: number;
  readonly budget: DeviceBudget;
}

const DAY_MS = 86_400_000;

const NONSENSE = [
  { kind: 'percent', percent: -12 },
  { kind: 'percent', percent: 180 },
  { kind: 'millivolts', millivolts: 3.7 },
  { kind: 'millivolts', millivolts: Number.NaN },
] as const;

export function simulate(options: SimulationOptions): SimulationResult {
  const random = seededRandom(options.seed);
  const periodS = windowPeriodS(options.timing);
  const periodMs = periodS * 1000;
  const budget = new DeviceBudget({
    deviceId: 'sim',
    battery: options.battery,
    timing: options.timing,
    modes: options.modes.map((m) => m.mode),
    target: options.target,
    controller: options.controller,
  });
  const chemistry = chemistryOf(options.battery);
  const fullUj = fullEnergyUj(options.battery);
  const trueBaselineUw = options.trueBaselineUw ?? options.battery.baselineUw;
  let trueFraction = options.trueInitialFraction ?? 1;
  const usableCapacityUj = usableEnergyUj(options.battery, 1);
  const modeCount = options.modes.length;
  const windowsPerMode = new Array<number>(modeCount).fill(0);
  const decisions: ModeDecision[] = [];
  const statuses: Record<DecisionStatus, number> = { feasible: 0, infeasible: 0, targetReached: 0, empty: 0 };
  const days: DaySummary[] = [];
  let dayWindows = new Array<number>(modeCount).fill(0);
  let daySwitches = 0;
  let dayIndex = 0;
  let reportsSent = 0;
  let trueEmptyAtMs: number | null = null;
  const swing = options.dailyInputSwing ?? 0;
  const reportEveryMs = options.reports ? options.reports.everyS * 1000 : Number.POSITIVE_INFINITY;
  let nextReportMs = options.startMs + reportEveryMs;
  const endMs = options.startMs + options.durationS * 1000;

  const keep = (decision: ModeDecision | null): void => {
    if (!decision) return;
    statuses[decision.status]++;
    if (decision.changed) {
      decisions.push(decision);
      if (decision.previousModeIndex !== null) daySwitches++;
    }
  };
  const closeDay = (): void => {
    const snap = budget.snapshot();
    days.push({
      day: dayIndex,
      switches: daySwitches,
      windowsPerMode: dayWindows,
      recentEmptyAtMs: snap.projection?.recentEmptyAtMs ?? null,
      plannedEmptyAtMs: snap.projection?.plannedEmptyAtMs ?? null,
      estimatedFraction: snap.charge.chargeFraction,
      trueFraction,
    });
    dayIndex++;
    dayWindows = new Array<number>(modeCount).fill(0);
    daySwitches = 0;
  };

  keep(budget.begin(options.startMs).decision);
  let windows = 0;
  let t = options.startMs;
  for (;;) {
    t = options.startMs + (windows + 1) * periodMs;
    if (t > endMs) break;
    while (t >= options.startMs + (dayIndex + 1) * DAY_MS) closeDay();
    const threshold = budget.nextThreshold();
    const index = options.modes.findIndex((m) => m.mode.threshold === threshold);
    const sim = options.modes[index];
    if (!sim) throw new Error(`simulation: threshold ${threshold} not in the modes`);
    const inputFactor = 1 + swing * Math.sin((2 * Math.PI * (t - options.startMs)) / DAY_MS);
    const energyUj = sim.meanEnergyUj * inputFactor * (1 + sim.jitter * (2 * random() - 1));
    trueFraction -= (energyUj + trueBaselineUw * periodS) / fullUj;
    windows++;
    windowsPerMode[index] = (windowsPerMode[index] ?? 0) + 1;
    dayWindows[index] = (dayWindows[index] ?? 0) + 1;
    keep(budget.onWindow({ timestampMs: t, threshold, energyUj }).decision);
    if (trueEmptyAtMs === null && usableEnergyUj(options.battery, trueFraction) <= 0) {
      trueEmptyAtMs = t;
      break;
    }
    if (options.reports && t >= nextReportMs) {
      nextReportMs += reportEveryMs;
      reportsSent++;
      if (options.nonsenseEvery !== undefined && reportsSent % options.nonsenseEvery === 0) {
        const k = Math.floor(reportsSent / options.nonsenseEvery) % NONSENSE.length;
        const bad = NONSENSE[k] ?? NONSENSE[0];
        if (bad) keep(budget.onBatteryReport({ ...bad, timestampMs: t }).decision);
        continue;
      }
      if (options.reports.kind === 'millivolts') {
        const mv = millivoltsAt(chemistry.curve, trueFraction) + gaussian(random) * (options.reports.noiseMv ?? 20);
        keep(budget.onBatteryReport({ kind: 'millivolts', timestampMs: t, millivolts: Math.round(mv) }).decision);
      } else {
        const pct = Math.min(100, Math.max(0, trueFraction * 100 + gaussian(random) * (options.reports.noisePct ?? 2)));
        keep(budget.onBatteryReport({ kind: 'percent', timestampMs: t, percent: Math.round(pct) }).decision);
      }
    }
  }
  closeDay();
  return {
    windows,
    endedAtMs: t,
    trueEmptyAtMs,
    trueUsableLeftUj: usableEnergyUj(options.battery, trueFraction),
    usableCapacityUj,
    windowsPerMode,
    switches: budget.snapshot().counters.switches,
    days,
    decisions,
    statuses,
    reportsSent,
    budget,
  };
}
