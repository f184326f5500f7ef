// Public API of the model artifact format (models/FORMAT.md).
export { readArtifact } from './read.ts';
export { writeArtifact, replaceMetadata, withRecomputedCrc, type ArtifactSpec, type LayerSpec, type StageSpec, type Conv1dSpec, type LinearSpec, type PoolSpec, type GlobalAvgPoolSpec, type MetadataSpec } from './write.ts';
export { ArtifactError, type ArtifactErrorCode } from './errors.ts';
export { metadataSchema, type ModelMetadata, type OperatingMode, type StageMetadata } from './metadata.ts';
export { modelFootprint, layerParameterBytes, type ModelFootprint, type StageFootprint } from './footprint.ts';
export { packWeights, unpackWeights, unpackElement } from './packing.ts';
export { crc32 } from './crc32.ts';
export type { ModelArtifact, LayerRecord, StageRecord, NetHeader, ArtifactHeader, LayerTensors } from './types.ts';
