// Operating modes of one model (the metadata `modes` table, models/FORMAT.md "Metadata") and the
// per-device running average of the CNN energy each mode really costs: adaptive inference
// continues to the expensive stage more or less often depending on the input, so the table's
// average (measured on validation windows) only seeds the device's own figure.
import { BudgetError } from './errors.ts';

/**
 * Upper bound of a plausible CNN energy per window: 1 J (the paper's models spend 0.005-62 µJ
 * per inference; a million times more is a unit error or a fault), so larger values are rejected.
 */
export const MAX_WINDOW_ENERGY_UJ = 1e6;

export function isPlausibleWindowEnergyUj(energyUj: number): boolean {
  return Number.isFinite(energyUj) && energyUj >= 0 && energyUj <= MAX_WINDOW_ENERGY_UJ;
}

/** The fields of one row of the model's mode table that the budget uses. */
export interface ModeTableRow {
  readonly threshold: number;
  readonly accuracy: number;
  readonly macroF1?: number | null;
  readonly continueShare?: number | null;
  readonly avgMacs?: number | null;
  readonly energyUj: number | null;
  readonly latencyUs?: number | null;
}

export interface OperatingMode {
  /** Position in the model's table (cheapest first). */
  readonly index: number;
  readonly threshold: number;
  readonly accuracy: number;
  readonly macroF1: number | null;
  /** Average CNN energy per window measured on the twin for the table (µJ). */
  readonly tableEnergyUj: number;
}

/**
 * Builds the modes from a model's table. Throws BudgetError('NO_ENERGY') when any row has no
 * measured energy (the budget never invents energies) and 'BAD_MODES' for an empty table or
 * values out of range.
 */
export function modesFromTable(rows: readonly ModeTableRow[]): OperatingMode[] {
  if (rows.length === 0) throw new BudgetError('BAD_MODES', 'the model has no operating modes');
  const missing = rows.filter((r) => r.energyUj === null).length;
  if (missing > 0) {
    throw new BudgetError(
      'NO_ENERGY',
      `the model's mode table has no measured energy for ${missing} of ${rows.length} modes (energyUj is null until the modes are measured on the emulated MCU)`,
    );
  }
  return rows.map((row, index) => {
    const energyUj = row.energyUj ?? Number.NaN;
    if (!isPlausibleWindowEnergyUj(energyUj)) throw new BudgetError('BAD_MODES', `mode ${index}: energyUj ${energyUj} must be a number in 0..${MAX_WINDOW_ENERGY_UJ}`);
    if (!Number.isFinite(row.accuracy) || row.accuracy < 0 || row.accuracy > 1) throw new BudgetError('BAD_MODES', `mode ${index}: accuracy ${row.accuracy} must be in 0..1`);
    return { index, threshold: row.threshold, accuracy: row.accuracy, macroF1: row.macroF1 ?? null, tableEnergyUj: energyUj };
  });
}

/** Mode index for a threshold, or -1. */
export function modeIndexOfThreshold(modes: readonly OperatingMode[], threshold: number): number {
  return modes.findIndex((m) => m.threshold === threshold);
}

/** The per-mode ratio learns this many times more slowly than the shared input factor. */
const RHO_SLOWNESS = 8;

export interface ModeAverageOptions {
  /** Weight of the table's figure, in windows (default 32). */
  readonly seedWindows?: number;
  /** Longest memory of the averages, in windows: older windows fade out (default 16384, about 6 h at a 1.28 s stride). */
  readonly horizonWindows?: number;
}

/**
 * Running average of the energy per window of each mode, for one device.
 *
 * Only the running mode is observed, so the estimate of mode m has two factors (README "Mode
 * energies"): table_m x f x rho_m, where
 *  - f, the input factor, is the running average of observed / table energy over every window
 *    whatever its mode (the device's input makes every adaptive mode dearer or cheaper alike);
 *  - rho_m is mode m's own running average of observed / (table_m x f), seeded at 1: what is
 *    left once the input is accounted for.
 * Without the shared factor, a mode run once at a busy hour would keep that hour's cost for ever.
 * f counts its seed (1) as `seedWindows` observations, then weighs a window by 1/(n + seedWindows)
 * until that reaches 1/horizonWindows, and is exponential from then on. rho_m does the same
 * with seed and horizon 8 times longer, so f takes the deviation first and rho_m only the part
 * that stays specific to the mode (both learning the same deviation would count it twice).
 * A mode whose table energy is 0 keeps its plain running average.
 */
export class ModeEnergyAverages {
  private readonly tableUj: number[];
  private readonly rho: number[];
  private readonly plainUj: number[];
  private readonly counts: number[];
  private inputFactor = 1;
  private factorCount = 0;
  private readonly seedWindows: number;
  private readonly horizonWindows: number;

  constructor(modes: readonly OperatingMode[], options: ModeAverageOptions = {}) {
    this.tableUj = modes.map((m) => m.tableEnergyUj);
    this.rho = modes.map(() => 1);
    this.plainUj = modes.map((m) => m.tableEnergyUj);
    this.counts = modes.map(() => 0);
    this.seedWindows = options.seedWindows ?? 32;
    this.horizonWindows = Math.max(this.seedWindows + 1, options.horizonWindows ?? 16_384);
  }

  /** 1 / (n + seed), floored at 1 / horizon; both scaled by `slowness`. */
  private weight(count: number, slowness: number): number {
    return 1 / Math.min(count + 1 + this.seedWindows * slowness, this.horizonWindows * slowness);
  }

  /** Records one window run in mode `index` that cost `energyUj`. Returns false if ignored. */
  record(index: number, energyUj: number): boolean {
    const table = this.tableUj[index];
    const count = this.counts[index];
    const rho = this.rho[index];
    const plain = this.plainUj[index];
    if (table === undefined || count === undefined || rho === undefined || plain === undefined || !isPlausibleWindowEnergyUj(energyUj)) return false;
    this.plainUj[index] = plain + (energyUj - plain) * this.weight(count, 1);
    if (table > 0) {
      const ratio = energyUj / table;
      // The input factor learns first (fast), the mode's own ratio learns what is left (slowly),
      // so a deviation is not counted twice: the split settles with f taking the shared part.
      this.inputFactor += (ratio / rho - this.inputFactor) * this.weight(this.factorCount, 1);
      this.factorCount++;
      this.rho[index] = rho + (ratio / this.inputFactor - rho) * this.weight(count, RHO_SLOWNESS);
    }
    this.counts[index] = count + 1;
    return true;
  }

  averageUj(index: number): number {
    const table = this.tableUj[index];
    const rho = this.rho[index];
    const plain = this.plainUj[index];
    if (table === undefined || rho === undefined || plain === undefined) throw new BudgetError('BAD_MODES', `no mode ${index}`);
    return table > 0 ? table * this.inputFactor * rho : plain;
  }

  /** The shared input factor f (1 = the table's input mix). */
  factor(): number {
    return this.inputFactor;
  }

  windowsSeen(index: number): number {
    return this.counts[index] ?? 0;
  }

  all(): readonly number[] {
    return this.tableUj.map((_, i) => this.averageUj(i));
  }
}
