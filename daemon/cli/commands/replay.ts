// `har-gateway replay <source...>`: replays recorded sessions through the gateway's pipeline
// (daemon/replay) and validates its predictions against the recordings' labels: a terminal
// summary, and with --report a JSON or self-contained HTML report.
//
// Exit codes: 0 replayed (sources that failed to load are skipped and reported), 1 bad
// arguments, nothing replayable, or windows lost (dropped, failed or unanswered).
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CliExit } from '../exit.ts';
import { loadConfig } from '../../config/load.ts';
import { ConfigError } from '../../config/errors.ts';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../log.ts';
import { gatewayModelFromBytes, loadConfiguredModel, type GatewayModel } from '../../pipeline/model.ts';
import { makeBatterySpec, type BatterySpec } from '../../budget/battery.ts';
import { THRESHOLD_FULL } from '../../../models/engine.ts';
import { readFileSync } from 'node:fs';
import { replay } from '../../replay/replay.ts';
import { ReplayError } from '../../replay/errors.ts';
import { formatReportText } from '../../replay/report-text.ts';
import { formatReportJson } from '../../replay/report-json.ts';
import { formatReportHtml } from '../../replay/report-html.ts';
import type { ReplayProgress, ReplaySpeed } from '../../replay/runner.ts';
import { progressBar } from '../../replay/progress.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const EXIT_REPLAY_ERROR = 1;

interface ReplayCliOptions {
  readonly speed: string;
  readonly via: 'direct' | 'mqtt';
  readonly model?: string;
  readonly mode: string;
  readonly engine?: 'mcu' | 'reference';
  readonly report?: string;
  readonly config?: string;
  readonly data?: string;
  readonly workers?: string;
  readonly battery?: string;
  readonly batchSamples?: string;
  readonly json?: boolean;
  readonly windows: 'stream' | 'protocol';
}

const fail = (message: string): never => {
  throw new CliExit(EXIT_REPLAY_ERROR, `har-gateway replay: ${message}`);
};

export function parseSpeed(text: string): ReplaySpeed {
  if (text === 'max') return 'max';
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) fail(`--speed must be "max" or a positive number, got "${text}"`);
  return n;
}

/** `auto` keeps the configuration's choice (model.threshold; the battery budget when it drives the modes). */
export function parseReplayMode(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  if (text === 'full') return THRESHOLD_FULL;
  if (!/^\d+$/.test(text) || Number(text) > THRESHOLD_FULL) fail(`--mode must be "auto", "full" or a threshold in [0, ${THRESHOLD_FULL}], got "${text}"`);
  return Number(text);
}

/** `--battery <chemistry>:<capacityMah>:<baselineUw>`, e.g. cr2032:220:15. */
export function parseBattery(text: string): BatterySpec {
  const [chemistry, capacity, baseline] = text.split(':');
  try {
    return makeBatterySpec({ chemistry: chemistry as 'cr2032', capacityMah: Number(capacity), baselineUw: Number(baseline ?? 0) });
  } catch (err) {
    return fail(`--battery ${text}: ${err instanceof Error ? err.message : String(err)} (expected <lipo|cr2032>:<capacityMah>:<baselineUw>)`);
  }
}

function positiveInt(name: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`${name} must be an integer in [1, ${max}], got "${text}"`);
  return n;
}

async function modelOf(id: string | undefined, config: Config): Promise<GatewayModel> {
  try {
    if (id !== undefined && (id.endsWith('.harm') || id.includes('/'))) return gatewayModelFromBytes(new Uint8Array(readFileSync(id)));
    return await loadConfiguredModel(id === undefined ? config.model : { id });
  } catch (err) {
    return fail(`cannot load the model ${id ?? config.model.file ?? config.model.id}: ${err instanceof Error ? err.message : String(err)}`);
  }
}


export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay recorded sessions through the gateway and validate its predictions (accuracy, F1, confusion, modes, energy, latency)')
    .argument('<source...>', 'a file (.csv, .hrec, WISDM_ar_v1.1_raw.txt), a folder (recording session, HAPT folder, folder of files) or a dataset: hapt6:test, hapt12:validation, uci-har:test, wisdm, unimib')
    .option('--speed <speed>', '1 = real time, <n> = n times faster, max = as fast as the pipeline takes windows without drops', '1')
    .addOption(new Option('--via <path>', 'direct: straight into the pipeline; mqtt: through the embedded broker and the full ingest path').choices(['direct', 'mqtt']).default('direct'))
    .option('--model <id>', 'zoo model id or a .harm file (default: the configuration\'s model)')
    .option('--mode <mode>', 'operating mode: auto (the configuration\'s), full, or a threshold', 'auto')
    .addOption(new Option('--engine <engine>', 'inference engine (default: the configuration\'s)').choices(['mcu', 'reference']))
    .option('--report <file>', 'write the report: .json (machines) or .html (self-contained page)')
    .option('--json', 'print the JSON report on stdout instead of the summary')
    .option('--config <file>', 'gateway configuration (default: config/default.yaml)')
    .option('--data <dir>', 'datasets folder for dataset splits (default: $HAR_DATA_DIR, else ../shared/datasets)')
    .option('--workers <n>', 'inference worker threads (default: the configuration\'s)')
    .option('--battery <spec>', 'battery of the projection, <lipo|cr2032>:<capacityMah>:<baselineUw> (default cr2032:220:15)')
    .addOption(new Option('--windows <alignment>', 'stream: windows as the stream cuts them; protocol: each labelled segment replayed from its first sample, so the windows are the training protocol\'s (eval\'s for hapt6)').choices(['stream', 'protocol']).default('stream'))
    .option('--batch-samples <n>', 'samples per replayed batch for dataset sources (default 50)')
    .action(async (sources: string[], opts: ReplayCliOptions) => {
      const speed = parseSpeed(opts.speed);
      const mode = parseReplayMode(opts.mode);
      const workers = positiveInt('--workers', opts.workers, 64);
      const batchSamples = positiveInt('--batch-samples', opts.batchSamples, 1024);
      const battery = opts.battery === undefined ? undefined : parseBattery(opts.battery);
      const reportPath = opts.report;
      if (reportPath !== undefined && !['.json', '.html', '.htm'].includes(extname(reportPath).toLowerCase())) fail(`--report must end in .json or .html, got "${reportPath}"`);
      let config: Config;
      try {
        config = await loadConfig(opts.config);
      } catch (err) {
        if (err instanceof ConfigError) return fail(err.message);
        throw err;
      }
      config = {
        ...config,
        model: { ...config.model, ...(mode === 'auto' ? {} : { threshold: mode }) },
        engine: { ...config.engine, ...(opts.engine ? { kind: opts.engine } : {}), ...(workers ? { workers } : {}) },
      };
      const model = await modelOf(opts.model, config);
      const logger = createLogger({ level: 'error', destination: process.stderr });
      const dataDir = resolve(opts.data ?? process.env.HAR_DATA_DIR ?? resolve(REPO_ROOT, '../shared/datasets'));
      const tty = process.stderr.isTTY === true;
      let outcome;
      try {
        outcome = await replay({
          sources,
          dataDir,
          model,
          config,
          via: opts.via,
          speed,
          logger,
          ...(battery ? { battery } : {}),
          ...(batchSamples ? { batchSamples } : {}),
          windows: opts.windows,
          ...(tty ? { onProgress: (p: ReplayProgress) => process.stderr.write(progressBar(p)) } : {}),
        });
      } catch (err) {
        if (err instanceof ReplayError) return fail(err.message);
        throw err;
      } finally {
        if (tty) process.stderr.write('\n');
      }
      const { report } = outcome;
      if (reportPath !== undefined) {
        writeFileSync(reportPath, extname(reportPath).toLowerCase() === '.json' ? formatReportJson(report) : formatReportHtml(report));
      }
      process.stdout.write(opts.json ? formatReportJson(report) : `${formatReportText(report)}\n${reportPath ? `report written to ${reportPath}\n` : ''}`);
      const lost = report.overall.windowsDropped + report.overall.inferenceFailed + report.unsettledWindows;
      if (lost > 0) fail(`${lost} window(s) lost (dropped ${report.overall.windowsDropped}, failed ${report.overall.inferenceFailed}, unanswered ${report.unsettledWindows})`);
    });
}
