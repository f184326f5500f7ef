// The WebSocket API (ws) and a small HTTP /health on the same server, on 127.0.0.1 by default.
// A client gets a `snapshot` on connect, then deltas (envelopes.ts). Slow consumers are bounded:
// a client whose unsent bytes (bufferedAmount) exceed `maxBufferedBytes` when a message is due is
// terminated and counted — never buffered without bound (as aedes drops a client that never drains).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import type { Envelope, GatewayCounters, SnapshotEnvelope } from './envelopes.ts';
import { loadDashboardFiles, serveDashboard } from './http-routes.ts';

/** Largest client -> server message: the API sends only; a client has nothing big to say. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;
/** On stop, clients get this long to answer the close handshake before they are cut. */
const CLOSE_GRACE_MS = 500;

export interface WebSocketApiOptions {
  readonly host: string;
  /** 0 = any free port (see address()). */
  readonly port: number;
  readonly maxBufferedBytes: number;
  /** Interval of `stats` deltas; 0 disables them. */
  readonly statsIntervalMs: number;
  readonly snapshot: () => Omit<SnapshotEnvelope, 'type' | 'counters'>;
  /** Gateway counters without the websocket's own (added here). */
  readonly counters: () => Omit<GatewayCounters, 'websocket'>;
  readonly health: () => Record<string, unknown>;
  readonly onClientDropped?: (reason: string) => void;
  readonly onServerError?: (error: Error) => void;
}

export class WebSocketApi {
  private readonly options: WebSocketApiOptions;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  private droppedSlowClients = 0;
  /** The dashboard's files (http-routes.ts); null when its folder cannot be read (reported, not fatal). */
  private dashboard: ReturnType<typeof loadDashboardFiles> | null = null;

  constructor(options: WebSocketApiOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    try {
      this.dashboard = loadDashboardFiles();
    } catch (err) {
      this.options.onServerError?.(err as Error); // /health and the WebSocket still work
    }
    const http = createServer((req, res) => this.onHttp(req, res));
    // any path upgrades (documented as /ws)
    const wss = new WebSocketServer({ server: http, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
    wss.on('connection', (ws) => this.onConnection(ws));
    // ws re-emits the HTTP server's errors; listen errors are handled below, later ones are the server's to log
    wss.on('error', (err) => {
      if (this.http === http) this.options.onServerError?.(err); // set once listening
    });
    await new Promise<void>((resolve, reject) => {
      const onListenError = (err: Error): void => {
        wss.close();
        reject(new Error(`WebSocket server cannot listen on ${this.options.host}:${this.options.port}: ${err.message}`, { cause: err }));
      };
      http.once('error', onListenError);
      http.listen(this.options.port, this.options.host, () => {
        http.off('error', onListenError);
        resolve();
      });
    });
    this.http = http;
    this.wss = wss;
    if (this.options.statsIntervalMs > 0) {
      this.statsTimer = setInterval(() => this.broadcast({ type: 'stats', ...this.counters() }), this.options.statsIntervalMs);
      this.statsTimer.unref();
    }
  }

  /** The bound address (useful with port 0). */
  address(): { host: string; port: number } {
    const address = this.http?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the WebSocket server is not listening');
    return { host: address.address, port: address.port };
  }

  /** Sends an envelope to every client (dropping the slow ones). */
  broadcast(envelope: Envelope): void {
    const wss = this.wss;
    if (!wss || wss.clients.size === 0) return;
    const text = JSON.stringify(envelope);
    for (const client of wss.clients) this.send(client, text);
  }

  clientCount(): number {
    return this.wss?.clients.size ?? 0;
  }

  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    const wss = this.wss;
    const http = this.http;
    this.wss = null;
    this.http = null;
    if (wss) {
      for (const client of wss.clients) client.close(1001, 'gateway stopping');
      // clients that do not answer the close handshake promptly are cut
      setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_GRACE_MS).unref();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  private counters(): GatewayCounters {
    return { ...this.options.counters(), websocket: { clients: this.clientCount(), droppedSlowClients: this.droppedSlowClients } };
  }

  private send(client: WebSocket, text: string): void {
    if (client.readyState !== WebSocket.OPEN) return;
    if (client.bufferedAmount > this.options.maxBufferedBytes) {
      this.droppedSlowClients += 1;
      this.options.onClientDropped?.(`bufferedAmount ${client.bufferedAmount} B > ${this.options.maxBufferedBytes} B`);
      client.terminate();
      return;
    }
    client.send(text);
  }

  private onConnection(ws: WebSocket): void {
    ws.on('error', () => ws.terminate());
    ws.on('message', () => {
      // the API is server -> client only; client messages are ignored
    });
    this.send(ws, JSON.stringify({ type: 'snapshot', ...this.options.snapshot(), counters: this.counters() } satisfies SnapshotEnvelope));
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      const body = JSON.stringify({ status: 'ok', ...this.options.health(), websocket: { clients: this.clientCount(), droppedSlowClients: this.droppedSlowClients } });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (this.dashboard && serveDashboard(this.dashboard, req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found', paths: ['/ (dashboard)', '/health', '/ws (WebSocket)'] }));
  }
}
