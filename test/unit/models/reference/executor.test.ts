import { describe, expect, it } from 'vitest';
import { THRESHOLD_FIRST_EXIT, THRESHOLD_FULL } from '../../../../models/engine.ts';
import { readArtifact } from '../../../../models/format/read.ts';
import { writeArtifact, type ArtifactSpec, type LayerSpec } from '../../../../models/format/write.ts';
import { createReferenceEngine, ExecutorError, runReference } from '../../../../models/reference/executor.ts';
import { randomSpec, randomWindow, seededRandom, testMetadata } from '../format/fixtures.ts';
import { TINY_WINDOW, tinySpec } from '../format/tiny-model.ts';

function build(spec: ArtifactSpec) {
  return readArtifact(writeArtifact(spec));
}

/** A one-stage network: the given backbone + a linear head with identity-ish weights. */
function withHead(inChannels: number, windowSamples: number, backbone: LayerSpec[], features: number): ArtifactSpec {
  return {
    inChannels, windowSamples, classCount: features,
    stages: [{
      backbone,
      head: [{ kind: 'linear', outCh: features, weightBits: 2, outBits: 16, weights: Array.from({ length: features * features }, (_, i) => (i % (features + 1) === 0 ? 1 : 0)), bias: new Array<number>(features).fill(0), mul: new Array<number>(features).fill(1), shift: new Array<number>(features).fill(0) }],
    }],
    metadata: testMetadata({ classCount: features, inChannels, windowSamples }),
  };
}

describe('reference executor on hand-computed networks', () => {
  it('runs the tiny network: conv1d s8/i8/u8 -> global average pool -> linear u8/i8/s16', () => {
    const a = build(tinySpec());
    const r = runReference(a, TINY_WINDOW, THRESHOLD_FULL, { trace: true });
    // conv t0: (1*1 + 2*-1) + (3*2 + -4*0) = 5; t1: (3 + 4) + (-5*2) = -3 -> ReLU 0; t2: (-5 - 6) + 14 = 3
    expect([...r.layers[0]!.output]).toEqual([5, 0, 3]);
    // gap: floor((8 + 1) / 3) = 3
    expect([...r.layers[1]!.output]).toEqual([3]);
    // linear: [3 * 1 + 0, 3 * -1 + 10]
    expect(r.scores).toEqual([3, 7]);
    expect(r.classIndex).toBe(1);
    expect(r.margin).toBe(4);
    expect(r.exitTaken).toBe(0);
    expect(r.macs).toBe(12 + 2);
    expect(r.layers.map((l) => l.kernel)).toEqual(['conv1d_s8_i8_u8', 'globalavgpool_u8', 'linear_u8_i8_s16']);
  });

  it('conv1d with padding, stride, dilation and requantization', () => {
    // 1 channel, 6 samples; kernel 2, dilation 2, stride 2, padLeft 1, padRight 1:
    // outLen = floor((6 + 2 - 2*1 - 1) / 2) + 1 = 3; taps at positions (2t - 1) and (2t + 1)
    const conv: LayerSpec = { kind: 'conv1d', kernel: 2, dilation: 2, stride: 2, padLeft: 1, padRight: 1, outCh: 1, weightBits: 4, outBits: 4, weights: [3, -2], bias: [1], mul: [3], shift: [2] };
    const a = build(withHead(1, 6, [conv], 3));
    const x = Int8Array.from([10, 20, 30, 40, 50, 60]);
    const r = runReference(a, x, THRESHOLD_FULL, { trace: true });
    // t0: x[-1]=0 *3 + x[1]=20 * -2 + 1 = -39 -> (-117 + 2) >> 2 = floor(-28.75) = -29 -> 0
    // t1: x[1]*3 + x[3]*-2 + 1 = 60 - 80 + 1 = -19 -> 0
    // t2: x[3]*3 + x[5]*-2 + 1 = 120 - 120 + 1 = 1 -> (3 + 2) >> 2 = 1
    expect([...r.layers[0]!.output]).toEqual([0, 0, 1]);
    const x2 = Int8Array.from([0, -10, 0, 5, 0, -1]);
    // t0: 0 + -10*-2 + 1 = 21 -> (63 + 2) >> 2 = 16 -> clip 15; t1: -30 - 10 + 1 = -39 -> 0; t2: 15 + 2 + 1 = 18 -> (54+2)>>2 = 14
    expect([...runReference(a, x2, THRESHOLD_FULL, { trace: true }).layers[0]!.output]).toEqual([15, 0, 14]);
    expect(r.macs).toBe(3 * 1 * 2 * 1 + 3 * 3);
  });

  it('max and average pooling with rounding half up', () => {
    const conv: LayerSpec = { kind: 'conv1d', kernel: 1, outCh: 2, weightBits: 8, outBits: 8, weights: [1, 0, 0, 1], bias: [0, 0], mul: [1, 1], shift: [0, 0] };
    const maxA = build(withHead(2, 5, [conv, { kind: 'maxpool1d', kernel: 2, stride: 1 }], 8));
    const avgA = build(withHead(2, 5, [conv, { kind: 'avgpool1d', kernel: 3, stride: 2 }], 4));
    const x = Int8Array.from([1, 2, 5, 0, 3, 7, 0, 0, 4, 1]);
    expect([...runReference(maxA, x, 0, { trace: true }).layers[1]!.output]).toEqual([5, 2, 5, 7, 3, 7, 4, 1]);
    // avg k3 s2: t0 samples 0..2: ch0 (1+5+3)=9 -> floor((9+1)/3)=3, ch1 (2+0+7)=9 -> 3; t1 samples 2..4: ch0 (3+0+4)=7 -> floor(8/3)=2, ch1 (7+0+1)=8 -> floor(9/3)=3
    expect([...runReference(avgA, x, 0, { trace: true }).layers[1]!.output]).toEqual([3, 3, 2, 3]);
  });

  it('negative window values reach the first layer unchanged; ReLU clips at 0', () => {
    const conv: LayerSpec = { kind: 'conv1d', kernel: 1, outCh: 1, weightBits: 2, outBits: 2, weights: [-2], bias: [0], mul: [1], shift: [0] };
    const a = build(withHead(1, 3, [conv], 3));
    expect([...runReference(a, Int8Array.from([-128, 1, -1]), 0, { trace: true }).layers[0]!.output]).toEqual([3, 0, 2]);
  });
});

describe('adaptive execution', () => {
  const spec = randomSpec(21, 'early-exit');
  const a = build(spec);
  const engine = createReferenceEngine(a);
  const rng = seededRandom(4);
  const windows = Array.from({ length: 50 }, () => randomWindow(rng, a.net.windowSamples * a.net.inChannels));
  const stageMacs = a.metadata.stages.map((s) => s.macs);

  it('threshold 0 always stops after stage 0; 0xFFFFFFFF always runs every stage', () => {
    for (const w of windows) {
      const first = engine.run(w, THRESHOLD_FIRST_EXIT);
      expect(first.exitTaken).toBe(0);
      expect(first.macs).toBe(stageMacs[0]);
      const full = engine.run(w, THRESHOLD_FULL);
      expect(full.exitTaken).toBe(a.stages.length - 1);
      expect(full.macs).toBe(stageMacs.reduce((x, y) => x + y, 0));
      expect(full.cycles).toBeNull();
      expect(full.energyUj).toBeNull();
    }
  });

  it('a mid threshold continues exactly when the stage margin is below it', () => {
    for (const w of windows) {
      const full = runReference(a, w, THRESHOLD_FULL);
      const m0 = full.stageResults[0]!.margin;
      const stop = runReference(a, w, m0);
      expect(stop.exitTaken).toBe(0);
      expect(stop.scores).toEqual(full.stageResults[0]!.scores);
      const go = runReference(a, w, m0 + 1);
      expect(go.exitTaken).toBeGreaterThanOrEqual(1);
      expect(go.macs).toBeGreaterThan(stop.macs);
      expect(go.stageResults[1]!.scores).toEqual(full.stageResults[1]!.scores);
    }
  });

  it('the early-exit final stage reuses stage 0\'s backbone (MACs not recomputed)', () => {
    const full = runReference(a, windows[0]!, THRESHOLD_FULL, { trace: true });
    expect(full.layers.map((l) => l.index)).toEqual(a.layers.map((l) => l.index));
    expect(full.macs).toBe(a.layers.reduce((s, l) => s + l.macs, 0));
  });

  it('cascade stages read the window again', () => {
    const c = build(randomSpec(8, 'cascade'));
    const w = windows[0]!.subarray(0, c.net.windowSamples * c.net.inChannels);
    const win = w.length === c.net.windowSamples * c.net.inChannels ? w : randomWindow(rng, c.net.windowSamples * c.net.inChannels);
    const full = runReference(c, win, THRESHOLD_FULL, { trace: true });
    const second = c.layers.find((l) => l.stage === 1)!;
    expect(second.inCh).toBe(c.net.inChannels);
    expect(second.inSigned).toBe(true);
    expect(full.exitTaken).toBe(c.stages.length - 1);
  });

  it('rejects windows of the wrong shape and bad thresholds, and stays usable', () => {
    expect(() => engine.run(new Int8Array(3), 0)).toThrow(ExecutorError);
    expect(() => engine.run(windows[0]!, -1)).toThrow(/BAD_THRESHOLD|unsigned/);
    expect(() => engine.run(windows[0]!, 2 ** 32)).toThrow(ExecutorError);
    expect(() => engine.run(windows[0]!, 1.5)).toThrow(ExecutorError);
    try {
      engine.run(new Int8Array(1), 0);
    } catch (err) {
      expect((err as ExecutorError).code).toBe('WINDOW_SHAPE');
    }
    expect(engine.run(windows[1]!, 0).exitTaken).toBe(0);
  });

  it('gives the same answer on repeated runs (no state leaks between windows)', () => {
    const before = windows.map((w) => engine.run(w, THRESHOLD_FULL));
    const after = windows.map((w) => engine.run(w, THRESHOLD_FULL));
    expect(after).toEqual(before);
  });
});
