// `npm run bench -- dashboard [--devices N] [--rate P] [--seconds S]`: the live dashboard under a
// fleet's prediction stream, in Debian chromium (playwright-core, /usr/bin/chromium; exit 2 when
// it is not installed). A bare WebSocketApi + LiveState broadcasts P predictions a second spread
// over N devices (synthetic results, no model) for S seconds. Prints, measured in the page: the
// predictions it applied per second, the animation-frame interval (p50/p99/max: how smooth it
// stays), long tasks (> 50 ms, count and total), and the lag until the last prediction is shown.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { LiveState } from '../daemon/api/live-state.ts';
import { WebSocketApi } from '../daemon/api/websocket-server.ts';
import type { WindowResult } from '../daemon/pipeline/pipeline.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CLASSES = ['WALKING', 'UPSTAIRS', 'DOWNSTAIRS', 'SITTING', 'STANDING', 'LAYING'];
/** Broadcast ticks per second (each sends rate / ticks predictions). */
const TICKS_PER_S = 50;

/** Records animation-frame intervals and long tasks from page start (runs before the page's scripts). */
const PAGE_PROBE = `
  window.__bench = { frames: [], longTasks: [] };
  let last = performance.now();
  const tick = (t) => { window.__bench.frames.push(t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
`;

interface PageFigures {
  frames: number[];
  longTasks: number[];
}

function result(deviceId: string, windowSeq: number): WindowResult {
  const classIndex = (windowSeq + deviceId.length) % CLASSES.length;
  return {
    deviceId, modelId: 'bench', windowSeq, segment: 0, startSample: windowSeq * 64, t0Ms: windowSeq * 1280, threshold: 0, classIndex,
    className: CLASSES[classIndex] ?? '?', scores: [0, 1, 2, 3, 4, 5], margin: 3, exitTaken: windowSeq % 2, macs: 10, cycles: 100_000,
    energyUj: 3.2, latencyUs: 270, computeUs: 1, receivedAtMs: 0, completedAtMs: 1, ingestToPredictionMs: 1,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

export async function run(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { devices: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: har-gateway bench dashboard [--devices 500] [--rate 2000] [--seconds 10]');
    return 0;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`bench dashboard: not available here (${CHROMIUM} is not installed; apt-get install chromium)`);
    return 2;
  }
  const devices = Number(values.devices ?? 500);
  const rate = Number(values.rate ?? 2000);
  const seconds = Number(values.seconds ?? 10);
  const live = new LiveState('?');
  const api = new WebSocketApi({
    host: '127.0.0.1', port: 0, maxBufferedBytes: 16 << 20, statsIntervalMs: 1000,
    snapshot: () => ({ modelId: 'bench', classes: CLASSES, devices: live.devicesSummary() }),
    counters: () => ({ uptimeMs: 0, devices: live.deviceCount(), predictions: live.predictions(), errors: {}, pipeline: {}, store: {}, budget: {} }),
    health: () => ({ mqtt: 'online' }),
    onClientDropped: (reason) => console.error(`the page was dropped as a slow client: ${reason}`),
  });
  await api.start();
  const profile = mkdtempSync(join(tmpdir(), 'har-bench-dashboard-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(PAGE_PROBE);
    await page.goto(`http://127.0.0.1:${api.address().port}/`);
    await page.locator('[data-status="connection"]', { hasText: 'open' }).waitFor();
    await page.evaluate('window.__bench.frames.length = 0; window.__bench.longTasks.length = 0');
    const perTick = Math.max(1, Math.round(rate / TICKS_PER_S));
    const windowSeq = new Array<number>(devices).fill(0);
    let next = 0;
    let sent = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      for (let i = 0; i < perTick; i++) {
        const d = next;
        next = (next + 1) % devices;
        api.broadcast(live.recordPrediction(result(`dev-${d}`, windowSeq[d] ?? 0)));
        windowSeq[d] = (windowSeq[d] ?? 0) + 1;
        sent += 1;
      }
      await new Promise((r) => setTimeout(r, 1000 / TICKS_PER_S));
    }
    const sendMs = performance.now() - t0;
    // the last device touched shows its last window once the page has caught up
    const lastDevice = (next + devices - 1) % devices;
    const lastSeq = (windowSeq[lastDevice] ?? 1) - 1;
    await page.locator(`article.card[data-device="dev-${lastDevice}"] [data-field="detail"]`, { hasText: `window #${lastSeq} ` }).waitFor({ timeout: 60_000 });
    const lagMs = performance.now() - t0 - sendMs;
    const figures = await page.evaluate<PageFigures>('window.__bench');
    const cards = await page.locator('article.card').count();
    const frames = [...figures.frames].sort((a, b) => a - b);
    const longTotal = figures.longTasks.reduce((a, b) => a + b, 0);
    console.log(`dashboard in ${CHROMIUM} (headless), node ${process.version}: ${devices} devices, ${rate} predictions/s offered for ${seconds} s`);
    console.log(`sent ${sent} predictions in ${(sendMs / 1000).toFixed(1)} s (${Math.round(sent / (sendMs / 1000))}/s); cards ${cards}; last prediction shown ${lagMs.toFixed(0)} ms after the last send`);
    console.log(`frame interval ms: p50 ${percentile(frames, 0.5).toFixed(1)}  p99 ${percentile(frames, 0.99).toFixed(1)}  max ${(frames.at(-1) ?? Number.NaN).toFixed(1)}  (${frames.length} frames)`);
    console.log(`long tasks (> 50 ms): ${figures.longTasks.length}, total ${longTotal.toFixed(0)} ms (${((longTotal / sendMs) * 100).toFixed(1)} % of the run)`);
    return cards === devices ? 0 : 1;
  } finally {
    await context.close();
    await api.stop();
    rmSync(profile, { recursive: true, force: true });
  }
}
