// The embedded broker: aedes (MQTT 3.1.1) on a TCP listener, by default on loopback only.
// In-memory persistence: sessions and queued QoS 1 messages live as long as the daemon.
// The gateway's own client connects in process (connectInProcess): an in-memory duplex pair
// handed to aedes like any socket, so the daemon's MQTT session costs no loopback TCP.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { MqttError } from './errors.ts';
import { createInProcessPipe } from './in-process-pipe.ts';

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** 0 = any free port (see `port` after start()). */
  readonly port: number;
  /** When both are set, every client must log in with them (MQTT 3.1.1 section 3.1.3.4-5). */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly logger: Logger;
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket | Duplex>();
  private boundPort = 0;

  private readonly options: EmbeddedBrokerOptions;

  constructor(options: EmbeddedBrokerOptions) {
    this.options = options;
  }

  /** The port actually bound (after start()). */
  get port(): number {
    return this.boundPort;
  }

  /** mqtt:// URL a local client connects to. 0.0.0.0 / :: listeners are reached over loopback. */
  get url(): string {
    const host = this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    const { username, password } = this.options;
    const broker = await Aedes.createBroker(
      username !== undefined && password !== undefined
        ? {
            authenticate: (_client, user, pass, done) => {
              const ok = user !== undefined && pass !== undefined && sameSecret(user, username) && sameSecret(pass.toString('utf8'), password);
              // CONNACK 4: bad user name or password (MQTT 3.1.1 section 3.2.2.3)
              done(ok ? null : Object.assign(new Error('bad user name or password'), { returnCode: 4 as const }), ok);
            },
          }
        : {},
    );
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    broker.on('clientError', (client, err) => this.options.logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await closeBroker(broker);
      throw new MqttError('broker-listen', `embedded broker cannot listen on ${this.options.host}:${this.options.port}: ${(err as Error).message}`, { cause: err });
    }
    const address = server.address();
    this.boundPort = typeof address === 'object' && address !== null ? address.port : this.options.port;
    this.broker = broker;
    this.server = server;
    this.options.logger.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  /**
   * A client connection that does not leave the process: the broker handles one end of an
   * in-memory pipe, the caller speaks MQTT on the other (an mqtt.js stream builder).
   */
  connectInProcess(): Duplex {
    const broker = this.broker;
    const [clientEnd, brokerEnd] = createInProcessPipe();
    if (!broker) {
      // a stream builder must not throw (mqtt.js calls it from its reconnect timer): fail the stream instead
      process.nextTick(() => clientEnd.destroy(new MqttError('not-started', 'the embedded broker is not running')));
      return clientEnd;
    }
    this.sockets.add(brokerEnd);
    brokerEnd.once('close', () => this.sockets.delete(brokerEnd));
    broker.handle(brokerEnd);
    return clientEnd;
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = null;
    this.server = null;
    // what the broker accepted last (our `offline` state, a late will) is still on its way to the
    // subscribers: aedes delivers over a few event-loop turns; let it reach the sockets first
    if (broker) await settle(this.sockets);
    if (broker) await closeBroker(broker);
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Event-loop turns given to in-flight deliveries before the broker closes. */
const SETTLE_TURNS = 3;
/** Longest wait for client sockets to hand their buffered bytes to the kernel. */
const SETTLE_MAX_MS = 200;

async function settle(sockets: ReadonlySet<Socket | Duplex>): Promise<void> {
  const deadline = performance.now() + SETTLE_MAX_MS;
  for (let turn = 0; ; turn++) {
    const buffered = [...sockets].some((s) => !s.destroyed && s.writableLength > 0);
    if ((turn >= SETTLE_TURNS && !buffered) || performance.now() > deadline) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}

/** Constant-time comparison of two secrets (lengths may differ). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
