// Reader of UniMiB-SHAR (Micucci, Mobilio, Napoletano, "UniMiB SHAR: A Dataset for Human
// Activity Recognition Using Acceleration Data from Smartphones", Applied Sciences 7(10), 2017).
// Layout of the published archive: UniMiB-SHAR/data/acc_data.mat and acc_labels.mat, MATLAB
// level-5 files (read by ./mat5.ts):
//   acc_data   [11771 x 453] double: one 3 s window per row at 50 Hz, columns 1-151 the x axis,
//              152-302 y, 303-453 z, acceleration in m/s^2 with gravity (Samsung Galaxy Nexus)
//   acc_labels [11771 x 3]  double: class 1-17 (9 activities of daily living, 8 falls), subject
//              1-30, trial
import { join, resolve } from 'node:path';
import { DatasetError } from './errors.ts';
import { isFile, readDatasetFile } from './files.ts';
import { matMatrix, readMat5 } from './mat5.ts';
import { STANDARD_GRAVITY_MS2 } from './wisdm.ts';

export const UNIMIB_FOLDER = join('unimib-shar', 'UniMiB-SHAR', 'data');
export const UNIMIB_WINDOW_SAMPLES = 151;
export const UNIMIB_RATE_HZ = 50;
export const UNIMIB_AXES = 3;
export const UNIMIB_CHANNELS: readonly string[] = ['acc_x', 'acc_y', 'acc_z'];
export const UNIMIB_UNITS: readonly string[] = ['g', 'g', 'g'];
/**
 * Class names by class id - 1, in the order of the published acc_names.mat: 9 activities of
 * daily living, then 8 falls (paper, Table 2 and Table 3).
 */
export const UNIMIB_CLASSES: readonly string[] = [
  'StandingUpFS',
  'StandingUpFL',
  'Walking',
  'Running',
  'GoingUpS',
  'Jumping',
  'GoingDownS',
  'LyingDownFS',
  'SittingDown',
  'FallingForw',
  'FallingRight',
  'FallingBack',
  'HittingObstacle',
  'FallingWithPS',
  'FallingBackSC',
  'Syncope',
  'FallingLeft',
];
export const UNIMIB_ADL_CLASS_COUNT = 9;

export interface UnimibWindows {
  readonly classes: readonly string[];
  /** Where `classes` came from: 'acc_names.mat', or 'built-in' (with the reason). */
  readonly classNamesSource: string;
  readonly windowSamples: number;
  readonly rateHz: number;
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly count: number;
  /** [count][151][3], acceleration in g (the file's m/s^2 divided by 9.80665). */
  readonly x: Float64Array;
  /** Class index: class id - 1 (0-8 activities of daily living, 9-16 falls). */
  readonly y: Uint8Array;
  readonly subject: Uint8Array;
  readonly trial: Uint8Array;
}

/** The folder holding acc_data.mat: `dataDir` itself, its `data`, `UniMiB-SHAR/data` or the datasets layout. */
export function unimibDataDir(dataDir: string): string {
  const candidates = [dataDir, join(dataDir, 'data'), join(dataDir, 'UniMiB-SHAR', 'data'), join(dataDir, UNIMIB_FOLDER)].map((d) => resolve(d));
  return candidates.find((d) => isFile(join(d, 'acc_data.mat'))) ?? resolve(dataDir, UNIMIB_FOLDER);
}

function integerColumn(values: Float64Array, rows: number, column: number, min: number, max: number, path: string, what: string): Uint8Array {
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r += 1) {
    const v = values[column * rows + r]!;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new DatasetError('DATASET_PARSE', `${path}: row ${r + 1}: ${what} ${v} is not an integer in ${min}-${max}`, { path, line: r + 1 });
    }
    out[r] = v;
  }
  return out;
}

const CLASS_NAME = /^[A-Za-z]+$/;

/**
 * Class names from acc_names.mat when it is there: a cell array with 17 cells along one
 * dimension (a short name and a description per class); the short names are the run of 17 cells
 * that are all single words. Falls back to UNIMIB_CLASSES, saying why.
 */
export function unimibClassNames(dir: string): { names: readonly string[]; source: string } {
  const path = join(dir, 'acc_names.mat');
  if (!isFile(path)) return { names: UNIMIB_CLASSES, source: 'built-in (no acc_names.mat)' };
  const variable = readMat5(readDatasetFile(path, 'acc_names.mat of UniMiB-SHAR'), path).find((v) => v.name === 'acc_names');
  const cells = variable?.cells;
  if (!variable || !cells || variable.dims.length !== 2) return { names: UNIMIB_CLASSES, source: 'built-in (acc_names.mat has no acc_names cell array)' };
  const [rows = 0, columns = 0] = variable.dims;
  const count = UNIMIB_CLASSES.length;
  const text = (i: number): string => cells[i]?.text?.join('').trim() ?? '';
  // Column-major: cell (r, c) is cells[c * rows + r]. Candidates: each column of a 17 x k array,
  // each row of a k x 17 array.
  const candidates: string[][] = [];
  if (rows === count) for (let c = 0; c < columns; c += 1) candidates.push(Array.from({ length: count }, (_, r) => text(c * rows + r)));
  if (columns === count) for (let r = 0; r < rows; r += 1) candidates.push(Array.from({ length: count }, (_, c) => text(c * rows + r)));
  const names = candidates.filter((list) => list.every((n) => CLASS_NAME.test(n)));
  if (names.length !== 1) return { names: UNIMIB_CLASSES, source: `built-in (acc_names.mat: ${names.length} candidate name lists in a ${rows} x ${columns} cell array)` };
  return { names: names[0]!, source: 'acc_names.mat' };
}

/** Reads acc_data.mat and acc_labels.mat (all 17 classes), and class names from acc_names.mat if present. */
export function loadUnimibShar(dataDir: string): UnimibWindows {
  const dir = unimibDataDir(dataDir);
  const dataPath = join(dir, 'acc_data.mat');
  const labelsPath = join(dir, 'acc_labels.mat');
  const data = matMatrix(readMat5(readDatasetFile(dataPath, 'acc_data.mat of UniMiB-SHAR (variable acc_data, N x 453 double)'), dataPath), 'acc_data', dataPath);
  const labels = matMatrix(
    readMat5(readDatasetFile(labelsPath, 'acc_labels.mat of UniMiB-SHAR (variable acc_labels, N x 3 double: class, subject, trial)'), labelsPath),
    'acc_labels',
    labelsPath,
  );
  const W = UNIMIB_WINDOW_SAMPLES;
  if (data.columns !== W * UNIMIB_AXES) {
    throw new DatasetError('DATASET_PARSE', `${dataPath}: acc_data has ${data.columns} columns, expected ${W * UNIMIB_AXES} (x, y, z of ${W} samples)`, { path: dataPath });
  }
  if (labels.columns !== 3) {
    throw new DatasetError('DATASET_PARSE', `${labelsPath}: acc_labels has ${labels.columns} columns, expected 3 (class, subject, trial)`, { path: labelsPath });
  }
  if (labels.rows !== data.rows) {
    throw new DatasetError('DATASET_INCONSISTENT', `${labelsPath}: ${labels.rows} label rows but ${dataPath} has ${data.rows} windows`, { path: labelsPath });
  }
  const n = data.rows;
  const y = integerColumn(labels.values, n, 0, 1, UNIMIB_CLASSES.length, labelsPath, 'class');
  const subject = integerColumn(labels.values, n, 1, 1, 30, labelsPath, 'subject');
  const trial = integerColumn(labels.values, n, 2, 1, 255, labelsPath, 'trial');
  const x = new Float64Array(n * W * UNIMIB_AXES);
  // acc_data is column-major (MAT-file arrays are stored by column): row i, column j at j * n + i.
  for (let axis = 0; axis < UNIMIB_AXES; axis += 1) {
    for (let t = 0; t < W; t += 1) {
      const column = (axis * W + t) * n;
      for (let i = 0; i < n; i += 1) x[(i * W + t) * UNIMIB_AXES + axis] = data.values[column + i]! / STANDARD_GRAVITY_MS2;
    }
  }
  const classNames = unimibClassNames(dir);
  return {
    classes: classNames.names,
    classNamesSource: classNames.source,
    windowSamples: W,
    rateHz: UNIMIB_RATE_HZ,
    channels: UNIMIB_CHANNELS,
    units: UNIMIB_UNITS,
    count: n,
    x,
    y: y.map((c) => c - 1),
    subject,
    trial,
  };
}
