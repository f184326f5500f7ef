// Reader of the UCI HAPT raw data ("Smartphone-Based Recognition of Human Activities and Postural
// Transitions", v2.1; Reyes-Ortiz, Oneto, Samà, Parra, Anguita, Neurocomputing 2016).
//
// Layout (HAPT README.txt, "The dataset includes the following files"):
//   RawData/acc_expXX_userYY.txt   one row per sample: acc x y z in g, 50 Hz
//   RawData/gyro_expXX_userYY.txt  one row per sample: gyro x y z in rad/s, 50 Hz
//   RawData/labels.txt             experiment user activity start end (one labelled segment a row)
//   activity_labels.txt            activity id -> name (1-6 basic activities, 7-12 transitions)
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatasetError } from './errors.ts';
import { isFile, readDatasetText, requireDirectory } from './files.ts';
import { parseNumericTable } from './numeric-text.ts';

export const HAPT_FOLDER = join('hapt', 'HAPT Data Set');
export const HAPT_RATE_HZ = 50;
export const HAPT_CHANNELS: readonly string[] = ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'];
export const HAPT_UNITS: readonly string[] = ['g', 'g', 'g', 'rad/s', 'rad/s', 'rad/s'];
/** HAPT activity_labels.txt: activity id i + 1 is HAPT_ACTIVITIES[i]. */
export const HAPT_ACTIVITIES: readonly string[] = [
  'WALKING',
  'WALKING_UPSTAIRS',
  'WALKING_DOWNSTAIRS',
  'SITTING',
  'STANDING',
  'LAYING',
  'STAND_TO_SIT',
  'SIT_TO_STAND',
  'SIT_TO_LIE',
  'LIE_TO_SIT',
  'STAND_TO_LIE',
  'LIE_TO_STAND',
];
/** Activity ids 1-6 are the basic activities, 7-12 the postural transitions. */
export const HAPT_FIRST_TRANSITION_ID = 7;

export interface LabelledSegment {
  /** HAPT activity id, 1-12. */
  readonly activityId: number;
  /** First sample of the segment, 0-based index into the experiment's samples. */
  readonly startSample: number;
  /** One past the last sample of the segment (0-based, exclusive). */
  readonly endSample: number;
}

export interface HaptExperiment {
  /** Experiment number (the XX of acc_expXX_userYY.txt), 1-61. */
  readonly experiment: number;
  /** Volunteer (the YY), 1-30. */
  readonly user: number;
  readonly rateHz: number;
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly sampleCount: number;
  /** Time-major [sampleCount][6]: acc x y z (g), gyro x y z (rad/s). Shared: do not mutate. */
  readonly samples: Float64Array;
  /** Labelled segments sorted by start; samples outside every segment are unlabelled. */
  readonly segments: readonly LabelledSegment[];
}

const RAW_FILE = /^(acc|gyro)_exp(\d+)_user(\d+)\.txt$/;

/**
 * The HAPT folder for a data directory: `dataDir` itself when it holds `RawData/labels.txt`,
 * otherwise `<dataDir>/hapt/HAPT Data Set` (the layout of ../shared/datasets).
 */
export function haptRoot(dataDir: string): string {
  const direct = resolve(dataDir);
  if (isFile(join(direct, 'RawData', 'labels.txt'))) return direct;
  return resolve(dataDir, HAPT_FOLDER);
}

interface LabelRow {
  readonly experiment: number;
  readonly user: number;
  readonly activityId: number;
  readonly startSample: number;
  readonly endSample: number;
  readonly line: number;
}

function parseLabels(path: string): LabelRow[] {
  const table = parseNumericTable(readDatasetText(path, 'the HAPT labels file: "experiment user activity start end" per line'), 5, path);
  const rows: LabelRow[] = [];
  for (let r = 0; r < table.rows; r += 1) {
    const v = table.values.subarray(r * 5, r * 5 + 5);
    const [experiment = 0, user = 0, activityId = 0, start = 0, end = 0] = v;
    const line = r + 1;
    if (![experiment, user, activityId, start, end].every(Number.isInteger)) {
      throw new DatasetError('DATASET_PARSE', `${path}: row ${line}: all five fields must be integers`, { path, line });
    }
    if (activityId < 1 || activityId > HAPT_ACTIVITIES.length) {
      throw new DatasetError('DATASET_PARSE', `${path}: row ${line}: activity ${activityId} is not in 1-12`, { path, line });
    }
    // HAPT README: columns 4 and 5 are the label's start and end points "in number of signal
    // log samples"; we read them as 1-based positions with the end included (labels.txt row
    // "1 1 5 250 1232" covers the 250th to the 1232nd sample), so the 0-based half-open range
    // is [start - 1, end).
    if (start < 1 || end < start) {
      throw new DatasetError('DATASET_PARSE', `${path}: row ${line}: bad range ${start}-${end}`, { path, line });
    }
    rows.push({ experiment, user, activityId, startSample: start - 1, endSample: end, line });
  }
  return rows;
}

interface RawPair {
  readonly experiment: number;
  readonly user: number;
  accPath?: string;
  gyroPath?: string;
}

function listRawFiles(rawDir: string): Map<number, RawPair> {
  const pairs = new Map<number, RawPair>();
  for (const name of readdirSync(rawDir)) {
    const m = RAW_FILE.exec(name);
    if (!m) continue;
    const kind = m[1];
    const experiment = Number(m[2]);
    const user = Number(m[3]);
    let pair = pairs.get(experiment);
    if (!pair) {
      pair = { experiment, user };
      pairs.set(experiment, pair);
    } else if (pair.user !== user) {
      throw new DatasetError('DATASET_INCONSISTENT', `${join(rawDir, name)}: experiment ${experiment} also has files of user ${pair.user}`, {
        path: join(rawDir, name),
      });
    }
    if (kind === 'acc') pair.accPath = join(rawDir, name);
    else pair.gyroPath = join(rawDir, name);
  }
  return pairs;
}

function rawName(kind: 'acc' | 'gyro', experiment: number, user: number): string {
  return `${kind}_exp${String(experiment).padStart(2, '0')}_user${String(user).padStart(2, '0')}.txt`;
}

function loadExperiment(rawDir: string, experiment: number, user: number, pair: RawPair | undefined, labels: LabelRow[]): HaptExperiment {
  if (pair && pair.user !== user) {
    throw new DatasetError('DATASET_INCONSISTENT', `${rawDir}: labels.txt gives experiment ${experiment} to user ${user} but its files are of user ${pair.user}`, {
      path: rawDir,
    });
  }
  const accPath = pair?.accPath ?? join(rawDir, rawName('acc', experiment, user));
  const gyroPath = pair?.gyroPath ?? join(rawDir, rawName('gyro', experiment, user));
  const acc = parseNumericTable(readDatasetText(accPath, `the accelerometer recording of experiment ${experiment} (${rawName('acc', experiment, user)}: "x y z" in g per line)`), 3, accPath);
  const gyro = parseNumericTable(readDatasetText(gyroPath, `the gyroscope recording of experiment ${experiment} (${rawName('gyro', experiment, user)}: "x y z" in rad/s per line)`), 3, gyroPath);
  if (acc.rows !== gyro.rows) {
    throw new DatasetError('DATASET_INCONSISTENT', `${gyroPath}: ${gyro.rows} samples but ${accPath} has ${acc.rows}`, { path: gyroPath });
  }
  const sampleCount = acc.rows;
  const samples = new Float64Array(sampleCount * 6);
  for (let t = 0; t < sampleCount; t += 1) {
    const o = t * 6;
    const a = t * 3;
    samples[o] = acc.values[a]!;
    samples[o + 1] = acc.values[a + 1]!;
    samples[o + 2] = acc.values[a + 2]!;
    samples[o + 3] = gyro.values[a]!;
    samples[o + 4] = gyro.values[a + 1]!;
    samples[o + 5] = gyro.values[a + 2]!;
  }
  const sorted = [...labels].sort((p, q) => p.startSample - q.startSample);
  const segments: LabelledSegment[] = [];
  let previousEnd = 0;
  for (const row of sorted) {
    if (row.user !== user) {
      throw new DatasetError('DATASET_INCONSISTENT', `labels.txt row ${row.line}: experiment ${experiment} belongs to user ${user}, not ${row.user}`, { line: row.line });
    }
    if (row.endSample > sampleCount) {
      throw new DatasetError('DATASET_INCONSISTENT', `labels.txt row ${row.line}: segment ends at sample ${row.endSample} but experiment ${experiment} has ${sampleCount} samples`, { line: row.line });
    }
    if (row.startSample < previousEnd) {
      throw new DatasetError('DATASET_INCONSISTENT', `labels.txt row ${row.line}: segment overlaps the previous one of experiment ${experiment}`, { line: row.line });
    }
    previousEnd = row.endSample;
    segments.push({ activityId: row.activityId, startSample: row.startSample, endSample: row.endSample });
  }
  return { experiment, user, rateHz: HAPT_RATE_HZ, channels: HAPT_CHANNELS, units: HAPT_UNITS, sampleCount, samples, segments };
}

/** Parsed copies per HAPT folder: parsing all 61 experiments takes about 1.5 s, so once per process. */
const parsedByRoot = new Map<string, readonly HaptExperiment[]>();

/**
 * Loads every experiment of the HAPT raw data: the experiments listed in labels.txt (each must
 * have its acc_ and gyro_ file) and any further recording pair in RawData (with no segments).
 * Sorted by experiment number. Results are cached per folder for the life of the process.
 */
export function loadHaptExperiments(dataDir: string): readonly HaptExperiment[] {
  const root = haptRoot(dataDir);
  const cached = parsedByRoot.get(root);
  if (cached) return cached;
  const rawDir = join(root, 'RawData');
  requireDirectory(rawDir, `the HAPT raw data folder "RawData" (acc_expXX_userYY.txt, gyro_expXX_userYY.txt, labels.txt) under ${root}`);
  const labels = parseLabels(join(rawDir, 'labels.txt'));
  const pairs = listRawFiles(rawDir);
  const labelsByExperiment = new Map<number, LabelRow[]>();
  const userOfExperiment = new Map<number, number>();
  for (const row of labels) {
    const list = labelsByExperiment.get(row.experiment) ?? [];
    list.push(row);
    labelsByExperiment.set(row.experiment, list);
    if (!userOfExperiment.has(row.experiment)) userOfExperiment.set(row.experiment, row.user);
  }
  for (const pair of pairs.values()) {
    if (!userOfExperiment.has(pair.experiment)) userOfExperiment.set(pair.experiment, pair.user);
  }
  const experiments = [...userOfExperiment.keys()].sort((p, q) => p - q);
  const loaded = experiments.map((experiment) =>
    loadExperiment(rawDir, experiment, userOfExperiment.get(experiment)!, pairs.get(experiment), labelsByExperiment.get(experiment) ?? []),
  );
  parsedByRoot.set(root, loaded);
  return loaded;
}

/** Forgets the parsed copies (tests that rewrite a folder). */
export function clearHaptCache(): void {
  parsedByRoot.clear();
}
