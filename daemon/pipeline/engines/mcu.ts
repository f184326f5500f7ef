// Engine kind 'mcu': the emulated RISC-V twin (device-sim/twin `createMcuEngine`). Loaded by
// name at run time, so the daemon works before the twin lands and says so when asked for it.
import type { InferenceEngine } from '../../../models/engine.ts';
import { PipelineError } from '../errors.ts';
import type { EngineOptions } from './engine-module.ts';

const TWIN_MODULE = '../../../device-sim/twin/index.ts';

interface TwinModule {
  createMcuEngine(options: { model: Uint8Array } & EngineOptions): InferenceEngine | Promise<InferenceEngine>;
}

export async function createEngine(artifactBytes: Uint8Array, options: EngineOptions): Promise<InferenceEngine> {
  let twin: TwinModule;
  try {
    twin = (await import(TWIN_MODULE)) as TwinModule;
  } catch (cause) {
    throw new PipelineError('engine-failed', 'engine kind "mcu" is not available yet (device-sim/twin has not landed)', { cause });
  }
  return twin.createMcuEngine({ ...options, model: artifactBytes });
}
