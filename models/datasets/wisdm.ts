// Reader of WISDM v1.1 raw data (Kwapisz, Weiss, Moore, "Activity Recognition using Cell Phone
// Accelerometers", SensorKDD 2010): WISDM_ar_v1.1/WISDM_ar_v1.1_raw.txt.
//
// WISDM_ar_v1.1_raw_about.txt: one record per sample, `user,activity,timestamp,x,y,z;` at 20 Hz;
// user 1-36; activity Walking, Jogging, Upstairs, Downstairs, Sitting, Standing; timestamp in
// nanoseconds of the phone's uptime; x, y, z acceleration "between -20 .. 20", where "10 = 1g =
// 9.81 m/s^2" and gravity is included. We convert to g with standard gravity (x / 9.80665): the
// about file's "10 = 1g" is a rounding of the same scale (the values are Android m/s^2).
//
// The published file is not clean. Seen in it, and handled here (each counted in `issues`):
//   - several records on one line ("...,0.50;33,Jogging,...;")          -> each record kept
//   - a record without its ';' at the end of a line                      -> kept
//   - a trailing comma before the ';' ("...,0.50,;")                      -> kept
//   - records with a missing field or an empty x/y/z ("...,4.4,;" with only 2 values)
//                                                                         -> dropped
//   - empty lines                                                         -> skipped
//   - fields that are not numbers, unknown activities                     -> dropped
//   - timestamps of 0                                                     -> kept (samples are
//     placed by their order at 20 Hz; the timestamps are kept for reference only)
import { join, resolve } from 'node:path';
import { DatasetError } from './errors.ts';
import { isFile, readDatasetText } from './files.ts';

export const WISDM_FILE = 'WISDM_ar_v1.1_raw.txt';
export const WISDM_FOLDER = join('wisdm', 'WISDM_ar_v1.1');
export const WISDM_RATE_HZ = 20;
/** Class order: the about file's class distribution (Walking 38.6 % ... Standing 4.4 %). */
export const WISDM_ACTIVITIES: readonly string[] = ['Walking', 'Jogging', 'Upstairs', 'Downstairs', 'Sitting', 'Standing'];
export const WISDM_CHANNELS: readonly string[] = ['acc_x', 'acc_y', 'acc_z'];
export const WISDM_UNITS: readonly string[] = ['g', 'g', 'g'];
/** Standard gravity (m/s^2), the divisor from the file's m/s^2 to g. */
export const STANDARD_GRAVITY_MS2 = 9.80665;

export interface WisdmRecording {
  readonly user: number;
  readonly activity: string;
  readonly classIndex: number;
  /** 1-based line of the file where the recording starts. */
  readonly firstLine: number;
  readonly sampleCount: number;
  /** The records' timestamps (ns, as in the file; may be 0 or repeat). */
  readonly timestampsNs: Float64Array;
  /** Time-major [sampleCount][3], acc x y z in g. */
  readonly samples: Float64Array;
}

export interface WisdmIssues {
  emptyLines: number;
  multipleRecordsLines: number;
  missingTerminator: number;
  trailingComma: number;
  missingFields: number;
  badNumber: number;
  unknownActivity: number;
  zeroTimestamp: number;
}

export interface WisdmData {
  readonly path: string;
  readonly rateHz: number;
  readonly classes: readonly string[];
  readonly channels: readonly string[];
  readonly units: readonly string[];
  /** Runs of consecutive records of one user and one activity, in file order. */
  readonly recordings: readonly WisdmRecording[];
  readonly records: number;
  readonly lines: number;
  readonly issues: WisdmIssues;
}

/** Where the raw file is: `dataDir` may be the file, its folder, or the datasets folder. */
export function wisdmRawPath(dataDir: string): string {
  const direct = resolve(dataDir);
  if (direct.endsWith('.txt')) return direct;
  if (isFile(join(direct, WISDM_FILE))) return join(direct, WISDM_FILE);
  return resolve(dataDir, WISDM_FOLDER, WISDM_FILE);
}

interface RunBuilder {
  user: number;
  activity: string;
  classIndex: number;
  firstLine: number;
  timestamps: number[];
  samples: number[];
}

function finish(run: RunBuilder): WisdmRecording {
  return {
    user: run.user,
    activity: run.activity,
    classIndex: run.classIndex,
    firstLine: run.firstLine,
    sampleCount: run.timestamps.length,
    timestampsNs: Float64Array.from(run.timestamps),
    samples: Float64Array.from(run.samples),
  };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NUM = '([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
/** `user,activity,timestamp,x,y,z;` and nothing else (a CR before the line end allowed). */
const WELL_FORMED_LINE = new RegExp(`^([1-9]\\d*),([A-Za-z]+),${NUM},${NUM},${NUM},${NUM};\\r?$`);

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

/** Parses the text of WISDM_ar_v1.1_raw.txt (see the file comment for the quirks handled). */
export function parseWisdmRaw(text: string, path = WISDM_FILE): WisdmData {
  const issues: WisdmIssues = {
    emptyLines: 0,
    multipleRecordsLines: 0,
    missingTerminator: 0,
    trailingComma: 0,
    missingFields: 0,
    badNumber: 0,
    unknownActivity: 0,
    zeroTimestamp: 0,
  };
  const recordings: WisdmRecording[] = [];
  let run: RunBuilder | undefined;
  let records = 0;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const addRecord = (user: number, activity: string, classIndex: number, timestamp: number, x: number, y: number, z: number, lineNumber: number): void => {
    if (timestamp === 0) issues.zeroTimestamp += 1;
    if (!run || run.user !== user || run.activity !== activity) {
      if (run) recordings.push(finish(run));
      run = { user, activity, classIndex, firstLine: lineNumber, timestamps: [], samples: [] };
    }
    run.timestamps.push(timestamp);
    run.samples.push(x / STANDARD_GRAVITY_MS2, y / STANDARD_GRAVITY_MS2, z / STANDARD_GRAVITY_MS2);
    records += 1;
  };
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    // Fast path: one well-formed record and its ';' (nearly every line of the published file).
    const m = WELL_FORMED_LINE.exec(rawLine);
    if (m) {
      const activity = m[2]!;
      const classIndex = WISDM_ACTIVITIES.indexOf(activity);
      if (classIndex >= 0) {
        addRecord(Number(m[1]), activity, classIndex, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), lineNumber);
        return;
      }
    }
    const line = rawLine.trim();
    if (line.length === 0) {
      issues.emptyLines += 1;
      return;
    }
    const pieces = line.split(';');
    const terminated = pieces[pieces.length - 1]!.trim() === '';
    if (terminated) pieces.pop();
    else issues.missingTerminator += 1;
    const candidates = pieces.map((p) => p.trim()).filter((p) => p.length > 0);
    if (candidates.length > 1) issues.multipleRecordsLines += 1;
    for (const record of candidates) {
      const fields = record.split(',');
      if (fields.length === 7 && fields[6]!.trim() === '') {
        issues.trailingComma += 1;
        fields.pop();
      }
      if (fields.length !== 6 || fields.some((f) => f.trim() === '')) {
        issues.missingFields += 1;
        continue;
      }
      const [userText, activityText, tsText, xText, yText, zText] = fields as [string, string, string, string, string, string];
      const user = parseNumber(userText);
      const timestamp = parseNumber(tsText);
      const x = parseNumber(xText);
      const y = parseNumber(yText);
      const z = parseNumber(zText);
      if (user === undefined || !Number.isInteger(user) || user < 1 || timestamp === undefined || x === undefined || y === undefined || z === undefined) {
        issues.badNumber += 1;
        continue;
      }
      const activity = activityText.trim();
      const classIndex = WISDM_ACTIVITIES.indexOf(activity);
      if (classIndex < 0) {
        issues.unknownActivity += 1;
        continue;
      }
      addRecord(user, activity, classIndex, timestamp, x, y, z, lineNumber);
    }
  });
  if (run) recordings.push(finish(run));
  if (records === 0) {
    throw new DatasetError('DATASET_PARSE', `${path}: no valid "user,activity,timestamp,x,y,z;" record`, { path });
  }
  return {
    path,
    rateHz: WISDM_RATE_HZ,
    classes: WISDM_ACTIVITIES,
    channels: WISDM_CHANNELS,
    units: WISDM_UNITS,
    recordings,
    records,
    lines: lines.length,
    issues,
  };
}

/** Reads WISDM_ar_v1.1_raw.txt from `dataDir` (the file, its folder, or the datasets folder). */
export function loadWisdmRaw(dataDir: string): WisdmData {
  const path = wisdmRawPath(dataDir);
  const text = readDatasetText(path, `${WISDM_FILE} of the WISDM v1.1 archive ("user,activity,timestamp,x,y,z;" lines)`);
  return parseWisdmRaw(text, path);
}
