// The battery budget of one device: the state-of-charge estimate, the per-mode energy averages,
// the mode controller and the projections, driven by two kinds of events on the device's sample
// timeline: a window result and a battery report. Pure (no clock, no I/O): the caller publishes
// what the returned updates contain (messages.ts builds the payloads).
import { baselinePerWindowUj, devicePowerUw, windowPeriodS, type BatterySpec, type WindowTiming } from './battery.ts';
import { ChargeEstimator, type BatteryReading, type ChargeEstimatorOptions, type ReportOutcome } from './charge-estimator.ts';
import { ModeController, cheapestMode, type ControllerOptions, type DecisionTrigger, type ModeDecision } from './controller.ts';
import { ModeEnergyAverages, isPlausibleWindowEnergyUj, modeIndexOfThreshold, type ModeAverageOptions, type OperatingMode } from './modes.ts';
import { project, type Projection } from './projection.ts';
import { resolveTarget, validateTarget, type BudgetTarget, type ResolvedTarget } from './target.ts';
import { BudgetError } from './errors.ts';
import { budgetOutputs, type BudgetOutputs } from './messages.ts';

export interface DeviceBudgetOptions {
  readonly deviceId: string;
  readonly battery: BatterySpec;
  readonly timing: WindowTiming;
  readonly modes: readonly OperatingMode[];
  readonly target: BudgetTarget;
  readonly controller?: Partial<ControllerOptions>;
  readonly estimator?: ChargeEstimatorOptions;
  readonly modeAverages?: ModeAverageOptions;
  /**
   * Memory of the per-mode energy averages in sample time (default 1 day, so the daily rhythm of
   * activity averages out); overrides modeAverages.horizonWindows.
   */
  readonly energyAverageHorizonS?: number;
  /** Time constant of the recent-power average used by the trend projection (default 6 h). */
  readonly recentPowerTauS?: number;
}

/** What the pipeline knows about one finished window. */
export interface WindowObservation {
  /** Sample time of the window's last sample (ms since the epoch, the device's timeline). */
  readonly timestampMs: number;
  /** Threshold the window ran with (identifies the mode). */
  readonly threshold: number;
  /** CNN energy the twin measured; null with the reference engine (the mode's average is counted instead). */
  readonly energyUj: number | null;
}

export interface BudgetUpdate {
  /** Present when the controller evaluated (every report, every N windows, the first event). */
  readonly decision: ModeDecision | null;
  readonly projection: Projection | null;
  /** Present for battery reports. */
  readonly report: ReportOutcome | null;
  /** The mode or the status changed with this decision: publish `mode` (WS, MQTT) and log the decision. */
  readonly modeChanged: boolean;
}

const NO_UPDATE: BudgetUpdate = { decision: null, projection: null, report: null, modeChanged: false };

export interface BudgetCounters {
  readonly windows: number;
  /** Windows without a measured energy, or with a bad one (the mode's running average was counted). */
  readonly windowsWithoutEnergy: number;
  /** Windows whose threshold is not in the mode table (energy counted, averages untouched). */
  readonly unknownThreshold: number;
  /** Windows with a non-finite timestamp (ignored). */
  readonly badTimestamps: number;
  /** Windows with a non-finite, negative or implausible (> 1 J) energy (counted at the mode's average). */
  readonly badEnergy: number;
  readonly evaluations: number;
  readonly switches: number;
}

const DEFAULT_RECENT_POWER_TAU_S = 6 * 3600;
const DEFAULT_ENERGY_HORIZON_S = 86_400;

export class DeviceBudget {
  readonly deviceId: string;
  readonly battery: BatterySpec;
  readonly timing: WindowTiming;
  readonly modes: readonly OperatingMode[];
  readonly target: BudgetTarget;
  private readonly estimator: ChargeEstimator;
  private readonly averages: ModeEnergyAverages;
  private readonly controller: ModeController;
  private readonly periodS: number;
  private readonly recentTauS: number;
  private resolved: ResolvedTarget | null = null;
  private recentPowerUw: number | null = null;
  private lastWindowMs: number | null = null;
  private windowsSinceEvaluation = 0;
  private lastDecision: ModeDecision | null = null;
  private lastProjection: Projection | null = null;
  private counters = { windows: 0, windowsWithoutEnergy: 0, unknownThreshold: 0, badTimestamps: 0, badEnergy: 0, evaluations: 0 };

  constructor(options: DeviceBudgetOptions) {
    if (options.modes.length === 0) throw new BudgetError('BAD_MODES', 'a device budget needs at least one mode');
    validateTarget(options.target);
    this.deviceId = options.deviceId;
    this.battery = options.battery;
    this.timing = options.timing;
    this.modes = options.modes;
    this.target = options.target;
    this.periodS = windowPeriodS(options.timing);
    this.estimator = new ChargeEstimator(options.battery, options.estimator);
    const horizonWindows = Math.max(1, Math.round((options.energyAverageHorizonS ?? DEFAULT_ENERGY_HORIZON_S) / this.periodS));
    this.averages = new ModeEnergyAverages(options.modes, { horizonWindows, ...options.modeAverages });
    this.controller = new ModeController(options.modes, options.controller);
    this.recentTauS = options.recentPowerTauS ?? DEFAULT_RECENT_POWER_TAU_S;
  }

  /** The threshold for the device's next window (the cheapest mode until the first decision). */
  nextThreshold(): number {
    return (this.controller.currentMode() ?? cheapestMode(this.modes, this.averages.all())).threshold;
  }

  currentMode(): OperatingMode | null {
    return this.controller.currentMode();
  }

  /** Resolved target (a duration is anchored at the first event), null before the first event. */
  resolvedTarget(): ResolvedTarget | null {
    return this.resolved;
  }

  /**
   * Starts the budget at `timestampMs` (the first sample time): anchors a duration target and
   * makes the first decision. Called implicitly by the first window or report.
   */
  begin(timestampMs: number): BudgetUpdate {
    if (this.resolved !== null || !Number.isFinite(timestampMs)) return NO_UPDATE;
    this.resolved = resolveTarget(this.target, timestampMs);
    this.estimator.advanceTo(timestampMs);
    return this.evaluate(timestampMs, 'start', null);
  }

  onWindow(window: WindowObservation): BudgetUpdate {
    if (!Number.isFinite(window.timestampMs)) {
      // No place on the timeline: counted and ignored.
      this.counters.badTimestamps++;
      return NO_UPDATE;
    }
    const started = this.resolved === null ? this.begin(window.timestampMs) : null;
    const modeIndex = modeIndexOfThreshold(this.modes, window.threshold);
    let energyUj = window.energyUj;
    if (modeIndex < 0) this.counters.unknownThreshold++;
    if (energyUj !== null && !isPlausibleWindowEnergyUj(energyUj)) {
      // NaN, negative or > 1 J: counted, and the window is counted at its mode's average.
      this.counters.badEnergy++;
      energyUj = null;
    }
    if (energyUj === null) {
      this.counters.windowsWithoutEnergy++;
      energyUj = modeIndex >= 0 ? this.averages.averageUj(modeIndex) : 0;
    } else if (modeIndex >= 0) {
      this.averages.record(modeIndex, energyUj);
    }
    this.estimator.recordWindow(window.timestampMs, energyUj);
    this.updateRecentPower(window.timestampMs, energyUj);
    this.counters.windows++;
    this.windowsSinceEvaluation++;
    if (this.windowsSinceEvaluation >= this.controller.options.reevaluateEveryWindows) {
      return this.evaluate(window.timestampMs, 'windows', null);
    }
    return started ?? NO_UPDATE;
  }

  onBatteryReport(reading: BatteryReading): BudgetUpdate {
    // A report can be the device's first event (a wearable that reports before it streams): the
    // start decision must not be lost, or its mode would never be published.
    const started = this.resolved === null && Number.isFinite(reading.timestampMs) ? this.begin(reading.timestampMs) : null;
    const report = this.estimator.applyReport(reading);
    if (!report.accepted) return started ? { ...started, report } : { ...NO_UPDATE, report };
    const update = this.evaluate(reading.timestampMs, 'report', report);
    return started?.modeChanged === true ? { ...update, modeChanged: true } : update;
  }

  private updateRecentPower(timestampMs: number, energyUj: number): void {
    const previous = this.lastWindowMs;
    this.lastWindowMs = timestampMs;
    if (previous === null || timestampMs <= previous) {
      if (this.recentPowerUw === null) this.recentPowerUw = devicePowerUw(this.battery, this.timing, energyUj);
      return;
    }
    const elapsedS = (timestampMs - previous) / 1000;
    const powerUw = this.battery.baselineUw + energyUj / elapsedS;
    const alpha = 1 - Math.exp(-elapsedS / this.recentTauS);
    this.recentPowerUw = this.recentPowerUw === null ? powerUw : this.recentPowerUw + alpha * (powerUw - this.recentPowerUw);
  }

  private evaluate(atMs: number, trigger: DecisionTrigger, report: ReportOutcome | null): BudgetUpdate {
    const resolved = this.resolved;
    if (resolved === null) throw new BudgetError('BAD_TARGET', 'evaluate before begin');
    this.windowsSinceEvaluation = 0;
    this.counters.evaluations++;
    const charge = this.estimator.estimate();
    const energies = this.averages.all();
    const decision = this.controller.evaluate(
      { nowMs: atMs, usableRemainingUj: charge.usableRemainingUj, windowPeriodS: this.periodS, baselineUw: this.battery.baselineUw, target: resolved },
      energies,
      trigger,
    );
    const projection = project({
      atMs,
      spec: this.battery,
      timing: this.timing,
      modes: this.modes,
      energiesUj: energies,
      chargeFraction: charge.chargeFraction,
      chargeSigma: charge.sigma,
      usableRemainingUj: charge.usableRemainingUj,
      currentModeIndex: decision.modeIndex,
      recentPowerUw: this.recentPowerUw,
      target: resolved,
      status: decision.status,
      budgetPerWindowUj: decision.budgetPerWindowUj,
    });
    const modeChanged = decision.changed || this.lastDecision?.status !== decision.status;
    this.lastDecision = decision;
    this.lastProjection = projection;
    return { decision, projection, report, modeChanged };
  }

  /** The messages and rows an update asks for (WebSocket, retained MQTT, SQLite). */
  outputs(update: BudgetUpdate, baseTopic: string): BudgetOutputs {
    return budgetOutputs(this.deviceId, baseTopic, update, this.estimator.estimate(), this.modes);
  }

  /** Everything a WebSocket snapshot needs. */
  snapshot(): {
    readonly deviceId: string;
    readonly decision: ModeDecision | null;
    readonly projection: Projection | null;
    readonly charge: ReturnType<ChargeEstimator['estimate']>;
    readonly modeEnergiesUj: readonly number[];
    readonly baselinePerWindowUj: number;
    readonly counters: BudgetCounters;
  } {
    return {
      deviceId: this.deviceId,
      decision: this.lastDecision,
      projection: this.lastProjection,
      charge: this.estimator.estimate(),
      modeEnergiesUj: this.averages.all(),
      baselinePerWindowUj: baselinePerWindowUj(this.battery, this.timing),
      counters: { ...this.counters, switches: this.controller.switchCount() },
    };
  }
}
