// Fills the cycles / latencyUs / energyUj columns of every zoo model's operating-mode table
// (models/FORMAT.md "Metadata", modes) from runs of the firmware on the twin over the task's
// validation windows, at the default energy profile. Only the metadata is rewritten (through
// models/format's replaceMetadata: the network section stays byte-identical, the CRC is
// recomputed); rerun it whenever the trainer re-exports a model.
//
//   npx tsx device-sim/twin/fill-modes.ts [--zoo models/zoo] [--data ../shared/datasets]
//        [--model <id>] [--profile <id>] [--limit <windows>] [--dry-run]
//
// The averages are per window over the validation split of the model's task (the split the
// exporter measured accuracy, continueShare and avgMacs on); energy is the active energy of the
// inference (cycles x energy per cycle of the profile), the sleep between windows is the battery
// model's business.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readArtifact, replaceMetadata, type ModelMetadata } from '../../models/format/index.ts';
import { loadTaskWindows } from '../../models/datasets/index.ts';
import { measureModes, type WindowSet } from './measure-modes.ts';
import { resolveTwinProfile } from './profiles.ts';

/** Significant digits kept for latency and energy (cycles are rounded to integers). */
const FIGURE_DIGITS = 6;
const round = (v: number): number => Number(v.toPrecision(FIGURE_DIGITS));

export interface FillOptions {
  readonly zooDir: string;
  readonly dataDir: string;
  readonly modelId?: string;
  readonly profileId?: string;
  /** Use only the first N validation windows (quick runs; the committed tables use all). */
  readonly limit?: number;
  readonly dryRun?: boolean;
  readonly log?: (line: string) => void;
}

function limitWindows(w: WindowSet, limit: number | undefined): WindowSet {
  if (limit === undefined || limit >= w.count) return w;
  return { ...w, count: limit, x: w.x.subarray(0, limit * w.windowSamples * w.channels) };
}

/** Returns the ids of the models whose tables were (or, with dryRun, would be) rewritten. */
export function fillZooModes(options: FillOptions): string[] {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const profile = resolveTwinProfile(options.profileId);
  const files = readdirSync(options.zooDir).filter((f) => f.endsWith('.harm')).sort();
  const updated: string[] = [];
  for (const file of files) {
    const path = join(options.zooDir, file);
    const bytes = new Uint8Array(readFileSync(path));
    const artifact = readArtifact(bytes);
    const meta = artifact.metadata;
    if (options.modelId !== undefined && meta.id !== options.modelId) continue;
    const task = loadTaskWindows(meta.task, 'validation', options.dataDir);
    const windows = limitWindows({ count: task.count, windowSamples: task.windowSamples, channels: task.channels.length, x: task.x }, options.limit);
    log(`${meta.id}: ${windows.count} ${meta.task} validation windows, ${meta.modes.length} modes, profile ${profile.name}`);
    const figures = measureModes(bytes, windows, meta.modes.map((m) => m.threshold), {
      profile,
      onMode: (f) => log(`  threshold ${f.threshold}: ${Math.round(f.cycles)} cycles, ${f.latencyUs.toFixed(1)} us, ${f.energyUj.toFixed(4)} uJ, continue ${(100 * f.continueShare).toFixed(1)} %`),
    });
    // Cross-check with the exporter's figures from the same windows (integer simulation): the
    // share of windows that continue and the average MACs must agree when the windows are the same.
    meta.modes.forEach((m, i) => {
      const f = figures[i];
      if (f && options.limit === undefined && (Math.abs(f.continueShare - m.continueShare) > 1e-6 || Math.abs(f.avgMacs - m.avgMacs) > 0.5)) {
        log(`  WARNING threshold ${m.threshold}: twin continueShare ${f.continueShare.toFixed(6)} avgMacs ${f.avgMacs.toFixed(1)}, exporter ${m.continueShare} / ${m.avgMacs}`);
      }
    });
    const modes = meta.modes.map((m, i) => {
      const f = figures[i];
      return f === undefined ? m : { ...m, cycles: Math.round(f.cycles), latencyUs: round(f.latencyUs), energyUj: round(f.energyUj) };
    });
    const next: ModelMetadata = { ...meta, modes };
    if (!options.dryRun) writeFileSync(path, replaceMetadata(bytes, next));
    updated.push(meta.id);
  }
  return updated;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      zoo: { type: 'string', default: 'models/zoo' },
      data: { type: 'string', default: process.env.HAR_DATA_DIR ?? '../shared/datasets' },
      model: { type: 'string' },
      profile: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`--limit ${values.limit}: a positive integer`);
  const updated = fillZooModes({
    zooDir: values.zoo, dataDir: values.data, dryRun: values['dry-run'],
    ...(values.model === undefined ? {} : { modelId: values.model }),
    ...(values.profile === undefined ? {} : { profileId: values.profile }),
    ...(limit === undefined ? {} : { limit }),
  });
  process.stdout.write(`${values['dry-run'] ? 'would update' : 'updated'} ${updated.length} model(s): ${updated.join(', ')}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
