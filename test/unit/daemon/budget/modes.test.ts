import { describe, expect, it } from 'vitest';
import { ModeEnergyAverages, modesFromTable } from '../../../../daemon/budget/modes.ts';
import { BudgetError } from '../../../../daemon/budget/errors.ts';
import { FIVE_MODES } from './fixtures.ts';

describe('mode table', () => {
  it('refuses a table without measured energy (never invents one)', () => {
    const rows = [
      { threshold: 0, accuracy: 0.9, energyUj: 1.5 },
      { threshold: 0xffff_ffff, accuracy: 0.95, energyUj: null },
    ];
    expect(() => modesFromTable(rows)).toThrow(BudgetError);
    try {
      modesFromTable(rows);
    } catch (err) {
      expect((err as BudgetError).code).toBe('NO_ENERGY');
    }
  });

  it('rejects empty tables and out-of-range values', () => {
    expect(() => modesFromTable([])).toThrow(/no operating modes/);
    expect(() => modesFromTable([{ threshold: 0, accuracy: 1.5, energyUj: 1 }])).toThrow(/accuracy/);
    expect(() => modesFromTable([{ threshold: 0, accuracy: 0.5, energyUj: -1 }])).toThrow(/energyUj/);
  });

  it('keeps the table order as the index', () => {
    const modes = modesFromTable([
      { threshold: 0, accuracy: 0.9, energyUj: 1.5, macroF1: 0.88 },
      { threshold: 0xffff_ffff, accuracy: 0.95, energyUj: 4 },
    ]);
    expect(modes.map((m) => [m.index, m.threshold, m.tableEnergyUj, m.macroF1])).toEqual([
      [0, 0, 1.5, 0.88],
      [1, 0xffff_ffff, 4, null],
    ]);
  });
});

describe('ModeEnergyAverages', () => {
  it('starts at the table and converges to what the device measures', () => {
    const avg = new ModeEnergyAverages(FIVE_MODES, { seedWindows: 10, horizonWindows: 1000 });
    expect(avg.averageUj(2)).toBe(30);
    for (let i = 0; i < 2000; i++) avg.record(2, 36);
    expect(avg.averageUj(2)).toBeCloseTo(36, 2);
  });

  it('the seed weighs like seedWindows observations: one window moves the average about 1/(seed + 1) of the way', () => {
    const avg = new ModeEnergyAverages(FIVE_MODES, { seedWindows: 9, horizonWindows: 1000 });
    avg.record(1, 30); // a plain running mean would give (9 x 20 + 30) / 10 = 21
    expect(avg.averageUj(1)).toBeGreaterThan(20.9);
    expect(avg.averageUj(1)).toBeLessThan(21.3);
  });

  it('a busier input makes every mode dearer through the shared input factor', () => {
    const avg = new ModeEnergyAverages(FIVE_MODES, { seedWindows: 4, horizonWindows: 256 });
    for (let i = 0; i < 5000; i++) avg.record(1, 24); // 20 % above the table
    expect(avg.averageUj(1)).toBeCloseTo(24, 3);
    // the shared factor takes most of the deviation, so a mode never run follows it
    expect(avg.factor()).toBeGreaterThan(1.15);
    expect(avg.averageUj(4)).toBeGreaterThan(57);
    expect(avg.averageUj(4)).toBeLessThanOrEqual(60);
    // and a mode that was seen costing more than its table keeps its own ratio on top
    for (let i = 0; i < 5000; i++) avg.record(3, 40 * 1.2 * 1.1);
    expect(avg.averageUj(3)).toBeCloseTo(52.8, 1);
    expect(avg.windowsSeen(3)).toBe(5000);
  });

  it('ignores bad energies and unknown modes', () => {
    const avg = new ModeEnergyAverages(FIVE_MODES);
    expect(avg.record(0, Number.NaN)).toBe(false);
    expect(avg.record(0, -1)).toBe(false);
    expect(avg.record(9, 10)).toBe(false);
    expect(avg.averageUj(0)).toBe(10);
  });
});
