// The WebSocket API on a real ws server, port 0.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebSocketApi, type WebSocketApiOptions } from '../../daemon/api/websocket-server.ts';
import { LiveState } from '../../daemon/api/live-state.ts';
import type { Envelope } from '../../daemon/api/envelopes.ts';
import type { WindowResult } from '../../daemon/pipeline/pipeline.ts';

const apis: WebSocketApi[] = [];
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await Promise.all(apis.splice(0).map((a) => a.stop()));
});

function result(deviceId: string, windowSeq: number): WindowResult {
  return {
    deviceId, modelId: 'm', windowSeq, segment: 0, startSample: windowSeq * 64, t0Ms: 0, threshold: 0, classIndex: 1, className: 'B',
    scores: [0, 5], margin: 5, exitTaken: 0, macs: 10, cycles: null, energyUj: null, latencyUs: null, computeUs: 1, receivedAtMs: 0, completedAtMs: 3, ingestToPredictionMs: 3,
  };
}

async function startApi(state: LiveState, options: Partial<WebSocketApiOptions> = {}): Promise<WebSocketApi> {
  const api = new WebSocketApi({
    host: '127.0.0.1', port: 0, maxBufferedBytes: 1 << 20, statsIntervalMs: 0,
    snapshot: () => ({ modelId: 'm', classes: ['A', 'B'], devices: state.devicesSummary() }),
    counters: () => ({ uptimeMs: 1, devices: state.deviceCount(), predictions: state.predictions(), errors: state.errorTotalsByKind(), pipeline: {}, store: {} }),
    health: () => ({ devices: state.deviceCount() }),
    ...options,
  });
  apis.push(api);
  await api.start();
  return api;
}

/** Connects and collects every envelope. */
async function connect(api: WebSocketApi): Promise<{ ws: WebSocket; received: Envelope[]; next: (type: string) => Promise<Envelope> }> {
  const { port } = api.address();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  clients.push(ws);
  const received: Envelope[] = [];
  const waiters: Array<[string, (e: Envelope) => void]> = [];
  ws.on('message', (data: Buffer) => {
    const e = JSON.parse(data.toString()) as Envelope;
    received.push(e);
    const i = waiters.findIndex(([t]) => t === e.type);
    if (i >= 0) waiters.splice(i, 1)[0]![1](e);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    ws,
    received,
    next: (type) => {
      const seen = received.filter((e) => e.type === type);
      const waiting = waiters.filter(([t]) => t === type).length;
      if (seen.length > waiting) return Promise.resolve(seen[waiting]!);
      return new Promise((resolve) => waiters.push([type, resolve]));
    },
  };
}

describe('WebSocketApi', () => {
  it('sends a snapshot on connect, then prediction and error deltas', async () => {
    const state = new LiveState();
    state.recordPrediction(result('wrist-1', 0));
    state.recordError('wrist-1', 'json-invalid');
    const api = await startApi(state);
    const client = await connect(api);
    const snapshot = await client.next('snapshot');
    expect(snapshot).toMatchObject({
      type: 'snapshot', modelId: 'm', classes: ['A', 'B'],
      devices: [{ deviceId: 'wrist-1', windows: 1, lastPrediction: { type: 'prediction', windowSeq: 0, className: 'B' }, errors: { 'json-invalid': 1 } }],
      counters: { devices: 1, predictions: 1, errors: { 'json-invalid': 1 }, websocket: { clients: 1, droppedSlowClients: 0 } },
    });
    api.broadcast(state.recordPrediction(result('wrist-1', 1)));
    expect(await client.next('prediction')).toMatchObject({ deviceId: 'wrist-1', windowSeq: 1, margin: 5 });
    api.broadcast({ type: 'error', deviceId: 'x', kind: 'nan', detail: 'acc[3] is NaN', count: 1 });
    expect(await client.next('error')).toEqual({ type: 'error', deviceId: 'x', kind: 'nan', detail: 'acc[3] is NaN', count: 1 });
  });

  it('sends stats on its interval', async () => {
    const state = new LiveState();
    const api = await startApi(state, { statsIntervalMs: 30 });
    const client = await connect(api);
    state.recordError('?', 'topic-shape');
    const stats = await client.next('stats');
    expect(stats).toMatchObject({ type: 'stats', errors: { 'topic-shape': 1 }, websocket: { clients: 1 } });
  });

  it('serves /health as JSON and 404 elsewhere', async () => {
    const api = await startApi(new LiveState());
    const { port } = api.address();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', devices: 0, websocket: { clients: 0 } });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it('rejects start() with a clear error when the port is taken', async () => {
    const first = await startApi(new LiveState());
    const second = new WebSocketApi({
      host: '127.0.0.1', port: first.address().port, maxBufferedBytes: 1024, statsIntervalMs: 0,
      snapshot: () => ({ modelId: 'm', classes: [], devices: [] }),
      counters: () => ({ uptimeMs: 0, devices: 0, predictions: 0, errors: {}, pipeline: {}, store: {} }),
      health: () => ({}),
    });
    await expect(second.start()).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  it('drops a client that stops reading instead of buffering for it, and keeps serving the others', async () => {
    const dropped: string[] = [];
    const api = await startApi(new LiveState(), { maxBufferedBytes: 256 * 1024, onClientDropped: (r) => dropped.push(r) });
    const slow = await connect(api);
    const fast = await connect(api);
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // stops reading: kernel buffers fill, then bufferedAmount grows
    const closed = new Promise<void>((resolve) => slow.ws.once('close', () => resolve()));
    const big = { type: 'error' as const, deviceId: 'd', kind: 'k', detail: 'x'.repeat(100_000), count: 1 };
    let sent = 0;
    while (dropped.length === 0 && sent < 2000) {
      api.broadcast(big);
      sent += 1;
      await new Promise((r) => setImmediate(r));
    }
    expect(dropped.length).toBe(1);
    expect(api.clientCount()).toBe(1);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
    api.broadcast({ type: 'error', deviceId: 'd', kind: 'after', detail: '', count: 1 });
    await expect.poll(() => fast.received.some((e) => e.type === 'error' && e.kind === 'after')).toBe(true);
    const health = (await (await fetch(`http://127.0.0.1:${api.address().port}/health`)).json()) as { websocket: { droppedSlowClients: number } };
    expect(health.websocket.droppedSlowClients).toBe(1);
  });
});
