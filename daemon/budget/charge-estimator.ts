// State of charge of one device: coulomb counting between reports, reconciled with battery
// reports when they arrive. Pure: time comes only from the timestamps the caller passes (sample
// timestamps of windows, report timestamps on the same timeline); no clock is read.
//
// Reconciliation rule (README.md "Reconciliation"): a scalar Kalman filter, i.e. a
// complementary filter whose weight follows the trust of each side.
//  - The estimate x (remaining charge fraction of the full capacity) has a variance P. Coulomb
//    counting grows the error with what it counts: sigma = sigmaFix + countingRelError x
//    (charge counted since the last fix), so P = sigma^2.
//  - A report z has a variance R: a percent from a fuel gauge is trusted (sigma =
//    percentNoisePct); a voltage is converted through the chemistry curve, and its sigma is
//    half the charge span of +-voltageNoiseMv on the curve (voltageReportSigma), so on a flat
//    stretch (CR2032 between 2.9 and 2.8 V) a voltage hardly moves the estimate, while at the
//    knee it counts.
//  - Gain K = P / (P + R). Hysteresis band: an innovation (z - x) within +-1 sigma_z of the
//    report is noise and is ignored, so the estimate never moves up (or down) on noise; a larger
//    one moves x by K x (the part of the innovation beyond the band). The band is symmetric on
//    purpose: an upward-only band would ratchet the estimate down on every low noisy reading
//    (a bias we measured at several % of charge over a month in the simulation).
//  - Recharge / replacement: an upward innovation larger than both `rechargeJumpFraction` and
//    3 sigma_z resets x to z (LiPo charged, coin cell replaced).
//  - Nonsense reports (not a number, negative, percent > 100, voltage outside the chemistry's
//    report range) are rejected and counted by kind; the estimate keeps counting.
import { chargeFractionAt, millivoltsAt } from './chemistry.ts';
import { chemistryOf, fullEnergyUj, usableEnergyUj, type BatterySpec } from './battery.ts';
import { isPlausibleWindowEnergyUj } from './modes.ts';

/** A battery report from the device, on the same timeline as its sample timestamps. */
export type BatteryReading =
  | { readonly kind: 'percent'; readonly timestampMs: number; readonly percent: number }
  | { readonly kind: 'millivolts'; readonly timestampMs: number; readonly millivolts: number };

export type RejectReason = 'notANumber' | 'negative' | 'percentAbove100' | 'voltageOutOfRange' | 'timeBackwards' | 'badEnergy';

export type ReportOutcome =
  | { readonly accepted: false; readonly reason: RejectReason; readonly detail: string }
  | {
      readonly accepted: true;
      /** How the report changed the estimate. */
      readonly effect: 'corrected' | 'withinNoise' | 'recharged';
      readonly reportedFraction: number;
      readonly reportSigma: number;
      readonly gain: number;
      readonly beforeFraction: number;
      readonly afterFraction: number;
    };

export interface ChargeEstimatorOptions {
  /** Charge fraction assumed before any report (default 1: a fresh or fully charged battery). */
  readonly initialChargeFraction?: number;
  /** One sigma of that assumption (default 0.05). */
  readonly initialSigma?: number;
  /** Upward innovation that means the battery was charged or replaced (default 0.3). */
  readonly rechargeJumpFraction?: number;
}

export interface ChargeEstimate {
  readonly chargeFraction: number;
  readonly sigma: number;
  readonly remainingUj: number;
  readonly usableRemainingUj: number;
  readonly lastTimestampMs: number | null;
  readonly countedUj: number;
  readonly reportsAccepted: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
  readonly lastReport: { readonly kind: BatteryReading['kind']; readonly timestampMs: number; readonly fraction: number } | null;
}

/** Half-width of the hysteresis band, in sigmas of the report. */
const DEADBAND_SIGMAS = 1;
const RECHARGE_MIN_SIGMAS = 3;
/** Floor of a report's sigma: no report is better than 0.5 % of charge. */
const MIN_REPORT_SIGMA = 0.005;
/** Ceiling of a report's sigma: a report that says nothing says at most "somewhere in 0..1". */
const MAX_REPORT_SIGMA = 0.5;

export class ChargeEstimator {
  readonly spec: BatterySpec;
  private readonly fullUj: number;
  private readonly rechargeJumpFraction: number;
  private fraction: number;
  private sigmaAtFix: number;
  private countedSinceFix = 0;
  private lastMs: number | null = null;
  private countedUj = 0;
  private accepted = 0;
  private lastReport: ChargeEstimate['lastReport'] = null;
  private readonly rejected: Record<RejectReason, number> = {
    notANumber: 0,
    negative: 0,
    percentAbove100: 0,
    voltageOutOfRange: 0,
    timeBackwards: 0,
    badEnergy: 0,
  };

  constructor(spec: BatterySpec, options: ChargeEstimatorOptions = {}) {
    this.spec = spec;
    this.fullUj = fullEnergyUj(spec);
    this.fraction = Math.min(1, Math.max(0, options.initialChargeFraction ?? 1));
    this.sigmaAtFix = options.initialSigma ?? 0.05;
    this.rechargeJumpFraction = options.rechargeJumpFraction ?? 0.3;
  }

  /** One sigma of the current estimate (charge fraction). */
  sigma(): number {
    return this.sigmaAtFix + this.spec.countingRelError * this.countedSinceFix;
  }

  /**
   * Moves the timeline to `timestampMs`, draining the baseline power over the elapsed time.
   * The first timestamp only starts the timeline. Returns false (and counts `timeBackwards`)
   * for a timestamp before the last one; the estimate is left as it was.
   */
  advanceTo(timestampMs: number): boolean {
    if (!Number.isFinite(timestampMs)) {
      this.rejected.notANumber++;
      return false;
    }
    if (this.lastMs === null) {
      this.lastMs = timestampMs;
      return true;
    }
    const elapsedS = (timestampMs - this.lastMs) / 1000;
    if (elapsedS < 0) {
      this.rejected.timeBackwards++;
      return false;
    }
    this.lastMs = timestampMs;
    this.drain(this.spec.baselineUw * elapsedS);
    return true;
  }

  /**
   * Counts one window: the baseline since the last timestamp plus the CNN energy the twin
   * measured for it. A non-finite, negative or implausible (> 1 J) energy is counted as
   * `badEnergy` and ignored (time still advances).
   */
  recordWindow(timestampMs: number, energyUj: number): void {
    this.advanceTo(timestampMs);
    if (!isPlausibleWindowEnergyUj(energyUj)) {
      this.rejected.badEnergy++;
      return;
    }
    this.drain(energyUj);
  }

  private drain(energyUj: number): void {
    if (energyUj <= 0) return;
    const fraction = energyUj / this.fullUj;
    this.countedUj += energyUj;
    this.countedSinceFix += fraction;
    this.fraction = Math.max(0, this.fraction - fraction);
  }

  /** Validates a report against the chemistry; null when it is acceptable. */
  private rejectReason(reading: BatteryReading): { reason: RejectReason; detail: string } | null {
    const value = reading.kind === 'percent' ? reading.percent : reading.millivolts;
    if (typeof value !== 'number' || !Number.isFinite(value)) return { reason: 'notANumber', detail: `${reading.kind} is not a finite number` };
    if (value < 0) return { reason: 'negative', detail: `${reading.kind} ${value} is negative` };
    if (reading.kind === 'percent') {
      if (value > 100) return { reason: 'percentAbove100', detail: `percent ${value} is above 100` };
      return null;
    }
    const chemistry = chemistryOf(this.spec);
    if (value < chemistry.minReportMv || value > chemistry.maxReportMv) {
      return {
        reason: 'voltageOutOfRange',
        detail: `${value} mV is outside the ${chemistry.id} report range ${chemistry.minReportMv}..${chemistry.maxReportMv} mV`,
      };
    }
    return null;
  }

  /**
   * Charge sigma of a voltage report: half the charge span of +-voltageNoiseMv around the
   * reported voltage on the curve. While the report is within 3 noise sigmas of the voltage the
   * estimate expects, the span around that expected voltage counts too (the larger wins), so a
   * noisy low reading does not borrow the trust of a steeper segment below a flat one; a report
   * further away is judged on its own span (a knee reading under a plateau estimate counts).
   */
  private voltageReportSigma(millivolts: number): number {
    const curve = chemistryOf(this.spec).curve;
    const noiseMv = this.spec.voltageNoiseMv;
    const spanSigma = (mv: number): number => (chargeFractionAt(curve, mv + noiseMv) - chargeFractionAt(curve, mv - noiseMv)) / 2;
    const expectedMv = millivoltsAt(curve, this.fraction);
    const own = spanSigma(millivolts);
    return Math.abs(millivolts - expectedMv) > 3 * noiseMv ? own : Math.max(own, spanSigma(expectedMv));
  }

  /** Reconciles a report with the counted estimate (rule at the top of this file). */
  applyReport(reading: BatteryReading): ReportOutcome {
    const bad = this.rejectReason(reading);
    if (bad) {
      this.rejected[bad.reason]++;
      return { accepted: false, ...bad };
    }
    if (!Number.isFinite(reading.timestampMs)) {
      this.rejected.notANumber++;
      return { accepted: false, reason: 'notANumber', detail: `report time ${reading.timestampMs} is not a finite number` };
    }
    if (this.lastMs !== null && reading.timestampMs < this.lastMs) {
      // A report older than what was counted already describes a past state: comparing it with
      // the current estimate would double-count the energy spent since.
      this.rejected.timeBackwards++;
      return { accepted: false, reason: 'timeBackwards', detail: `report at ${reading.timestampMs} is before the last counted time ${this.lastMs}` };
    }
    this.advanceTo(reading.timestampMs);

    const chemistry = chemistryOf(this.spec);
    let z: number;
    let sigmaZ: number;
    if (reading.kind === 'percent') {
      z = reading.percent / 100;
      sigmaZ = this.spec.percentNoisePct / 100;
    } else {
      // A voltage under load reads below the resting voltage the curve describes (voltageSagMv).
      const restingMv = reading.millivolts + this.spec.voltageSagMv;
      z = chargeFractionAt(chemistry.curve, restingMv);
      sigmaZ = this.voltageReportSigma(restingMv);
    }
    sigmaZ = Math.min(MAX_REPORT_SIGMA, Math.max(MIN_REPORT_SIGMA, sigmaZ));

    const before = this.fraction;
    const sigmaX = this.sigma();
    const p = sigmaX * sigmaX;
    const r = sigmaZ * sigmaZ;
    const gain = p / (p + r);
    const innovation = z - before;
    let effect: 'corrected' | 'withinNoise' | 'recharged';

    if (innovation > this.rechargeJumpFraction && innovation > RECHARGE_MIN_SIGMAS * sigmaZ) {
      this.fraction = z;
      this.sigmaAtFix = sigmaZ;
      effect = 'recharged';
    } else if (Math.abs(innovation) <= DEADBAND_SIGMAS * sigmaZ) {
      // Within the noise of the report: no move, and no gain in confidence either.
      effect = 'withinNoise';
      this.accepted++;
      this.lastReport = { kind: reading.kind, timestampMs: reading.timestampMs, fraction: z };
      return { accepted: true, effect, reportedFraction: z, reportSigma: sigmaZ, gain: 0, beforeFraction: before, afterFraction: before };
    } else {
      const step = innovation - Math.sign(innovation) * DEADBAND_SIGMAS * sigmaZ;
      this.fraction = Math.min(1, Math.max(0, before + gain * step));
      this.sigmaAtFix = Math.sqrt((1 - gain) * p);
      effect = 'corrected';
    }
    this.countedSinceFix = 0;
    this.accepted++;
    this.lastReport = { kind: reading.kind, timestampMs: reading.timestampMs, fraction: z };
    return { accepted: true, effect, reportedFraction: z, reportSigma: sigmaZ, gain: effect === 'recharged' ? 1 : gain, beforeFraction: before, afterFraction: this.fraction };
  }

  estimate(): ChargeEstimate {
    return {
      chargeFraction: this.fraction,
      sigma: this.sigma(),
      remainingUj: this.fraction * this.fullUj,
      usableRemainingUj: usableEnergyUj(this.spec, this.fraction),
      lastTimestampMs: this.lastMs,
      countedUj: this.countedUj,
      reportsAccepted: this.accepted,
      rejected: { ...this.rejected },
      lastReport: this.lastReport,
    };
  }
}
