// What an engine module exports: the inference worker imports one by URL (engines.ts) and builds
// its InferenceEngine from the artifact bytes. Tests load their own module the same way.
import type { InferenceEngine } from '../../../models/engine.ts';

export interface EngineModule {
  createEngine(artifactBytes: Uint8Array, options: EngineOptions): InferenceEngine | Promise<InferenceEngine>;
}

/** Plain JSON passed to createEngine (structured-cloned into the worker). */
export type EngineOptions = Readonly<Record<string, unknown>>;
