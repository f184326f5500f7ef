// The dashboard's HTTP routes on the real WebSocketApi server (port 0), without a browser: the
// page at `/`, its assets with their content types, HEAD, 404 for unknown paths and for every
// traversal spelling we could think of, and the WebSocket and /health still working beside it.
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebSocketApi } from '../../daemon/api/websocket-server.ts';
import { DASHBOARD_DIR, DashboardFilesError, loadDashboardFiles } from '../../daemon/api/http-routes.ts';

const apis: WebSocketApi[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.stop()));
});

async function startApi(): Promise<number> {
  const api = new WebSocketApi({
    host: '127.0.0.1', port: 0, maxBufferedBytes: 1 << 20, statsIntervalMs: 0,
    snapshot: () => ({ modelId: 'm', classes: ['A', 'B'], devices: [] }),
    counters: () => ({ uptimeMs: 1, devices: 0, predictions: 0, errors: {}, pipeline: {}, store: {}, budget: {} }),
    health: () => ({ mqtt: 'online' }),
  });
  apis.push(api);
  await api.start();
  return api.address().port;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request: the path goes on the wire exactly as given (fetch would normalise `..`). */
function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard routes', () => {
  it('serves the page at / with a content security policy, and its assets under /dashboard/', async () => {
    const port = await startApi();
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe(readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8'));
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(port, '/?from=phone')).status).toBe(200);

    // every asset the page references is served, with its type
    const refs = [...page.body.matchAll(/(?:href|src)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.sort()).toEqual(['/dashboard/dashboard.css', '/dashboard/main.js']);
    const css = await get(port, '/dashboard/dashboard.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.card');

    // main.js and the modules it imports, transitively (relative imports only: no CDN)
    const seen = new Set<string>();
    const queue = ['main.js'];
    while (queue.length) {
      const name = queue.shift() ?? '';
      if (seen.has(name)) continue;
      seen.add(name);
      const js = await get(port, `/dashboard/${name}`);
      expect(js.status, name).toBe(200);
      expect(js.headers['content-type'], name).toBe('text/javascript; charset=utf-8');
      expect(js.body, name).not.toMatch(/https?:\/\//);
      for (const m of js.body.matchAll(/from '\.\/([a-z-]+\.js)'/g)) queue.push(m[1] ?? '');
    }
    expect([...seen].sort()).toEqual(['connection.js', 'format.js', 'main.js', 'render.js', 'state.js']);
  });

  it('answers HEAD with the headers and no body', async () => {
    const port = await startApi();
    const head = await get(port, '/dashboard/main.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe(readFileSync(`${DASHBOARD_DIR}main.js`).length);
  });

  it('404s unknown paths, other methods, and files that are not served', async () => {
    const port = await startApi();
    for (const path of ['/nope', '/dashboard/', '/dashboard', '/dashboard/missing.js', '/dashboard/state.d.ts', '/index.html', '/main.js']) {
      const r = await get(port, path);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toBe('application/json');
    }
    expect((await get(port, '/', 'POST')).status).toBe(404);
    expect((await get(port, '/', 'DELETE')).status).toBe(404);
  });

  it('404s directory traversal in every spelling', async () => {
    const port = await startApi();
    const attempts = [
      '/dashboard/../websocket-server.ts',
      '/dashboard/../../../package.json',
      '/dashboard/..%2fwebsocket-server.ts',
      '/dashboard/%2e%2e/websocket-server.ts',
      '/dashboard/%2e%2e%2f%2e%2e%2fpackage.json',
      '/dashboard/..%5c..%5cpackage.json',
      '/dashboard/..\\..\\package.json',
      '/dashboard//etc/passwd',
      '/dashboard/%00index.html',
      '/dashboard/index.html%00',
      '/dashboard/./index.html',
      '/../../../../etc/passwd',
      '//etc/passwd',
      '/dashboard/%2Fetc%2Fpasswd',
    ];
    for (const path of attempts) {
      const r = await get(port, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain('"name"'); // never package.json
      expect(r.body, path).not.toContain('root:'); // never /etc/passwd
    }
  });

  it('keeps /health and the WebSocket beside the page', async () => {
    const port = await startApi();
    const health = await get(port, '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', mqtt: 'online' });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('error', reject);
    });
    ws.terminate();
    expect(JSON.parse(first)).toMatchObject({ type: 'snapshot', modelId: 'm' });
  });

  it('refuses a folder without index.html with a coded error', () => {
    expect(() => loadDashboardFiles('/proc/self')).toThrow(DashboardFilesError);
    expect(() => loadDashboardFiles('/nonexistent-dashboard-dir')).toThrow(/cannot read the dashboard folder/);
  });
});
