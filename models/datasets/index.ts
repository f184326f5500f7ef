// Public API of the dataset readers (docs/ARCHITECTURE.md, "models"): task windows for training
// and evaluation, the continuous HAPT recordings for replay, and the readers of the other
// published HAR datasets.
import { DatasetError } from './errors.ts';
import { loadHaptExperiments, type HaptExperiment } from './hapt.ts';
import { EXTRA_TASK_NAMES, extraTaskProtocol, isExtraTaskName, loadExtraSplit, type ExtraTaskName } from './extra-tasks.ts';
import { cutTaskWindows, isSplitName, isTaskName, SPLIT_NAMES, TASK_NAMES, taskProtocol, type SplitName, type TaskName, type TaskProtocol, type WindowCounters, type WindowPlacement } from './tasks.ts';

const HAPT_DATASET = 'UCI HAPT v2.1 RawData (Reyes-Ortiz et al., Neurocomputing 2016)';

export { DatasetError, type DatasetErrorCode } from './errors.ts';
export { shiftedTransitionWindows, TRANSITION_SHIFTS_SAMPLES, type AugmentCounters } from './augment.ts';
export { EXTRA_TASK_NAMES, extraTaskProtocol, clearExtraTaskCache, type ExtraTaskName, type ExtraTaskProtocol } from './extra-tasks.ts';
export { loadHaptExperiments, clearHaptCache, haptRoot, HAPT_ACTIVITIES, HAPT_CHANNELS, HAPT_UNITS, HAPT_RATE_HZ, type HaptExperiment, type LabelledSegment } from './hapt.ts';
export {
  taskProtocol,
  cutTaskWindows,
  labelStreamWindow,
  TASK_NAMES,
  SPLIT_NAMES,
  UCI_HAR_TEST_SUBJECTS,
  HAPT_VALIDATION_SUBJECTS,
  type TaskName,
  type SplitName,
  type TaskProtocol,
  type WindowPlacement,
  type WindowCounters,
} from './tasks.ts';

/** Every task loadTaskWindows knows: the HAPT tasks, then those on the other datasets. */
export const ALL_TASK_NAMES: readonly (TaskName | ExtraTaskName)[] = [...TASK_NAMES, ...EXTRA_TASK_NAMES];

export interface TaskWindows {
  readonly task: TaskName | ExtraTaskName;
  readonly split: SplitName;
  /** Versioned protocol name (models/datasets/README.md). */
  readonly protocol: string;
  readonly classes: string[];
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly rateHz: number;
  readonly channels: string[];
  readonly units: string[];
  readonly count: number;
  /** [count][windowSamples][channels], g and rad/s. */
  readonly x: Float64Array;
  /** Class index into `classes`. */
  readonly y: Uint8Array;
  readonly subject: Uint8Array;
  readonly experiment: Uint8Array;
  /** First sample of the window in its experiment (0-based). */
  readonly start: Uint32Array;
  /** What the window rules left out (all splits of the task together); HAPT tasks: WindowCounters. */
  readonly counters: Readonly<Record<string, number>>;
}

/** Description of a task, whichever dataset it is on (what export-cache writes to meta.json). */
export interface TaskDescription {
  readonly task: TaskName | ExtraTaskName;
  readonly protocol: string;
  readonly dataset: string;
  readonly classes: readonly string[];
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly rateHz: number;
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly subjects: Readonly<Record<SplitName, readonly number[]>>;
}

export function describeTask(task: string): TaskDescription {
  if (isExtraTaskName(task)) return extraTaskProtocol(task);
  if (!isTaskName(task)) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `unknown task "${task}" (known: ${ALL_TASK_NAMES.join(', ')})`);
  }
  return { ...taskProtocol(task), dataset: HAPT_DATASET };
}

/** Copies the placed windows' samples out of the recordings. */
export function gatherWindows(protocol: TaskProtocol, split: SplitName, experiments: readonly HaptExperiment[], placements: readonly WindowPlacement[], counters: WindowCounters): TaskWindows {
  const byNumber = new Map(experiments.map((e) => [e.experiment, e]));
  const chosen = placements.filter((p) => p.split === split);
  const channels = protocol.channels.length;
  const windowValues = protocol.windowSamples * channels;
  const x = new Float64Array(chosen.length * windowValues);
  const y = new Uint8Array(chosen.length);
  const subject = new Uint8Array(chosen.length);
  const experiment = new Uint8Array(chosen.length);
  const start = new Uint32Array(chosen.length);
  chosen.forEach((p, i) => {
    const exp = byNumber.get(p.experiment);
    if (!exp) throw new DatasetError('DATASET_INCONSISTENT', `window placed in unknown experiment ${p.experiment}`);
    const from = p.start * channels;
    x.set(exp.samples.subarray(from, from + windowValues), i * windowValues);
    y[i] = p.classIndex;
    subject[i] = p.subject;
    experiment[i] = p.experiment;
    start[i] = p.start;
  });
  return {
    task: protocol.task,
    split,
    protocol: protocol.protocol,
    classes: [...protocol.classes],
    windowSamples: protocol.windowSamples,
    strideSamples: protocol.strideSamples,
    rateHz: protocol.rateHz,
    channels: [...protocol.channels],
    units: [...protocol.units],
    count: chosen.length,
    x,
    y,
    subject,
    experiment,
    start,
    counters: { ...counters },
  };
}

/**
 * The windows of one split of a task, read from the HAPT raw data under `dataDir` (the shared
 * datasets folder, or the "HAPT Data Set" folder itself). Deterministic: the same files give
 * the same windows in the same order.
 */
export function loadTaskWindows(task: string, split: string, dataDir: string): TaskWindows {
  const description = describeTask(task);
  if (!isSplitName(split)) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `unknown split "${split}" (known: ${SPLIT_NAMES.join(', ')})`);
  }
  if (isExtraTaskName(description.task)) {
    const { protocol, classes, windows } = loadExtraSplit(description.task, split, dataDir);
    return {
      task: protocol.task,
      split,
      protocol: protocol.protocol,
      classes: [...classes],
      windowSamples: protocol.windowSamples,
      strideSamples: protocol.strideSamples,
      rateHz: protocol.rateHz,
      channels: [...protocol.channels],
      units: [...protocol.units],
      ...windows,
    };
  }
  const protocol = taskProtocol(task);
  const experiments = loadHaptExperiments(dataDir);
  const { placements, counters } = cutTaskWindows(protocol, experiments);
  return gatherWindows(protocol, split, experiments, placements, counters);
}

export { loadUciHarWindows, stitchUciHarRecordings, uciHarRoot, UCI_HAR_CLASSES, type UciHarRecording, type UciHarSplit, type UciHarWindows } from './uci-har.ts';
export { loadWisdmRaw, parseWisdmRaw, wisdmRawPath, WISDM_ACTIVITIES, STANDARD_GRAVITY_MS2, type WisdmData, type WisdmIssues, type WisdmRecording } from './wisdm.ts';
export { loadUnimibShar, unimibDataDir, UNIMIB_CLASSES, type UnimibWindows } from './unimib-shar.ts';
export { readMat5, type MatVariable } from './mat5.ts';
export { loadCsvRecording, parseCsvRecording, formatCsvRecording, CSV_CHANNELS, type CsvRecording, type CsvWriteInput } from './csv.ts';
