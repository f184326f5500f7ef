// `har-gateway budget`: the lifetime of every operating mode of a model on a battery, and the
// mode the budget controller chooses for a target (daemon/budget/README.md).
//
//   har-gateway budget [--model <id>] --battery 220mAh@3.0V --baseline 15uW --target 365d
//                      [--chemistry cr2032|lipo] [--usable 0.9] [--charge 100%] [--from <date>] [--json]
//
// Exit codes: 0 report printed (feasible or not: the report says which); 1 bad arguments or
// model; 2 the model's mode table has no measured energy yet (nothing is invented).
import type { Command } from 'commander';
import { CliExit, EXIT_NOT_AVAILABLE } from '../exit.ts';
import { BudgetError } from '../../budget/errors.ts';
import { CHEMISTRIES, CHEMISTRY_IDS, type ChemistryId } from '../../budget/chemistry.ts';
import { parseBatteryArgument, parsePowerUw, parseTargetArgument, type TargetArgument } from '../../budget/units.ts';
import { lifetimeReport, type LifetimeReport } from '../../budget/lifetime-report.ts';
import { describeTarget, formatDurationS, formatEnergyUj, formatPowerUw } from '../../budget/target.ts';

/** Exit code for bad arguments or an unusable model. */
export const EXIT_BUDGET_USAGE = 1;

interface BudgetOptions {
  model?: string;
  battery: string;
  baseline: string;
  target: string;
  chemistry?: string;
  usable?: string;
  charge?: string;
  from?: string;
  json?: boolean;
}

function usage(message: string, cause?: unknown): CliExit {
  const err = new CliExit(EXIT_BUDGET_USAGE, `har-gateway budget: ${message}`);
  if (cause !== undefined) (err as { cause?: unknown }).cause = cause;
  return err;
}

function parseOrExit<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof BudgetError) throw usage(`${what}: ${err.message}`, err);
    throw err;
  }
}

/** A fraction from `0.9`, `90%`; must be in (0, 1]. */
function parseFraction(what: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 1)) throw usage(`${what}: "${text}" must be a fraction in (0, 1] or a percentage in (0, 100]%`);
  return value;
}

function chemistryFor(option: string | undefined, voltageV: number | null): ChemistryId {
  if (option !== undefined) {
    if (!(CHEMISTRY_IDS as readonly string[]).includes(option)) throw usage(`--chemistry: "${option}" is not one of ${CHEMISTRY_IDS.join(', ')}`);
    return option as ChemistryId;
  }
  if (voltageV === null) throw usage('--battery has no voltage (e.g. 220mAh@3.0V): give it or --chemistry');
  // A 3.0 V cell is a lithium coin cell, a 3.6-3.7 V one a lithium-ion/polymer cell.
  return voltageV <= 3.3 ? 'cr2032' : 'lipo';
}

async function loadModel(id: string): Promise<{ id: string; modes: readonly unknown[]; rateHz: number; strideSamples: number; task: string }> {
  const zoo = await import('../../../models/zoo/index.ts');
  try {
    const loaded = zoo.loadZooModel(id);
    const meta = loaded.artifact.metadata;
    return { id: loaded.id, modes: meta.modes, rateHz: meta.input.rateHz, strideSamples: meta.input.strideSamples, task: meta.task };
  } catch (err) {
    if (err instanceof zoo.ZooError) throw usage(err.message, err);
    throw err;
  }
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

function renderTable(report: LifetimeReport, task: string): string {
  const b = report.battery;
  const lines: string[] = [];
  lines.push(`model ${report.modelId} (${task}): ${report.modes.length} operating mode${report.modes.length === 1 ? '' : 's'}, a window every ${report.windowPeriodS.toFixed(2)} s (${report.windowsPerHour.toFixed(1)} windows/h)`);
  lines.push(
    `battery ${b.chemistry} (${CHEMISTRIES[b.chemistry].description}): ${b.capacityMah} mAh at ${b.nominalVoltageV} V, usable ${pct(b.usableFraction)} = ${formatEnergyUj(report.usableUj)}; baseline ${formatPowerUw(b.baselineUw)}`,
  );
  const t = report.resolvedTarget;
  lines.push(`target: ${describeTarget(report.target)}${report.target.kind === 'duration' && t.kind === 'until' ? ` (until ${new Date(t.endMs).toISOString()})` : ''}`);
  lines.push('');
  const header = ['mode', 'threshold', 'accuracy', 'energy/window', 'power', 'lifetime', 'meets target'];
  const rows = report.modes.map((m) => [
    `${m.index === report.decision.modeIndex ? '*' : ' '}${m.index}`,
    String(m.threshold),
    pct(m.accuracy, 2),
    formatEnergyUj(m.energyUj),
    formatPowerUw(m.powerUw),
    m.lifetimeS === null ? 'never empty' : formatDurationS(m.lifetimeS),
    m.meetsTarget ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  lines.push(fmt(header));
  for (const r of rows) lines.push(fmt(r));
  lines.push('');
  const d = report.decision;
  lines.push(`${d.status === 'infeasible' ? 'INFEASIBLE' : 'chosen'}: mode ${d.modeIndex} (threshold ${d.threshold})`);
  lines.push(`reason: ${d.reason}`);
  if (report.mix) {
    const { lowModeIndex, highModeIndex, highShare } = report.mix;
    lines.push(
      `plan: to end on the target, time-share mode ${highModeIndex} (${pct(highShare)} of the windows) and mode ${lowModeIndex} (${pct(1 - highShare)}); the gateway does this by re-evaluating as the battery drains`,
    );
  }
  lines.push('(lifetimes use the mode table\'s average energy per window; on a device the gateway follows the measured energies)');
  return `${lines.join('\n')}\n`;
}

function toJson(report: LifetimeReport): unknown {
  const d = report.decision;
  const t = report.resolvedTarget;
  return {
    model: report.modelId,
    battery: report.battery,
    usableUj: report.usableUj,
    windowPeriodS: report.windowPeriodS,
    windowsPerHour: report.windowsPerHour,
    target: report.target,
    targetEnd: t.kind === 'until' ? new Date(t.endMs).toISOString() : null,
    start: new Date(report.startMs).toISOString(),
    status: d.status,
    chosen: { index: d.modeIndex, threshold: d.threshold },
    reason: d.reason,
    budgetPerWindowUj: d.budgetPerWindowUj,
    shortfallPerWindowUj: d.shortfallPerWindowUj,
    mix: report.mix,
    modes: report.modes.map((m) => ({ ...m, lifetimeDays: m.lifetimeS === null ? null : m.lifetimeS / 86_400 })),
  };
}

export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description('lifetime of every operating mode of a model on a battery, and the mode chosen for a target')
    .option('--model <id>', 'zoo model id (default: the daemon\'s default model)')
    .requiredOption('--battery <capacity@voltage>', 'battery capacity and nominal voltage, e.g. 220mAh@3.0V or 40mAh@3.7V')
    .requiredOption('--baseline <power>', 'power of everything but the CNN (sensor, radio, sleep), e.g. 15uW')
    .requiredOption('--target <duration|date|power>', 'a lifetime (365d, 12h, 2w, 1y), an end date (2027-06-30) or an average power (40uW)')
    .option('--chemistry <id>', `battery chemistry: ${CHEMISTRY_IDS.join(' | ')} (default: from the voltage, <= 3.3 V cr2032, else lipo)`)
    .option('--usable <fraction>', 'share of the capacity that may be spent, e.g. 0.9 or 90% (default 0.9)')
    .option('--charge <fraction>', 'remaining charge now, e.g. 0.6 or 60% (default: full)')
    .option('--from <date>', 'start of the budget, ISO date or date-time (default: now)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: BudgetOptions) => {
      const batteryArg = parseOrExit('--battery', () => parseBatteryArgument(opts.battery));
      const baselineUw = parseOrExit('--baseline', () => parsePowerUw(opts.baseline));
      const target: TargetArgument = parseOrExit('--target', () => parseTargetArgument(opts.target));
      const chemistry = chemistryFor(opts.chemistry, batteryArg.nominalVoltageV);
      const usableFraction = opts.usable === undefined ? undefined : parseFraction('--usable', opts.usable);
      const chargeFraction = opts.charge === undefined ? 1 : parseFraction('--charge', opts.charge);
      let startMs = Date.now(); // the CLI is the edge: the pure core gets the time as an argument
      if (opts.from !== undefined) {
        const from = parseOrExit('--from', () => parseTargetArgument(opts.from ?? ''));
        if (from.kind !== 'until') throw usage(`--from: "${opts.from}" is not a date`);
        startMs = from.endMs;
      }
      if (target.kind === 'until' && target.endMs <= startMs) {
        throw usage(`--target: ${new Date(target.endMs).toISOString()} is not after the start ${new Date(startMs).toISOString()} (--from, default now)`);
      }
      const model = await loadModel(opts.model ?? 'default');
      let report: LifetimeReport;
      try {
        report = lifetimeReport({
          modelId: model.id,
          modeTable: model.modes as Parameters<typeof lifetimeReport>[0]['modeTable'],
          timing: { rateHz: model.rateHz, strideSamples: model.strideSamples },
          chemistry,
          capacityMah: batteryArg.capacityMah,
          nominalVoltageV: batteryArg.nominalVoltageV,
          usableFraction,
          baselineUw,
          target,
          startMs,
          chargeFraction,
        });
      } catch (err) {
        if (err instanceof BudgetError && err.code === 'NO_ENERGY') {
          throw new CliExit(
            EXIT_NOT_AVAILABLE,
            `har-gateway budget: model ${model.id} has no measured energy per operating mode yet: ${err.message}. Lifetimes need those figures; none are invented.`,
          );
        }
        if (err instanceof BudgetError) throw usage(err.message, err);
        throw err;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(toJson(report), null, 2)}\n` : renderTable(report, model.task));
    });
}
