import { describe, expect, it } from 'vitest';
import { CHEMISTRIES, CHEMISTRY_IDS, chargeFractionAt, chargePerMillivoltAt, millivoltsAt, validateCurve } from '../../../../daemon/budget/chemistry.ts';
import { BudgetError } from '../../../../daemon/budget/errors.ts';

describe('chemistry curves', () => {
  it.each(CHEMISTRY_IDS)('%s: the curve is valid and its report range covers it', (id) => {
    const chem = CHEMISTRIES[id];
    expect(() => validateCurve(chem.curve)).not.toThrow();
    expect(chem.minReportMv).toBeLessThan(chem.curve[0]!.millivolts);
    expect(chem.maxReportMv).toBeGreaterThan(chem.curve[chem.curve.length - 1]!.millivolts);
  });

  it('LiPo: 4.20 V is full, 3.27 V empty, 3.84 V half, clamped outside', () => {
    const c = CHEMISTRIES.lipo.curve;
    expect(chargeFractionAt(c, 4200)).toBe(1);
    expect(chargeFractionAt(c, 4300)).toBe(1);
    expect(chargeFractionAt(c, 3270)).toBe(0);
    expect(chargeFractionAt(c, 3000)).toBe(0);
    expect(chargeFractionAt(c, 3840)).toBeCloseTo(0.5, 12);
    // piecewise linear: halfway between 3800 (0.4) and 3840 (0.5)
    expect(chargeFractionAt(c, 3820)).toBeCloseTo(0.45, 12);
  });

  it.each(CHEMISTRY_IDS)('%s: millivoltsAt inverts chargeFractionAt', (id) => {
    const c = CHEMISTRIES[id].curve;
    for (let f = 0; f <= 1.0001; f += 0.05) {
      expect(chargeFractionAt(c, millivoltsAt(c, f))).toBeCloseTo(Math.min(1, f), 9);
    }
  });

  it('CR2032 is flat on its plateau and steep at the knee', () => {
    const c = CHEMISTRIES.cr2032.curve;
    const plateau = chargePerMillivoltAt(c, 2870); // charge per mV on 2.85..2.90 V
    const knee = chargePerMillivoltAt(c, 2400); // 2.3..2.5 V
    expect(plateau).toBeCloseTo(0.3 / 50, 12);
    expect(plateau / knee).toBeGreaterThan(30);
    // 20 mV of noise on the plateau spans more than 10 % of charge
    expect(chargeFractionAt(c, 2880) - chargeFractionAt(c, 2860)).toBeGreaterThan(0.1);
  });

  it('validateCurve rejects tables that are not increasing or do not span 0..1', () => {
    const bad = [
      [{ millivolts: 3000, chargeFraction: 0 }],
      [{ millivolts: 3000, chargeFraction: 0 }, { millivolts: 2900, chargeFraction: 1 }],
      [{ millivolts: 3000, chargeFraction: 0.1 }, { millivolts: 3100, chargeFraction: 1 }],
      [{ millivolts: 3000, chargeFraction: 0 }, { millivolts: 3050, chargeFraction: 0.6 }, { millivolts: 3100, chargeFraction: 0.5 }, { millivolts: 3200, chargeFraction: 1 }],
    ];
    for (const curve of bad) {
      expect(() => validateCurve(curve)).toThrow(BudgetError);
    }
  });
});
