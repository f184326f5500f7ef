// `har-gateway start --demo`: simulated wearables in-process; predictions appear in the log and
// over the WebSocket. The acceptance target is within 10 s of the command on an idle machine;
// this test allows 25 s (shared CI machines) and prints what it saw.
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Envelope } from '../../daemon/api/envelopes.ts';
import { startDaemon, type DaemonProcess } from '../unit/daemon/pipeline/fixtures/daemon-process.ts';

describe('start --demo (spawned CLI)', () => {
  let daemon: DaemonProcess | undefined;
  afterAll(() => daemon?.cleanup());

  it('shows predictions of the demo wearables in the log and over the WebSocket, then stops cleanly', async () => {
    daemon = await startDaemon('', ['--demo']);
    const ws = new WebSocket(daemon.wsUrl);
    const envelopes: Envelope[] = [];
    ws.on('message', (d: Buffer) => envelopes.push(JSON.parse(d.toString()) as Envelope));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const predictionLine = () => daemon!.logLines.find((l) => typeof l.device === 'string' && typeof l.class === 'string' && String(l.device).startsWith('demo-'));
    await expect.poll(predictionLine, { timeout: 25_000, interval: 100 }).toBeTruthy();
    const seenAfterMs = performance.now() - daemon.spawnedAtMs;
    process.stdout.write(`start --demo: first prediction in the log ${Math.round(seenAfterMs)} ms after spawning the CLI\n`);
    expect(predictionLine()).toMatchObject({ mode: 'full', msg: expect.stringMatching(/^demo-\d: \S+ \(margin \d+, mode full, [\d.]+ ms\)$/) as unknown });
    await expect.poll(() => envelopes.some((e) => e.type === 'prediction' && e.deviceId.startsWith('demo-')), { timeout: 5000 }).toBe(true);
    const { code, elapsedMs } = await daemon.stop();
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(5000);
    ws.terminate();
  });
});
