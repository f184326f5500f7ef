// The what-if report behind `har-gateway budget`: for a fresh (or partly used) battery, the
// lifetime of every operating mode and the mode the controller would choose for a target.
// Pure: the start time is an argument (the CLI passes the clock's "now").
import { devicePowerUw, makeBatterySpec, usableEnergyUj, windowPeriodS, windowsPerHour, type BatterySpec, type WindowTiming } from './battery.ts';
import { ModeController, type ModeDecision } from './controller.ts';
import { modesFromTable, type ModeTableRow, type OperatingMode } from './modes.ts';
import { resolveTarget, type BudgetTarget, type ResolvedTarget } from './target.ts';
import type { ChemistryId } from './chemistry.ts';
import { modeMix, type Projection } from './projection.ts';

export interface LifetimeReportInput {
  readonly modelId: string;
  readonly modeTable: readonly ModeTableRow[];
  readonly timing: WindowTiming;
  readonly chemistry: ChemistryId;
  readonly capacityMah: number;
  readonly nominalVoltageV: number | null;
  readonly usableFraction?: number;
  readonly baselineUw: number;
  readonly target: BudgetTarget;
  /** Start of the budget (ms since the epoch). */
  readonly startMs: number;
  /** Remaining charge at the start, fraction of the rated capacity (default 1). */
  readonly chargeFraction?: number;
}

export interface ModeLifetime {
  readonly index: number;
  readonly threshold: number;
  readonly accuracy: number;
  readonly macroF1: number | null;
  readonly energyUj: number;
  readonly powerUw: number;
  /** Null: never (0 µW). */
  readonly lifetimeS: number | null;
  readonly meetsTarget: boolean;
}

export interface LifetimeReport {
  readonly modelId: string;
  readonly battery: BatterySpec;
  readonly usableUj: number;
  readonly windowPeriodS: number;
  readonly windowsPerHour: number;
  readonly target: BudgetTarget;
  readonly resolvedTarget: ResolvedTarget;
  readonly startMs: number;
  readonly decision: ModeDecision;
  readonly modes: readonly ModeLifetime[];
  /** Feasible until/duration targets between two modes: the time-shared mix that ends on the target. */
  readonly mix: Projection['plannedMix'];
}

/** Throws BudgetError: NO_ENERGY when the table has no measured energies, BAD_BATTERY, BAD_MODES. */
export function lifetimeReport(input: LifetimeReportInput): LifetimeReport {
  const modes: OperatingMode[] = modesFromTable(input.modeTable);
  const battery = makeBatterySpec({
    chemistry: input.chemistry,
    capacityMah: input.capacityMah,
    nominalVoltageV: input.nominalVoltageV,
    usableFraction: input.usableFraction,
    baselineUw: input.baselineUw,
  });
  const periodS = windowPeriodS(input.timing);
  const usableUj = usableEnergyUj(battery, input.chargeFraction ?? 1);
  const resolved = resolveTarget(input.target, input.startMs);
  const energies = modes.map((m) => m.tableEnergyUj);
  const decision = new ModeController(modes).evaluate(
    { nowMs: input.startMs, usableRemainingUj: usableUj, windowPeriodS: periodS, baselineUw: battery.baselineUw, target: resolved },
    energies,
    'start',
  );
  const lifetimes = modes.map((m): ModeLifetime => {
    const powerUw = devicePowerUw(battery, input.timing, m.tableEnergyUj);
    const lifetimeS = powerUw > 0 ? usableUj / powerUw : null;
    const meetsTarget =
      resolved.kind === 'averagePower' ? powerUw <= resolved.powerUw : lifetimeS === null || input.startMs + lifetimeS * 1000 >= resolved.endMs;
    return { index: m.index, threshold: m.threshold, accuracy: m.accuracy, macroF1: m.macroF1, energyUj: m.tableEnergyUj, powerUw, lifetimeS, meetsTarget };
  });
  return {
    modelId: input.modelId,
    battery,
    usableUj,
    windowPeriodS: periodS,
    windowsPerHour: windowsPerHour(input.timing),
    target: input.target,
    resolvedTarget: resolved,
    startMs: input.startMs,
    decision,
    modes: lifetimes,
    mix: decision.status === 'feasible' && resolved.kind === 'until' && decision.budgetPerWindowUj !== null ? modeMix(lifetimes, decision.budgetPerWindowUj) : null,
  };
}
