// The TypeScript integer reference executor (models/ARITHMETIC.md): runs a validated artifact
// on an int8 window with a mode's threshold. Everything that does not depend on the window is
// done once, when the engine is created: weights unpacked (into Float64Array, exact: see
// kernels.ts), requantization constants, one output buffer per layer and one input-row buffer.
// A run allocates only its result.
import type { InferenceEngine, InferenceResult } from '../engine.ts';
import { UINT32_MAX } from '../format/constants.ts';
import { unpackWeights } from '../format/packing.ts';
import type { LayerRecord, ModelArtifact, StageRecord } from '../format/types.ts';
import { classAndMargin, shouldContinue } from './decision.ts';
import { kernelName } from './kernel-names.ts';
import { avgpool1d, conv1d, globalavgpool, linear, maxpool1d, type WeightedKernelArgs } from './kernels.ts';
import { requantTable } from './requantize.ts';

export class ExecutorError extends Error {
  readonly code: 'WINDOW_SHAPE' | 'BAD_THRESHOLD';
  constructor(code: ExecutorError['code'], message: string) {
    super(message);
    this.name = 'ExecutorError';
    this.code = code;
  }
}

interface PreparedLayer {
  readonly record: LayerRecord;
  readonly name: string;
  readonly out: Int32Array;
  run(x: Int32Array, out: Int32Array): void;
}

interface PreparedStage {
  readonly record: StageRecord;
  readonly layers: readonly PreparedLayer[];
  readonly macs: number;
}

/** `col`: one input-row buffer shared by every conv1d / linear of the model (the widest row). */
function prepareLayer(l: LayerRecord, col: Float64Array): PreparedLayer {
  const out = new Int32Array(l.outCh * l.outLen);
  const name = kernelName(l);
  if (l.kind === 'conv1d' || l.kind === 'linear') {
    const t = l.tensors;
    if (!t) throw new Error(`layer ${l.index}: ${l.kind} without tensors (not a readArtifact result?)`);
    const args: WeightedKernelArgs = {
      inCh: l.inCh, inLen: l.inLen, outCh: l.outCh, outLen: l.outLen, kernel: l.kernel, stride: l.stride,
      dilation: l.dilation, padLeft: l.padLeft, rowElems: l.rowElems,
      weights: Float64Array.from(unpackWeights(t.packedWeights, l.outCh, l.rowElems, l.weightBits)),
      bias: t.bias,
      requant: requantTable(t.mul, t.shift, l.outBits, l.outSigned),
    };
    if (l.kind === 'conv1d') return { record: l, name, out, run: (x, o) => conv1d(args, x, o, col) };
    return { record: l, name, out, run: (x, o) => linear(args, x, o, col) };
  }
  const args = { inCh: l.inCh, inLen: l.inLen, outLen: l.outLen, kernel: l.kernel, stride: l.stride };
  const kernel = l.kind === 'maxpool1d' ? maxpool1d : l.kind === 'avgpool1d' ? avgpool1d : globalavgpool;
  return { record: l, name, out, run: (x, o) => kernel(args, x, o) };
}

export interface LayerTrace {
  readonly index: number;
  readonly stage: number;
  readonly kernel: string;
  /** The layer's output, time-major [outLen][outCh] (a copy). */
  readonly output: Int32Array;
}

export interface ReferenceRun extends InferenceResult {
  /** Every executed layer's output in execution order (only with `trace: true`). */
  readonly layers: readonly LayerTrace[];
  /** Class, scores and margin of every stage that ran. */
  readonly stageResults: readonly { readonly stage: number; readonly scores: readonly number[]; readonly classIndex: number; readonly margin: number }[];
}

/** A prepared model: create once, run many windows. */
export class ReferenceModel {
  readonly artifact: ModelArtifact;
  private readonly stages: readonly PreparedStage[];
  private readonly input: Int32Array;
  readonly windowValues: number;

  constructor(artifact: ModelArtifact) {
    this.artifact = artifact;
    const col = new Float64Array(Math.max(1, ...artifact.layers.map((l) => l.rowElems)));
    const prepared = artifact.layers.map((l) => prepareLayer(l, col));
    this.stages = artifact.stages.map((s) => {
      const layers = prepared.slice(s.firstLayer, s.firstLayer + s.backboneLayers + s.headLayers);
      return { record: s, layers, macs: layers.reduce((sum, l) => sum + l.record.macs, 0) };
    });
    this.windowValues = artifact.net.windowSamples * artifact.net.inChannels;
    this.input = new Int32Array(this.windowValues);
  }

  run(window: Int8Array, threshold: number, options: { trace?: boolean } = {}): ReferenceRun {
    if (!(window instanceof Int8Array) || window.length !== this.windowValues) {
      const got = window instanceof Int8Array ? `${window.length} values` : 'not an Int8Array';
      throw new ExecutorError('WINDOW_SHAPE', `window must be an Int8Array of ${this.artifact.net.windowSamples} x ${this.artifact.net.inChannels} = ${this.windowValues} values, got ${got}`);
    }
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > UINT32_MAX) {
      throw new ExecutorError('BAD_THRESHOLD', `threshold ${threshold} is not an unsigned 32-bit integer`);
    }
    const trace = options.trace === true;
    const input = this.input;
    input.set(window);
    const traces: LayerTrace[] = [];
    const stageResults: { stage: number; scores: number[]; classIndex: number; margin: number }[] = [];
    const classCount = this.artifact.net.classCount;
    let previousBackbone: Int32Array | null = null;
    let macs = 0;
    let result = { scores: [] as number[], classIndex: 0, margin: 0, exitTaken: 0 };
    for (let s = 0; s < this.stages.length; s++) {
      const stage = this.stages[s]!;
      // ARITHMETIC.md §6: inputSource 1 reads the previous stage's kept backbone output.
      let x: Int32Array = stage.record.inputSource === 1 && previousBackbone ? previousBackbone : input;
      let backbone: Int32Array | null = stage.record.backboneLayers === 0 && stage.record.inputSource === 1 ? x : null;
      for (let j = 0; j < stage.layers.length; j++) {
        const layer = stage.layers[j]!;
        layer.run(x, layer.out);
        if (trace) traces.push({ index: layer.record.index, stage: s, kernel: layer.name, output: layer.out.slice() });
        x = layer.out;
        if (j === stage.record.backboneLayers - 1) backbone = x;
      }
      previousBackbone = backbone;
      macs += stage.macs; // ARITHMETIC.md §7
      const scores = Array.from(x.subarray(0, classCount));
      const { classIndex, margin } = classAndMargin(scores, classCount);
      stageResults.push({ stage: s, scores, classIndex, margin });
      result = { scores, classIndex, margin, exitTaken: s };
      if (s + 1 < this.stages.length && !shouldContinue(margin, threshold)) break;
    }
    return { ...result, macs, cycles: null, instret: null, energyUj: null, latencyUs: null, layers: traces, stageResults };
  }
}

/** One run with the option to trace every executed layer's output (conformance diagnostics). */
export function runReference(artifact: ModelArtifact | ReferenceModel, window: Int8Array, threshold: number, options: { trace?: boolean } = {}): ReferenceRun {
  const model = artifact instanceof ReferenceModel ? artifact : new ReferenceModel(artifact);
  return model.run(window, threshold, options);
}

/** The reference InferenceEngine (kind 'reference'; cycles, instret, energy and latency are null). */
export function createReferenceEngine(artifact: ModelArtifact): InferenceEngine & { readonly model: ReferenceModel } {
  const model = new ReferenceModel(artifact);
  return {
    kind: 'reference',
    model,
    run(window: Int8Array, threshold: number): InferenceResult {
      const r = model.run(window, threshold);
      return { classIndex: r.classIndex, scores: r.scores, margin: r.margin, exitTaken: r.exitTaken, macs: r.macs, cycles: null, instret: null, energyUj: null, latencyUs: null };
    },
  };
}
