// `npm run bench -- replay [--split test] [--mode auto|full|<n>] [--via direct|mqtt] [--engine mcu|reference] [--workers n] [--data dir]`:
// every HAPT experiment of a hapt6 split replayed through the full pipeline (gateway, worker
// pool, SQLite) with the emulated MCU at --speed max. Prints recording time, wall time, the
// speed-up over real time (target >= 500x for the test split on a 2-core machine), windows/s,
// CPU time, latency and the machine's load average (other processes share the cores).
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../daemon/config/load.ts';
import type { Config } from '../daemon/config/schema.ts';
import { createLogger } from '../daemon/log.ts';
import { loadConfiguredModel } from '../daemon/pipeline/model.ts';
import { replay } from '../daemon/replay/replay.ts';
import { THRESHOLD_FULL } from '../models/engine.ts';

export const REPLAY_TARGET_SPEEDUP = 500;

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      split: { type: 'string', default: 'test' },
      mode: { type: 'string', default: 'auto' },
      via: { type: 'string', default: 'direct' },
      engine: { type: 'string', default: 'mcu' },
      workers: { type: 'string' },
      model: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: har-gateway bench replay [--split test] [--mode auto|full|<threshold>] [--via direct|mqtt] [--engine mcu|reference] [--workers n] [--model id] [--data dir]');
    return 0;
  }
  const base = await loadConfig();
  const threshold = values.mode === 'auto' ? base.model.threshold : values.mode === 'full' ? THRESHOLD_FULL : Number(values.mode);
  const engine: Config['engine']['kind'] = values.engine === 'reference' ? 'reference' : 'mcu';
  const config: Config = {
    ...base,
    model: { ...base.model, threshold, ...(values.model ? { id: values.model } : {}) },
    engine: { ...base.engine, kind: engine, ...(values.workers ? { workers: Number(values.workers) } : {}) },
  };
  const model = await loadConfiguredModel(config.model);
  const dataDir = resolve(values.data ?? process.env.HAR_DATA_DIR ?? resolve(import.meta.dirname, '../../shared/datasets'));
  const via = values.via === 'mqtt' ? 'mqtt' : 'direct';
  const cpu0 = process.cpuUsage();
  const { report } = await replay({ sources: [`hapt6:${values.split}`], dataDir, model, config, via, speed: 'max', logger: createLogger({ level: 'error', destination: process.stderr }) });
  const cpu = process.cpuUsage(cpu0);
  const o = report.overall;
  console.log(`replay bench: ${report.recordings.length} HAPT ${values.split} experiments, model ${model.id}, engine ${engine} (${config.engine.workers} workers), mode ${report.mode}, via ${via}, speed max`);
  console.log(`  recording ${(report.recordingS / 60).toFixed(1)} min, wall ${report.wallS.toFixed(2)} s -> ${report.speedup.toFixed(0)}x real time (target >= ${REPLAY_TARGET_SPEEDUP}x: ${report.speedup >= REPLAY_TARGET_SPEEDUP ? 'met' : 'NOT met'})`);
  console.log(`  ${o.windows} windows, ${(o.windows / report.wallS).toFixed(0)} windows/s, dropped ${o.windowsDropped}, failed ${o.inferenceFailed}; accuracy ${o.accuracy === null ? '-' : (o.accuracy * 100).toFixed(2)} % on ${o.scoredWindows} labelled windows`);
  console.log(`  energy ${o.energyPerWindowUj?.toFixed(3) ?? '-'} uJ/window; latency p50 ${o.latencyMs.p50?.toFixed(1) ?? '-'} ms, p99 ${o.latencyMs.p99?.toFixed(1) ?? '-'} ms (queueing at --speed max)`);
  console.log(`  main-thread CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  return 0;
}
