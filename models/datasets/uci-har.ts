// Reader of the UCI HAR Dataset's raw windows ("Human Activity Recognition Using Smartphones",
// Anguita et al. 2013; same volunteers and phone as HAPT). Layout (its README.txt, "The dataset
// includes the following files" and "Notes"):
//   <split>/Inertial Signals/total_acc_{x,y,z}_<split>.txt  acceleration in standard gravity
//       units 'g', one window of 128 readings (2.56 s at 50 Hz, 50 % overlap) per row
//   <split>/Inertial Signals/body_acc_{x,y,z}_<split>.txt   total minus gravity (g)
//   <split>/Inertial Signals/body_gyro_{x,y,z}_<split>.txt  angular velocity in rad/s
//   <split>/y_<split>.txt        activity id 1-6 per window
//   <split>/subject_<split>.txt  volunteer 1-30 per window
// <split> is "train" or "test". Rows are space-separated, right-aligned numbers such as
// "  2.5717778e-001 -2.3285230e-002 ...".
import { join, resolve } from 'node:path';
import { DatasetError } from './errors.ts';
import { isFile, readDatasetText } from './files.ts';
import { HAPT_ACTIVITIES, HAPT_CHANNELS, HAPT_UNITS } from './hapt.ts';
import { parseNumericTable } from './numeric-text.ts';

export const UCI_HAR_FOLDER = join('uci-har', 'UCI HAR Dataset');
export const UCI_HAR_WINDOW_SAMPLES = 128;
export const UCI_HAR_STRIDE_SAMPLES = 64;
export const UCI_HAR_RATE_HZ = 50;
/** activity_labels.txt of UCI HAR: the 6 basic activities, ids 1-6 (same as HAPT's 1-6). */
export const UCI_HAR_CLASSES: readonly string[] = HAPT_ACTIVITIES.slice(0, 6);
export type UciHarSplit = 'train' | 'test';

export interface UciHarWindows {
  readonly split: UciHarSplit;
  readonly classes: readonly string[];
  readonly windowSamples: number;
  readonly rateHz: number;
  /** acc_x acc_y acc_z (total_acc, g), gyro_x gyro_y gyro_z (body_gyro, rad/s): HAPT's order. */
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly count: number;
  /** [count][128][6] */
  readonly x: Float64Array;
  /** [count][128][3], body_acc x y z (g): total_acc with the 0.3 Hz low-pass gravity removed. */
  readonly bodyAcc: Float64Array;
  /** Class index (activity id - 1). */
  readonly y: Uint8Array;
  readonly subject: Uint8Array;
}

/** `dataDir` itself when it holds the UCI HAR layout, otherwise `<dataDir>/uci-har/UCI HAR Dataset`. */
export function uciHarRoot(dataDir: string): string {
  const direct = resolve(dataDir);
  if (isFile(join(direct, 'activity_labels.txt')) && isFile(join(direct, 'features.txt'))) return direct;
  return resolve(dataDir, UCI_HAR_FOLDER);
}

function readColumn(path: string, expected: string, min: number, max: number): Float64Array {
  const table = parseNumericTable(readDatasetText(path, expected), 1, path);
  table.values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new DatasetError('DATASET_PARSE', `${path}:${i + 1}: ${v} is not an integer in ${min}-${max}`, { path, line: i + 1 });
    }
  });
  return table.values;
}

/** Reads one split's 9 signal files (each row one 128-sample window), labels and volunteers. */
export function loadUciHarWindows(dataDir: string, split: UciHarSplit): UciHarWindows {
  if (split !== 'train' && split !== 'test') {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `unknown UCI HAR split "${String(split)}" (known: train, test)`);
  }
  const root = uciHarRoot(dataDir);
  const splitDir = join(root, split);
  const yPath = join(splitDir, `y_${split}.txt`);
  const subjectPath = join(splitDir, `subject_${split}.txt`);
  const labels = readColumn(yPath, `the UCI HAR ${split} labels (y_${split}.txt: one activity id 1-6 per line)`, 1, 6);
  const subjects = readColumn(subjectPath, `the UCI HAR ${split} volunteers (subject_${split}.txt: one id 1-30 per line)`, 1, 30);
  const count = labels.length;
  if (subjects.length !== count) {
    throw new DatasetError('DATASET_INCONSISTENT', `${subjectPath}: ${subjects.length} rows but ${yPath} has ${count}`, { path: subjectPath });
  }
  const W = UCI_HAR_WINDOW_SAMPLES;
  const x = new Float64Array(count * W * 6);
  const bodyAcc = new Float64Array(count * W * 3);
  const signals: Array<[string, Float64Array, number, number]> = [
    ['total_acc_x', x, 6, 0],
    ['total_acc_y', x, 6, 1],
    ['total_acc_z', x, 6, 2],
    ['body_gyro_x', x, 6, 3],
    ['body_gyro_y', x, 6, 4],
    ['body_gyro_z', x, 6, 5],
    ['body_acc_x', bodyAcc, 3, 0],
    ['body_acc_y', bodyAcc, 3, 1],
    ['body_acc_z', bodyAcc, 3, 2],
  ];
  for (const [signal, target, stride, channel] of signals) {
    const file = `${signal}_${split}.txt`;
    const path = join(splitDir, 'Inertial Signals', file);
    const table = parseNumericTable(
      readDatasetText(path, `the UCI HAR signal file ${join(split, 'Inertial Signals', file)} (one window of ${W} values per line)`),
      W,
      path,
    );
    if (table.rows !== count) {
      throw new DatasetError('DATASET_INCONSISTENT', `${path}: ${table.rows} windows but ${yPath} has ${count}`, { path });
    }
    for (let i = 0; i < count; i += 1) {
      for (let t = 0; t < W; t += 1) target[(i * W + t) * stride + channel] = table.values[i * W + t]!;
    }
  }
  return {
    split,
    classes: UCI_HAR_CLASSES,
    windowSamples: W,
    rateHz: UCI_HAR_RATE_HZ,
    channels: HAPT_CHANNELS,
    units: HAPT_UNITS,
    count,
    x,
    bodyAcc,
    y: Uint8Array.from(labels, (v) => v - 1),
    subject: Uint8Array.from(subjects),
  };
}

/** A continuous stretch of one volunteer rebuilt from consecutive, 50 %-overlapping windows. */
export interface UciHarRecording {
  readonly split: UciHarSplit;
  readonly subject: number;
  /** Rows of the split file stitched into this recording: firstRow .. firstRow + windowCount - 1. */
  readonly firstRow: number;
  readonly windowCount: number;
  readonly rateHz: number;
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly sampleCount: number;
  /** Time-major [sampleCount][6], as UciHarWindows.x. */
  readonly samples: Float64Array;
  /** Labelled segments (HAPT activity ids 1-6), 0-based, end exclusive, in sample order. */
  readonly segments: ReadonlyArray<{ readonly activityId: number; readonly startSample: number; readonly endSample: number }>;
}

/**
 * Rebuilds continuous recordings from the published windows for replay: window i + 1 continues
 * window i when both are of the same volunteer and its first 64 samples equal the last 64 of
 * window i in all 6 channels and body_acc (the README's "50% overlap": each sample is printed in
 * both windows, so the overlap is equal value for value). Labels: the 64 samples that start a
 * window take that window's label (the last window's second half too), so a recording's
 * segments change label only on 64-sample boundaries.
 */
export function stitchUciHarRecordings(windows: UciHarWindows): UciHarRecording[] {
  const W = windows.windowSamples;
  const half = UCI_HAR_STRIDE_SAMPLES;
  const C = 6;
  const continues = (i: number): boolean => {
    if (windows.subject[i] !== windows.subject[i - 1]) return false;
    const prev = (i - 1) * W;
    const next = i * W;
    for (let t = 0; t < W - half; t += 1) {
      for (let c = 0; c < C; c += 1) if (windows.x[(prev + half + t) * C + c] !== windows.x[(next + t) * C + c]) return false;
      for (let a = 0; a < 3; a += 1) if (windows.bodyAcc[(prev + half + t) * 3 + a] !== windows.bodyAcc[(next + t) * 3 + a]) return false;
    }
    return true;
  };
  const recordings: UciHarRecording[] = [];
  let first = 0;
  for (let i = 1; i <= windows.count; i += 1) {
    if (i < windows.count && continues(i)) continue;
    const windowCount = i - first;
    const sampleCount = W + (windowCount - 1) * half;
    const samples = new Float64Array(sampleCount * C);
    for (let k = 0; k < windowCount; k += 1) {
      // Window k supplies samples k*half .. k*half + W; later windows overwrite equal values.
      samples.set(windows.x.subarray((first + k) * W * C, (first + k + 1) * W * C), k * half * C);
    }
    const segments: Array<{ activityId: number; startSample: number; endSample: number }> = [];
    for (let k = 0; k < windowCount; k += 1) {
      const activityId = windows.y[first + k]! + 1;
      const startSample = k * half;
      const endSample = k === windowCount - 1 ? sampleCount : startSample + half;
      const last = segments[segments.length - 1];
      if (last && last.activityId === activityId) last.endSample = endSample;
      else segments.push({ activityId, startSample, endSample });
    }
    recordings.push({
      split: windows.split,
      subject: windows.subject[first]!,
      firstRow: first,
      windowCount,
      rateHz: windows.rateHz,
      channels: windows.channels,
      units: windows.units,
      sampleCount,
      samples,
      segments,
    });
    first = i;
  }
  return recordings;
}
