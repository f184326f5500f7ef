// Generic CSV recording: one sample per row, a header that names the time column, the channels
// with their units, and optionally a label column. Format (models/datasets/README.md, "CSV
// recordings"):
//
//   # optional comment lines before the header
//   timestamp[s],acc_x[g],acc_y[g],acc_z[g],gyro_x[rad/s],gyro_y[rad/s],gyro_z[rad/s],label
//   0.00,0.981,-0.112,0.510,0.011,0.020,-0.003,WALKING
//
// Separator: ',', ';' or tab (the header's first one). A unit goes in brackets or parentheses
// after the name: `acc_x[m/s^2]`, `acc_x (m/s^2)`. Values are converted to the gateway's units
// (protocol/sample-batch.ts: acceleration in g, angular rate in rad/s, time in seconds).
// Errors name the file and line; nothing is silently dropped except blank and comment lines.
import { DatasetError } from './errors.ts';
import { readDatasetText } from './files.ts';
import { STANDARD_GRAVITY_MS2 } from './wisdm.ts';

export const CSV_CHANNELS: readonly string[] = ['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z'];
const TIME_NAMES = ['timestamp', 'time', 't'];
const LABEL_NAMES = ['label', 'activity'];

/** Unit -> factor to the gateway's unit. Keys are lower case. */
const TIME_UNITS: Readonly<Record<string, number>> = { s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
const ACC_UNITS: Readonly<Record<string, number>> = {
  g: 1,
  mg: 1e-3,
  'm/s^2': 1 / STANDARD_GRAVITY_MS2,
  'm/s2': 1 / STANDARD_GRAVITY_MS2,
  'm/s²': 1 / STANDARD_GRAVITY_MS2,
};
const GYRO_UNITS: Readonly<Record<string, number>> = {
  'rad/s': 1,
  'deg/s': Math.PI / 180,
  dps: Math.PI / 180,
  '°/s': Math.PI / 180,
  'mdeg/s': Math.PI / 180 / 1000,
  mdps: Math.PI / 180 / 1000,
};

export interface CsvRecording {
  readonly path: string;
  /** Canonical channel names present, in CSV_CHANNELS order. */
  readonly channels: readonly string[];
  /** Units after conversion: 'g' or 'rad/s' per channel. */
  readonly units: readonly string[];
  /** Units as the header gave them, per channel. */
  readonly sourceUnits: readonly string[];
  readonly sampleCount: number;
  /** Seconds, as in the file (converted from its unit). Non-decreasing. */
  readonly timestampsS: Float64Array;
  /** Time-major [sampleCount][channels.length], in `units`. */
  readonly samples: Float64Array;
  /** Median sample rate from the timestamps (Hz); NaN with fewer than 2 distinct timestamps. */
  readonly rateHz: number;
  /** Label names in order of first appearance; empty when there is no label column. */
  readonly labelNames: readonly string[];
  /** Per sample: index into labelNames, or -1 for an empty label; undefined without a label column. */
  readonly labels: Int32Array | undefined;
}

interface ColumnSpec {
  readonly name: string;
  readonly unit: string | undefined;
}

const UNIT_SUFFIX = /^(.*?)\s*(?:\[([^\]]*)\]|\(([^)]*)\))\s*$/;

function parseHeaderCell(cell: string): ColumnSpec {
  const text = unquote(cell.trim());
  const m = UNIT_SUFFIX.exec(text);
  if (!m) return { name: text.toLowerCase(), unit: undefined };
  return { name: m[1]!.trim().toLowerCase(), unit: (m[2] ?? m[3] ?? '').trim() };
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

function detectSeparator(header: string): string {
  const candidates = [',', ';', '\t'];
  const positions = candidates.map((c) => header.indexOf(c)).map((i) => (i < 0 ? Infinity : i));
  const first = Math.min(...positions);
  return first === Infinity ? ',' : candidates[positions.indexOf(first)]!;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Parses the text of a CSV recording (see the file comment for the format). */
export function parseCsvRecording(text: string, path = '<csv>'): CsvRecording {
  const fail = (line: number, message: string): never => {
    throw new DatasetError('DATASET_PARSE', `${path}:${line}: ${message}`, { path, line });
  };
  const lines = text.split('\n');
  let index = 0;
  while (index < lines.length && (lines[index]!.trim() === '' || lines[index]!.trimStart().startsWith('#'))) index += 1;
  if (index >= lines.length) fail(1, 'no header line (expected e.g. "timestamp[s],acc_x[g],...,gyro_z[rad/s],label")');
  const headerLine = index + 1;
  const header = lines[index]!.replace(/\r$/, '');
  const separator = detectSeparator(header);
  const columns = header.split(separator).map(parseHeaderCell);

  let timeColumn = -1;
  let timeFactor = 1;
  let labelColumn = -1;
  const channelColumn = new Map<string, { column: number; factor: number; unit: string }>();
  columns.forEach((spec, column) => {
    if (TIME_NAMES.includes(spec.name)) {
      if (timeColumn >= 0) fail(headerLine, `two time columns ("${columns[timeColumn]!.name}" and "${spec.name}")`);
      const factor = TIME_UNITS[(spec.unit ?? '').toLowerCase()];
      if (factor === undefined) fail(headerLine, `time column "${spec.name}" needs a unit: one of ${Object.keys(TIME_UNITS).join(', ')} (e.g. "timestamp[s]")`);
      timeColumn = column;
      timeFactor = factor!;
    } else if (LABEL_NAMES.includes(spec.name)) {
      if (labelColumn >= 0) fail(headerLine, 'two label columns');
      labelColumn = column;
    } else if (CSV_CHANNELS.includes(spec.name)) {
      if (channelColumn.has(spec.name)) fail(headerLine, `channel "${spec.name}" appears twice`);
      const table = spec.name.startsWith('acc') ? ACC_UNITS : GYRO_UNITS;
      const unit = spec.unit ?? '';
      const factor = table[unit.toLowerCase()] ?? table[unit];
      if (factor === undefined) fail(headerLine, `channel "${spec.name}" needs a unit: one of ${Object.keys(table).join(', ')} (e.g. "${spec.name}[${Object.keys(table)[0]}]")`);
      channelColumn.set(spec.name, { column, factor: factor!, unit });
    } else {
      fail(headerLine, `unknown column "${spec.name}" (known: ${[...TIME_NAMES, ...CSV_CHANNELS, ...LABEL_NAMES].join(', ')})`);
    }
  });
  if (timeColumn < 0) fail(headerLine, 'no time column (name it "timestamp" with a unit, e.g. "timestamp[s]")');
  const channels = CSV_CHANNELS.filter((c) => channelColumn.has(c));
  if (channels.length === 0) fail(headerLine, `no channel column (known: ${CSV_CHANNELS.join(', ')})`);
  const picks = channels.map((c) => channelColumn.get(c)!);

  const timestamps: number[] = [];
  const samples: number[] = [];
  const labels: number[] = [];
  const labelNames: string[] = [];
  const labelIndex = new Map<string, number>();
  for (let i = index + 1; i < lines.length; i += 1) {
    const raw = lines[i]!.replace(/\r$/, '');
    const lineNumber = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = raw.split(separator);
    if (cells.length !== columns.length) fail(lineNumber, `${cells.length} fields, the header has ${columns.length}${lines.slice(i + 1).every((l) => l.trim() === '') ? ' (truncated last line?)' : ''}`);
    const readNumber = (column: number): number => {
      const cell = cells[column]!.trim();
      const value = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) fail(lineNumber, `column "${columns[column]!.name}": "${cell.slice(0, 40)}" is not a finite number`);
      return value;
    };
    const t = readNumber(timeColumn) * timeFactor;
    const previous = timestamps[timestamps.length - 1];
    if (previous !== undefined && t < previous) fail(lineNumber, `timestamp ${t} s goes back in time (previous ${previous} s)`);
    timestamps.push(t);
    for (const pick of picks) samples.push(readNumber(pick.column) * pick.factor);
    if (labelColumn >= 0) {
      const name = unquote(cells[labelColumn]!.trim());
      if (name === '') {
        labels.push(-1);
      } else {
        let k = labelIndex.get(name);
        if (k === undefined) {
          k = labelNames.length;
          labelNames.push(name);
          labelIndex.set(name, k);
        }
        labels.push(k);
      }
    }
  }
  if (timestamps.length === 0) fail(headerLine, 'header but no sample rows');
  const steps: number[] = [];
  for (let i = 1; i < timestamps.length; i += 1) {
    const dt = timestamps[i]! - timestamps[i - 1]!;
    if (dt > 0) steps.push(dt);
  }
  return {
    path,
    channels,
    units: channels.map((c) => (c.startsWith('acc') ? 'g' : 'rad/s')),
    sourceUnits: picks.map((p) => p.unit),
    sampleCount: timestamps.length,
    timestampsS: Float64Array.from(timestamps),
    samples: Float64Array.from(samples),
    rateHz: 1 / median(steps),
    labelNames,
    labels: labelColumn >= 0 ? Int32Array.from(labels) : undefined,
  };
}

/** Reads a CSV recording from a file. */
export function loadCsvRecording(path: string): CsvRecording {
  return parseCsvRecording(readDatasetText(path, 'a CSV recording (header "timestamp[s],acc_x[g],...", one sample per row)'), path);
}

export interface CsvWriteInput {
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly timestampsS: ArrayLike<number>;
  readonly samples: ArrayLike<number>;
  /** Per sample label (empty string: unlabelled); omit for no label column. */
  readonly labels?: readonly string[];
}

/** Formats a recording as CSV in the format parseCsvRecording reads (numbers round-trip exactly). */
export function formatCsvRecording(input: CsvWriteInput): string {
  const n = input.timestampsS.length;
  const c = input.channels.length;
  if (input.samples.length !== n * c) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `csv: ${input.samples.length} values for ${n} samples of ${c} channels`);
  }
  if (input.labels && input.labels.length !== n) throw new DatasetError('DATASET_BAD_ARGUMENT', `csv: ${input.labels.length} labels for ${n} samples`);
  const header = ['timestamp[s]', ...input.channels.map((name, i) => `${name}[${input.units[i] ?? ''}]`), ...(input.labels ? ['label'] : [])];
  const rows = [header.join(',')];
  for (let t = 0; t < n; t += 1) {
    const cells = [String(input.timestampsS[t])];
    for (let k = 0; k < c; k += 1) cells.push(String(input.samples[t * c + k]));
    if (input.labels) {
      const label = input.labels[t]!;
      if (/[,;\t"\n\r]/.test(label)) throw new DatasetError('DATASET_BAD_ARGUMENT', `csv: label "${label}" contains a separator or quote`);
      cells.push(label);
    }
    rows.push(cells.join(','));
  }
  return `${rows.join('\n')}\n`;
}
