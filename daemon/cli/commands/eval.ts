// `har-gateway eval`: evaluates a zoo model on a task split of the real recordings (HAPT raw,
// models/datasets) with the integer reference executor or the MCU twin (`--engine mcu`, which
// adds cycles, latency and energy per window, and `--verify` against the reference executor):
// accuracy, macro F1, per-class
// precision/recall, confusion matrix; with `--mode all`, every operating mode of the model's
// table (one full run per window, the mode decisions follow from the stage scores:
// models/reference/sweep.ts). Windows are quantized with the artifact's input scales
// (models/quantize.ts, ARITHMETIC.md §1).
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CliExit, notAvailable } from '../exit.ts';
import { formatTable } from './models.ts';
import { THRESHOLD_FULL, type InferenceEngine, type InferenceResult } from '../../../models/engine.ts';
import { UINT32_MAX } from '../../../models/format/constants.ts';
import type { ModelArtifact } from '../../../models/format/types.ts';
import { ConfusionMatrix, type ClassificationReport } from '../../../models/metrics.ts';
import { quantizeWindowInto } from '../../../models/quantize.ts';
import { createReferenceEngine, ReferenceModel } from '../../../models/reference/executor.ts';
import { decideFromStages } from '../../../models/reference/sweep.ts';
import { DEFAULT_MODEL, loadZooModel, ZooError } from '../../../models/zoo/index.ts';

/** Exit code of a failed evaluation (unknown model, missing data, task mismatch). */
export const EXIT_EVAL_ERROR = 1;

/** The repository root (daemon/cli/commands -> ../../..). */
const REPO_ROOT = resolve(import.meta.dirname, '../../..');

interface EvalOptions {
  readonly model: string;
  readonly task?: string;
  readonly split: string;
  readonly engine: string;
  readonly mode: string;
  readonly json?: boolean;
  readonly data?: string;
  readonly zoo?: string;
  readonly limit?: string;
  readonly verify?: boolean;
}

/** The windows a model is evaluated on (the part of models/datasets TaskWindows used here). */
export interface EvalWindows {
  readonly classes: readonly string[];
  readonly channels: readonly string[];
  readonly windowSamples: number;
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Uint8Array;
}

export interface ModeFigures {
  readonly threshold: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly avgMacs: number;
  /** Share of windows that ran past the first stage. */
  readonly continueShare: number;
  readonly report: ClassificationReport;
  /** Averages per window from the MCU engine (null for the reference engine). */
  readonly avgCycles: number | null;
  readonly avgEnergyUj: number | null;
  readonly avgLatencyUs: number | null;
  /** With verification: windows whose engine result differs from the reference executor. */
  readonly mismatches: number | null;
}

/** Parses --mode: "full", "all", or an unsigned 32-bit threshold. */
export function parseMode(mode: string): number | 'all' {
  if (mode === 'all') return 'all';
  if (mode === 'full') return THRESHOLD_FULL;
  if (!/^\d+$/.test(mode) || Number(mode) > UINT32_MAX) {
    throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval: --mode must be "full", "all" or a threshold in [0, ${UINT32_MAX}], got "${mode}"`);
  }
  return Number(mode);
}

/** Checks that the windows are what the model reads (class names, channel order, window length). */
export function checkCompatible(artifact: ModelArtifact, w: EvalWindows): void {
  const m = artifact.metadata;
  const problems: string[] = [];
  if (w.classes.join(',') !== m.classes.join(',')) problems.push(`classes [${w.classes.join(', ')}] vs the model's [${m.classes.join(', ')}]`);
  if (w.channels.join(',') !== m.input.channels.join(',')) problems.push(`channels [${w.channels.join(', ')}] vs the model's [${m.input.channels.join(', ')}]`);
  if (w.windowSamples !== m.input.windowSamples) problems.push(`${w.windowSamples}-sample windows vs the model's ${m.input.windowSamples}`);
  if (problems.length) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval: model ${m.id} does not fit these windows: ${problems.join('; ')}`);
}

/**
 * Runs every window once through the full network and derives the figures of each threshold.
 * `thresholds` may hold one entry (a single mode). Pure apart from the executor: no I/O.
 */
export function evaluateThresholds(artifact: ModelArtifact, w: EvalWindows, thresholds: readonly number[], onProgress?: (done: number) => void): ModeFigures[] {
  const model = new ReferenceModel(artifact);
  const classCount = artifact.net.classCount;
  const stageMacs = artifact.stages.map((_, s) => artifact.layers.filter((l) => l.stage === s).reduce((sum, l) => sum + l.macs, 0));
  const matrices = thresholds.map(() => new ConfusionMatrix(classCount));
  const macsSum = thresholds.map(() => 0);
  const continued = thresholds.map(() => 0);
  const values = model.windowValues;
  const window = new Int8Array(values);
  const scale = artifact.metadata.input.scale;
  for (let i = 0; i < w.count; i++) {
    quantizeWindowInto(w.x, i * values, scale, window);
    const run = model.run(window, THRESHOLD_FULL);
    const label = w.y[i] ?? 0;
    thresholds.forEach((t, k) => {
      const d = decideFromStages(run.stageResults, stageMacs, t);
      matrices[k]?.add(label, d.classIndex);
      macsSum[k] = (macsSum[k] ?? 0) + d.macs;
      if (d.exitTaken > 0) continued[k] = (continued[k] ?? 0) + 1;
    });
    if (onProgress && (i + 1) % 250 === 0) onProgress(i + 1);
  }
  return thresholds.map((threshold, k) => {
    const report = matrices[k]!.report();
    return {
      threshold,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      avgMacs: w.count ? (macsSum[k] ?? 0) / w.count : 0,
      continueShare: w.count ? (continued[k] ?? 0) / w.count : 0,
      report,
      avgCycles: null,
      avgEnergyUj: null,
      avgLatencyUs: null,
      mismatches: null,
    };
  });
}

function sameResult(a: InferenceResult, b: InferenceResult): boolean {
  return a.classIndex === b.classIndex && a.margin === b.margin && a.exitTaken === b.exitTaken && a.macs === b.macs && a.scores.length === b.scores.length && a.scores.every((v, i) => v === b.scores[i]);
}

/**
 * Runs every window through `engine` once per threshold (for engines that report only the
 * final stage, such as the MCU twin), averaging cycles, energy and latency. With `reference`,
 * every result is also compared with the reference executor (tolerance zero).
 */
export function evaluateEngine(engine: InferenceEngine, artifact: ModelArtifact, w: EvalWindows, thresholds: readonly number[], reference: InferenceEngine | null, onProgress?: (done: number) => void): ModeFigures[] {
  const classCount = artifact.net.classCount;
  const values = artifact.net.windowSamples * artifact.net.inChannels;
  const window = new Int8Array(values);
  const scale = artifact.metadata.input.scale;
  const acc = thresholds.map(() => ({ matrix: new ConfusionMatrix(classCount), macs: 0, continued: 0, cycles: 0, energyUj: 0, latencyUs: 0, measured: 0, mismatches: 0 }));
  for (let i = 0; i < w.count; i++) {
    quantizeWindowInto(w.x, i * values, scale, window);
    const label = w.y[i] ?? 0;
    thresholds.forEach((t, k) => {
      const a = acc[k]!;
      const r = engine.run(window, t);
      a.matrix.add(label, r.classIndex);
      a.macs += r.macs;
      if (r.exitTaken > 0) a.continued++;
      if (r.cycles !== null && r.energyUj !== null && r.latencyUs !== null) {
        a.cycles += r.cycles;
        a.energyUj += r.energyUj;
        a.latencyUs += r.latencyUs;
        a.measured++;
      }
      if (reference && !sameResult(r, reference.run(window, t))) a.mismatches++;
    });
    if (onProgress && (i + 1) % 25 === 0) onProgress(i + 1);
  }
  return thresholds.map((threshold, k) => {
    const a = acc[k]!;
    const report = a.matrix.report();
    const n = w.count;
    return {
      threshold,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      avgMacs: n ? a.macs / n : 0,
      continueShare: n ? a.continued / n : 0,
      report,
      avgCycles: a.measured ? a.cycles / a.measured : null,
      avgEnergyUj: a.measured ? a.energyUj / a.measured : null,
      avgLatencyUs: a.measured ? a.latencyUs / a.measured : null,
      mismatches: reference ? a.mismatches : null,
    };
  });
}

/** The first `limit` windows (a quick look; the printed window count says how many ran). */
export function firstWindows(w: EvalWindows, limit: number): EvalWindows {
  if (limit >= w.count) return w;
  const values = w.windowSamples * w.channels.length;
  return { ...w, count: limit, x: w.x.subarray(0, limit * values), y: w.y.subarray(0, limit) };
}

async function createMcuEngineFor(bytes: Uint8Array): Promise<InferenceEngine> {
  let twin: { createMcuEngine?: (options: { model: Uint8Array }) => InferenceEngine };
  try {
    twin = (await import('../../../device-sim/twin/index.ts'));
  } catch (err) {
    return notAvailable('eval --engine mcu', `the MCU twin (device-sim/twin) could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof twin.createMcuEngine !== 'function') return notAvailable('eval --engine mcu', 'device-sim/twin has no createMcuEngine yet');
  try {
    return twin.createMcuEngine({ model: bytes });
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval --engine mcu: ${err.message}`);
    throw err;
  }
}

function reportText(title: string, classes: readonly string[], fig: ModeFigures): string {
  const r = fig.report;
  const out = [title, `accuracy ${(r.accuracy * 100).toFixed(2)} % (${r.correct}/${r.windows}), macro F1 ${r.macroF1.toFixed(4)}, avg MACs ${fig.avgMacs.toFixed(0)}`];
  if (fig.avgCycles !== null) out.push(`MCU per window: ${fig.avgCycles.toFixed(0)} cycles, ${(fig.avgLatencyUs ?? 0).toFixed(1)} us, ${(fig.avgEnergyUj ?? 0).toFixed(3)} uJ`);
  if (fig.mismatches !== null) out.push(`verified against the reference executor: ${fig.mismatches} of ${r.windows} windows differ`);
  out.push('');
  out.push(formatTable(['class', 'precision', 'recall', 'F1', 'support'], classes.map((c, i) => {
    const p = r.perClass[i];
    return [c, (p?.precision ?? 0).toFixed(4), (p?.recall ?? 0).toFixed(4), (p?.f1 ?? 0).toFixed(4), String(p?.support ?? 0)];
  }), new Set([1, 2, 3, 4])));
  out.push('', 'confusion matrix (rows: true class, columns: predicted)');
  const tags = classes.map((_, i) => `c${i}`);
  out.push(formatTable(['true \\ pred', ...tags], r.confusion.map((row, i) => [`c${i} ${classes[i] ?? ''}`, ...row.map(String)]), new Set(tags.map((_, i) => i + 1))));
  return out.join('\n');
}

async function loadWindows(task: string, split: string, dataDir: string): Promise<EvalWindows> {
  let datasets: { loadTaskWindows?: (task: string, split: string, dataDir: string) => EvalWindows };
  try {
    datasets = (await import('../../../models/datasets/index.ts'));
  } catch (err) {
    return notAvailable('eval', `the dataset readers (models/datasets) could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof datasets.loadTaskWindows !== 'function') return notAvailable('eval', 'models/datasets has no loadTaskWindows yet');
  try {
    return datasets.loadTaskWindows(task, split, dataDir);
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval: ${err.message}`);
    throw err;
  }
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a zoo model on a task split of the real recordings: accuracy, macro F1, per-class precision/recall, confusion matrix')
    .option('--model <id>', 'zoo model id (default: the zoo default)', DEFAULT_MODEL)
    .addOption(new Option('--task <task>', 'task protocol (default: the model\'s task)').choices(['hapt6', 'hapt12']))
    .addOption(new Option('--split <split>', 'split of the task').choices(['test', 'validation', 'train']).default('test'))
    .addOption(new Option('--engine <engine>', 'inference engine').choices(['reference', 'mcu']).default('reference'))
    .option('--mode <mode>', 'operating mode: a threshold, "full" (every stage) or "all" (every mode of the model\'s table)', 'full')
    .option('--json', 'print {accuracy, macroF1, confusion, windows, perMode?} as JSON')
    .option('--data <dir>', 'datasets folder (default: $HAR_DATA_DIR, else ../shared/datasets beside the repository)')
    .option('--zoo <dir>', 'zoo folder (default: $HAR_ZOO_DIR, else models/zoo)')
    .option('--limit <n>', 'evaluate only the first n windows of the split (a quick look, e.g. with the slow mcu engine)')
    .option('--verify', 'with --engine mcu: compare every result with the reference executor (exit 1 on any difference)')
    .action(async (opts: EvalOptions) => {
      const mode = parseMode(opts.mode);
      const limit = opts.limit === undefined ? Infinity : Number(opts.limit);
      if (!(limit >= 1) || (limit !== Infinity && !Number.isInteger(limit))) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval: --limit must be a positive integer, got "${opts.limit}"`);
      let loaded;
      try {
        loaded = loadZooModel(opts.model, opts.zoo ? { dir: opts.zoo } : {});
      } catch (err) {
        if (err instanceof ZooError) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval: ${err.message}`);
        throw err;
      }
      const { artifact } = loaded;
      const meta = artifact.metadata;
      const task = opts.task ?? meta.task;
      if (task !== meta.task) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval: model ${loaded.id} was trained for task ${meta.task}, not ${task}`);
      const dataDir = resolve(opts.data ?? process.env.HAR_DATA_DIR ?? resolve(REPO_ROOT, '../shared/datasets'));
      const allWindows = await loadWindows(task, opts.split, dataDir);
      checkCompatible(artifact, allWindows);
      const windows = firstWindows(allWindows, limit);

      const thresholds = mode === 'all' ? [...new Set([...meta.modes.map((m) => m.threshold), THRESHOLD_FULL])] : [mode];
      const progress = process.stderr.isTTY && !opts.json ? (done: number) => process.stderr.write(`\r${done}/${windows.count} windows`) : undefined;
      const figures = opts.engine === 'mcu'
        ? evaluateEngine(await createMcuEngineFor(loaded.bytes), artifact, windows, thresholds, opts.verify ? createReferenceEngine(artifact) : null, progress)
        : evaluateThresholds(artifact, windows, thresholds, progress);
      if (progress) process.stderr.write('\n');
      // The top-level figures are those of the requested mode, or of the full network with --mode all.
      const main = figures.find((f) => f.threshold === (mode === 'all' ? THRESHOLD_FULL : mode)) ?? figures[0]!;
      const perMode = mode === 'all' ? figures.filter((f) => meta.modes.some((m) => m.threshold === f.threshold)) : undefined;

      if (opts.json) {
        const json = {
          model: loaded.id, task, split: opts.split, engine: opts.engine, threshold: main.threshold,
          accuracy: main.accuracy, macroF1: main.macroF1, confusion: main.report.confusion, windows: main.report.windows,
          avgMacs: main.avgMacs, avgCycles: main.avgCycles, avgEnergyUj: main.avgEnergyUj, avgLatencyUs: main.avgLatencyUs,
          ...(main.mismatches !== null ? { mismatches: main.mismatches } : {}),
          perClass: meta.classes.map((name, i) => ({ class: name, ...main.report.perClass[i] })),
          ...(perMode ? { perMode: perMode.map((f) => ({ threshold: f.threshold, accuracy: f.accuracy, macroF1: f.macroF1, avgMacs: f.avgMacs, continueShare: f.continueShare, avgCycles: f.avgCycles, avgEnergyUj: f.avgEnergyUj, avgLatencyUs: f.avgLatencyUs })) } : {}),
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        failOnMismatch(figures);
        return;
      }
      const modeName = main.threshold === THRESHOLD_FULL ? 'full network' : `threshold ${main.threshold}`;
      const count = windows.count < allWindows.count ? `first ${windows.count} of ${allWindows.count} windows` : `${windows.count} windows`;
      process.stdout.write(`${reportText(`${loaded.id} on ${task} ${opts.split} (${count}, ${opts.engine} engine, ${modeName})`, meta.classes, main)}\n`);
      if (perMode) {
        process.stdout.write(`\noperating modes (${perMode.length})\n`);
        const full = figures.find((f) => f.threshold === THRESHOLD_FULL);
        const mcu = perMode.some((f) => f.avgCycles !== null);
        const header = ['threshold', 'accuracy', 'macro F1', 'continue', 'avg MACs', 'vs full', ...(mcu ? ['cycles', 'latency us', 'energy uJ', 'differ'] : [])];
        process.stdout.write(`${formatTable(
          header,
          perMode.map((f) => [
            String(f.threshold), `${(f.accuracy * 100).toFixed(2)} %`, f.macroF1.toFixed(4), `${(f.continueShare * 100).toFixed(1)} %`, f.avgMacs.toFixed(0),
            full && full.avgMacs > 0 ? `${(f.avgMacs / full.avgMacs).toFixed(3)}x` : '-',
            ...(mcu ? [(f.avgCycles ?? 0).toFixed(0), (f.avgLatencyUs ?? 0).toFixed(1), (f.avgEnergyUj ?? 0).toFixed(3), f.mismatches === null ? '-' : String(f.mismatches)] : []),
          ]),
          new Set(header.map((_, i) => i)),
        )}\n`);
      }
      failOnMismatch(figures);
    });
}

function failOnMismatch(figures: readonly ModeFigures[]): void {
  const bad = figures.filter((f) => (f.mismatches ?? 0) > 0);
  if (bad.length) throw new CliExit(EXIT_EVAL_ERROR, `har-gateway eval --verify: the engine differs from the reference executor (${bad.map((f) => `threshold ${f.threshold}: ${f.mismatches} windows`).join(', ')})`);
}
