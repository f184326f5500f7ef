// Memory and compute figures of a model, computed from the parsed layers.
//
// - weightBytes: packed weight bytes (FORMAT.md "Weight packing", rows padded to 4 bytes).
// - parameterBytes: everything the MCU keeps per conv1d/linear layer: packed weights, int32
//   biases, int32 multipliers and the u8 shifts padded to 4 bytes.
// - peakActivationBytes (the rule the firmware's arena must satisfy at least): activations are
//   stored one element per byte (int8 window, uint8 2/4/8-bit hidden activations, as the
//   firmware's kernels read them: device-sim/firmware/include/kernels.h) and a head's scores as
//   int32 (4 bytes each). While a layer runs, its input and its output are live; while a head
//   layer of stage s runs and stage s+1 reads stage s's backbone output (inputSource = 1, early
//   exit), that backbone output is live too (unless it is the layer's own input). The window
//   counts when it is a layer's input. Peak = max over layers of the live bytes. The firmware's
//   real arena (three equal buffers plus im2col scratch, network.c net_plan_arena) is at least this.
import type { LayerRecord, ModelArtifact } from './types.ts';
import { align4 } from './shapes.ts';

export interface StageFootprint {
  readonly stage: number;
  readonly macs: number;
  readonly weightBytes: number;
  readonly parameterBytes: number;
}

export interface ModelFootprint {
  readonly weightBytes: number;
  readonly parameterBytes: number;
  readonly peakActivationBytes: number;
  /** MACs of running every stage (the full network, threshold 0xFFFFFFFF). */
  readonly fullMacs: number;
  readonly stages: readonly StageFootprint[];
}

export function layerParameterBytes(l: Pick<LayerRecord, 'weightsBytes' | 'outCh' | 'kind'>): number {
  if (l.kind !== 'conv1d' && l.kind !== 'linear') return 0;
  return l.weightsBytes + 8 * l.outCh + align4(l.outCh);
}

/** Bytes of a layer's output as stored in the arena (scores are int32). */
export function activationBytes(elements: number, signedScores: boolean): number {
  return signedScores ? 4 * elements : elements;
}

export function modelFootprint(artifact: Pick<ModelArtifact, 'net' | 'stages' | 'layers'>): ModelFootprint {
  const { net, stages, layers } = artifact;
  const windowBytes = net.inChannels * net.windowSamples;
  let peak = 0;
  let previousBackboneBytes = 0;
  const stageFigures: StageFootprint[] = [];
  for (const stage of stages) {
    const stageLayers = layers.filter((l) => l.stage === stage.index);
    const next = stages[stage.index + 1];
    const keepsBackbone = next?.inputSource === 1;
    let inputBytes = stage.inputSource === 1 ? previousBackboneBytes : windowBytes;
    let backboneBytes = stage.backboneLayers === 0 ? (stage.inputSource === 1 ? previousBackboneBytes : 0) : 0;
    stageLayers.forEach((l, j) => {
      const outBytes = activationBytes(l.outCh * l.outLen, l.outSigned);
      const isHead = j >= stage.backboneLayers;
      const firstHead = j === stage.backboneLayers;
      const kept = keepsBackbone && isHead && !firstHead ? backboneBytes : 0;
      peak = Math.max(peak, inputBytes + outBytes + kept);
      inputBytes = outBytes;
      if (j === stage.backboneLayers - 1) backboneBytes = outBytes;
    });
    previousBackboneBytes = backboneBytes;
    stageFigures.push({
      stage: stage.index,
      macs: stageLayers.reduce((s, l) => s + l.macs, 0),
      weightBytes: stageLayers.reduce((s, l) => s + l.weightsBytes, 0),
      parameterBytes: stageLayers.reduce((s, l) => s + layerParameterBytes(l), 0),
    });
  }
  return {
    weightBytes: stageFigures.reduce((s, x) => s + x.weightBytes, 0),
    parameterBytes: stageFigures.reduce((s, x) => s + x.parameterBytes, 0),
    peakActivationBytes: peak,
    fullMacs: stageFigures.reduce((s, x) => s + x.macs, 0),
    stages: stageFigures,
  };
}
