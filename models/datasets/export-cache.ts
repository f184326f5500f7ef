// Writes the window cache that the Python trainer reads (docs/ARCHITECTURE.md, "Window cache"):
//   npx tsx models/datasets/export-cache.ts --task hapt6 [--data <dir>] [--out .cache/windows]
// -> <out>/<task>/meta.json and, per split, <split>.x.npy (float32 [n, windowSamples, channels],
// g and rad/s), <split>.x64.npy (the same, float64, as read: for ARITHMETIC.md §1),
// <split>.y.npy, <split>.subject.npy, <split>.experiment.npy, <split>.start.npy (int64).
// meta.json is written last: its presence means the cache is complete.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DatasetError } from './errors.ts';
import { shiftedTransitionWindows, TRANSITION_SHIFTS_SAMPLES } from './augment.ts';
import { ALL_TASK_NAMES, describeTask, gatherWindows, loadHaptExperiments, loadTaskWindows, SPLIT_NAMES, TASK_NAMES, taskProtocol, type SplitName, type TaskWindows } from './index.ts';
import { isTaskName } from './tasks.ts';
import { encodeNpy, type NpyArray } from './npy.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Default data folder: HAR_DATA_DIR, else ../shared/datasets beside the repository. */
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, process.env.HAR_DATA_DIR ?? join('..', 'shared', 'datasets'));
export const DEFAULT_CACHE_DIR = resolve(REPO_ROOT, '.cache', 'windows');
export const CACHE_FORMAT_VERSION = 1;

export interface CacheMeta {
  readonly cacheFormat: number;
  readonly task: string;
  readonly protocol: string;
  readonly classes: string[];
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly rateHz: number;
  readonly channels: string[];
  readonly units: string[];
  readonly splits: Record<SplitName, number>;
  readonly classCounts: Record<SplitName, number[]>;
  readonly subjects: Record<SplitName, number[]>;
  readonly windowRules: Record<string, number>;
  readonly files: Record<SplitName, Record<string, string>>;
  /** SHA-256 (hex) of each protocol .npy file, by file name. */
  readonly sha256: Record<string, string>;
  /** SHA-256 over the protocol files' names and hashes in order: one id for the whole cache
   * (what a trained model can cite as its data; identical files give the same id). */
  readonly contentSha256: string;
  readonly source: string;
  readonly generator: string;
  /** Present when --augment-transitions wrote training-only extra windows to `augment/`. */
  readonly augment?: { readonly dir: string; readonly trainWindows: number };
}

export interface ExportOptions {
  /** Also write shifted transition windows for training (hapt12) to <task>/augment/. */
  readonly augmentTransitions?: boolean;
}

const AUGMENT_DIR = 'augment';

/** Writes <taskDir>/augment/ (train split only) and returns its window count. */
function exportTransitionAugment(task: string, dataDir: string, taskDir: string): number {
  if (!isTaskName(task)) throw new DatasetError('DATASET_BAD_ARGUMENT', `--augment-transitions needs a HAPT task with transitions, not ${task}`);
  const protocol = taskProtocol(task);
  const experiments = loadHaptExperiments(dataDir);
  const { placements, counters } = shiftedTransitionWindows(protocol, experiments, 'train');
  const windows = gatherWindows(protocol, 'train', experiments, placements, { transitionTooShort: 0, outsideRecording: 0, segmentsNotInTask: 0, segmentShorterThanWindow: 0 });
  const dir = join(taskDir, AUGMENT_DIR);
  mkdirSync(dir, { recursive: true });
  for (const [name, array] of Object.entries(splitArrays(windows))) writeAtomic(join(dir, `train.${name}.npy`), encodeNpy(array));
  const meta = {
    note: 'training-only augmentation, not part of the protocol: never evaluate on these windows',
    task: protocol.task,
    protocol: protocol.protocol,
    rule: 'each train transition window of the protocol shifted by shiftsSamples, kept when labelStreamWindow gives the same transition',
    shiftsSamples: [...TRANSITION_SHIFTS_SAMPLES],
    trainWindows: windows.count,
    classCounts: classCounts(windows),
    counters,
  };
  writeAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return windows.count;
}

function classCounts(windows: TaskWindows): number[] {
  const counts = new Array<number>(windows.classes.length).fill(0);
  for (const c of windows.y) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function splitArrays(w: TaskWindows): Record<string, NpyArray> {
  const shape1 = [w.count];
  return {
    x: { dtype: '<f4', shape: [w.count, w.windowSamples, w.channels.length], data: w.x },
    // The same windows unrounded: ARITHMETIC.md §1 quantizes the float64 samples, and a float32
    // copy quantizes differently in a few windows, so bit-exact work reads x64.
    x64: { dtype: '<f8', shape: [w.count, w.windowSamples, w.channels.length], data: w.x },
    y: { dtype: '<i8', shape: shape1, data: w.y },
    subject: { dtype: '<i8', shape: shape1, data: w.subject },
    experiment: { dtype: '<i8', shape: shape1, data: w.experiment },
    start: { dtype: '<i8', shape: shape1, data: w.start },
  };
}

/** Writes the cache of one task; returns its meta (also written to meta.json). */
export function exportWindowCache(task: string, dataDir: string, outDir: string, options: ExportOptions = {}): CacheMeta {
  const protocol = describeTask(task);
  const taskDir = join(outDir, protocol.task);
  mkdirSync(taskDir, { recursive: true });
  const splits = {} as Record<SplitName, number>;
  const counts = {} as Record<SplitName, number[]>;
  const files = {} as Record<SplitName, Record<string, string>>;
  const sha256: Record<string, string> = {};
  let windowRules: Record<string, number> = {};
  let classes: string[] = [...protocol.classes];
  for (const split of SPLIT_NAMES) {
    const windows = loadTaskWindows(protocol.task, split, dataDir);
    splits[split] = windows.count;
    counts[split] = classCounts(windows);
    windowRules = { ...windows.counters };
    classes = windows.classes;
    files[split] = {};
    for (const [name, array] of Object.entries(splitArrays(windows))) {
      const file = `${split}.${name}.npy`;
      const bytes = encodeNpy(array);
      sha256[file] = createHash('sha256').update(bytes).digest('hex');
      writeAtomic(join(taskDir, file), bytes);
      files[split][name] = file;
    }
  }
  rmSync(join(taskDir, AUGMENT_DIR), { recursive: true, force: true });
  const augmentWindows = options.augmentTransitions ? exportTransitionAugment(protocol.task, dataDir, taskDir) : undefined;
  const meta: CacheMeta = {
    cacheFormat: CACHE_FORMAT_VERSION,
    task: protocol.task,
    protocol: protocol.protocol,
    classes,
    windowSamples: protocol.windowSamples,
    strideSamples: protocol.strideSamples,
    rateHz: protocol.rateHz,
    channels: [...protocol.channels],
    units: [...protocol.units],
    splits,
    classCounts: counts,
    subjects: { train: [...protocol.subjects.train], validation: [...protocol.subjects.validation], test: [...protocol.subjects.test] },
    windowRules,
    files,
    sha256,
    contentSha256: createHash('sha256')
      .update(Object.entries(sha256).map(([file, hash]) => `${file} ${hash}\n`).join(''))
      .digest('hex'),
    source: `${protocol.dataset}; dataset licence applies, never commit these files`,
    generator: `models/datasets/export-cache.ts (cache format ${CACHE_FORMAT_VERSION})`,
    ...(augmentWindows === undefined ? {} : { augment: { dir: AUGMENT_DIR, trainWindows: augmentWindows } }),
  };
  writeAtomic(join(taskDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

const USAGE = `usage: npx tsx models/datasets/export-cache.ts --task <${ALL_TASK_NAMES.join('|')}|all> [--data <dir>] [--out <dir>]
  --task  all = ${TASK_NAMES.join(' and ')} (the tasks on the HAPT data)
  --data  datasets folder (default: $HAR_DATA_DIR or ../shared/datasets beside the repository)
  --out   cache folder (default: .cache/windows in the repository)
  --augment-transitions  also write shifted transition windows for training to <task>/augment/
          (hapt12; training only, not part of the protocol)`;

export function main(argv: readonly string[]): number {
  let values: { task?: string; data?: string; out?: string; help?: boolean; 'augment-transitions'?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        task: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        'augment-transitions': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.task) {
    console.error(`--task is required\n${USAGE}`);
    return 1;
  }
  if (values['augment-transitions'] && values.task !== 'all' && values.task !== 'hapt12') {
    console.error(`--augment-transitions applies to hapt12 only (the task with transitions), not ${values.task}`);
    return 1;
  }
  const tasks = values.task === 'all' ? [...TASK_NAMES] : [values.task];
  const dataDir = values.data ? resolve(values.data) : DEFAULT_DATA_DIR;
  const outDir = values.out ? resolve(values.out) : DEFAULT_CACHE_DIR;
  try {
    for (const task of tasks) {
      const t0 = performance.now();
      const meta = exportWindowCache(task, dataDir, outDir, { augmentTransitions: values['augment-transitions'] === true && task === 'hapt12' });
      const ms = performance.now() - t0;
      console.log(`${meta.task} (${meta.protocol}) -> ${join(outDir, meta.task)} in ${(ms / 1000).toFixed(2)} s`);
      console.log(`  split       windows  ${meta.classes.map((c, i) => `${i}:${c}`).join(' ')}`);
      for (const split of SPLIT_NAMES) {
        console.log(`  ${split.padEnd(10)}  ${String(meta.splits[split]).padStart(7)}  ${meta.classCounts[split].join(' ')}`);
      }
      console.log(`  window rules: ${Object.entries(meta.windowRules).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      if (meta.augment) console.log(`  augment (training only): ${meta.augment.trainWindows} shifted transition windows in ${join(outDir, meta.task, meta.augment.dir)}`);
    }
  } catch (err) {
    if (err instanceof DatasetError) {
      console.error(`export-cache: ${err.message} [${err.code}]`);
      return 1;
    }
    throw err;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
