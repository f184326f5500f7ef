// `npm run bench -- gateway [--devices N] [--seconds S] ...`: the daemon under load.
//
// Spawns the real daemon (`bin/har-gateway.js start`, embedded broker and WebSocket on free
// loopback ports, temp data dir), then streams N simulated wearables at their real rate from
// this process: generated six-axis signals, binary batches of --batch samples, QoS 1, over a
// few MQTT connections. Each wearable starts streaming at its own moment, drawn uniformly (seeded)
// from the first --start-spread seconds: real wearables join a gateway independently, and since a
// window completes every stride (64 samples) after a device's first sample, devices that all start
// within one batch period complete their windows in lock-step bursts (2.6x the mean window rate at
// 1,000 wearables) that no real fleet produces. `--start-spread 0.5` reproduces that worst case.
// After --warmup seconds it measures for --seconds and prints sustained
// samples/s and windows/s (counted by the daemon), p50/p99 ingest-to-prediction latency (from
// every prediction on the WebSocket), drops (ingest, inference queues, unrouted), the daemon's
// CPU (utime + stime of the process, all threads) and its peak RSS.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import type { Envelope, StatsEnvelope } from '../daemon/api/envelopes.ts';
import { quantile } from '../daemon/pipeline/prediction-log.ts';
import { seededRandom } from '../device-sim/twin/random-models.ts';
import { encodeBinaryBatch } from '../protocol/binary-batch.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..');
/** Devices per publishing MQTT connection: spreads the load over a few sockets, like gateways of BLE bridges. */
const DEVICES_PER_CONNECTION = 125;
/** Publisher tick: batches due within a tick go out together. */
const TICK_MS = 10;
/** Generated signal per device, repeated: long enough that windows differ. */
const SIGNAL_SAMPLES = 1000;
const CLK_TCK = 100; // /proc/<pid>/stat times are in clock ticks (USER_HZ, 100 on Linux)

const USAGE = `har-gateway bench gateway [options]
  --devices N      simulated wearables (default 1000)
  --seconds S      measured seconds (default 30)
  --warmup S       seconds before measuring (default: start spread + 3)
  --start-spread S wearables start at seeded uniform random moments within S seconds (default 5)
  --seed N         seed of the start moments (default 1)
  --rate HZ        sample rate of each wearable (default 50)
  --batch N        samples per MQTT message (default 25)
  --workers N      inference worker threads (default 2)
  --model FILE     model artifact (default: the zoo default, models/zoo/zoo.json)
  --engine KIND    reference | mcu (default reference)
  --profile DIR    write V8 CPU profiles of the daemon's threads into DIR (node --cpu-prof)`;

interface Options {
  devices: number;
  seconds: number;
  warmup: number;
  startSpread: number;
  seed: number;
  rateHz: number;
  batch: number;
  workers: number;
  model: string;
  engine: string;
  profileDir: string | null;
}

function parseOptions(args: readonly string[]): Options | null {
  const { values } = parseArgs({
    args: [...args],
    options: {
      devices: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'start-spread': { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      batch: { type: 'string' },
      workers: { type: 'string' },
      model: { type: 'string' },
      engine: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  const zooDefault = (JSON.parse(readFileSync(join(REPO_ROOT, 'models/zoo/zoo.json'), 'utf8')) as { default: string }).default;
  const num = (name: string, raw: string | undefined, fallback: number, min: number, integer = false): number => {
    const v = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min} (got ${raw})`);
    return v;
  };
  const startSpread = num('start-spread', values['start-spread'], 5, 0);
  return {
    devices: num('devices', values.devices, 1000, 1, true),
    seconds: num('seconds', values.seconds, 30, 1),
    warmup: num('warmup', values.warmup, startSpread + 3, 0),
    startSpread,
    seed: num('seed', values.seed, 1, 0, true),
    rateHz: num('rate', values.rate, 50, 1),
    batch: num('batch', values.batch, 25, 1, true),
    workers: num('workers', values.workers, 2, 1, true),
    model: values.model ?? join(REPO_ROOT, 'models/zoo', `${zooDefault}.harm`),
    engine: values.engine ?? 'reference',
    profileDir: values.profile ?? null,
  };
}

interface DaemonHandle {
  pid: number;
  mqttUrl: string;
  wsUrl: string;
  stop(): Promise<{ code: number | null; elapsedMs: number }>;
}

async function spawnDaemon(dir: string, o: Options): Promise<DaemonHandle> {
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    [
      'gateway:',
      `  dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      '  logLevel: info', // "gateway started" (info) tells the ports; predictions are rate-limited in the log
      'mqtt:',
      '  embedded: { host: 127.0.0.1, port: 0 }',
      'ingest:',
      `  maxDevices: ${Math.max(10_000, o.devices)}`,
      `model: { file: ${JSON.stringify(o.model)} }`,
      `engine: { kind: ${o.engine}, workers: ${o.workers} }`,
      'websocket: { port: 0, statsIntervalMs: 1000, maxBufferedBytes: 8388608 }', // ~30 s of prediction messages for a slow bench client
    ].join('\n'),
  );
  const profile = o.profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', o.profileDir];
  const child = spawn(process.execPath, [...profile, 'bin/har-gateway.js', 'start', '--config', configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, HAR_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const started = await new Promise<Record<string, unknown>>((resolveStarted, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          if (record.msg === 'gateway started') resolveStarted(record);
          else if (typeof record.level === 'number' && record.level >= 40) process.stderr.write(`daemon: ${line}\n`);
        } catch {
          /* not a log record */
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`the daemon exited (${code}) before it started`)));
  });
  return {
    pid: child.pid!,
    mqttUrl: String(started.mqtt),
    wsUrl: String(started.websocket),
    stop: () =>
      new Promise((resolveStop) => {
        const t0 = performance.now();
        child.once('exit', (code) => resolveStop({ code, elapsedMs: performance.now() - t0 }));
        child.kill('SIGTERM');
      }),
  };
}

/** utime + stime of a process, seconds (all its threads). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of proc(5)
}

function rssMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** One device's pre-encoded batches over a generated signal; seq and t0 are patched per send. */
function deviceBatches(index: number, o: Options): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let first = 0; first + o.batch <= SIGNAL_SAMPLES; first += o.batch) {
    const acc = new Float64Array(o.batch * 3);
    const gyro = new Float64Array(o.batch * 3);
    for (let i = 0; i < o.batch; i++) {
      const t = (first + i) / o.rateHz;
      for (let a = 0; a < 3; a++) {
        const f = 0.5 + 0.37 * a + ((index * 0.13) % 2);
        acc[i * 3 + a] = (a === 2 ? 1 : 0) + 0.7 * Math.sin(2 * Math.PI * f * t + index);
        gyro[i * 3 + a] = 1.2 * Math.sin(2 * Math.PI * (f / 3) * t + a);
      }
    }
    out.push(encodeBinaryBatch({ seq: 0, t0Ms: 0, rateHz: o.rateHz, samples: o.batch, acc, gyro }));
  }
  return out;
}

class LoadGenerator {
  private clients: MqttClient[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly batches: Uint8Array[][];
  private readonly nextDueMs: Float64Array;
  private readonly sent: Uint32Array;
  published = 0;
  publishErrors = 0;
  lateMsMax = 0;
  private readonly o: Options;

  constructor(o: Options) {
    this.o = o;
    this.batches = Array.from({ length: o.devices }, (_, i) => deviceBatches(i, o));
    this.nextDueMs = new Float64Array(o.devices);
    this.sent = new Uint32Array(o.devices);
  }

  async start(url: string): Promise<void> {
    const connections = Math.ceil(this.o.devices / DEVICES_PER_CONNECTION);
    this.clients = await Promise.all(Array.from({ length: connections }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-${i}`, protocolVersion: 4, reconnectPeriod: 0 })));
    const periodMs = (1000 * this.o.batch) / this.o.rateHz;
    const now = performance.now();
    const random = seededRandom(this.o.seed);
    for (let d = 0; d < this.o.devices; d++) this.nextDueMs[d] = now + random() * this.o.startSpread * 1000;
    this.timer = setInterval(() => this.tick(periodMs), TICK_MS);
  }

  private tick(periodMs: number): void {
    const now = performance.now();
    const epochOffsetMs = Date.now() - now;
    for (let d = 0; d < this.o.devices; d++) {
      while (this.nextDueMs[d]! <= now) {
        this.lateMsMax = Math.max(this.lateMsMax, now - this.nextDueMs[d]!);
        const k = this.sent[d]!;
        const pool = this.batches[d]!;
        const payload = Buffer.from(pool[k % pool.length]!); // copy: the header is patched per send
        const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
        view.setUint32(4, (k * this.o.batch) >>> 0, true);
        view.setFloat64(8, this.nextDueMs[d]! + epochOffsetMs, true);
        const client = this.clients[Math.floor(d / DEVICES_PER_CONNECTION)]!;
        client.publish(`har/bench-${d}/imu`, payload, { qos: 1 }, (err) => {
          if (err) this.publishErrors += 1;
        });
        this.published += 1;
        this.sent[d] = k + 1;
        this.nextDueMs[d] = this.nextDueMs[d]! + periodMs;
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
  }
}

export async function run(args: readonly string[]): Promise<number> {
  const o = parseOptions(args);
  if (!o) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'har-bench-'));
  process.stdout.write(`bench gateway: ${o.devices} wearables at ${o.rateHz} Hz, ${o.batch} samples/message, engine ${o.engine} x${o.workers}, starts within ${o.startSpread} s (seed ${o.seed}), model ${o.model}\n`);
  const daemon = await spawnDaemon(dir, o);
  const load = new LoadGenerator(o);
  try {
    const ws = new WebSocket(daemon.wsUrl);
    let measuring = false;
    const latencies: number[] = [];
    let lastStats: StatsEnvelope | null = null;
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString()) as Envelope;
      if (e.type === 'stats') lastStats = e;
      else if (e.type === 'prediction' && measuring) latencies.push(e.ingestToPredictionMs);
    });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await load.start(daemon.mqttUrl);
    await sleep(o.warmup * 1000);
    const statsAt = async (): Promise<StatsEnvelope> => {
      const before = lastStats;
      while (lastStats === before) await sleep(50);
      return lastStats!;
    };
    const s0 = await statsAt();
    const cpu0 = cpuSeconds(daemon.pid);
    const t0 = performance.now();
    measuring = true;
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(daemon.pid).rss)), 500);
    await sleep(o.seconds * 1000);
    measuring = false;
    clearInterval(rssTimer);
    const s1 = await statsAt();
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(daemon.pid);
    const memory = rssMb(daemon.pid);
    const d = (key: string) => (s1.pipeline[key] ?? 0) - (s0.pipeline[key] ?? 0);
    const statsSpanS = (s1.uptimeMs - s0.uptimeMs) / 1000;
    const figures = {
      devices: o.devices,
      seconds: Math.round(statsSpanS * 10) / 10,
      offeredSamplesPerS: Math.round((o.devices * o.rateHz)),
      samplesPerS: Math.round(d('ingestSamples') / statsSpanS),
      windowsPerS: Math.round((d('results') / statsSpanS) * 10) / 10,
      windowsCutPerS: Math.round((d('windows') / statsSpanS) * 10) / 10,
      p50Ms: round2(quantile(latencies, 0.5)),
      p99Ms: round2(quantile(latencies, 0.99)),
      maxMs: round2(Math.max(...latencies)),
      drops: {
        ingest: d('ingestDropped'),
        inferenceQueue: d('windowsDropped'),
        inferenceFailed: d('inferenceFailed'),
        wsClients: s1.websocket.droppedSlowClients,
      },
      backlogAtEnd: { queued: s1.pipeline.queued ?? 0, inFlight: s1.pipeline.inFlight ?? 0 },
      daemonCpuPercent: Math.round(((cpu1 - cpu0) / elapsedS) * 1000) / 10,
      // CPU cost per predicted window (ingest, windowing, inference, outputs): comparable across machine load
      daemonCpuMsPerWindow: Math.round((((cpu1 - cpu0) * 1000) / Math.max(1, d('results') * (elapsedS / statsSpanS))) * 100) / 100,
      loadAverage1m: Math.round(loadavg()[0]! * 10) / 10,
      daemonRssMb: Math.round(memory.rss),
      daemonPeakRssMb: Math.round(Math.max(peakRss, memory.hwm)),
      publisherMaxLateMs: Math.round(load.lateMsMax),
      publishErrors: load.publishErrors,
    };
    ws.terminate();
    await load.stop();
    const stopped = await daemon.stop();
    printFigures(figures, stopped);
    return 0;
  } catch (err) {
    await load.stop();
    await daemon.stop();
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printFigures(f: Record<string, unknown> & { drops: Record<string, number> }, stopped: { code: number | null; elapsedMs: number }): void {
  const lines = [
    `  sustained samples/s       ${String(f.samplesPerS)} (offered ${String(f.offeredSamplesPerS)})`,
    `  windows/s (predicted)     ${String(f.windowsPerS)} (cut ${String(f.windowsCutPerS)})`,
    `  ingest-to-prediction      p50 ${String(f.p50Ms)} ms, p99 ${String(f.p99Ms)} ms, max ${String(f.maxMs)} ms`,
    `  drops                     ingest ${f.drops.ingest}, inference queue ${f.drops.inferenceQueue}, inference failed ${f.drops.inferenceFailed}, ws clients ${f.drops.wsClients}`,
    `  daemon CPU                ${String(f.daemonCpuPercent)} % of one core (2 cores = 200 %), ${String(f.daemonCpuMsPerWindow)} ms CPU per window; machine load average ${String(f.loadAverage1m)}`,
    `  daemon RSS                ${String(f.daemonRssMb)} MB (peak ${String(f.daemonPeakRssMb)} MB)`,
    `  SIGTERM to exit           ${Math.round(stopped.elapsedMs)} ms, exit code ${String(stopped.code)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ ...f, stopMs: Math.round(stopped.elapsedMs), exitCode: stopped.code })}\n`);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
