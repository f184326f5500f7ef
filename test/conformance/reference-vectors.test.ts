// Conformance of the TypeScript reference executor, tolerance zero (models/ARITHMETIC.md):
//  1. every zoo artifact (models/zoo/*.harm) against the exporter's vectors
//     (models/zoo/vectors/<id>.json, docs/ARCHITECTURE.md "Conformance vectors"): every executed
//     layer's output, scores, class, margin, exitTaken, MACs. A zoo model without vectors fails.
//  2. artifacts built by the TS writer from random specs against a slow, naive implementation
//     in this file that works from the spec (nested arrays, BigInt requantization) — a different
//     code path from the reader + executor — so the suite checks real arithmetic even without
//     a zoo.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { THRESHOLD_FULL } from '../../models/engine.ts';
import { readArtifact } from '../../models/format/read.ts';
import { writeArtifact, type ArtifactSpec, type LayerSpec } from '../../models/format/write.ts';
import { ReferenceModel } from '../../models/reference/executor.ts';
import { checkVectors, compareRun, readVectorFile, type VectorCase } from '../../models/reference/vectors.ts';
import { randomSpec, randomWindow, seededRandom } from '../unit/models/format/fixtures.ts';

const ZOO_DIR = join(import.meta.dirname, '../../models/zoo');

describe('zoo artifacts against the exporter vectors', () => {
  const artifacts = existsSync(ZOO_DIR) ? readdirSync(ZOO_DIR).filter((f) => f.endsWith('.harm')).sort() : [];

  it('the zoo folder is readable', () => {
    expect(Array.isArray(artifacts)).toBe(true);
  });

  for (const file of artifacts) {
    const id = file.slice(0, -'.harm'.length);
    it(`${id}: every case, every layer, tolerance zero`, () => {
      const vectorsPath = join(ZOO_DIR, 'vectors', `${id}.json`);
      if (!existsSync(vectorsPath)) throw new Error(`zoo model ${id} has no conformance vectors at ${vectorsPath}`);
      const artifact = readArtifact(new Uint8Array(readFileSync(join(ZOO_DIR, file))));
      expect(artifact.metadata.id).toBe(id);
      const vectors = readVectorFile(vectorsPath);
      expect(vectors.model).toBe(id);
      expect(vectors.cases.length).toBeGreaterThan(0);
      const problems = checkVectors(new ReferenceModel(artifact), vectors);
      expect(problems, problems.slice(0, 10).join('\n')).toEqual([]);
    });
  }
});

// ---- An independent, naive implementation working from the writer's spec -----------------

type Tensor = number[][]; // [t][c]

function naiveRequant(acc: number, mul: number, shift: number, bits: number, signed: boolean): number {
  const r = Number((BigInt(acc) * BigInt(mul) + (shift > 0 ? 1n << BigInt(shift - 1) : 0n)) >> BigInt(shift));
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Math.min(hi, Math.max(lo, r));
}

function naiveLayer(spec: LayerSpec, x: Tensor, isHeadLast: boolean): Tensor {
  const inLen = x.length;
  const inCh = x[0]?.length ?? 0;
  const at = (t: number, c: number): number => (t < 0 || t >= inLen ? 0 : (x[t]?.[c] ?? 0));
  switch (spec.kind) {
    case 'conv1d': {
      const stride = spec.stride ?? 1;
      const dil = spec.dilation ?? 1;
      const pl = spec.padLeft ?? 0;
      const pr = spec.padRight ?? 0;
      const outLen = Math.floor((inLen + pl + pr - dil * (spec.kernel - 1) - 1) / stride) + 1;
      const signed = spec.outSigned ?? isHeadLast;
      const out: Tensor = [];
      for (let t = 0; t < outLen; t++) {
        const row: number[] = [];
        for (let o = 0; o < spec.outCh; o++) {
          let acc = spec.bias[o] ?? 0;
          for (let k = 0; k < spec.kernel; k++) {
            for (let c = 0; c < inCh; c++) acc += at(t * stride + k * dil - pl, c) * (spec.weights[o * spec.kernel * inCh + k * inCh + c] ?? 0);
          }
          row.push(naiveRequant(acc, spec.mul[o] ?? 0, spec.shift[o] ?? 0, spec.outBits, signed));
        }
        out.push(row);
      }
      return out;
    }
    case 'linear': {
      const flat = x.flat();
      const signed = spec.outSigned ?? isHeadLast;
      const row: number[] = [];
      for (let o = 0; o < spec.outCh; o++) {
        let acc = spec.bias[o] ?? 0;
        flat.forEach((v, i) => { acc += v * (spec.weights[o * flat.length + i] ?? 0); });
        row.push(naiveRequant(acc, spec.mul[o] ?? 0, spec.shift[o] ?? 0, spec.outBits, signed));
      }
      return [row];
    }
    case 'maxpool1d':
    case 'avgpool1d': {
      const stride = spec.stride ?? spec.kernel;
      const outLen = Math.floor((inLen - spec.kernel) / stride) + 1;
      const out: Tensor = [];
      for (let t = 0; t < outLen; t++) {
        const taps = Array.from({ length: spec.kernel }, (_, k) => x[t * stride + k] ?? []);
        out.push(Array.from({ length: inCh }, (_, c) => {
          const vals = taps.map((r) => r[c] ?? 0);
          if (spec.kind === 'maxpool1d') return Math.max(...vals);
          const s = vals.reduce((a, b) => a + b, 0);
          return Math.floor((s + Math.floor(spec.kernel / 2)) / spec.kernel);
        }));
      }
      return out;
    }
    case 'globalavgpool':
      return [Array.from({ length: inCh }, (_, c) => Math.floor((x.reduce((s, r) => s + (r[c] ?? 0), 0) + Math.floor(inLen / 2)) / inLen))];
  }
}

function naiveMacs(spec: LayerSpec, x: Tensor, out: Tensor): number {
  const inCh = x[0]?.length ?? 0;
  if (spec.kind === 'conv1d') return out.length * spec.outCh * spec.kernel * inCh;
  if (spec.kind === 'linear') return spec.outCh * x.length * inCh;
  return 0;
}

/** The expected vector case of one window, computed by the naive implementation. */
function naiveCase(spec: ArtifactSpec, input: Int8Array, threshold: number): VectorCase {
  const window: Tensor = Array.from({ length: spec.windowSamples }, (_, t) => Array.from(input.subarray(t * spec.inChannels, (t + 1) * spec.inChannels)));
  const layers: { index: number; output: number[] }[] = [];
  let index = 0;
  let macs = 0;
  let prevBackbone: Tensor | null = null;
  let result = { scores: [] as number[], classIndex: 0, margin: 0, exitTaken: 0 };
  for (let s = 0; s < spec.stages.length; s++) {
    const stage = spec.stages[s]!;
    let x: Tensor = (stage.inputSource ?? 0) === 1 ? prevBackbone! : window;
    let backbone: Tensor | null = stage.backbone.length === 0 && stage.inputSource === 1 ? x : null;
    const all = [...stage.backbone, ...stage.head];
    all.forEach((l, j) => {
      const y = naiveLayer(l, x, j === all.length - 1);
      macs += naiveMacs(l, x, y);
      layers.push({ index: index + j, output: y.flat() });
      x = y;
      if (j === stage.backbone.length - 1) backbone = y;
    });
    index += all.length;
    prevBackbone = backbone;
    const scores = x.flat();
    const top = Math.max(...scores);
    const cls = scores.indexOf(top);
    const others = scores.filter((_, i) => i !== cls);
    const margin = others.length ? top - Math.max(...others) : 0;
    result = { scores, classIndex: cls, margin, exitTaken: s };
    if (s + 1 < spec.stages.length && !(margin < threshold)) {
      // the layers of later stages were never run
      break;
    }
  }
  return { threshold, input: Array.from(input), layers, ...result, macs };
}

describe('writer-built artifacts against a naive independent implementation', () => {
  const SPECS = 60;
  it(`${SPECS} random networks x 6 windows x 3 thresholds, tolerance zero`, () => {
    const rng = seededRandom(31337);
    const problems: string[] = [];
    let layersCompared = 0;
    for (let seed = 1; seed <= SPECS; seed++) {
      const spec = randomSpec(1000 + seed);
      const model = new ReferenceModel(readArtifact(writeArtifact(spec)));
      for (let w = 0; w < 6; w++) {
        const input = randomWindow(rng, spec.windowSamples * spec.inChannels);
        if (w === 0) input.fill(-128);
        if (w === 1) input.fill(127);
        const full = naiveCase(spec, input, THRESHOLD_FULL);
        const firstMargin = naiveCase(spec, input, 0).margin;
        for (const threshold of [0, firstMargin + 1, THRESHOLD_FULL]) {
          const expected = threshold === THRESHOLD_FULL ? full : naiveCase(spec, input, threshold);
          const run = model.run(input, threshold, { trace: true });
          layersCompared += expected.layers.length;
          problems.push(...compareRun(`spec ${1000 + seed} window ${w} threshold ${threshold}`, model, run, expected));
        }
      }
    }
    expect(problems, problems.slice(0, 10).join('\n')).toEqual([]);
    expect(layersCompared).toBeGreaterThan(1000);
  });

  it('a deliberately wrong expectation is reported with the layer and the first positions', () => {
    const spec = randomSpec(77, 'plain');
    const model = new ReferenceModel(readArtifact(writeArtifact(spec)));
    const input = randomWindow(seededRandom(1), spec.windowSamples * spec.inChannels);
    const expected = naiveCase(spec, input, THRESHOLD_FULL);
    const broken = { ...expected, layers: expected.layers.map((l, i) => (i === 0 ? { ...l, output: l.output.map((v, j) => (j === 1 ? v + 1 : v)) } : l)) };
    const problems = compareRun('x', model, model.run(input, THRESHOLD_FULL, { trace: true }), broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/layer 0 \(conv1d_s8_i\d_u\d\).*1 of \d+ values differ; first: \[\d+\]\[\d+\] actual \d+ expected \d+/);
  });
});
