// Task protocols on the other published datasets (UCI HAR, UniMiB-SHAR, WISDM), so that a user
// who downloads them can build a window cache and train and evaluate on them like on HAPT.
// Fixed and versioned; models/datasets/README.md ("Tasks on the other datasets") describes
// them and must change with them. These datasets are not in ../shared/datasets: the protocols
// are tested on generated files only, and no window counts are recorded for them.
import { DatasetError } from './errors.ts';
import { HAPT_VALIDATION_SUBJECTS, SPLIT_NAMES, UCI_HAR_TEST_SUBJECTS, type SplitName } from './tasks.ts';
import { loadUciHarWindows, UCI_HAR_CLASSES, UCI_HAR_RATE_HZ, UCI_HAR_STRIDE_SAMPLES, UCI_HAR_WINDOW_SAMPLES, uciHarRoot, type UciHarWindows } from './uci-har.ts';
import { loadUnimibShar, unimibDataDir, UNIMIB_ADL_CLASS_COUNT, UNIMIB_CHANNELS, UNIMIB_CLASSES, UNIMIB_RATE_HZ, UNIMIB_UNITS, UNIMIB_WINDOW_SAMPLES, type UnimibWindows } from './unimib-shar.ts';
import { loadWisdmRaw, WISDM_ACTIVITIES, WISDM_CHANNELS, WISDM_RATE_HZ, WISDM_UNITS, wisdmRawPath, type WisdmData } from './wisdm.ts';
import { HAPT_CHANNELS, HAPT_UNITS } from './hapt.ts';

export const EXTRA_TASK_NAMES = ['uci-har6', 'unimib17', 'unimib-adl9', 'wisdm6'] as const;
export type ExtraTaskName = (typeof EXTRA_TASK_NAMES)[number];

export interface ExtraTaskProtocol {
  readonly task: ExtraTaskName;
  readonly protocol: string;
  readonly dataset: string;
  readonly classes: readonly string[];
  readonly windowSamples: number;
  /** Stride between windows of one recording; 0 when the dataset publishes windows without one. */
  readonly strideSamples: number;
  readonly rateHz: number;
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly subjects: Readonly<Record<SplitName, readonly number[]>>;
  /** What the `experiment` and `start` arrays hold for this dataset. */
  readonly experimentMeans: string;
  readonly startMeans: string;
}

/** The windows of one split, in the shape of TaskWindows' arrays. */
export interface ExtraSplitWindows {
  readonly count: number;
  readonly x: Float64Array;
  readonly y: Uint8Array;
  readonly subject: Uint8Array;
  readonly experiment: Uint8Array;
  readonly start: Uint32Array;
  /** What the protocol left out or the reader counted (all splits), by name. */
  readonly counters: Readonly<Record<string, number>>;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Splits subjects 1..count: test and validation lists given, train = the rest. */
function splitSubjects(count: number, test: readonly number[], validation: readonly number[]): Record<SplitName, readonly number[]> {
  return { train: range(1, count).filter((s) => !test.includes(s) && !validation.includes(s)), validation: [...validation], test: [...test] };
}

/** UniMiB-SHAR: test = volunteers 5 10 15 20 25 30 (every 5th), validation = 1 11 21 (every 10th from 1). */
const UNIMIB_SUBJECTS = splitSubjects(30, [5, 10, 15, 20, 25, 30], [1, 11, 21]);
/** WISDM: test = users 6 12 18 24 30 36 (every 6th), validation = 1 13 25 (every 12th from 1). */
const WISDM_SUBJECTS = splitSubjects(36, [6, 12, 18, 24, 30, 36], [1, 13, 25]);

const UNIMIB_17_CLASSES_NOTE = 'class names from acc_names.mat when present';

const PROTOCOLS: Readonly<Record<ExtraTaskName, ExtraTaskProtocol>> = {
  'uci-har6': {
    task: 'uci-har6',
    protocol: 'uci-har6/v1',
    dataset: 'UCI HAR Dataset, Inertial Signals (Anguita et al., ESANN 2013)',
    classes: UCI_HAR_CLASSES,
    windowSamples: UCI_HAR_WINDOW_SAMPLES,
    strideSamples: UCI_HAR_STRIDE_SAMPLES,
    rateHz: UCI_HAR_RATE_HZ,
    channels: HAPT_CHANNELS,
    units: HAPT_UNITS,
    subjects: splitSubjects(30, UCI_HAR_TEST_SUBJECTS, HAPT_VALIDATION_SUBJECTS),
    experimentMeans: '0 (the published windows carry no recording id)',
    startMeans: 'row of the window in the published split file (0-based)',
  },
  unimib17: {
    task: 'unimib17',
    protocol: 'unimib17/v1',
    dataset: `UniMiB-SHAR acc_data/acc_labels (Micucci et al., Applied Sciences 2017); ${UNIMIB_17_CLASSES_NOTE}`,
    classes: UNIMIB_CLASSES,
    windowSamples: UNIMIB_WINDOW_SAMPLES,
    strideSamples: 0,
    rateHz: UNIMIB_RATE_HZ,
    channels: UNIMIB_CHANNELS,
    units: UNIMIB_UNITS,
    subjects: UNIMIB_SUBJECTS,
    experimentMeans: 'trial number from acc_labels',
    startMeans: 'row of the window in acc_data (0-based)',
  },
  'unimib-adl9': {
    task: 'unimib-adl9',
    protocol: 'unimib-adl9/v1',
    dataset: `UniMiB-SHAR acc_data/acc_labels, classes 1-9 (activities of daily living) only; ${UNIMIB_17_CLASSES_NOTE}`,
    classes: UNIMIB_CLASSES.slice(0, UNIMIB_ADL_CLASS_COUNT),
    windowSamples: UNIMIB_WINDOW_SAMPLES,
    strideSamples: 0,
    rateHz: UNIMIB_RATE_HZ,
    channels: UNIMIB_CHANNELS,
    units: UNIMIB_UNITS,
    subjects: UNIMIB_SUBJECTS,
    experimentMeans: 'trial number from acc_labels',
    startMeans: 'row of the window in acc_data (0-based)',
  },
  wisdm6: {
    task: 'wisdm6',
    protocol: 'wisdm6/v1',
    dataset: 'WISDM v1.1 raw (Kwapisz, Weiss, Moore, SensorKDD 2010)',
    classes: WISDM_ACTIVITIES,
    windowSamples: 128,
    strideSamples: 64,
    rateHz: WISDM_RATE_HZ,
    channels: WISDM_CHANNELS,
    units: WISDM_UNITS,
    subjects: WISDM_SUBJECTS,
    experimentMeans: "the user's recording number (1-based, in file order; a recording is a run of consecutive records of one user and activity)",
    startMeans: 'first sample of the window in its recording (0-based)',
  },
};

export function isExtraTaskName(value: string): value is ExtraTaskName {
  return (EXTRA_TASK_NAMES as readonly string[]).includes(value);
}

export function extraTaskProtocol(task: string): ExtraTaskProtocol {
  if (!isExtraTaskName(task)) throw new DatasetError('DATASET_BAD_ARGUMENT', `unknown task "${task}" (known here: ${EXTRA_TASK_NAMES.join(', ')})`);
  return PROTOCOLS[task];
}

function splitOf(subjects: Readonly<Record<SplitName, readonly number[]>>, subject: number): SplitName | undefined {
  return SPLIT_NAMES.find((split) => subjects[split].includes(subject));
}

/** Parsed copies per resolved path (WISDM takes seconds to parse; export reads 3 splits). */
const parsed = new Map<string, unknown>();

function memo<T>(key: string, load: () => T): T {
  if (parsed.has(key)) return parsed.get(key) as T;
  const value = load();
  parsed.set(key, value);
  return value;
}

export function clearExtraTaskCache(): void {
  parsed.clear();
}

/** Copies the chosen windows (indices into a [n][W][C] array) out. */
function pick(
  source: Float64Array,
  windowValues: number,
  rows: readonly number[],
  counters: Record<string, number>,
  fill: (row: number) => [number, number, number, number],
): ExtraSplitWindows {
  const out = {
    counters,
    count: rows.length,
    x: new Float64Array(rows.length * windowValues),
    y: new Uint8Array(rows.length),
    subject: new Uint8Array(rows.length),
    experiment: new Uint8Array(rows.length),
    start: new Uint32Array(rows.length),
  };
  rows.forEach((row, i) => {
    out.x.set(source.subarray(row * windowValues, (row + 1) * windowValues), i * windowValues);
    [out.y[i], out.subject[i], out.experiment[i], out.start[i]] = fill(row);
  });
  return out;
}

function uciHarSplit(protocol: ExtraTaskProtocol, split: SplitName, dataDir: string): ExtraSplitWindows {
  const published = split === 'test' ? 'test' : 'train';
  const data = memo<UciHarWindows>(`uci-har:${uciHarRoot(dataDir)}:${published}`, () => loadUciHarWindows(dataDir, published));
  const rows: number[] = [];
  for (let i = 0; i < data.count; i += 1) {
    const own = splitOf(protocol.subjects, data.subject[i]!);
    // The published split decides test; the protocol's volunteer lists only divide the training file.
    if ((published === 'test' && split === 'test') || (published === 'train' && own === split)) rows.push(i);
  }
  return pick(data.x, data.windowSamples * 6, rows, {}, (row) => [data.y[row]!, data.subject[row]!, 0, row]);
}

function unimibSplit(protocol: ExtraTaskProtocol, split: SplitName, dataDir: string): { windows: ExtraSplitWindows; classes: readonly string[] } {
  const data = memo<UnimibWindows>(`unimib:${unimibDataDir(dataDir)}`, () => loadUnimibShar(dataDir));
  const adlOnly = protocol.task === 'unimib-adl9';
  const rows: number[] = [];
  let windowsNotInTask = 0;
  for (let i = 0; i < data.count; i += 1) {
    if (adlOnly && data.y[i]! >= UNIMIB_ADL_CLASS_COUNT) {
      windowsNotInTask += 1;
      continue;
    }
    if (splitOf(protocol.subjects, data.subject[i]!) === split) rows.push(i);
  }
  const windows = pick(data.x, data.windowSamples * 3, rows, { windowsNotInTask }, (row) => [data.y[row]!, data.subject[row]!, data.trial[row]!, row]);
  return { windows, classes: adlOnly ? data.classes.slice(0, UNIMIB_ADL_CLASS_COUNT) : data.classes };
}

function wisdmSplit(protocol: ExtraTaskProtocol, split: SplitName, dataDir: string): ExtraSplitWindows {
  const data = memo<WisdmData>(`wisdm:${wisdmRawPath(dataDir)}`, () => loadWisdmRaw(dataDir));
  const W = protocol.windowSamples;
  const S = protocol.strideSamples;
  const C = protocol.channels.length;
  const placements: Array<{ recording: number; number: number; start: number }> = [];
  const recordingsOfUser = new Map<number, number>();
  let recordingShorterThanWindow = 0;
  let userNotInProtocol = 0;
  data.recordings.forEach((rec, index) => {
    const number = (recordingsOfUser.get(rec.user) ?? 0) + 1;
    recordingsOfUser.set(rec.user, number);
    if (number > 255) throw new DatasetError('DATASET_INCONSISTENT', `${data.path}: user ${rec.user} has more than 255 recordings`, { path: data.path });
    if (rec.sampleCount < W) recordingShorterThanWindow += 1;
    const own = splitOf(protocol.subjects, rec.user);
    if (own === undefined) userNotInProtocol += 1;
    if (own !== split) return;
    // Rule 1 of the HAPT tasks: windows entirely inside one recording, from its first sample.
    for (let start = 0; start + W <= rec.sampleCount; start += S) placements.push({ recording: index, number, start });
  });
  const out = {
    counters: { recordingShorterThanWindow, userNotInProtocol, ...data.issues },
    count: placements.length,
    x: new Float64Array(placements.length * W * C),
    y: new Uint8Array(placements.length),
    subject: new Uint8Array(placements.length),
    experiment: new Uint8Array(placements.length),
    start: new Uint32Array(placements.length),
  };
  placements.forEach((p, i) => {
    const rec = data.recordings[p.recording]!;
    out.x.set(rec.samples.subarray(p.start * C, (p.start + W) * C), i * W * C);
    out.y[i] = rec.classIndex;
    out.subject[i] = rec.user;
    out.experiment[i] = p.number;
    out.start[i] = p.start;
  });
  return out;
}

/** The windows of one split of an extra task, and the class names (UniMiB's may come from its file). */
export function loadExtraSplit(task: string, split: SplitName, dataDir: string): { protocol: ExtraTaskProtocol; classes: readonly string[]; windows: ExtraSplitWindows } {
  const protocol = extraTaskProtocol(task);
  switch (protocol.task) {
    case 'uci-har6':
      return { protocol, classes: protocol.classes, windows: uciHarSplit(protocol, split, dataDir) };
    case 'unimib17':
    case 'unimib-adl9': {
      const { windows, classes } = unimibSplit(protocol, split, dataDir);
      return { protocol, classes, windows };
    }
    case 'wisdm6':
      return { protocol, classes: protocol.classes, windows: wisdmSplit(protocol, split, dataDir) };
  }
}
