// The configuration schema: the one source of truth for the daemon's settings. Types, defaults
// and documentation (`.describe`) all come from here; the JSON schema (`har-gateway config
// schema`) and the README's configuration reference are generated from it.
//
// Ownership while the daemon is being built: each section is edited by the part that reads it
// (mqtt/ingest/simulate: the ingest side; pipeline/engine/model/store/websocket: the pipeline
// side). Every object is strict: unknown keys are errors.
import { z } from 'zod';
import { budgetSchema } from '../budget/config.ts';
import { bleSchema } from '../ble/config.ts';

const port = z.number().int().min(0).max(65535);

export const mqttSchema = z
  .strictObject({
    baseTopic: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'topic levels of letters, digits, _ and -')
      .default('har')
      .describe('first level(s) of every topic: <baseTopic>/<deviceId>/imu, ...'),
    broker: z
      .enum(['embedded', 'external'])
      .default('embedded')
      .describe('embedded: run an aedes broker in the daemon; external: connect to mqtt.url'),
    embedded: z
      .strictObject({
        host: z.string().default('127.0.0.1').describe('address the embedded broker listens on'),
        port: port.default(1883).describe('TCP port of the embedded broker (0 = any free port)'),
        username: z.string().min(1).optional().describe('when set (with password), clients must log in with these credentials; set it when host is not loopback'),
        password: z.string().min(1).optional().describe('password of embedded.username'),
      })
      .prefault({})
      .refine((e) => (e.username === undefined) === (e.password === undefined), { message: 'username and password go together', path: ['password'] }),
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL')
      .optional()
      .describe('external broker URL (broker: external)'),
    username: z.string().optional().describe('external broker user name'),
    password: z.string().optional().describe('external broker password'),
    caFile: z.string().optional().describe('PEM file of the CA that signed the broker certificate'),
    certFile: z.string().optional().describe('client certificate (PEM) for mutual TLS'),
    keyFile: z.string().optional().describe('client private key (PEM) for mutual TLS'),
    rejectUnauthorized: z.boolean().default(true).describe('mqtts/wss: refuse a broker certificate that does not verify against caFile / the system CAs'),
    clientId: z.string().min(1).max(64).default('har-gateway').describe('MQTT client id (persistent session)'),
    keepaliveS: z.number().int().min(5).max(3600).default(30).describe('MQTT keepalive interval, seconds'),
    connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000).describe('time allowed for one connection attempt, ms'),
    reconnect: z
      .strictObject({
        initialDelayMs: z.number().int().min(50).max(60_000).default(250).describe('delay before the first reconnection attempt, ms'),
        maxDelayMs: z.number().int().min(50).max(300_000).default(2_000).describe('cap of the doubling delay between attempts, ms'),
      })
      .prefault({})
      .refine((r) => r.maxDelayMs >= r.initialDelayMs, { message: 'maxDelayMs must be >= initialDelayMs', path: ['maxDelayMs'] }),
  })
  .prefault({})
  .describe('MQTT: the embedded broker or an external one, and the client connection to it')
  .refine((m) => m.broker !== 'external' || m.url !== undefined, { message: 'broker: external needs mqtt.url', path: ['url'] })
  .refine((m) => (m.certFile === undefined) === (m.keyFile === undefined), { message: 'certFile and keyFile go together', path: ['keyFile'] });

export const ingestSchema = z
  .strictObject({
    maxPayloadBytes: z
      .number()
      .int()
      .min(64)
      .max(16 * 1024 * 1024)
      .default(256 * 1024)
      .describe('larger payloads are dropped before parsing (kind "oversized"); a full JSON batch of 1024 six-axis samples is about 130 kB'),
    maxDevices: z.number().int().min(1).max(1_000_000).default(10_000).describe('devices tracked at once; payloads of further devices are dropped (kind "too-many-devices")'),
    maxAbsAccG: z.number().positive().max(1000).default(32).describe('largest accepted |acceleration| on any axis, g (kind "out-of-range")'),
    maxAbsGyroRadS: z.number().positive().max(1000).default(70).describe('largest accepted |angular rate| on any axis, rad/s (kind "out-of-range")'),
  })
  .prefault({})
  .describe('validation of inbound payloads (protocol/README.md); bad ones are counted per device and kind, logged once, dropped');

export const configSchema = z
  .strictObject({
    gateway: z
      .strictObject({
        dataDir: z.string().default('./data').describe('folder for the database and recordings (relative to the working directory)'),
        logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('log level (pino)'),
        record: z
          .union([z.boolean(), z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device id ([A-Za-z0-9_-], 1-64 characters)')).min(1)])
          .default(false)
          .describe('store the raw sample batches received (daemon/recording/README.md) under <dataDir>/recordings/<start time>/, replayable bit for bit with `har-gateway replay`: true = every device, or a list of device ids'),
      })
      .prefault({})
      .describe('the daemon as a whole'),
    mqtt: mqttSchema,
    ingest: ingestSchema,
    model: z
      .strictObject({
        id: z.string().default('default').describe('zoo model id, or "default" for the zoo default'),
        file: z.string().min(1).optional().describe('path of a model artifact (.harm) to run instead of a zoo model (relative to the working directory)'),
        threshold: z
          .number()
          .int()
          .min(0)
          .max(0xffff_ffff)
          .default(0xffff_ffff)
          .describe('adaptive threshold of every window (models/ARITHMETIC.md section 6): 4294967295 = always the full network, 0 = always the first exit'),
      })
      .prefault({})
      .describe('the model the gateway runs'),
    engine: z
      .strictObject({
        kind: z.enum(['reference', 'mcu']).default('mcu').describe('mcu: the emulated RISC-V twin running the firmware (cycles, latency and energy per window); reference: the TypeScript integer executor (same predictions, no cycles or energy)'),
        workers: z.number().int().min(1).max(64).default(2).describe('inference worker threads'),
        profile: z
          .string()
          .min(1)
          .optional()
          .describe('engine kind mcu: energy/clock profile of the emulated MCU (device-sim/timing ENERGY_PROFILES; default: its default profile)'),
      })
      .prefault({})
      .describe('where windows are inferred (worker threads, so inference never blocks ingest)'),
    pipeline: z
      .strictObject({
        gapFill: z.enum(['hold', 'linear']).default('linear').describe('how a small sequence gap is filled: hold repeats the last sample, linear interpolates to the next one'),
        maxGapFillSamples: z
          .number()
          .int()
          .min(0)
          .max(1024)
          .default(8)
          .describe('largest gap (samples at the device rate) that is filled; a larger one restarts the window (0 = never fill)'),
        maxQueuedWindowsPerDevice: z
          .number()
          .int()
          .min(1)
          .max(1024)
          .default(16)
          .describe('windows of one device waiting for inference (16 = about 20 s at stride 64 / 50 Hz); past it the oldest waiting window is dropped and counted (drop-oldest)'),
        maxQueuedWindowsPerWorker: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(256)
          .describe('windows waiting for one inference worker over all its devices; past it the oldest is dropped and counted (bounds the queueing delay when inference cannot keep up)'),
        maxInFlightPerWorker: z.number().int().min(1).max(256).default(4).describe('windows posted to one inference worker at a time'),
        drainTimeoutMs: z.number().int().min(0).max(60_000).default(2_000).describe('on shutdown, longest wait for the windows in flight'),
      })
      .prefault({})
      .describe('per-device windowing: gaps, resampling into the model rate, windows, inference queues'),
    store: z
      .strictObject({
        flushIntervalMs: z.number().int().min(10).max(60_000).default(250).describe('buffered rows are committed at least this often (one transaction)'),
        batchRows: z.number().int().min(1).max(100_000).default(500).describe('buffered rows that trigger an immediate commit'),
        retentionDays: z.number().min(0).max(36_500).default(30).describe('predictions older than this are deleted (hourly); 0 keeps them forever'),
      })
      .prefault({})
      .describe('SQLite database <gateway.dataDir>/har-gateway.db (WAL)'),
    websocket: z
      .strictObject({
        enabled: z.boolean().default(true).describe('serve the WebSocket API and /health'),
        host: z.string().default('127.0.0.1').describe('address the WebSocket server listens on (loopback by default)'),
        port: port.default(8765).describe('TCP port of the WebSocket server and /health (0 = any free port)'),
        maxBufferedBytes: z
          .number()
          .int()
          .min(1024)
          .max(256 * 1024 * 1024)
          .default(1024 * 1024)
          .describe('a client with more unsent bytes than this is dropped (slow consumer), never buffered without bound'),
        statsIntervalMs: z.number().int().min(0).max(3_600_000).default(1_000).describe('interval of `stats` messages (0 = none)'),
      })
      .prefault({})
      .describe('WebSocket API: a snapshot on connect, then prediction, error and stats messages'),
    budget: budgetSchema.describe(
      'battery budget per device or device class (daemon/budget/README.md): picks each window\'s operating mode (threshold) from the battery and target; devices without an entry run at model.threshold',
    ),
    ble: bleSchema,
  })
  .prefault({});

export type Config = z.infer<typeof configSchema>;
export type MqttConfig = z.infer<typeof mqttSchema>;
export type IngestConfig = z.infer<typeof ingestSchema>;
