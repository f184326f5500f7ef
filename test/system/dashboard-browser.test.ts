// The live dashboard in a real browser (Debian chromium through playwright-core; never a
// downloaded browser) against the real gateway in-process: the embedded aedes broker on port 0,
// MqttConnection + MqttIngest, the reference executor on a writer-built model whose mode table
// carries made-up energies (so the battery budget projects), SQLite on a temp file, the
// WebSocket/HTTP server on a free port. Simulated wearables (device-sim/wearables, synthetic
// signals) stream batches and battery reports over MQTT. The page must show every device with
// the class the gateway predicted last, moving counters, battery projections (feasible and
// infeasible), reconnect after the server restarts, and render a non-empty screenshot.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveState } from '../../daemon/api/live-state.ts';
import { WebSocketApi } from '../../daemon/api/websocket-server.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import type { WindowResult } from '../../daemon/pipeline/pipeline.ts';
import { Gateway } from '../../daemon/gateway.ts';
import { MqttIngest } from '../../daemon/ingest/mqtt-ingest.ts';
import { MqttConnection } from '../../daemon/mqtt/connection.ts';
import { gatewayModelFromBytes } from '../../daemon/pipeline/model.ts';
import { readArtifact } from '../../models/format/read.ts';
import { replaceMetadata } from '../../models/format/write.ts';
import { startSimulatedWearables, type SimulatedWearables } from '../../device-sim/wearables/index.ts';
import { buildTestModel } from '../unit/daemon/pipeline/fixtures/test-model.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FULL = 0xffff_ffff;
/** Made-up mode table (cheapest first), µJ per window (as in test/integration/gateway-budget.test.ts). */
const MODES = [
  { threshold: 0, accuracy: 0.8, energyUj: 2 },
  { threshold: 40, accuracy: 0.85, energyUj: 4 },
  { threshold: 120, accuracy: 0.88, energyUj: 6 },
  { threshold: FULL, accuracy: 0.9, energyUj: 8 },
] as const;
const DEVICES = ['band-1', 'band-2', 'band-3'] as const;

function modelWithModeTable(): Uint8Array {
  const bytes = buildTestModel(7, 'dashboard-test-ee');
  const { metadata } = readArtifact(bytes);
  return replaceMetadata(bytes, {
    ...metadata,
    modes: MODES.map((m, i) => ({ threshold: m.threshold, accuracy: m.accuracy, macroF1: m.accuracy, continueShare: i / (MODES.length - 1), avgMacs: 0, cycles: null, latencyUs: null, energyUj: m.energyUj })),
  });
}

/** A free TCP port (the server must come back on the same one for the reconnect check). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const haveChromium = existsSync(CHROMIUM);

/** WCAG 2.1 relative luminance of a computed `rgb(r, g, b)` colour. */
function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/[\d.]+/g) ?? []).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrastRatio(fg: string, bg: string): number {
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

describe.skipIf(!haveChromium)('dashboard in chromium against the running gateway', () => {
  const dirs: string[] = [];
  let gateway: Gateway;
  let wearables: SimulatedWearables | null = null;
  let browser: BrowserContext;
  let page: Page;
  let port: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'har-dash-'));
    dirs.push(dataDir);
    port = await freePort();
    const config = validateConfig({
      gateway: { dataDir },
      mqtt: { embedded: { port: 0 }, clientId: 'gw-dashboard-test' },
      engine: { kind: 'reference', workers: 1 },
      websocket: { port, statsIntervalMs: 200 },
      store: { flushIntervalMs: 50 },
      model: { threshold: FULL },
      budget: {
        // 30 days on 3.345 mAh: the budget sits between modes 2 and 3 (see gateway-budget.test.ts);
        // band-3's 1 mAh cannot even pay its baseline: infeasible
        classes: { lipoBand: { battery: { chemistry: 'lipo', capacityMah: 3.345, baselineUw: 10 }, target: { durationDays: 30 } } },
        defaultClass: 'lipoBand',
        devices: { 'band-3': { class: 'lipoBand', battery: { capacityMah: 1 } } },
        controller: { minDwellS: 0 },
      },
    });
    const logger = pino({ level: 'silent' });
    const connection = new MqttConnection({ config: config.mqtt, logger });
    const ingest = new MqttIngest({ source: connection, baseTopic: config.mqtt.baseTopic, config: config.ingest, logger });
    gateway = new Gateway({ config, logger, model: gatewayModelFromBytes(modelWithModeTable()), connection, ingest });
    await gateway.start();

    const profile = mkdtempSync(join(tmpdir(), 'har-dash-chromium-'));
    dirs.push(profile);
    // a fresh profile folder (playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(`http://127.0.0.1:${port}/`);

    wearables = await startSimulatedWearables({
      url: connection.brokerUrl,
      devices: DEVICES.length,
      idPrefix: 'band',
      speed: 20,
      dataDir: null,
      batchSamples: 32,
      // battery reports from sample 0 (before any window: the budget's start decision must still
      // reach the page, fixed in 0840a6b), then every 20 simulated seconds
      batteryIntervalS: 20,
      seed: 11,
    });
  });

  afterAll(async () => {
    await wearables?.stop();
    await browser?.close();
    await gateway?.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const status = (key: string): Promise<string> => page.locator(`[data-status="${key}"]`).innerText();
  const count = async (key: string): Promise<number> => Number((await status(key)).replace(/\D/g, ''));
  const card = (id: string) => page.locator(`article.card[data-device="${id}"]`);

  it('shows every device with the class the gateway predicted, and moving counters', async () => {
    expect(wearables?.deviceIds).toEqual([...DEVICES]);
    await expect.poll(() => gateway.live.predictions(), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(DEVICES.length * 4);
    for (const id of DEVICES) await card(id).waitFor({ timeout: 10_000 });
    await expect.poll(() => status('connection')).toBe('open');
    const before = await count('predictions');
    await expect.poll(() => count('predictions'), { timeout: 10_000 }).toBeGreaterThan(before);
    await expect.poll(() => status('mqtt'), { timeout: 10_000 }).toBe('online');
    expect(await count('devices')).toBe(DEVICES.length);

    // stop the wearables; once the gateway has drained, every card shows its latest prediction
    await wearables?.stop();
    wearables = null;
    let last = -1;
    await expect
      .poll(
        () => {
          const now = gateway.live.predictions();
          const settled = now === last;
          last = now;
          return settled;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    const summary = gateway.live.devicesSummary();
    const classes = readArtifact(modelWithModeTable()).metadata.classes;
    for (const id of DEVICES) {
      const latest = summary.find((d) => d.deviceId === id)?.lastPrediction;
      expect(latest, id).toBeTruthy();
      expect(classes).toContain(latest?.className);
      await expect.poll(() => card(id).locator('[data-field="activity"]').innerText(), { timeout: 5_000 }).toBe(latest?.className);
      await expect.poll(() => card(id).locator('[data-field="windows"]').innerText()).toBe(String(summary.find((d) => d.deviceId === id)?.windows));
      expect(await card(id).locator('.timeline li').count()).toBeGreaterThanOrEqual(4);
      expect(await card(id).locator('[data-field="detail"]').innerText()).toContain(`margin ${latest?.margin}`);
      expect(await card(id).locator('[data-field="mode"]').innerText()).toBe(`${latest?.threshold === FULL ? 'full' : latest?.threshold} / exit ${latest?.exitTaken}`);
    }
    await expect.poll(() => count('predictions')).toBe(gateway.live.predictions());
    expect(pageErrors).toEqual([]);
  });

  it('shows battery projections: charge, time to empty per mode, feasible and infeasible with the reason', async () => {
    const modes = (id: string) => gateway.live.devicesSummary().find((d) => d.deviceId === id)?.mode;
    for (const id of DEVICES) {
      await card(id).locator('section.battery:not([hidden])').waitFor({ timeout: 10_000 });
      await expect.poll(() => card(id).locator('table.modes tbody tr').count()).toBe(MODES.length);
      const charge = await card(id).locator('.charge').innerText();
      expect(charge, id).toMatch(/^\d+\.\d %/);
      expect(await card(id).locator('meter').getAttribute('max')).toBe('100');
      const reason = modes(id)?.reason;
      expect(reason, id).toBeTruthy();
      await expect.poll(() => card(id).locator('.reason').innerText()).toBe(reason);
    }
    await expect.poll(() => card('band-1').locator('.status').innerText()).toMatch(/^feasible · mode 2/);
    await expect.poll(() => card('band-3').locator('.status').innerText()).toMatch(/^infeasible · mode 0/);
    expect(await card('band-3').locator('.status').getAttribute('class')).toContain('bad');
    // the current mode's row is marked; its time to empty is the summary's
    const current = card('band-1').locator('table.modes tr.current');
    expect(await current.locator('th').innerText()).toBe('2 (current)');
    const currentTime = await current.locator('td').nth(2).innerText();
    expect(currentTime).toMatch(/\d+ (d|h|min)/);
    expect(await card('band-1').locator('[data-field="current"]').innerText()).toBe(currentTime);
    expect(await card('band-1').locator('[data-field="target"]').innerText()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\dZ \(in (29|30) d/);
    // /health budgetAtRisk: band-3 is listed, linking to its card; band-1 (on target) is not
    const atRisk = page.locator('#at-risk');
    await expect.poll(() => atRisk.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await atRisk.locator('li').count()).toBe(1);
    expect(await atRisk.locator('li[data-device="band-3"]').innerText()).toMatch(/^band-3 — infeasible: empty \d{4}-\d\d-\d\d \d\d:\d\dZ, \d+ d \d+ h before the target$/);
    expect(await atRisk.locator('a').getAttribute('href')).toBe(`#${await card('band-3').getAttribute('id')}`);
    // band-1 plans to end on its target; band-3 (infeasible) empties well before it
    expect(await card('band-1').locator('[data-field="vsTarget"]').innerText()).toBe('on target');
    expect(await card('band-3').locator('[data-field="vsTarget"]').innerText()).toMatch(/^\d+ d \d+ h before the target$/);
    expect(await count('infeasible')).toBe(1);
  });

  it('renders a phone-sized screenshot that is not empty', async () => {
    if (process.env.HAR_DASHBOARD_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.HAR_DASHBOARD_SCREENSHOT_DIR, 'dashboard-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // HAR_DASHBOARD_SCREENSHOT_DIR keeps the picture for a person to look at (default: a temp dir, removed)
    const file = join(process.env.HAR_DASHBOARD_SCREENSHOT_DIR ?? dirs[0] ?? tmpdir(), 'dashboard-phone.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
    // nothing wider than the phone's viewport: no horizontal scrolling
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
  });

  it('keeps text contrast at 4.5:1 or more in the light and the dark scheme (WCAG 2.1, 1.4.3)', async () => {
    // muted labels, reasons, status words and class badges against what they sit on
    const pairs = [
      ['article.card dt', 'article.card'],
      ['article.card .reason', 'article.card'],
      ['article.card .status.ok', 'article.card'],
      ['article.card .status.bad', 'article.card'],
      ['article.card .activity.known', 'article.card .activity.known'],
      ['[data-status="predictions"]', '.status-bar dl'],
    ] as const;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [text, background] of pairs) {
        const style = (selector: string, property: 'color' | 'backgroundColor'): Promise<string> =>
          page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);
        const fg = await style(text, 'color');
        const bg = await style(background, 'backgroundColor');
        expect(contrastRatio(fg, bg), `${scheme}: ${text} (${fg}) on ${background} (${bg})`).toBeGreaterThanOrEqual(4.5);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('reconnects after the server restarts and shows the snapshot again', async () => {
    const api = gateway.websocket;
    if (!api) throw new Error('no websocket');
    await api.stop();
    await expect.poll(() => status('connection'), { timeout: 10_000 }).toMatch(/^disconnected, retry in/);
    await api.start(); // same port (fixed in the config)
    await expect.poll(() => status('connection'), { timeout: 20_000 }).toBe('open');
    for (const id of DEVICES) await card(id).waitFor({ timeout: 5_000 });
    expect(await page.locator('article.card').count()).toBe(DEVICES.length);
    expect(pageErrors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});

/** Devices and predictions per device of the fleet-scale check (a busy Pi gateway's order of magnitude). */
const FLEET_DEVICES = 400;
const FLEET_WINDOWS = 12;
const FLEET_CLASSES = ['WALKING', 'UPSTAIRS', 'DOWNSTAIRS', 'SITTING', 'STANDING', 'LAYING'];

function fleetResult(deviceId: string, windowSeq: number, classIndex: number): WindowResult {
  return {
    deviceId, modelId: 'fleet', windowSeq, segment: 0, startSample: windowSeq * 64, t0Ms: windowSeq * 1280, threshold: 0, classIndex,
    className: FLEET_CLASSES[classIndex] ?? '?', scores: [0, 1, 2, 3, 4, 5], margin: 1, exitTaken: 0, macs: 10, cycles: 1000 + windowSeq,
    energyUj: 1.5, latencyUs: 20, computeUs: 1, receivedAtMs: 0, completedAtMs: 1, ingestToPredictionMs: 1,
  };
}

describe.skipIf(!haveChromium)('dashboard with a large fleet (chromium, bare WebSocket API)', () => {
  it(`renders ${FLEET_DEVICES} devices fed ${FLEET_WINDOWS} windows each in bursts, every card ending on its latest class`, async () => {
    const live = new LiveState('?');
    const api = new WebSocketApi({
      host: '127.0.0.1', port: 0, maxBufferedBytes: 64 << 20, statsIntervalMs: 100,
      snapshot: () => ({ modelId: 'fleet', classes: FLEET_CLASSES, devices: live.devicesSummary() }),
      counters: () => ({ uptimeMs: 1, devices: live.deviceCount(), predictions: live.predictions(), errors: {}, pipeline: {}, store: {}, budget: {} }),
      health: () => ({ mqtt: 'online' }),
    });
    await api.start();
    const profile = mkdtempSync(join(tmpdir(), 'har-dash-fleet-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`http://127.0.0.1:${api.address().port}/?quietS=2`);
      await expect.poll(() => page.locator('[data-status="connection"]').innerText()).toBe('open');
      const classOf = (d: number, w: number): number => (d * 7 + w * 3) % FLEET_CLASSES.length;
      for (let w = 0; w < FLEET_WINDOWS; w++) {
        // one burst per window: every device's prediction back to back, as fast as ws sends
        for (let d = 0; d < FLEET_DEVICES; d++) api.broadcast(live.recordPrediction(fleetResult(`dev-${d}`, w, classOf(d, w))));
        await new Promise((r) => setTimeout(r, 20));
      }
      await expect.poll(() => page.locator('article.card').count(), { timeout: 30_000 }).toBe(FLEET_DEVICES);
      await expect.poll(() => page.locator('[data-status="predictions"]').innerText(), { timeout: 10_000 }).toBe((FLEET_DEVICES * FLEET_WINDOWS).toLocaleString('en').replace(/,/g, '\u202f'));
      for (const d of [0, 1, 137, FLEET_DEVICES - 1]) {
        const card = page.locator(`article.card[data-device="dev-${d}"]`);
        // textContent: cards out of view are not rendered (content-visibility), so innerText is empty
        await expect.poll(() => card.locator('[data-field="activity"]').textContent()).toBe(FLEET_CLASSES[classOf(d, FLEET_WINDOWS - 1)]);
        expect(await card.locator('[data-field="windows"]').textContent()).toBe(String(FLEET_WINDOWS));
        expect(await card.locator('.timeline li').count()).toBe(FLEET_WINDOWS);
      }
      // an error delta: the count and the last error show on the card
      api.broadcast({ type: 'error', deviceId: 'dev-3', kind: 'seq-gap', detail: 'expected seq 64, got 128', count: 2 });
      const dev3 = page.locator('article.card[data-device="dev-3"]');
      await expect.poll(() => dev3.locator('[data-field="lastError"]').textContent()).toBe('last error: seq-gap: expected seq 64, got 128');
      expect(await dev3.locator('[data-field="errors"]').textContent()).toBe('2');
      expect(await dev3.getAttribute('class')).toContain('has-errors');
      // a projection without any mode decision yet: the card says so, with what the projection tells
      const atMs = 1_000_000;
      api.broadcast(live.recordBudget({
        type: 'battery', deviceId: 'dev-5', atMs, chargePct: 41, chargeSigmaPct: 2, usableRemainingUj: 1e9, lastReport: null, rejectedReports: {},
        projection: {
          currentModeIndex: 0, currentModeEmptyAtMs: atMs + 3_600_000, plannedEmptyAtMs: null, plannedMix: null, recentPowerUw: null, recentEmptyAtMs: null,
          targetEndMs: atMs + 7_200_000, targetPowerUw: null,
          modes: [{ index: 0, threshold: 0, accuracy: 0.8, energyUj: 2, powerUw: 20, emptyAtMs: atMs + 3_600_000, meetsTarget: false }],
        },
      }));
      const dev5 = page.locator('article.card[data-device="dev-5"]');
      await expect.poll(() => dev5.locator('.status').textContent()).toBe('no mode decision yet · current mode misses the target');
      expect(await dev5.locator('[data-field="current"]').textContent()).toBe('1 h 0 min');
      expect(await dev5.locator('.charge').textContent()).toBe('41.0 % ± 2.0');
      // the stream has stopped: after 2 s (?quietS=2) every card says its device went quiet
      await expect.poll(() => page.locator('article.card.quiet').count(), { timeout: 10_000 }).toBe(FLEET_DEVICES);
      expect(await page.locator('article.card[data-device="dev-0"] [data-field="quiet"]').getAttribute('hidden')).toBeNull();
      // the legend lists the model's classes from the snapshot
      expect(await page.locator('#legend li').allInnerTexts()).toEqual(FLEET_CLASSES.map((c, i) => `${i} ${c}`));
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await api.stop();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
