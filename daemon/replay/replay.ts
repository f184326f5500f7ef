// One replay, end to end, for the CLI and the benchmark: resolve the sources (a broken one is
// skipped and reported), play the recordings as concurrent devices through the gateway, build
// the report.
import { readArtifact } from '../../models/format/read.ts';
import type { BatterySpec } from '../budget/battery.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { GatewayModel } from '../pipeline/model.ts';
import { modeName } from '../pipeline/prediction-log.ts';
import { buildReport, type ReplayReport, type SkippedSource } from './report.ts';
import { alignToProtocol, type ReplayRecording } from './recording.ts';
import { runReplay, type ReplayRun, type ReplayProgress, type ReplaySpeed, type ReplayVia } from './runner.ts';
import { resolveSources } from './sources.ts';
import { ReplayError } from './errors.ts';

export interface ReplayOptions {
  readonly sources: readonly string[];
  readonly dataDir: string;
  readonly model: GatewayModel;
  /** Gateway configuration (engine, pipeline bounds, model.threshold for `--mode auto`). */
  readonly config: Config;
  readonly via: ReplayVia;
  readonly speed: ReplaySpeed;
  readonly logger: Logger;
  readonly battery?: BatterySpec;
  readonly batchSamples?: number;
  /** stream (default): the recordings as recorded; protocol: alignToProtocol (recording.ts). */
  readonly windows?: 'stream' | 'protocol';
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayOutcome {
  readonly report: ReplayReport;
  readonly recordings: readonly ReplayRecording[];
  /** Every window result per device (scores, margins, cycles...), beyond what the report keeps. */
  readonly run: ReplayRun;
}

export async function replay(options: ReplayOptions): Promise<ReplayOutcome> {
  const artifact = readArtifact(options.model.bytes);
  const outcomes = resolveSources(options.sources, { dataDir: options.dataDir, modelTask: artifact.metadata.task, ...(options.batchSamples === undefined ? {} : { batchSamples: options.batchSamples }) });
  const skipped: SkippedSource[] = [];
  const recordings: ReplayRecording[] = [];
  const ids = new Set<string>();
  for (const o of outcomes) {
    if (!o.ok) {
      skipped.push({ source: o.source, code: o.error.code, error: o.error.message });
      continue;
    }
    for (const r of o.recordings) {
      // the same recording named twice (or two files of one name) become distinct devices
      let deviceId = r.deviceId;
      for (let k = 2; ids.has(deviceId); k++) deviceId = `${r.deviceId.slice(0, 60)}-${k}`;
      ids.add(deviceId);
      const renamed = deviceId === r.deviceId ? r : { ...r, deviceId, batches: r.batches.map((b) => ({ ...b, batch: { ...b.batch, deviceId } })) };
      recordings.push(options.windows === 'protocol' ? alignToProtocol(renamed, options.model.input.windowSamples) : renamed);
    }
  }
  if (recordings.length === 0) {
    throw new ReplayError('REPLAY_SOURCE_UNKNOWN', `nothing to replay: ${skipped.map((s) => `${s.source}: ${s.error}`).join('; ') || 'no sources'}`);
  }
  const run = await runReplay({
    recordings,
    model: options.model,
    config: options.config,
    via: options.via,
    speed: options.speed,
    logger: options.logger,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const report = buildReport(run, recordings, skipped, {
    model: options.model,
    lastExit: artifact.stages.length - 1,
    engine: options.config.engine.kind,
    mode: modeName(options.config.model.threshold),
    ...(options.battery ? { battery: options.battery } : {}),
  });
  return { report, recordings, run };
}
