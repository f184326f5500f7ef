import { describe, expect, it } from 'vitest';
import type { WindowResult } from '../../../../daemon/pipeline/pipeline.ts';
import { batchesFromSamples, type ReplayRecording } from '../../../../daemon/replay/recording.ts';
import { buildReport, percentile } from '../../../../daemon/replay/report.ts';
import { escapeHtml, formatReportHtml } from '../../../../daemon/replay/report-html.ts';
import { formatReportText } from '../../../../daemon/replay/report-text.ts';
import type { DeviceRun, ReplayRun } from '../../../../daemon/replay/runner.ts';
import { makeBatterySpec } from '../../../../daemon/budget/battery.ts';

const classes = ['WALK', 'SIT', 'LIE'];
const model = { id: 'm', bytes: new Uint8Array(), classes, input: { channels: [], rateHz: 50, windowSamples: 100, strideSamples: 50, scale: [] } };

function result(deviceId: string, windowSeq: number, classIndex: number, extra: Partial<WindowResult> = {}): WindowResult {
  return {
    deviceId, modelId: 'm', windowSeq, segment: 0, startSample: windowSeq * 50, t0Ms: windowSeq * 1000, threshold: 0xffff_ffff, classIndex, className: classes[classIndex]!,
    scores: [], margin: 1, exitTaken: 1, macs: 10, cycles: 1000, energyUj: 2, latencyUs: 5, computeUs: 5, receivedAtMs: 0, completedAtMs: windowSeq, ingestToPredictionMs: windowSeq + 1, ...extra,
  };
}

function recording(deviceId: string, labels: ReplayRecording['truth']): ReplayRecording {
  return { source: 's', name: `<${deviceId}>`, deviceId, rateHz: 50, sampleCount: 400, durationS: 8, batches: batchesFromSamples(deviceId, new Float64Array(400 * 6), 6, 50), truth: labels };
}

describe('replay report', () => {
  it('percentile is nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('scores the labelled windows, counts modes, exits, energy, drops and ingest errors per recording and overall', () => {
    // a: samples 0-200 WALK, 200-400 LIE; windows (100 samples, stride 50) 0..6
    const a = recording('a', { segments: [{ startSample: 0, endSample: 200, label: 'WALK' }, { startSample: 200, endSample: 400, label: 'LIE' }], rule: { kind: 'inside' } });
    const b = recording('b', null);
    const run: ReplayRun = {
      via: 'direct', speed: 'max', wallMs: 2000, recordingS: 16, unattributedErrors: {}, unsettledWindows: 0, flowStalls: 0,
      devices: new Map<string, DeviceRun>([
        ['a', { deviceId: 'a', batchesSent: 8, errors: { 'window-dropped': 1, 'bad-json': 2 }, results: [result('a', 0, 0), result('a', 1, 1, { exitTaken: 0, threshold: 5 }), result('a', 2, 0), result('a', 4, 2), result('a', 6, 2)] }],
        ['b', { deviceId: 'b', batchesSent: 8, errors: {}, results: [result('b', 0, 1, { energyUj: null, cycles: null })] }],
      ]),
    };
    const battery = makeBatterySpec({ chemistry: 'cr2032', capacityMah: 100, baselineUw: 0 });
    const report = buildReport(run, [a, b], [{ source: 'x.csv', code: 'REPLAY_SOURCE_MALFORMED', error: 'x.csv:3: bad number' }], { model, lastExit: 1, engine: 'mcu', mode: 'full', battery });
    const ra = report.recordings[0]!;
    // window 2 (samples 100-200) is WALK, 4 (200-300) and 6 (300-400) LIE, window 1 WALK; 0 WALK
    expect(ra.scoredWindows).toBe(5);
    expect(ra.confusion).toEqual([[2, 1, 0], [0, 0, 0], [0, 0, 2]]);
    expect(ra.accuracy).toBeCloseTo(4 / 5, 12);
    expect(ra.modeShare).toEqual({ full: 0.8, 'T=5': 0.2 });
    expect(ra.earlyExitShare).toBeCloseTo(0.2, 12);
    expect(ra.energyPerWindowUj).toBe(2);
    expect(ra.windowsDropped).toBe(1);
    expect(ra.ingestErrors).toEqual({ 'bad-json': 2 });
    expect(ra.latencyMs).toEqual({ p50: 3, p99: 7 });
    // 100 mAh x 3 V x 0.9 usable at 2 uJ per 1 s window: 2 uW
    expect(ra.batteryLifeDays).toBeCloseTo((100 * 3 * 3.6e6 * 0.9) / 2 / 86400, 6);
    const rb = report.recordings[1]!;
    expect(rb.labelled).toBe(false);
    expect(rb.accuracy).toBeNull();
    expect(rb.energyPerWindowUj).toBeNull();
    expect(report.overall.windows).toBe(6);
    expect(report.overall.scoredWindows).toBe(5);
    expect(report.speedup).toBe(8);

    const text = formatReportText(report);
    expect(text).toMatch(/accuracy 80\.00 %/);
    expect(text).toMatch(/skipped x\.csv: x\.csv:3: bad number/);
    const html = formatReportHtml(report);
    expect(html).toContain('&lt;a&gt;');
    expect(html).not.toContain('<a>');
    expect(html.match(/<svg [^>]*class="timeline"/g)).toHaveLength(2);
    expect(html.match(/<rect [^>]*><title>true /g)).toHaveLength(9);
  });

  it('escapes HTML', () => {
    expect(escapeHtml(`<b a="1">&'`)).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
  });
});
