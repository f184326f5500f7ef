// The evaluation logic of `har-gateway eval` on generated windows (the CLI on real data is in
// test/system/eval.test.ts): one-full-run mode figures vs running an engine per threshold,
// averaged MCU figures and verification with a fake engine, --mode parsing, compatibility.
import { describe, expect, it } from 'vitest';
import { CliExit } from '../../../../../daemon/cli/exit.ts';
import { checkCompatible, evaluateEngine, evaluateThresholds, firstWindows, parseMode, type EvalWindows } from '../../../../../daemon/cli/commands/eval.ts';
import { THRESHOLD_FULL, type InferenceEngine } from '../../../../../models/engine.ts';
import { readArtifact } from '../../../../../models/format/read.ts';
import { writeArtifact } from '../../../../../models/format/write.ts';
import { createReferenceEngine } from '../../../../../models/reference/executor.ts';
import { randomInt, randomSpec, seededRandom } from '../../../models/format/fixtures.ts';

const artifact = readArtifact(writeArtifact(randomSpec(505, 'early-exit')));
const meta = artifact.metadata;

function generatedWindows(count: number, seed: number): EvalWindows {
  const rng = seededRandom(seed);
  const values = meta.input.windowSamples * meta.input.channels.length;
  const x = Float64Array.from({ length: count * values }, () => (rng() - 0.5) * 4);
  const y = Uint8Array.from({ length: count }, () => randomInt(rng, 0, meta.classes.length - 1));
  return { classes: meta.classes, channels: meta.input.channels, windowSamples: meta.input.windowSamples, count, x, y };
}

describe('eval: mode figures', () => {
  const windows = generatedWindows(120, 3);
  const thresholds = [0, 3, 40, THRESHOLD_FULL];

  it('one full run per window gives what per-threshold engine runs give', () => {
    const fast = evaluateThresholds(artifact, windows, thresholds);
    const slow = evaluateEngine(createReferenceEngine(artifact), artifact, windows, thresholds, null);
    fast.forEach((f, i) => {
      const s = slow[i]!;
      expect(f.report.confusion).toEqual(s.report.confusion);
      expect(f.avgMacs).toBe(s.avgMacs);
      expect(f.continueShare).toBe(s.continueShare);
      expect(f.accuracy).toBe(s.accuracy);
    });
    expect(fast[0]?.continueShare).toBe(0);
    expect(fast[3]?.continueShare).toBe(1);
    expect(fast[3]?.avgMacs).toBe(meta.stages.reduce((s, x) => s + x.macs, 0));
    expect(fast[0]?.avgMacs).toBe(meta.stages[0]?.macs);
    expect(fast.every((f) => f.report.windows === 120 && f.avgCycles === null && f.mismatches === null)).toBe(true);
  });

  it('averages the MCU figures and counts windows that differ from the reference', () => {
    const reference = createReferenceEngine(artifact);
    let calls = 0;
    const fakeMcu: InferenceEngine = {
      kind: 'mcu',
      run(window, threshold) {
        calls++;
        const r = reference.run(window, threshold);
        // every 10th call returns a wrong margin: verification must notice
        return { ...r, margin: calls % 10 === 0 ? r.margin + 1 : r.margin, cycles: 1000, instret: 900, energyUj: 2, latencyUs: 10 };
      },
    };
    const [f] = evaluateEngine(fakeMcu, artifact, windows, [THRESHOLD_FULL], reference);
    expect(f?.avgCycles).toBe(1000);
    expect(f?.avgEnergyUj).toBe(2);
    expect(f?.avgLatencyUs).toBe(10);
    expect(f?.mismatches).toBe(12);
  });

  it('firstWindows keeps the first n windows', () => {
    const w = firstWindows(windows, 5);
    expect(w.count).toBe(5);
    expect(w.y.length).toBe(5);
    expect(w.x.length).toBe(5 * meta.input.windowSamples * meta.input.channels.length);
    expect(firstWindows(windows, 1000)).toBe(windows);
  });
});

describe('eval: arguments and compatibility', () => {
  it('parses --mode', () => {
    expect(parseMode('full')).toBe(THRESHOLD_FULL);
    expect(parseMode('all')).toBe('all');
    expect(parseMode('0')).toBe(0);
    expect(parseMode('4294967295')).toBe(THRESHOLD_FULL);
    for (const bad of ['4294967296', '-1', '1.5', 'fast', '']) expect(() => parseMode(bad)).toThrow(CliExit);
  });

  it('refuses windows with other classes, channels or length', () => {
    const w = generatedWindows(1, 1);
    checkCompatible(artifact, w);
    expect(() => checkCompatible(artifact, { ...w, classes: [...w.classes].reverse().concat('X') })).toThrow(/classes/);
    expect(() => checkCompatible(artifact, { ...w, channels: ['a'] })).toThrow(/channels/);
    expect(() => checkCompatible(artifact, { ...w, windowSamples: w.windowSamples + 1 })).toThrow(/windows/);
  });
});
