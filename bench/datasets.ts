// `npm run bench -- datasets [--data <dir>] [--repeat <n>]`: how fast the dataset readers are.
// Prints the HAPT parse time (cold: every file parsed), the task windowing time (warm), the
// window-cache export time, and the WISDM parser's rate on generated lines of the published size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, exportWindowCache } from '../models/datasets/export-cache.ts';
import { clearHaptCache, loadHaptExperiments, loadTaskWindows, parseWisdmRaw, SPLIT_NAMES, TASK_NAMES } from '../models/datasets/index.ts';

/** Records in the published WISDM_ar_v1.1_raw.txt (its about file: 1,098,207). */
const WISDM_PUBLISHED_RECORDS = 1_098_207;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/** CPU times (user + system) of the timeMs calls: on a shared machine, wall time overstates. */
const cpuMsOf: number[] = [];

function timeMs(fn: () => void): number {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  cpuMsOf.push((cpu.user + cpu.system) / 1000);
  return wall;
}

/** Median CPU ms of the timeMs calls since the last call of this function. */
function takeCpuMs(): number {
  const m = median(cpuMsOf);
  cpuMsOf.length = 0;
  return m;
}

function generatedWisdmText(records: number): string {
  const lines: string[] = [];
  const activities = ['Walking', 'Jogging', 'Upstairs', 'Downstairs', 'Sitting', 'Standing'];
  for (let i = 0; i < records; i += 1) {
    const user = 1 + Math.floor(i / 30_000);
    const activity = activities[Math.floor(i / 5_000) % activities.length]!;
    lines.push(`${user},${activity},${49105962326000 + i * 50_000_000},${(Math.sin(i) * 9.8).toFixed(7)},${(Math.cos(i) * 9.8).toFixed(6)},${(i % 97) / 10};`);
  }
  return lines.join('\n');
}

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { data: { type: 'string' }, repeat: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: har-gateway bench datasets [--data <datasets dir>] [--repeat <n>]');
    return 0;
  }
  const dataDir = values.data ? resolve(values.data) : DEFAULT_DATA_DIR;
  const repeat = Math.max(1, Number(values.repeat ?? 3));
  await Promise.resolve();

  const parseMs: number[] = [];
  let samples = 0;
  for (let i = 0; i < repeat; i += 1) {
    clearHaptCache();
    parseMs.push(timeMs(() => {
      samples = loadHaptExperiments(dataDir).reduce((n, e) => n + e.sampleCount, 0);
    }));
  }
  const parse = median(parseMs);
  console.log(`hapt parse (cold, ${repeat}x): median ${parse.toFixed(0)} ms wall, ${takeCpuMs().toFixed(0)} ms CPU for ${samples} samples of 6 channels`);

  for (const task of TASK_NAMES) {
    let windows = 0;
    const ms = median(
      Array.from({ length: repeat }, () =>
        timeMs(() => {
          windows = SPLIT_NAMES.reduce((n, split) => n + loadTaskWindows(task, split, dataDir).count, 0);
        }),
      ),
    );
    console.log(`${task} windows, 3 splits (warm): median ${ms.toFixed(0)} ms wall, ${takeCpuMs().toFixed(0)} ms CPU for ${windows} windows`);
  }

  const out = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const exportMs = timeMs(() => exportWindowCache('hapt6', dataDir, out));
  rmSync(out, { recursive: true, force: true });
  console.log(`export-cache hapt6 (warm parse): ${exportMs.toFixed(0)} ms wall, ${takeCpuMs().toFixed(0)} ms CPU`);

  const text = generatedWisdmText(WISDM_PUBLISHED_RECORDS);
  takeCpuMs();
  let records = 0;
  const wisdmMs = median(Array.from({ length: repeat }, () => timeMs(() => (records = parseWisdmRaw(text).records))));
  console.log(`wisdm parse (${records} generated records, ${(text.length / 1e6).toFixed(0)} MB): median ${wisdmMs.toFixed(0)} ms wall, ${takeCpuMs().toFixed(0)} ms CPU`);
  return 0;
}
