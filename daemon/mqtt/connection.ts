// The gateway's MQTT connection (ARCHITECTURE.md "daemon parts"): runs the embedded aedes broker
// or connects to an external one, keeps one mqtt.js client connected with a capped doubling
// backoff, subscribes with QoS 1 in a persistent session (clean: false, fixed client id) so that
// what the broker queued while we were away is delivered on return, and keeps the retained
// gateway state `online` / `offline` (also the last will) on `<base>/gateway/state`.
//
// MQTT 3.1.1 (aedes speaks nothing newer). Inbound messages are emitted on `messages$`; the
// ingest subscribes to it. Start the ingest (which registers its topic filters) before start():
// a persistent session may deliver queued messages as soon as the connection is up.
import { readFile } from 'node:fs/promises';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { MqttConfig } from '../config/schema.ts';
import { activityTopic, gatewayStateTopic, GATEWAY_OFFLINE, GATEWAY_ONLINE, modeTopic } from '../../protocol/topics.ts';
import { Backoff } from './backoff.ts';
import { EmbeddedBroker } from './embedded-broker.ts';
import { MqttError } from './errors.ts';

export interface InboundMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** Wall-clock ms at arrival (injected clock). */
  readonly receivedAtMs: number;
}

/** What an ingest needs from a connection (tests use a fake). */
export interface MessageSource {
  readonly messages$: Observable<InboundMessage>;
  /** Topic filters to hold (QoS 1) for as long as the connection lives; may be called before start(). */
  addSubscriptions(filters: readonly string[]): void;
}

export type ConnectionState = 'stopped' | 'connecting' | 'online' | 'offline';

export interface MqttConnectionCounters {
  readonly received: number;
  /** Received while nothing listened on messages$ (acknowledged to the broker, then lost). */
  readonly unrouted: number;
  readonly published: number;
  readonly publishFailures: number;
  readonly connects: number;
  readonly reconnectAttempts: number;
}

export interface MqttConnectionOptions {
  readonly config: MqttConfig;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Reads TLS files (injected in tests). */
  readonly readFile?: (path: string) => Promise<Buffer>;
}

/** How long stop() waits for the `offline` publish and the DISCONNECT before forcing. */
const STOP_TIMEOUT_MS = 1_500;

export class MqttConnection implements MessageSource {
  private readonly messages = new Subject<InboundMessage>();
  private readonly state = new BehaviorSubject<ConnectionState>('stopped');
  private readonly filters = new Set<string>();
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private broker: EmbeddedBroker | null = null;
  private client: MqttClient | null = null;
  private url = '';
  private stats = { received: 0, unrouted: 0, published: 0, publishFailures: 0, connects: 0, reconnectAttempts: 0 };

  readonly messages$: Observable<InboundMessage> = this.messages.asObservable();
  readonly state$: Observable<ConnectionState> = this.state.asObservable();

  private readonly options: MqttConnectionOptions;

  constructor(options: MqttConnectionOptions) {
    this.options = options;
    this.backoff = new Backoff(options.config.reconnect.initialDelayMs, options.config.reconnect.maxDelayMs);
    this.now = options.now ?? Date.now;
  }

  /** URL of the broker (the embedded one's real port after start()). */
  get brokerUrl(): string {
    return this.url;
  }

  get currentState(): ConnectionState {
    return this.state.value;
  }

  counters(): MqttConnectionCounters {
    return { ...this.stats };
  }

  addSubscriptions(filters: readonly string[]): void {
    const added = filters.filter((f) => !this.filters.has(f));
    for (const f of added) this.filters.add(f);
    if (added.length > 0 && this.client?.connected) this.subscribe(added);
  }

  async start(): Promise<void> {
    const { config, logger } = this.options;
    if (config.broker === 'embedded') {
      const { host, port, username, password } = config.embedded;
      this.broker = new EmbeddedBroker({ host, port, username, password, logger });
      await this.broker.start();
      this.url = this.broker.url;
    } else {
      this.url = config.url ?? '';
    }
    const clientOptions = await this.clientOptions();
    this.state.next('connecting');
    const broker = this.broker;
    // the embedded broker is reached in process (same MQTT session, no loopback socket); an external one by URL
    const client = broker ? new MqttClient(() => broker.connectInProcess(), clientOptions) : mqtt.connect(this.url, clientOptions);
    this.client = client;
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('reconnect', () => {
      this.stats.reconnectAttempts++;
      // mqtt.js reads reconnectPeriod each time it arms its timer: the next delay after this attempt
      client.options.reconnectPeriod = this.backoff.next();
    });
    client.on('offline', () => {
      if (this.state.value !== 'stopped') this.state.next('offline');
      logger.warn({ url: redact(this.url), retryInMs: client.options.reconnectPeriod }, 'MQTT connection lost; reconnecting');
    });
    client.on('error', (err) => {
      // after stop() began, errors of the closing socket are expected noise
      if (this.client === client) logger.warn({ err: err.message }, 'MQTT client error');
      else logger.debug({ err: err.message }, 'MQTT client error while stopping');
    });
    client.on('message', (topic, payload) => {
      this.stats.received++;
      if (!this.messages.observed) {
        this.stats.unrouted++;
        return;
      }
      this.messages.next({ topic, payload, receivedAtMs: this.now() });
    });
    try {
      await this.firstConnection(client, config.broker === 'embedded');
    } catch (err) {
      // a refused start leaves nothing running behind it
      this.client = null;
      await client.endAsync(true).catch(() => undefined);
      this.state.next('stopped');
      if (this.broker) {
        await this.broker.stop();
        this.broker = null;
      }
      throw err;
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) {
      if (client.connected) {
        await withTimeout(
          client.publishAsync(gatewayStateTopic(this.options.config.baseTopic), GATEWAY_OFFLINE, { qos: 1, retain: true }).then(() => undefined),
          STOP_TIMEOUT_MS,
        ).catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'could not publish offline state'));
      }
      await withTimeout(client.endAsync(), STOP_TIMEOUT_MS).catch(() => client.end(true));
    }
    this.state.next('stopped');
    if (this.broker) {
      await this.broker.stop();
      this.broker = null;
    }
    this.messages.complete();
  }

  /** Publishes raw bytes; resolves once the broker has them (QoS 1) or they are written (QoS 0). */
  async publish(topic: string, payload: string | Uint8Array, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const client = this.client;
    if (!client) throw new MqttError('not-started', 'MQTT connection is not started');
    try {
      await client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), opts);
      this.stats.published++;
    } catch (err) {
      this.stats.publishFailures++;
      throw new MqttError('publish-failed', `publish to ${topic} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * `<base>/<deviceId>/activity`, retained, QoS 0: the latest prediction; while offline it is
   * dropped (counted in publishFailures), the next window publishes a fresh one.
   */
  publishActivity(deviceId: string, payload: unknown): void {
    this.publishJsonQuietly(activityTopic(this.options.config.baseTopic, deviceId), payload, 0);
  }

  /** `<base>/<deviceId>/mode`, retained, QoS 1 (mode changes are rare and must not be lost). */
  publishMode(deviceId: string, payload: unknown): void {
    this.publishJsonQuietly(modeTopic(this.options.config.baseTopic, deviceId), payload, 1);
  }

  private publishJsonQuietly(topic: string, payload: unknown, qos: 0 | 1): void {
    if (!this.client || (qos === 0 && !this.client.connected)) {
      this.stats.publishFailures++;
      return;
    }
    this.publish(topic, JSON.stringify(payload), { qos, retain: true }).catch(() => undefined);
  }

  private onConnect(sessionPresent: boolean): void {
    const { logger, config } = this.options;
    this.stats.connects++;
    this.backoff.reset();
    if (this.client) this.client.options.reconnectPeriod = this.backoff.peek();
    this.state.next('online');
    logger.info({ url: redact(this.url), clientId: config.clientId, sessionPresent }, 'MQTT connected');
    // a resumed session still holds our subscriptions (and its queued messages); a new one needs them
    if (!sessionPresent && this.filters.size > 0) this.subscribe([...this.filters]);
    this.client
      ?.publishAsync(gatewayStateTopic(config.baseTopic), GATEWAY_ONLINE, { qos: 1, retain: true })
      .catch((err: unknown) => logger.warn({ err: String(err) }, 'could not publish online state'));
  }

  private subscribe(filters: string[]): void {
    const client = this.client;
    if (!client) return;
    client
      .subscribeAsync(filters, { qos: 1 })
      .then((granted) => {
        const refused = granted.filter((g) => g.qos === 128);
        if (refused.length > 0) this.options.logger.error({ filters: refused.map((g) => g.topic) }, 'broker refused subscriptions');
      })
      .catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'MQTT subscribe failed (retried on reconnect)'));
  }

  private async clientOptions(): Promise<IClientOptions> {
    const { config } = this.options;
    const read = this.options.readFile ?? ((p: string) => readFile(p));
    const file = async (path: string | undefined, what: string): Promise<Buffer | undefined> => {
      if (path === undefined) return undefined;
      try {
        return await read(path);
      } catch (err) {
        throw new MqttError('tls-file', `cannot read mqtt.${what} ${path}: ${(err as Error).message}`, { cause: err });
      }
    };
    const ca = await file(config.caFile, 'caFile');
    const cert = await file(config.certFile, 'certFile');
    const key = await file(config.keyFile, 'keyFile');
    return {
      protocolVersion: 4,
      clientId: config.clientId,
      clean: false, // persistent session: the broker keeps subscriptions and queued QoS 1 messages
      resubscribe: false, // we resubscribe ourselves when the broker has no session (onConnect)
      keepalive: config.keepaliveS,
      connectTimeout: config.connectTimeoutMs,
      reconnectPeriod: this.backoff.peek(),
      queueQoSZero: false,
      ...credentials(config),
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      rejectUnauthorized: config.rejectUnauthorized,
      will: { topic: gatewayStateTopic(config.baseTopic), payload: Buffer.from(GATEWAY_OFFLINE), qos: 1, retain: true },
    };
  }

  /**
   * Waits for the first CONNACK. The embedded broker must accept at once. An external broker that
   * is not reachable yet does not stop the daemon: after connectTimeoutMs start() returns and the
   * client keeps retrying; a broker that refuses us (bad credentials) is an error.
   */
  private firstConnection(client: MqttClient, mustConnect: boolean): Promise<void> {
    const { logger, config } = this.options;
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
      };
      const onConnect = (): void => {
        done();
        resolve();
      };
      const onError = (err: Error & { code?: number | string }): void => {
        // CONNACK return codes 1-5 (MQTT 3.1.1 section 3.2.2.3): the broker refused us
        if (typeof err.code === 'number' && err.code >= 1 && err.code <= 5) {
          done();
          reject(new MqttError('connect-refused', `broker ${redact(this.url)} refused the connection: ${err.message}`, { cause: err }));
        }
      };
      const timer = setTimeout(() => {
        done();
        if (mustConnect) {
          reject(new MqttError('connect-refused', `could not connect to the embedded broker at ${this.url}`));
        } else {
          logger.warn({ url: redact(this.url), afterMs: config.connectTimeoutMs }, 'MQTT broker not reachable yet; retrying in the background');
          resolve();
        }
      }, config.connectTimeoutMs);
      client.on('connect', onConnect);
      client.on('error', onError);
    });
  }
}

/** The login of our own client: the external broker's, or the embedded broker's when it requires one. */
function credentials(config: MqttConfig): { username?: string; password?: string } {
  const source = config.broker === 'external' ? config : config.embedded;
  return {
    ...(source.username !== undefined ? { username: source.username } : {}),
    ...(source.password !== undefined ? { password: source.password } : {}),
  };
}

/** Hides a password embedded in a URL (mqtt://user:secret@host). */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
