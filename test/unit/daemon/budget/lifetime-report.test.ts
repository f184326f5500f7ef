import { describe, expect, it } from 'vitest';
import { lifetimeReport } from '../../../../daemon/budget/lifetime-report.ts';
import { BudgetError } from '../../../../daemon/budget/errors.ts';

const T0 = Date.UTC(2026, 0, 1);
const TABLE = [
  { threshold: 0, accuracy: 0.9, energyUj: 20 },
  { threshold: 8, accuracy: 0.93, energyUj: 50 },
  { threshold: 0xffff_ffff, accuracy: 0.95, energyUj: 100 },
];
const COMMON = { modelId: 'm', modeTable: TABLE, timing: { rateHz: 50, strideSamples: 64 }, chemistry: 'cr2032', capacityMah: 220, nominalVoltageV: 3.0, baselineUw: 15, startMs: T0 } as const;

describe('lifetime report', () => {
  it('lifetime of each mode = usable energy / (baseline + energy per window / period)', () => {
    const r = lifetimeReport({ ...COMMON, target: { kind: 'duration', durationS: 365 * 86400 } });
    const usableUj = 220 * 3 * 3.6e6 * 0.9;
    expect(r.usableUj).toBeCloseTo(usableUj, 3);
    TABLE.forEach((m, i) => {
      expect(r.modes[i]?.lifetimeS).toBeCloseTo(usableUj / (15 + m.energyUj / 1.28), 3);
    });
    expect(r.decision.modeIndex).toBe(1); // 365 d allows 67.6 µJ per window
    expect(r.modes.map((m) => m.meetsTarget)).toEqual([true, true, false]);
    // 67.6 µJ between 50 and 100 µJ: about 35 % of the windows in the full network
    const budget = (220 * 3 * 3.6e6 * 0.9) / ((365 * 86400) / 1.28) - 15 * 1.28;
    expect(r.mix).toEqual({ lowModeIndex: 1, highModeIndex: 2, highShare: (budget - 50) / 50 });
  });

  it('a partly used battery (--charge) and an end date', () => {
    const r = lifetimeReport({ ...COMMON, chargeFraction: 0.5, target: { kind: 'until', endMs: T0 + 200 * 86400 * 1000 } });
    expect(r.usableUj).toBeCloseTo(220 * 3 * 3.6e6 * 0.4, 3);
    expect(r.decision.modeIndex).toBe(1);
  });

  it('average-power targets compare the device power', () => {
    const r = lifetimeReport({ ...COMMON, target: { kind: 'averagePower', powerUw: 60 } });
    // 15 + 50 / 1.28 = 54.1 µW fits, 15 + 100 / 1.28 = 93 µW does not
    expect(r.modes.map((m) => m.meetsTarget)).toEqual([true, true, false]);
    expect(r.decision.modeIndex).toBe(1);
  });

  it('refuses a table without energies (NO_ENERGY)', () => {
    const table = TABLE.map((m) => ({ ...m, energyUj: null }));
    expect(() => lifetimeReport({ ...COMMON, modeTable: table, target: { kind: 'duration', durationS: 86400 } })).toThrow(BudgetError);
  });
});
