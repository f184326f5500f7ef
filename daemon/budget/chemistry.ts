// Battery chemistries: nominal voltage, the voltage range a report may take, and the
// voltage-to-charge curve (piecewise linear between documented points).
//
// The curves map a cell voltage to the fraction of the *full* capacity that remains (0 at the
// cut-off voltage). They are approximate: the real curve depends on load, temperature and age.
// That is why a voltage report is weighted by how much it can say (reconcile.ts): where a curve
// is flat, a few millivolts of noise span tens of percent of charge.

import { BudgetError } from './errors.ts';

export type ChemistryId = 'lipo' | 'cr2032';
export const CHEMISTRY_IDS: readonly ChemistryId[] = ['lipo', 'cr2032'];

/** One point of a voltage-to-charge table: cell voltage (mV) -> remaining charge fraction 0..1. */
export interface CurvePoint {
  readonly millivolts: number;
  readonly chargeFraction: number;
}

export interface Chemistry {
  readonly id: ChemistryId;
  readonly description: string;
  readonly nominalVoltageV: number;
  /** Ascending in millivolts and in charge; first point has charge 0, last has charge 1. */
  readonly curve: readonly CurvePoint[];
  /**
   * Reports outside [minReportMv, maxReportMv] are rejected as nonsense (a wrong unit, a
   * disconnected ADC), not clamped: a little below the cut-off or above the full voltage is
   * clamped to 0 or 1 by the curve.
   */
  readonly minReportMv: number;
  readonly maxReportMv: number;
  /** Whether the cell is recharged in place (LiPo) or replaced (CR2032): wording only. */
  readonly rechargeable: boolean;
}

/**
 * Single-cell lithium polymer, 3.7 V nominal, 4.20 V full, cut-off 3.27 V at rest.
 * Source: the resting (open-circuit) voltage vs state-of-charge charts published for hobby LiPo
 * cells (e.g. the Ampow "LiPo voltage chart", blog.ampow.com/lipo-voltage-chart; Battery
 * University BU-501a shows the same shape), points rounded and thinned by us. The middle of the
 * curve (3.75..3.95 V) is shallow, about 1 % of charge per 3-4 mV; the ends are steep.
 */
const LIPO: Chemistry = {
  id: 'lipo',
  description: 'LiPo / Li-ion single cell, 3.7 V nominal (4.20 V full, 3.27 V empty at rest)',
  nominalVoltageV: 3.7,
  curve: [
    { millivolts: 3270, chargeFraction: 0.0 },
    { millivolts: 3610, chargeFraction: 0.05 },
    { millivolts: 3690, chargeFraction: 0.1 },
    { millivolts: 3730, chargeFraction: 0.2 },
    { millivolts: 3770, chargeFraction: 0.3 },
    { millivolts: 3800, chargeFraction: 0.4 },
    { millivolts: 3840, chargeFraction: 0.5 },
    { millivolts: 3870, chargeFraction: 0.6 },
    { millivolts: 3950, chargeFraction: 0.7 },
    { millivolts: 4020, chargeFraction: 0.8 },
    { millivolts: 4110, chargeFraction: 0.9 },
    { millivolts: 4200, chargeFraction: 1.0 },
  ],
  minReportMv: 2500,
  maxReportMv: 4400,
  rechargeable: true,
};

/**
 * Lithium manganese dioxide coin cell CR2032, 3.0 V nominal, cut-off 2.0 V.
 * Source: the shape of the discharge curve at 15 kΩ (about 0.19 mA, 23 °C) in the Energizer
 * CR2032 and Panasonic CR2032 datasheets: a fresh cell starts near 3.0-3.1 V, stays between
 * 2.9 and 2.8 V for most of its capacity, then falls through a knee to the 2.0 V end voltage.
 * Points digitised by eye and rounded by us. Between 2.90 and 2.80 V the curve is flat (55 %
 * of the charge in 100 mV), so a voltage says little until the knee below 2.8 V.
 */
const CR2032: Chemistry = {
  id: 'cr2032',
  description: 'CR2032 lithium coin cell (Li/MnO2), 3.0 V nominal, 2.0 V end voltage',
  nominalVoltageV: 3.0,
  curve: [
    { millivolts: 2000, chargeFraction: 0.0 },
    { millivolts: 2300, chargeFraction: 0.03 },
    { millivolts: 2500, chargeFraction: 0.06 },
    { millivolts: 2600, chargeFraction: 0.1 },
    { millivolts: 2700, chargeFraction: 0.15 },
    { millivolts: 2800, chargeFraction: 0.25 },
    { millivolts: 2850, chargeFraction: 0.5 },
    { millivolts: 2900, chargeFraction: 0.8 },
    { millivolts: 2950, chargeFraction: 0.95 },
    { millivolts: 3050, chargeFraction: 1.0 },
  ],
  minReportMv: 1500,
  maxReportMv: 3400,
  rechargeable: false,
};

export const CHEMISTRIES: Readonly<Record<ChemistryId, Chemistry>> = { lipo: LIPO, cr2032: CR2032 };

/** Throws BudgetError('BAD_CURVE') unless the curve is strictly increasing in both columns and spans 0..1. */
export function validateCurve(curve: readonly CurvePoint[]): void {
  if (curve.length < 2) throw new BudgetError('BAD_CURVE', 'a curve needs at least two points');
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (first?.chargeFraction !== 0 || last?.chargeFraction !== 1) {
    throw new BudgetError('BAD_CURVE', 'a curve must start at charge 0 (cut-off) and end at charge 1 (full)');
  }
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    if (!a || !b || !(b.millivolts > a.millivolts) || !(b.chargeFraction > a.chargeFraction)) {
      throw new BudgetError('BAD_CURVE', `curve point ${i} must be above point ${i - 1} in both voltage and charge`);
    }
  }
}

/** Segment index i such that curve[i].millivolts <= mv <= curve[i + 1].millivolts (clamped). */
function segmentAt(curve: readonly CurvePoint[], millivolts: number): readonly [CurvePoint, CurvePoint] {
  for (let i = 0; i < curve.length - 1; i++) {
    const a = curve[i];
    const b = curve[i + 1];
    if (a && b && millivolts <= b.millivolts) return [a, b];
  }
  const a = curve[curve.length - 2];
  const b = curve[curve.length - 1];
  if (!a || !b) throw new BudgetError('BAD_CURVE', 'a curve needs at least two points');
  return [a, b];
}

/** Remaining charge fraction (0..1) at a cell voltage, piecewise linear, clamped at the ends. */
export function chargeFractionAt(curve: readonly CurvePoint[], millivolts: number): number {
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (!first || !last) throw new BudgetError('BAD_CURVE', 'empty curve');
  if (millivolts <= first.millivolts) return first.chargeFraction;
  if (millivolts >= last.millivolts) return last.chargeFraction;
  const [a, b] = segmentAt(curve, millivolts);
  return a.chargeFraction + ((millivolts - a.millivolts) * (b.chargeFraction - a.chargeFraction)) / (b.millivolts - a.millivolts);
}

/** Inverse of chargeFractionAt: the voltage at a remaining charge fraction (clamped to 0..1). */
export function millivoltsAt(curve: readonly CurvePoint[], chargeFraction: number): number {
  const f = Math.min(1, Math.max(0, chargeFraction));
  for (let i = 0; i < curve.length - 1; i++) {
    const a = curve[i];
    const b = curve[i + 1];
    if (a && b && f <= b.chargeFraction) {
      return a.millivolts + ((f - a.chargeFraction) * (b.millivolts - a.millivolts)) / (b.chargeFraction - a.chargeFraction);
    }
  }
  const last = curve[curve.length - 1];
  if (!last) throw new BudgetError('BAD_CURVE', 'empty curve');
  return last.millivolts;
}

/**
 * Slope of the curve at a voltage, in charge fraction per millivolt (the steeper segment at a
 * breakpoint). A flat curve has a large slope: one millivolt moves the charge a lot.
 */
export function chargePerMillivoltAt(curve: readonly CurvePoint[], millivolts: number): number {
  const [a, b] = segmentAt(curve, millivolts);
  let slope = (b.chargeFraction - a.chargeFraction) / (b.millivolts - a.millivolts);
  // At a breakpoint both neighbouring segments apply; take the larger (less trustworthy) slope.
  const idx = curve.indexOf(b);
  const next = curve[idx + 1];
  if (next && millivolts === b.millivolts) {
    slope = Math.max(slope, (next.chargeFraction - b.chargeFraction) / (next.millivolts - b.millivolts));
  }
  return slope;
}
