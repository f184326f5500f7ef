// The parsed form of a model artifact (models/FORMAT.md), as readArtifact returns it.
import type { LayerKindName } from './constants.ts';
import type { ModelMetadata } from './metadata.ts';

export interface ArtifactHeader {
  readonly version: number;
  readonly headerBytes: number;
  readonly fileBytes: number;
  readonly crc32: number;
  readonly netOffset: number;
  readonly netBytes: number;
  readonly metaOffset: number;
  readonly metaBytes: number;
}

export interface NetHeader {
  readonly inChannels: number;
  readonly windowSamples: number;
  readonly classCount: number;
  readonly stageCount: number;
  readonly inputBits: number;
  readonly layerCount: number;
  readonly layerTableOffset: number;
}

export interface StageRecord {
  readonly index: number;
  /** 0 = the input window; 1 = the backbone output of the previous stage. */
  readonly inputSource: 0 | 1;
  readonly firstLayer: number;
  readonly backboneLayers: number;
  readonly headLayers: number;
}

/** Integer parameters of a conv1d or linear layer (views/copies of the file's tensors). */
export interface LayerTensors {
  /** Packed weights, a view into the artifact bytes: outCh rows of rowBytes. */
  readonly packedWeights: Uint8Array;
  readonly bias: Int32Array;
  readonly mul: Int32Array;
  readonly shift: Uint8Array;
}

export interface LayerRecord {
  readonly index: number;
  readonly stage: number;
  readonly role: 'backbone' | 'head';
  readonly kind: LayerKindName;
  readonly inBits: number;
  readonly inSigned: boolean;
  readonly outBits: number;
  readonly outSigned: boolean;
  /** 0 for pooling layers. */
  readonly weightBits: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly inCh: number;
  readonly inLen: number;
  readonly outCh: number;
  readonly outLen: number;
  readonly weightsOffset: number;
  readonly weightsBytes: number;
  readonly biasOffset: number;
  readonly mulOffset: number;
  readonly shiftOffset: number;
  readonly macs: number;
  /** Elements of one weight row (0 for pooling). */
  readonly rowElems: number;
  /** Bytes of one packed weight row (0 for pooling). */
  readonly rowBytes: number;
  /** Present exactly for conv1d and linear. */
  readonly tensors: LayerTensors | null;
}

export interface ModelArtifact {
  /** The whole file (the firmware and the twin load these bytes). */
  readonly bytes: Uint8Array;
  readonly header: ArtifactHeader;
  readonly net: NetHeader;
  readonly stages: readonly StageRecord[];
  readonly layers: readonly LayerRecord[];
  readonly metadata: ModelMetadata;
}
