// `har-gateway simulate`: stream simulated wearables over MQTT (device-sim/wearables/): HAPT
// recordings from the shared datasets when present, else synthetic signals.
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { pino, destination } from 'pino';
import { CliExit } from '../exit.ts';
import { loadConfig } from '../../config/load.ts';
import { ConfigError } from '../../config/errors.ts';

/** Default data folder: HAR_DATA_DIR, else ../shared/datasets beside the repository. */
export function defaultDataDir(): string {
  return process.env.HAR_DATA_DIR ?? fileURLToPath(new URL('../../../../shared/datasets', import.meta.url));
}

interface SimulateFlags {
  devices: number;
  url?: string;
  config?: string;
  username?: string;
  password?: string;
  speed: number;
  format: 'json' | 'binary';
  duration?: number;
  data?: string;
  synthetic?: boolean;
  baseTopic?: string;
  batch: number;
  qos: 0 | 1;
  connection: 'shared' | 'per-device';
  accOnly?: boolean;
  battery: number;
  seed: number;
  idPrefix: string;
  logLevel: string;
}

function positiveNumber(what: string, integer = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${what} must be a positive ${integer ? 'integer' : 'number'}`);
    return n;
  };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('stream simulated wearables over MQTT: HAPT recordings (HAR_DATA_DIR) or, without data, synthetic gait-like signals')
    .requiredOption('--devices <n>', 'number of simulated wearables', positiveNumber('--devices', true))
    .option('--url <url>', 'broker URL (default: the broker of --config, else mqtt://127.0.0.1:1883)')
    .option('--config <file>', "take the broker URL and base topic from this gateway configuration (its embedded broker's address, or mqtt.url)")
    .option('--speed <x>', 'playback speed: 1 = real time, 10 = ten times faster', positiveNumber('--speed'), 1)
    .addOption(new Option('--format <form>', 'payload form').choices(['json', 'binary']).default('binary'))
    .option('--duration <s>', 'stop after this many wall-clock seconds (default: until Ctrl-C)', positiveNumber('--duration'))
    .option('--data <dir>', 'shared datasets folder (default: $HAR_DATA_DIR or ../shared/datasets)')
    .option('--synthetic', 'use synthetic signals even when recordings are present')
    .option('--username <name>', 'broker login (default: the one of --config)')
    .option('--password <secret>', 'broker password (default: the one of --config)')
    .option('--base-topic <topic>', 'base topic (default: the one of --config, else har)')
    .option('--batch <n>', 'samples per batch', positiveNumber('--batch', true), 25)
    .addOption(new Option('--qos <q>', 'MQTT QoS of the publishes').choices(['0', '1']).default(1).argParser((v) => (v === '0' ? 0 : 1)))
    .addOption(new Option('--connection <kind>', 'one MQTT connection for all devices, or one each').choices(['shared', 'per-device']).default('shared'))
    .option('--acc-only', 'accelerometer-only devices (no gyroscope)')
    .option('--battery <s>', 'battery report every this many simulated seconds (0 = none)', (v) => Number(v), 60)
    .option('--seed <n>', 'seed of the synthetic signals', (v) => Number(v), 1)
    .option('--id-prefix <prefix>', 'device ids are <prefix>-1 .. <prefix>-N', 'sim')
    .option('--log-level <level>', 'log level (to stderr)', 'info')
    .action(async (flags: SimulateFlags) => {
      const logger = pino({ level: flags.logLevel }, destination(2));
      const target = await brokerTarget(flags);
      const { startSimulatedWearables } = await import('../../../device-sim/wearables/index.ts');
      let fleet;
      try {
        fleet = await startSimulatedWearables({
          url: target.url,
          ...(target.username !== undefined ? { username: target.username } : {}),
          ...(target.password !== undefined ? { password: target.password } : {}),
          devices: flags.devices,
          speed: flags.speed,
          format: flags.format,
          ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
          dataDir: flags.synthetic ? null : (flags.data ?? defaultDataDir()),
          baseTopic: target.baseTopic,
          batchSamples: flags.batch,
          qos: flags.qos,
          connection: flags.connection,
          accOnly: flags.accOnly ?? false,
          batteryIntervalS: flags.battery,
          seed: flags.seed,
          idPrefix: flags.idPrefix,
          logger,
        });
      } catch (err) {
        throw new CliExit(1, `har-gateway simulate: cannot start (${err instanceof Error ? err.message : String(err)})`);
      }
      process.stdout.write(`simulating ${fleet.deviceIds.length} wearable(s) (${fleet.source}) -> ${target.url}, ${flags.format}, speed ${flags.speed}\n`);
      const onSignal = (): void => void fleet.stop();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      await fleet.done;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const s = fleet.stats();
      process.stdout.write(`sent ${s.batches} batches (${s.samples} samples), ${s.batteryReports} battery reports; publish errors ${s.publishErrors}, skipped batches ${s.skippedBatches}\n`);
      if (s.publishErrors > 0) process.exitCode = 1;
    });
}

/** Broker URL and base topic: flags first, then the gateway configuration, then the defaults. */
interface BrokerTarget {
  url: string;
  baseTopic: string;
  username?: string | undefined;
  password?: string | undefined;
}

async function brokerTarget(flags: SimulateFlags): Promise<BrokerTarget> {
  if (flags.config === undefined) {
    return { url: flags.url ?? 'mqtt://127.0.0.1:1883', baseTopic: flags.baseTopic ?? 'har', username: flags.username, password: flags.password };
  }
  let mqttConfig;
  try {
    mqttConfig = (await loadConfig(flags.config)).mqtt;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(1, `${flags.config}: invalid configuration\n${err.lines.join('\n')}`);
    throw err;
  }
  const { host, port } = mqttConfig.embedded;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const configured = mqttConfig.broker === 'external' ? (mqttConfig.url ?? '') : `mqtt://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  const login = mqttConfig.broker === 'external' ? mqttConfig : mqttConfig.embedded;
  return {
    url: flags.url ?? configured,
    baseTopic: flags.baseTopic ?? mqttConfig.baseTopic,
    username: flags.username ?? login.username,
    password: flags.password ?? login.password,
  };
}
