// `npm run bench -- ingest [--devices N] [--speed X] [--seconds S]`: the ingest side alone.
//
// 1. Decode + validate, in-process, no network: batches of 25 six-axis samples in both payload
//    forms: µs per batch and samples/s (one core).
// 2. End to end in one process: an embedded aedes broker (MqttConnection, port 0), MqttIngest,
//    and N simulated wearables (synthetic signals, one shared connection, QoS 1) at X times real
//    time: batches/s and samples/s sustained through the ingest, drops by kind, process CPU and
//    peak RSS. The wearables and the broker run in the same process, so CPU and RSS include them.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { MqttConnection } from '../daemon/mqtt/connection.ts';
import { MqttIngest } from '../daemon/ingest/mqtt-ingest.ts';
import { validateConfig } from '../daemon/config/load.ts';
import { decodeImuPayload } from '../protocol/decode.ts';
import { validateBatch } from '../protocol/validate-batch.ts';
import { encodeBinaryBatch } from '../protocol/binary-batch.ts';
import { encodeJsonBatch } from '../protocol/json-batch.ts';
import { createSyntheticSource } from '../device-sim/wearables/synthetic.ts';
import { startSimulatedWearables, type PayloadFormat } from '../device-sim/wearables/index.ts';

const USAGE = `har-gateway bench ingest [options]
  --devices N     simulated wearables for the end-to-end part (default 1000)
  --speed X       playback speed (default 1: 50 Hz real time)
  --seconds S     measured seconds (default 10, after 2 s of warm-up)
  --format F      binary | json (default binary)
  --batch N       samples per batch (default 25)`;

const BATCH_DECODE_ROUNDS = 20_000;

export async function run(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        devices: { type: 'string', default: '1000' },
        speed: { type: 'string', default: '1' },
        seconds: { type: 'string', default: '10' },
        format: { type: 'string', default: 'binary' },
        batch: { type: 'string', default: '25' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const devices = Number(values.devices);
  const speed = Number(values.speed);
  const seconds = Number(values.seconds);
  const batchSamples = Number(values.batch);
  const format = values.format as PayloadFormat;
  if (![devices, speed, seconds, batchSamples].every((n) => Number.isFinite(n) && n > 0) || !['binary', 'json'].includes(format)) {
    process.stderr.write(`bad option value\n${USAGE}\n`);
    return 2;
  }

  decodeBench(batchSamples);
  await endToEnd({ devices, speed, seconds, format, batchSamples });
  return 0;
}

function decodeBench(batchSamples: number): void {
  const source = createSyntheticSource({ seed: 1 });
  const acc = new Float64Array(batchSamples * 3);
  const gyro = new Float64Array(batchSamples * 3);
  source.read(0, batchSamples, acc, gyro);
  const batch = { seq: 0, t0Ms: 1_732_450_000_000, rateHz: 50, samples: batchSamples, acc, gyro };
  for (const [form, bytes] of [
    ['binary', encodeBinaryBatch(batch)],
    ['json', encodeJsonBatch(batch)],
    ['json 5 digits', encodeJsonBatch(batch, { fractionDigits: 5 })],
  ] as const) {
    for (let i = 0; i < 2000; i++) decodeImuPayload('d', bytes); // warm-up
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH_DECODE_ROUNDS; i++) {
      const r = decodeImuPayload('d', bytes);
      if (!r.ok || validateBatch(r.batch) !== null) throw new Error('bench batch rejected');
    }
    const us = Number(process.hrtime.bigint() - start) / 1000 / BATCH_DECODE_ROUNDS;
    process.stdout.write(
      `decode+validate ${form.padEnd(14)} ${bytes.length} bytes/batch: ${us.toFixed(2)} us/batch, ${Math.round(1e6 / us)} batches/s, ${((batchSamples * 1e6) / us / 1e6).toFixed(2)} M samples/s\n`,
    );
  }
}

async function endToEnd(o: { devices: number; speed: number; seconds: number; format: PayloadFormat; batchSamples: number }): Promise<void> {
  const logger = pino({ level: 'warn' });
  const config = validateConfig({ mqtt: { embedded: { port: 0 }, clientId: 'bench-ingest' } });
  const connection = new MqttConnection({ config: config.mqtt, logger });
  const ingest = new MqttIngest({ source: connection, baseTopic: 'har', config: config.ingest, logger });
  ingest.batches$.subscribe(() => undefined);
  await ingest.start();
  await connection.start();
  const fleet = await startSimulatedWearables({
    url: connection.brokerUrl,
    devices: o.devices,
    speed: o.speed,
    format: o.format,
    batchSamples: o.batchSamples,
    dataDir: null,
    batteryIntervalS: 0,
    idPrefix: 'bench',
    logger,
  });
  await sleep(2000);
  const c0 = ingest.counters();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let peakRssMb = 0;
  const loadAvg = loadavg()[0] ?? 0;
  const rssTimer = setInterval(() => (peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20)), 200);
  await sleep(o.seconds * 1000);
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const c1 = ingest.counters();
  const backlogBatches = fleet.stats().batches - c1.batches - c1.dropped;
  clearInterval(rssTimer);
  await fleet.stop();
  await ingest.stop();
  await connection.stop();

  const offeredSamplesPerS = o.devices * 50 * o.speed;
  const batchesPerS = (c1.batches - c0.batches) / elapsedS;
  const samplesPerS = (c1.samples - c0.samples) / elapsedS;
  const fs = fleet.stats();
  process.stdout.write(
    [
      `end to end: ${o.devices} wearables x 50 Hz x speed ${o.speed} (${o.format}, ${o.batchSamples}-sample batches, QoS 1, embedded aedes, one process), ${elapsedS.toFixed(1)} s measured`,
      `  offered   ${Math.round(offeredSamplesPerS)} samples/s`,
      `  ingested  ${Math.round(samplesPerS)} samples/s, ${Math.round(batchesPerS)} batches/s`,
      `  backlog   ${backlogBatches} batches published but not yet ingested at the end (growing = not keeping up)`,
      `  dropped   ${c1.dropped - c0.dropped} by the ingest ${JSON.stringify(c1.errorsByKind)}; simulator skipped ${fs.skippedBatches} batches (fell behind), publish errors ${fs.publishErrors}`,
      `  CPU       ${(((cpu.user + cpu.system) / 1e6 / elapsedS) * 100).toFixed(0)} % of one core (broker + ingest + simulator)`,
      `  RSS       ${peakRssMb.toFixed(0)} MB peak`,
      `  machine   load average ${loadAvg.toFixed(1)} at the start (other processes compete for the cores)`,
      '',
    ].join('\n'),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
