// Shared test fixtures: a synthetic mode table (not from any real model).
import type { OperatingMode } from '../../../../daemon/budget/modes.ts';

/** Five modes, cheapest first: 10, 20, 30, 40, 50 µJ; accuracy 0.80 .. 0.92. */
export const FIVE_MODES: readonly OperatingMode[] = [0, 1, 2, 3, 4].map((i) => ({
  index: i,
  threshold: i === 4 ? 0xffff_ffff : i * 100,
  accuracy: 0.8 + i * 0.03,
  macroF1: null,
  tableEnergyUj: 10 + i * 10,
}));

export const FIVE_ENERGIES: readonly number[] = FIVE_MODES.map((m) => m.tableEnergyUj);
