// Public API of the TypeScript integer reference executor (models/reference/README.md).
export { createReferenceEngine, runReference, ReferenceModel, ExecutorError, type ReferenceRun, type LayerTrace } from './executor.ts';
export { classAndMargin, shouldContinue, type ClassAndMargin } from './decision.ts';
export { requantize, requantizeRaw, outputRange } from './requantize.ts';
export { kernelName, activationTag } from './kernel-names.ts';
export { decideFromStages, type ModeDecision, type StageOutcome } from './sweep.ts';
export { readVectorFile, checkVectors, compareRun, describeMismatch, VectorsError, type VectorFile, type VectorCase } from './vectors.ts';
