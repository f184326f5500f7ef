// The configuration schema: the one source of truth for the daemon's settings. Types, defaults
// and documentation (`.describe`) all come from here; the JSON schema (`har-gateway config
// schema`) and the README's configuration reference are generated from it.
//
// Ownership while the daemon is being built: each section is edited by the part that reads it
// (mqtt/ingest/simulate: the ingest side; pipeline/engine/model/store/websocket: the pipeline
// side). Every object is strict: unknown keys are errors.
import { z } from 'zod';

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
      })
      .prefault({}),
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL')
      .optional()
      .describe('external broker URL (broker: external)'),
    username: z.string().optional(),
    password: z.string().optional(),
    caFile: z.string().optional().describe('PEM file of the CA that signed the broker certificate'),
    certFile: z.string().optional().describe('client certificate (PEM) for mutual TLS'),
    keyFile: z.string().optional().describe('client private key (PEM) for mutual TLS'),
    clientId: z.string().min(1).max(64).default('har-gateway').describe('MQTT client id (persistent session)'),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    gateway: z
      .strictObject({
        dataDir: z.string().default('./data').describe('folder for the database and recordings (relative to the working directory)'),
        logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .prefault({}),
    mqtt: mqttSchema,
    model: z
      .strictObject({
        id: z.string().default('default').describe('zoo model id, or "default" for the zoo default'),
      })
      .prefault({}),
    engine: z
      .strictObject({
        kind: z.enum(['reference', 'mcu']).default('reference').describe('reference: TypeScript integer executor; mcu: the emulated RISC-V twin'),
        workers: z.number().int().min(1).max(64).default(2).describe('inference worker threads'),
      })
      .prefault({}),
    pipeline: z.strictObject({}).prefault({}),
    store: z.strictObject({}).prefault({}),
    websocket: z.strictObject({}).prefault({}),
  })
  .prefault({});

export type Config = z.infer<typeof configSchema>;
