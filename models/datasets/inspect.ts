// Says which datasets a data folder holds and what the readers find in them, or why they cannot
// read one (the missing file, the bad line):
//   npx tsx models/datasets/inspect.ts [--data <dir>]
// Exit code 0 when at least one dataset was read, 1 when none was.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DatasetError } from './errors.ts';
import { DEFAULT_DATA_DIR } from './export-cache.ts';
import { HAPT_ACTIVITIES, haptRoot, loadHaptExperiments } from './hapt.ts';
import { loadUciHarWindows, uciHarRoot } from './uci-har.ts';
import { loadUnimibShar, unimibDataDir } from './unimib-shar.ts';
import { loadWisdmRaw, wisdmRawPath } from './wisdm.ts';

export interface DatasetReport {
  readonly dataset: string;
  readonly path: string;
  readonly ok: boolean;
  /** Summary lines when read; the reader's error otherwise. */
  readonly lines: readonly string[];
}

function attempt(dataset: string, path: string, read: () => string[]): DatasetReport {
  try {
    return { dataset, path, ok: true, lines: read() };
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    return { dataset, path, ok: false, lines: [`${err.code}: ${err.message}`] };
  }
}

function counts(values: ArrayLike<number>, size: number): number[] {
  const out = new Array<number>(size).fill(0);
  for (let i = 0; i < values.length; i += 1) out[values[i]!] = (out[values[i]!] ?? 0) + 1;
  return out;
}

export function inspectDatasets(dataDir: string): DatasetReport[] {
  return [
    attempt('HAPT raw', haptRoot(dataDir), () => {
      const exps = loadHaptExperiments(dataDir);
      const perActivity = new Array<number>(HAPT_ACTIVITIES.length).fill(0);
      for (const e of exps) for (const s of e.segments) perActivity[s.activityId - 1] = (perActivity[s.activityId - 1] ?? 0) + 1;
      return [
        `${exps.length} experiments, ${new Set(exps.map((e) => e.user)).size} volunteers, ${exps.reduce((n, e) => n + e.sampleCount, 0)} samples at 50 Hz`,
        `segments per activity 1-12: ${perActivity.join(' ')}`,
      ];
    }),
    attempt('UCI HAR Inertial Signals', uciHarRoot(dataDir), () =>
      (['train', 'test'] as const).map((split) => {
        const w = loadUciHarWindows(dataDir, split);
        return `${split}: ${w.count} windows of 128 samples, ${new Set(w.subject).size} volunteers, per class ${counts(w.y, 6).join(' ')}`;
      }),
    ),
    attempt('WISDM v1.1 raw', wisdmRawPath(dataDir), () => {
      const d = loadWisdmRaw(dataDir);
      const malformed = Object.entries(d.issues)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k}=${n}`);
      return [
        `${d.records} records in ${d.lines} lines, ${d.recordings.length} recordings of ${new Set(d.recordings.map((r) => r.user)).size} users at 20 Hz`,
        `issues: ${malformed.join(' ') || 'none'}`,
      ];
    }),
    attempt('UniMiB-SHAR', unimibDataDir(dataDir), () => {
      const w = loadUnimibShar(dataDir);
      return [
        `${w.count} windows of 151 samples, ${new Set(w.subject).size} volunteers, per class ${counts(w.y, w.classes.length).join(' ')}`,
        `class names: ${w.classNamesSource}`,
      ];
    }),
  ];
}

export function main(argv: readonly string[]): number {
  const { values } = parseArgs({ args: [...argv], options: { data: { type: 'string' } } });
  const dataDir = values.data ? resolve(values.data) : DEFAULT_DATA_DIR;
  const reports = inspectDatasets(dataDir);
  console.log(`datasets under ${dataDir}`);
  for (const r of reports) {
    console.log(`${r.ok ? 'read    ' : 'not read'} ${r.dataset} (${r.path})`);
    for (const line of r.lines) console.log(`         ${line}`);
  }
  return reports.some((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
