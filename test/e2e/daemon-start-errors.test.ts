// `har-gateway start` refusing to start: exit code 1 and a plain message, never a stack trace
// or a half-started daemon.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'har-start-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(yaml: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `gateway: { dataDir: ${JSON.stringify(join(dir, 'data'))} }\n${yaml}`);
  const r = spawnSync(process.execPath, ['bin/har-gateway.js', 'start', '--config', file], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HAR_LOG_FORMAT: 'json' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('har-gateway start: refusals', () => {
  it('reports every bad key of its pipeline/store/websocket/model sections as path: message', () => {
    const r = start('pipeline: { gapFill: cubic, maxGapFillSamples: -1, extra: 1 }\nstore: { retentionDays: -2 }\nwebsocket: { port: 70000 }\nmodel: { threshold: 1.5 }\n');
    expect(r.status).toBe(1);
    for (const path of ['pipeline.gapFill', 'pipeline.maxGapFillSamples', 'pipeline.extra: unknown key', 'store.retentionDays', 'websocket.port', 'model.threshold']) expect(r.stderr).toContain(path);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('says which model it cannot load', () => {
    const r = start('model: { file: /nonexistent/model.harm }\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot load the model');
    expect(r.stderr).toContain('/nonexistent/model.harm');
    const zoo = start('model: { id: no-such-model }\n');
    expect(zoo.status).toBe(1);
    expect(zoo.stderr).toContain('no-such-model');
  });

  it('says when the WebSocket port is taken, and stops what it had started', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = start(`mqtt: { embedded: { port: 0 } }\nwebsocket: { port: ${port} }\n`);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`WebSocket server cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(r.stdout).not.toContain('gateway started');
    } finally {
      server.close();
    }
  });
});
