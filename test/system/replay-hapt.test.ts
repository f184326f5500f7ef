// System test of the replay on the real HAPT recordings (../shared/datasets or HAR_DATA_DIR):
// - `--windows protocol`: replaying the hapt6 test experiments at --speed max, full network,
//   gives exactly the accuracy and confusion matrix `har-gateway eval` computes on the test
//   split (evaluateThresholds, eval's own function), via direct and via mqtt, no window lost;
// - `--windows stream`: the report's figures equal eval's function on exactly the windows the
//   stream cut (same samples, labels by labelStreamWindow);
// - the HTML report renders in chromium (playwright-core, the system browser, never downloaded).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { evaluateThresholds } from '../../daemon/cli/commands/eval.ts';
import { validateConfig } from '../../daemon/config/load.ts';
import { gatewayModelFromArtifact } from '../../daemon/pipeline/model.ts';
import { replay } from '../../daemon/replay/replay.ts';
import { formatReportHtml } from '../../daemon/replay/report-html.ts';
import { THRESHOLD_FULL } from '../../models/engine.ts';
import { labelStreamWindow, loadHaptExperiments, loadTaskWindows, taskProtocol } from '../../models/datasets/index.ts';
import { loadZooModel } from '../../models/zoo/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA_DIR = resolve(ROOT, process.env.HAR_DATA_DIR ?? '../shared/datasets');
const logger = pino({ level: 'silent' });
const zoo = loadZooModel('hapt6-ee-w8');
const model = gatewayModelFromArtifact(zoo.artifact);
const config = validateConfig({ model: { threshold: THRESHOLD_FULL }, engine: { kind: 'reference' } });
const CHROMIUM = '/usr/bin/chromium';

describe('replay of the HAPT test experiments', () => {
  it('--windows protocol: exactly eval\'s accuracy and confusion matrix, direct and mqtt, nothing lost', async () => {
    const evalFigures = evaluateThresholds(zoo.artifact, loadTaskWindows('hapt6', 'test', DATA_DIR), [THRESHOLD_FULL])[0]!;
    for (const via of ['direct', 'mqtt'] as const) {
      const { report } = await replay({ sources: ['hapt6:test'], dataDir: DATA_DIR, model, config, via, speed: 'max', logger, windows: 'protocol' });
      expect(report.overall.windowsDropped, via).toBe(0);
      expect(report.unsettledWindows, via).toBe(0);
      expect(report.overall.ingestErrors, via).toEqual({});
      expect(report.overall.scoredWindows, via).toBe(evalFigures.report.windows);
      expect(report.overall.windows, via).toBe(evalFigures.report.windows);
      expect(report.overall.confusion, via).toEqual(evalFigures.report.confusion);
      expect(report.overall.accuracy, via).toBe(evalFigures.accuracy);
      expect(report.overall.macroF1, via).toBe(evalFigures.macroF1);
    }
  }, 300_000);

  it('--windows stream: the report equals eval on exactly the windows the stream cut', async () => {
    const { report, run, recordings } = await replay({ sources: ['hapt6:test'], dataDir: DATA_DIR, model, config, via: 'direct', speed: 'max', logger });
    const protocol = taskProtocol('hapt6');
    const experiments = new Map(loadHaptExperiments(DATA_DIR).map((e) => [`hapt-exp${String(e.experiment).padStart(2, '0')}-user${String(e.user).padStart(2, '0')}`, e]));
    const W = protocol.windowSamples;
    const C = protocol.channels.length;
    const xs: number[][] = [];
    const ys: number[] = [];
    for (const rec of recordings) {
      const exp = experiments.get(rec.deviceId)!;
      for (const r of run.devices.get(rec.deviceId)!.results) {
        const label = labelStreamWindow(protocol, exp.segments, r.startSample);
        if (label === undefined) continue;
        xs.push(Array.from(exp.samples.subarray(r.startSample * C, (r.startSample + W) * C)));
        ys.push(label);
      }
    }
    const windows = { classes: protocol.classes, channels: protocol.channels, windowSamples: W, count: ys.length, x: Float64Array.from(xs.flat()), y: Uint8Array.from(ys) };
    const figures = evaluateThresholds(zoo.artifact, windows, [THRESHOLD_FULL])[0]!;
    expect(report.overall.scoredWindows).toBe(ys.length);
    expect(report.overall.confusion).toEqual(figures.report.confusion);
    expect(report.overall.accuracy).toBe(figures.accuracy);
    expect(report.overall.windowsDropped).toBe(0);

    // the HTML report renders in the system chromium
    if (!existsSync(CHROMIUM)) return;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.setContent(formatReportHtml(report));
      expect(await page.locator('svg.confusion rect').count()).toBe(protocol.classes.length ** 2);
      expect(await page.locator('svg.timeline').count()).toBe(recordings.length);
      const box = await page.locator('svg.confusion').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(await page.locator('h1').textContent()).toBe('Replay validation report');
      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
