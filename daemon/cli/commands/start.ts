// `har-gateway start [--config file] [--demo]`: run the gateway daemon until SIGINT/SIGTERM.
// --demo also starts a few simulated wearables in-process (device-sim/wearables), so a fresh
// checkout shows predictions in the log and over the WebSocket within seconds.
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { ConfigError } from '../../config/errors.ts';
import { Gateway } from '../../gateway.ts';
import { MqttIngest } from '../../ingest/mqtt-ingest.ts';
import { createLogger, type Logger } from '../../log.ts';
import { MqttConnection } from '../../mqtt/connection.ts';
import { loadConfiguredModel } from '../../pipeline/model.ts';
import { CliExit } from '../exit.ts';

/** SIGTERM to exit: the daemon must be gone within 5 s; this leaves a margin for process teardown. */
export const STOP_DEADLINE_MS = 4_500;
/**
 * V8 young-generation semi-space cap, MB. The daemon allocates many short-lived buffers per MQTT
 * message; V8's default lets the young generation grow to tens of MB per thread. 2 MB keeps the
 * 1,000-wearable load under the 300 MB RSS target (bench gateway: ~350 MB without, ~285 MB with)
 * at no measurable throughput cost.
 */
export const MAX_SEMI_SPACE_MB = 2;
/** After a clean stop, a handle a dependency left open may keep the process alive this long at most. */
const EXIT_GRACE_MS = 500;
/** Simulated wearables of --demo. */
export const DEMO_WEARABLES = 3;

interface StartOptions {
  readonly config?: string;
  readonly demo?: boolean;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the gateway daemon (Ctrl-C stops it gracefully)')
    .option('-c, --config <file>', 'configuration file (YAML); default: the embedded config/default.yaml')
    .option('--demo', `also stream ${DEMO_WEARABLES} simulated wearables into the gateway`)
    .action((options: StartOptions) => runStart(options));
}

async function runStart(options: StartOptions): Promise<void> {
  // applies to heap growth from here on (the heap is still small) and to worker threads started later
  setFlagsFromString(`--max-semi-space-size=${MAX_SEMI_SPACE_MB}`);
  let config;
  try {
    config = await loadConfig(options.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(1, err.message);
    throw err;
  }
  const logger = createLogger({ level: config.gateway.logLevel });
  const model = await loadConfiguredModel(config.model).catch((err: unknown) => {
    throw new CliExit(1, `har-gateway start: cannot load the model (${err instanceof Error ? err.message : String(err)})`);
  });
  const connection = new MqttConnection({ config: config.mqtt, logger });
  const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
  const gateway = new Gateway({ config, logger, model, connection, ingest });
  try {
    await gateway.start();
  } catch (err) {
    throw new CliExit(1, `har-gateway start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const stopDemo = options.demo === true ? await startDemo(connection.brokerUrl, config.mqtt.baseTopic, logger) : null;
  await waitForSignal(logger);
  const deadline = setTimeout(() => {
    logger.fatal({ afterMs: STOP_DEADLINE_MS }, 'graceful stop took too long; exiting');
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  await stopDemo?.().catch((err: unknown) => logger.warn({ err: String(err) }, 'demo wearables did not stop cleanly'));
  await gateway.stop();
  clearTimeout(deadline);
  logger.info('gateway stopped');
  // anything a dependency left running must not keep the process past the deadline
  setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref();
}

function waitForSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      logger.info({ signal }, 'stopping: ingest, drain windows, flush SQLite, publish offline');
      // a second signal while stopping exits at once
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * --demo: simulated wearables in-process (device-sim/wearables) with synthetic signals: they
 * start at once (reading the HAPT recordings takes seconds), so predictions show within 10 s.
 * `har-gateway simulate` streams the real recordings.
 */
async function startDemo(brokerUrl: string, baseTopic: string, logger: Logger): Promise<() => Promise<void>> {
  const { startSimulatedWearables } = await import('../../../device-sim/wearables/index.ts');
  const fleet = await startSimulatedWearables({ url: brokerUrl, baseTopic, devices: DEMO_WEARABLES, dataDir: null, idPrefix: 'demo', logger });
  logger.info({ devices: fleet.deviceIds, source: fleet.source, brokerUrl }, '--demo: simulated wearables streaming; predictions follow within a few seconds');
  return () => fleet.stop();
}
