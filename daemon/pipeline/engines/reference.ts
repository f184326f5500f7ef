// Engine kind 'reference': the TypeScript integer reference executor (models/reference).
import { readArtifact } from '../../../models/format/read.ts';
import { createReferenceEngine } from '../../../models/reference/executor.ts';
import type { InferenceEngine } from '../../../models/engine.ts';

export function createEngine(artifactBytes: Uint8Array): InferenceEngine {
  return createReferenceEngine(readArtifact(artifactBytes));
}
