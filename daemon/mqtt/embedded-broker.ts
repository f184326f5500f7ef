// The embedded broker: aedes (MQTT 3.1.1) on a TCP listener, by default on loopback only.
// In-memory persistence: sessions and queued QoS 1 messages live as long as the daemon.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { MqttError } from './errors.ts';

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** 0 = any free port (see `port` after start()). */
  readonly port: number;
  readonly logger: Logger;
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
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
    const broker = await Aedes.createBroker();
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

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = null;
    this.server = null;
    if (broker) await closeBroker(broker);
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}
