import { describe, expect, it } from 'vitest';
import { ChargeEstimator } from '../../../../daemon/budget/charge-estimator.ts';
import { fullEnergyUj, makeBatterySpec } from '../../../../daemon/budget/battery.ts';
import { CHEMISTRIES, millivoltsAt } from '../../../../daemon/budget/chemistry.ts';

const T0 = Date.UTC(2026, 0, 1);
const HOUR_MS = 3_600_000;

// 10 mAh at 3.7 V = 133.2 J = 1.332e8 µJ
const lipo = makeBatterySpec({ chemistry: 'lipo', capacityMah: 10, baselineUw: 100, usableFraction: 0.9 });
const coin = makeBatterySpec({ chemistry: 'cr2032', capacityMah: 220, nominalVoltageV: 3.0, baselineUw: 15 });

describe('coulomb counting', () => {
  it('counts baseline x elapsed sample time plus the window energies, without reports', () => {
    const est = new ChargeEstimator(lipo);
    est.recordWindow(T0, 50); // first timestamp starts the timeline; its energy counts
    est.recordWindow(T0 + HOUR_MS, 50); // + 100 µW x 3600 s = 360000 µJ
    const e = est.estimate();
    expect(e.countedUj).toBeCloseTo(360_100, 6);
    expect(e.chargeFraction).toBeCloseTo(1 - 360_100 / fullEnergyUj(lipo), 12);
    expect(e.usableRemainingUj).toBeCloseTo((e.chargeFraction - 0.1) * fullEnergyUj(lipo), 3);
    expect(e.reportsAccepted).toBe(0);
  });

  it('the uncertainty grows with what was counted', () => {
    const est = new ChargeEstimator(lipo, { initialSigma: 0.01 });
    const s0 = est.sigma();
    est.recordWindow(T0, 0);
    est.recordWindow(T0 + 100 * HOUR_MS, 0); // 36 J = 27 % of the cell
    expect(est.sigma()).toBeCloseTo(s0 + 0.1 * (36e6 / fullEnergyUj(lipo)), 9);
  });

  it('a timestamp going backwards is counted and changes nothing; a bad energy is counted and skipped', () => {
    const est = new ChargeEstimator(lipo);
    est.recordWindow(T0 + HOUR_MS, 10);
    const before = est.estimate().chargeFraction;
    est.recordWindow(T0, 10); // time went back: no baseline, but the window itself still cost energy
    est.recordWindow(T0 + HOUR_MS, Number.NaN);
    est.recordWindow(T0 + HOUR_MS, -5);
    est.recordWindow(T0 + HOUR_MS, 5e9); // 5 kJ for one window: a unit error
    const e = est.estimate();
    expect(e.rejected.timeBackwards).toBe(1);
    expect(e.rejected.badEnergy).toBe(3);
    expect(e.chargeFraction).toBeCloseTo(before - 10 / fullEnergyUj(lipo), 12);
  });
});

describe('reconciliation with reports', () => {
  it('a fuel-gauge percent well below the estimate pulls it most of the way down', () => {
    const est = new ChargeEstimator(lipo, { initialSigma: 0.05 });
    const out = est.applyReport({ kind: 'percent', timestampMs: T0, percent: 60 });
    expect(out.accepted).toBe(true);
    if (!out.accepted) return;
    expect(out.effect).toBe('corrected');
    // K = 0.05^2 / (0.05^2 + 0.02^2) = 0.862; step = -(0.4 - 0.02)
    const k = 0.0025 / (0.0025 + 0.0004);
    expect(out.gain).toBeCloseTo(k, 9);
    expect(out.afterFraction).toBeCloseTo(1 - k * 0.38, 9);
    expect(est.sigma()).toBeCloseTo(Math.sqrt((1 - k) * 0.0025), 9);
  });

  it('a CR2032 voltage on the flat plateau hardly moves the estimate; at the knee it does', () => {
    const flat = new ChargeEstimator(coin, { initialChargeFraction: 0.8, initialSigma: 0.05 });
    const plateau = flat.applyReport({ kind: 'millivolts', timestampMs: T0, millivolts: 2860 }); // curve says ~0.56
    expect(plateau.accepted && plateau.effect).toBe('corrected');
    if (!plateau.accepted) return;
    expect(plateau.reportSigma).toBeGreaterThan(0.1);
    expect(plateau.beforeFraction - plateau.afterFraction).toBeLessThan(0.03);

    const knee = new ChargeEstimator(coin, { initialChargeFraction: 0.3, initialSigma: 0.05 });
    const low = knee.applyReport({ kind: 'millivolts', timestampMs: T0, millivolts: 2500 }); // curve says 0.06
    expect(low.accepted).toBe(true);
    if (!low.accepted) return;
    expect(low.reportSigma).toBeLessThan(0.02);
    expect(low.afterFraction).toBeLessThan(0.15);
  });

  it('never moves up on noise: a report a little above the estimate is within the band', () => {
    const est = new ChargeEstimator(lipo, { initialChargeFraction: 0.5, initialSigma: 0.05 });
    const out = est.applyReport({ kind: 'percent', timestampMs: T0, percent: 51.5 });
    expect(out.accepted && out.effect).toBe('withinNoise');
    expect(est.estimate().chargeFraction).toBe(0.5);
    // and down within the band too (the band is symmetric, so noise does not ratchet it down)
    est.applyReport({ kind: 'percent', timestampMs: T0, percent: 48.5 });
    expect(est.estimate().chargeFraction).toBe(0.5);
  });

  it('noisy voltage reports around the truth keep the estimate unbiased (symmetric band)', () => {
    // Reports around a true 50 % with 20 mV noise: a deterministic +-1.5 sigma pattern.
    const est = new ChargeEstimator(lipo, { initialChargeFraction: 0.5, initialSigma: 0.02 });
    const mv = millivoltsAt(CHEMISTRIES.lipo.curve, 0.5);
    const offsets = [30, -30, 10, -10, 25, -25, 0, 40, -40];
    for (let i = 0; i < 90; i++) est.applyReport({ kind: 'millivolts', timestampMs: T0 + i, millivolts: mv + (offsets[i % offsets.length] ?? 0) });
    expect(Math.abs(est.estimate().chargeFraction - 0.5)).toBeLessThan(0.01);
  });

  it('a configured sag under load is added back before the curve', () => {
    const sagging = makeBatterySpec({ chemistry: 'lipo', capacityMah: 10, baselineUw: 100, voltageSagMv: 40 });
    const est = new ChargeEstimator(sagging, { initialChargeFraction: 0.5, initialSigma: 0.5 });
    const out = est.applyReport({ kind: 'millivolts', timestampMs: T0, millivolts: 3800 }); // at rest 3840 mV = 50 %
    expect(out.accepted && out.reportedFraction).toBeCloseTo(0.5, 9);
    expect(out.accepted && out.effect).toBe('withinNoise');
  });

  it('a large upward jump means the battery was charged or replaced', () => {
    const est = new ChargeEstimator(lipo, { initialChargeFraction: 0.2 });
    const out = est.applyReport({ kind: 'percent', timestampMs: T0, percent: 98 });
    expect(out.accepted && out.effect).toBe('recharged');
    expect(est.estimate().chargeFraction).toBeCloseTo(0.98, 12);
  });

  it.each([
    [{ kind: 'percent', percent: -3 }, 'negative'],
    [{ kind: 'percent', percent: 140 }, 'percentAbove100'],
    [{ kind: 'percent', percent: Number.NaN }, 'notANumber'],
    [{ kind: 'millivolts', millivolts: -3700 }, 'negative'],
    [{ kind: 'millivolts', millivolts: 3.7 }, 'voltageOutOfRange'], // volts sent as millivolts
    [{ kind: 'millivolts', millivolts: 12000 }, 'voltageOutOfRange'],
  ] as const)('rejects nonsense report %j as %s, counts it, and keeps counting', (report, reason) => {
    const est = new ChargeEstimator(lipo);
    est.recordWindow(T0, 0);
    const out = est.applyReport({ ...report, timestampMs: T0 + HOUR_MS });
    expect(out.accepted).toBe(false);
    if (out.accepted) return;
    expect(out.reason).toBe(reason);
    est.recordWindow(T0 + HOUR_MS, 0);
    const e = est.estimate();
    expect(e.rejected[reason]).toBe(1);
    expect(e.reportsAccepted).toBe(0);
    expect(e.countedUj).toBeCloseTo(360_000, 6); // the rejected report did not stop the baseline count
  });

  it('a report older than the counted timeline is rejected (it describes a past state)', () => {
    const est = new ChargeEstimator(lipo);
    est.recordWindow(T0 + HOUR_MS, 0);
    const out = est.applyReport({ kind: 'percent', timestampMs: T0, percent: 10 });
    expect(out.accepted).toBe(false);
    expect(est.estimate().chargeFraction).toBe(1);
    expect(est.estimate().rejected.timeBackwards).toBe(1);
  });
});
