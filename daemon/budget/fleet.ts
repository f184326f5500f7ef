// The budgets of every device the gateway sees, created on first sight from the `budget` config
// (config.ts) and the model's mode table. This is the one object the daemon holds: it answers
// "which threshold for this device's next window" and turns windows and battery reports into
// the messages to publish (messages.ts). Pure: no clock, no I/O.
import type { BatteryReport } from '../../protocol/battery-report.ts';
import { DeviceBudget, type BudgetUpdate, type WindowObservation } from './device-budget.ts';
import { deviceBudgetSettings, type BudgetConfig } from './config.ts';
import { modesFromTable, type ModeTableRow, type OperatingMode } from './modes.ts';
import { BudgetError } from './errors.ts';
import type { WindowTiming } from './battery.ts';
import type { BatteryReading, ReportOutcome } from './charge-estimator.ts';
import type { BudgetOutputs } from './messages.ts';

export interface BudgetFleetOptions {
  readonly config: BudgetConfig;
  readonly modelId: string;
  /** The model's metadata `modes` table. */
  readonly modeTable: readonly ModeTableRow[];
  readonly timing: WindowTiming;
  /** MQTT base topic for the retained `<base>/<deviceId>/mode` messages. */
  readonly baseTopic: string;
}

export interface FleetReportResult {
  readonly outcome: ReportOutcome | null;
  readonly outputs: BudgetOutputs;
}

/**
 * A device's report as budget readings. A fuel-gauge percent is preferred when the payload has
 * both (a gauge's percent already folds the voltage in; using both would count it twice). The
 * time is the report's own `tMs`, else the caller's fallback (the device's latest window time).
 */
export function readingFromReport(report: Pick<BatteryReport, 'percent' | 'millivolts' | 'tMs'>, fallbackTimestampMs: number | null): BatteryReading | null {
  const timestampMs = report.tMs ?? fallbackTimestampMs;
  if (timestampMs === null) return null;
  if (report.percent !== null) return { kind: 'percent', timestampMs, percent: report.percent };
  if (report.millivolts !== null) return { kind: 'millivolts', timestampMs, millivolts: report.millivolts };
  return null;
}

/**
 * A pipeline result as a budget observation: its time is the window's last sample
 * (`t0Ms + windowSamples / rateHz`), on the device's timeline.
 */
export function windowObservation(
  result: { readonly t0Ms: number; readonly threshold: number; readonly energyUj: number | null },
  windowSamples: number,
  rateHz: number,
): WindowObservation {
  return { timestampMs: result.t0Ms + (windowSamples * 1000) / rateHz, threshold: result.threshold, energyUj: result.energyUj };
}

const EMPTY_OUTPUTS: BudgetOutputs = { battery: null, mode: null, mqttMode: null, decisionRow: null, projectionRow: null };

export class BudgetFleet {
  readonly modelId: string;
  /** Why the fleet runs no budgets (e.g. the model has no measured energies), or null. */
  readonly unavailable: string | null;
  private readonly options: BudgetFleetOptions;
  private readonly modes: readonly OperatingMode[];
  private readonly budgets = new Map<string, DeviceBudget | null>();
  private readonly lastWindowMs = new Map<string, number>();
  private reportsWithoutTime = 0;

  constructor(options: BudgetFleetOptions) {
    this.options = options;
    this.modelId = options.modelId;
    let modes: readonly OperatingMode[] = [];
    let unavailable: string | null = null;
    try {
      modes = modesFromTable(options.modeTable);
    } catch (err) {
      if (!(err instanceof BudgetError)) throw err;
      unavailable = `model ${options.modelId}: ${err.message}`;
    }
    this.modes = modes;
    this.unavailable = unavailable;
  }

  /** The device's budget, created on first use; null when it has none (or the fleet is unavailable). */
  budgetOf(deviceId: string): DeviceBudget | null {
    if (this.unavailable !== null) return null;
    const known = this.budgets.get(deviceId);
    if (known !== undefined) return known;
    const settings = deviceBudgetSettings(this.options.config, deviceId);
    const budget =
      settings === null
        ? null
        : new DeviceBudget({ deviceId, battery: settings.battery, timing: this.options.timing, modes: this.modes, target: settings.target, controller: settings.controller });
    this.budgets.set(deviceId, budget);
    return budget;
  }

  /** Threshold for the device's next window; null: no budget, use the configured default mode. */
  nextThreshold(deviceId: string): number | null {
    return this.budgetOf(deviceId)?.nextThreshold() ?? null;
  }

  onWindow(deviceId: string, window: WindowObservation): BudgetOutputs {
    const budget = this.budgetOf(deviceId);
    if (!budget) return EMPTY_OUTPUTS;
    if (Number.isFinite(window.timestampMs)) this.lastWindowMs.set(deviceId, window.timestampMs);
    return this.outputs(budget, budget.onWindow(window));
  }

  /** A decoded `<base>/<deviceId>/battery` report (protocol/battery-report.ts). */
  onBatteryReport(report: BatteryReport): FleetReportResult {
    const budget = this.budgetOf(report.deviceId);
    if (!budget) return { outcome: null, outputs: EMPTY_OUTPUTS };
    const reading = readingFromReport(report, this.lastWindowMs.get(report.deviceId) ?? null);
    if (reading === null) {
      // No time of its own and no window yet: nothing to place it on the device's timeline.
      this.reportsWithoutTime++;
      return { outcome: null, outputs: EMPTY_OUTPUTS };
    }
    const update = budget.onBatteryReport(reading);
    return { outcome: update.report, outputs: this.outputs(budget, update) };
  }

  private outputs(budget: DeviceBudget, update: BudgetUpdate): BudgetOutputs {
    return update.decision ? budget.outputs(update, this.options.baseTopic) : EMPTY_OUTPUTS;
  }

  /** Per device with a budget: its snapshot (for the WebSocket snapshot on connect). */
  snapshot(): ReturnType<DeviceBudget['snapshot']>[] {
    return [...this.budgets.values()].filter((b): b is DeviceBudget => b !== null).map((b) => b.snapshot());
  }

  /**
   * Devices that will not make their target (status infeasible or empty, or a planned end before
   * an end-date target), soonest planned end first: what a fleet operator acts on.
   */
  atRisk(): { readonly deviceId: string; readonly status: string; readonly plannedEmptyAtMs: number | null; readonly targetEndMs: number | null; readonly reason: string }[] {
    const rows = [];
    for (const snap of this.snapshot()) {
      const { decision, projection } = snap;
      if (!decision || !projection) continue;
      const late = projection.targetEndMs !== null && projection.plannedEmptyAtMs !== null && projection.plannedEmptyAtMs < projection.targetEndMs;
      if (decision.status === 'infeasible' || decision.status === 'empty' || late) {
        rows.push({ deviceId: snap.deviceId, status: decision.status, plannedEmptyAtMs: projection.plannedEmptyAtMs, targetEndMs: projection.targetEndMs, reason: decision.reason });
      }
    }
    return rows.sort((a, b) => (a.plannedEmptyAtMs ?? Number.POSITIVE_INFINITY) - (b.plannedEmptyAtMs ?? Number.POSITIVE_INFINITY));
  }

  counters(): { readonly devicesWithBudget: number; readonly devicesWithout: number; readonly reportsWithoutTime: number } {
    let withBudget = 0;
    for (const b of this.budgets.values()) if (b) withBudget++;
    return { devicesWithBudget: withBudget, devicesWithout: this.budgets.size - withBudget, reportsWithoutTime: this.reportsWithoutTime };
  }
}
