// Seeded random model artifacts (written with models/format's writer) for the firmware
// conformance tests and the kernel benchmark: every combination of input, weight and output
// bit-widths, pooling, stride/dilation/padding, plain / early-exit / cascade stages. Weights are
// uniform over their range; requantization parameters are scaled to the expected accumulator
// size so outputs spread over their range instead of saturating. Nothing here comes from a
// dataset.
import { writeArtifact, type ArtifactSpec, type LayerSpec, type MetadataSpec, type StageSpec } from '../../models/format/index.ts';

export type Bits = 2 | 4 | 8;
export const BIT_WIDTHS: readonly Bits[] = [2, 4, 8];

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function randomWindow(rand: () => number, bytes: number): Int8Array {
  return Int8Array.from({ length: bytes }, () => randomInt(rand, -128, 127));
}

interface WeightedParams {
  readonly weights: number[];
  readonly bias: number[];
  readonly mul: number[];
  readonly shift: number[];
}

/** Weights, biases and requantization for outCh rows of rowElems reading inputs up to xMax. */
function weightedParams(rand: () => number, outCh: number, rowElems: number, weightBits: Bits, xMax: number, outMax: number): WeightedParams {
  const wMax = 2 ** (weightBits - 1);
  const weights = Array.from({ length: outCh * rowElems }, () => randomInt(rand, -wMax, wMax - 1));
  // Typical |acc| ~ sqrt(rowElems) * (xMax / 2) * (wMax / 2); map about twice that onto the output range.
  const accScale = Math.max(1, Math.sqrt(rowElems) * (xMax / 2) * (wMax / 2));
  const bias = Array.from({ length: outCh }, () => randomInt(rand, -Math.round(accScale), Math.round(accScale)));
  const mul = Array.from({ length: outCh }, () => randomInt(rand, 4096, 32767));
  const shift = mul.map((m) => Math.min(46, Math.max(0, Math.round(Math.log2((accScale * m) / Math.max(1, outMax))) + randomInt(rand, -1, 1))));
  return { weights, bias, mul, shift };
}

/** A conv1d spec reading [inCh] channels of `inBits` activations (or the signed window). */
export function randomConv(rand: () => number, o: { inCh: number; inBits: number; inSigned: boolean; outCh: number; kernel: number; weightBits: Bits; outBits: number; outSigned?: boolean; stride?: number; dilation?: number; padLeft?: number; padRight?: number }): LayerSpec {
  const xMax = o.inSigned ? 128 : 2 ** o.inBits - 1;
  const outMax = o.outSigned ? 2 ** (o.outBits - 1) - 1 : 2 ** o.outBits - 1;
  return {
    kind: 'conv1d',
    outCh: o.outCh,
    kernel: o.kernel,
    stride: o.stride ?? 1,
    dilation: o.dilation ?? 1,
    padLeft: o.padLeft ?? 0,
    padRight: o.padRight ?? 0,
    weightBits: o.weightBits,
    outBits: o.outBits,
    ...(o.outSigned === undefined ? {} : { outSigned: o.outSigned }),
    ...weightedParams(rand, o.outCh, o.kernel * o.inCh, o.weightBits, xMax, outMax),
  };
}

export function randomLinear(rand: () => number, o: { inFeatures: number; inBits: number; inSigned: boolean; outCh: number; weightBits: Bits; outBits: number; outSigned?: boolean }): LayerSpec {
  const xMax = o.inSigned ? 128 : 2 ** o.inBits - 1;
  const outMax = o.outSigned === false ? 2 ** o.outBits - 1 : 2 ** (o.outBits - 1) - 1;
  return {
    kind: 'linear',
    outCh: o.outCh,
    weightBits: o.weightBits,
    outBits: o.outBits,
    ...(o.outSigned === undefined ? {} : { outSigned: o.outSigned }),
    ...weightedParams(rand, o.outCh, o.inFeatures, o.weightBits, xMax, outMax),
  };
}

export function randomMetadata(id: string, inChannels: number, windowSamples: number, classCount: number, kind: 'none' | 'early-exit' | 'cascade', stageCount: number): MetadataSpec {
  const channels = Array.from({ length: inChannels }, (_, i) => `ch${i}`);
  return {
    id,
    task: 'synthetic',
    classes: Array.from({ length: classCount }, (_, i) => `class${i}`),
    architecture: 'random (device-sim/twin/random-models.ts)',
    input: { channels, units: channels.map(() => 'g'), rateHz: 50, windowSamples, strideSamples: windowSamples, scale: channels.map(() => 1 / 64), zeroPoint: 0, bits: 8 },
    adaptive: { kind, scoreScale: 1 / 16 },
    modes: stageCount === 1
      ? [{ threshold: 0, accuracy: 0, macroF1: 0, continueShare: 0, avgMacs: 0, cycles: null, latencyUs: null, energyUj: null }]
      : [
          { threshold: 0, accuracy: 0, macroF1: 0, continueShare: 0, avgMacs: 0, cycles: null, latencyUs: null, energyUj: null },
          { threshold: 4294967295, accuracy: 0, macroF1: 0, continueShare: 1, avgMacs: 0, cycles: null, latencyUs: null, energyUj: null },
        ],
    metrics: {},
    provenance: { task: 'synthetic', seed: 0, commit: 'none', tool: 'device-sim/twin/random-models.ts', dataset: 'none (random)', protocol: 'none' },
  };
}

export interface RandomModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly windowBytes: number;
}

/**
 * A model whose middle conv1d reads `inBits` activations with `weightBits` weights and writes
 * `outBits` (the combination under test), preceded by a conv1d from the signed window and
 * followed by a pool and a head; `variant` varies stride/dilation/padding, pooling, head kind
 * and the adaptive structure.
 */
export function comboModel(seed: number, inBits: Bits, weightBits: Bits, outBits: Bits, variant: number): RandomModel {
  const rand = seededRandom(seed);
  const inChannels = randomInt(rand, 1, 7);
  const windowSamples = randomInt(rand, 24, 48); // long enough for kernel 5, dilation 2, stride 2 and a pool
  const classCount = randomInt(rand, 2, 8);
  const c1 = randomInt(rand, 3, 13);
  const c2 = randomInt(rand, 4, 17);
  const first = randomConv(rand, { inCh: inChannels, inBits: 8, inSigned: true, outCh: c1, kernel: randomInt(rand, 1, 5), weightBits: BIT_WIDTHS[randomInt(rand, 0, 2)] ?? 8, outBits: inBits, padLeft: randomInt(rand, 0, 2), padRight: randomInt(rand, 0, 2) });
  const middle = randomConv(rand, {
    inCh: c1, inBits, inSigned: false, outCh: c2, kernel: randomInt(rand, 1, 5), weightBits, outBits,
    stride: variant % 2 === 1 ? 2 : 1, dilation: variant % 3 === 2 ? 2 : 1, padLeft: variant % 2, padRight: (variant >> 1) % 2,
  });
  const pool: LayerSpec = variant % 3 === 0 ? { kind: 'maxpool1d', kernel: 2 } : { kind: 'avgpool1d', kernel: 3, stride: 2 };
  const head = (inCh: number, useGap: boolean, inLen: number): LayerSpec[] =>
    useGap
      ? [{ kind: 'globalavgpool' }, randomLinear(rand, { inFeatures: inCh, inBits: outBits, inSigned: false, outCh: classCount, weightBits: BIT_WIDTHS[randomInt(rand, 0, 2)] ?? 8, outBits: variant % 2 === 0 ? 16 : 8 })]
      : [randomConv(rand, { inCh, inBits: outBits, inSigned: false, outCh: classCount, kernel: inLen, weightBits: BIT_WIDTHS[randomInt(rand, 0, 2)] ?? 8, outBits: 16, outSigned: true })];
  // Length after first conv (stride 1), middle conv and the pool, for a conv head covering it.
  const len1 = windowSamples + (first.kind === 'conv1d' ? (first.padLeft ?? 0) + (first.padRight ?? 0) - (first.kernel - 1) : 0);
  const m = middle.kind === 'conv1d' ? middle : null;
  const len2 = m ? Math.floor((len1 + (m.padLeft ?? 0) + (m.padRight ?? 0) - (m.dilation ?? 1) * (m.kernel - 1) - 1) / (m.stride ?? 1)) + 1 : len1;
  const len3 = pool.kind === 'maxpool1d' ? Math.floor((len2 - 2) / 2) + 1 : Math.floor((len2 - 3) / 2) + 1;
  const structure = (['none', 'early-exit', 'cascade'] as const)[variant % 3] ?? 'none';
  let stages: StageSpec[];
  if (structure === 'none') {
    stages = [{ backbone: [first, middle, pool], head: head(c2, variant % 4 !== 3, len3) }];
  } else if (structure === 'early-exit') {
    const c3 = randomInt(rand, 2, 9);
    const extra = randomConv(rand, { inCh: c2, inBits: outBits, inSigned: false, outCh: c3, kernel: 3, weightBits: BIT_WIDTHS[randomInt(rand, 0, 2)] ?? 8, outBits: 4, padLeft: 1, padRight: 1 });
    stages = [
      { backbone: [first, middle], head: head(c2, true, len2) },
      { inputSource: 1, backbone: [extra], head: [{ kind: 'globalavgpool' }, randomLinear(rand, { inFeatures: c3, inBits: 4, inSigned: false, outCh: classCount, weightBits: 8, outBits: 16 })] },
    ];
  } else {
    const little = randomLinear(rand, { inFeatures: windowSamples * inChannels, inBits: 8, inSigned: true, outCh: classCount, weightBits: weightBits, outBits: 16 });
    stages = [{ backbone: [], head: [little] }, { backbone: [first, middle, pool], head: head(c2, true, len3) }];
  }
  const name = `combo-in${inBits}-w${weightBits}-out${outBits}-v${variant}`;
  const spec: ArtifactSpec = {
    inChannels, windowSamples, classCount, stages,
    metadata: randomMetadata(name, inChannels, windowSamples, classCount, structure, stages.length),
  };
  return { name, bytes: writeArtifact(spec), windowBytes: inChannels * windowSamples };
}

/** Every (input, weight, output) bit-width combination of a hidden conv1d, two variants each. */
export function allComboModels(seed = 1): RandomModel[] {
  const models: RandomModel[] = [];
  let combo = 0;
  for (const inBits of BIT_WIDTHS)
    for (const weightBits of BIT_WIDTHS)
      for (const outBits of BIT_WIDTHS) {
        for (let v = 0; v < 2; v++) models.push(comboModel(seed * 1000 + combo * 2 + v, inBits, weightBits, outBits, (combo * 2 + v) % 6));
        combo++;
      }
  return models;
}

/**
 * Wide layers (the sizes of trained HAR backbones: 24-48 channels, kernels 3-7, 64 samples) at
 * each uniform precision and a few mixed ones, so the optimized kernels' long inner loops, the
 * whole-input packing and every requantization path run on realistic shapes.
 */
export function wideModels(seed = 1): RandomModel[] {
  const combos: readonly (readonly [Bits, Bits])[] = [[8, 8], [4, 4], [2, 2], [8, 4], [4, 2], [2, 8]];
  return combos.map(([actBits, weightBits], i) => {
    const rand = seededRandom(seed * 100 + i);
    const inChannels = 6;
    const windowSamples = 64;
    const classCount = 6;
    const c1 = [24, 32, 48][i % 3] ?? 32;
    const kernel = [5, 3, 7][i % 3] ?? 5;
    const stem = randomConv(rand, { inCh: inChannels, inBits: 8, inSigned: true, outCh: c1, kernel: 5, weightBits: 8, outBits: actBits, padLeft: 2, padRight: 2 });
    const block = randomConv(rand, { inCh: c1, inBits: actBits, inSigned: false, outCh: 36, kernel, weightBits, outBits: actBits, padLeft: kernel >> 1, padRight: kernel >> 1 });
    const block2 = randomConv(rand, { inCh: 36, inBits: actBits, inSigned: false, outCh: 40, kernel: 3, weightBits, outBits: actBits, stride: 2 });
    const head = randomLinear(rand, { inFeatures: 40, inBits: actBits, inSigned: false, outCh: classCount, weightBits: 8, outBits: 16 });
    const name = `wide-a${actBits}-w${weightBits}-c${c1}-k${kernel}`;
    const spec: ArtifactSpec = {
      inChannels, windowSamples, classCount,
      stages: [{ backbone: [stem, block, { kind: 'maxpool1d', kernel: 2 }, block2], head: [{ kind: 'globalavgpool' }, head] }],
      metadata: randomMetadata(name, inChannels, windowSamples, classCount, 'none', 1),
    };
    return { name, bytes: writeArtifact(spec), windowBytes: inChannels * windowSamples };
  });
}
