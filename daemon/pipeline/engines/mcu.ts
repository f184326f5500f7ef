// Engine kind 'mcu': the emulated RISC-V twin running the committed firmware
// (device-sim/twin `createMcuEngine`): cycles, energy and latency come from executed instructions.
// Options (engine options, plain JSON): `profile` (device-sim/timing profile name),
// `kernelSet`, `maxCyclesPerWindow`.
import type { InferenceEngine } from '../../../models/engine.ts';
import { createMcuEngine, type McuEngineOptions } from '../../../device-sim/twin/index.ts';
import type { EngineOptions } from './engine-module.ts';

export function createEngine(artifactBytes: Uint8Array, options: EngineOptions): InferenceEngine {
  const { profile, kernelSet, maxCyclesPerWindow } = options as Partial<Pick<McuEngineOptions, 'kernelSet' | 'maxCyclesPerWindow'>> & { profile?: string };
  return createMcuEngine({
    model: artifactBytes,
    ...(profile === undefined ? {} : { profile }),
    ...(kernelSet === undefined ? {} : { kernelSet }),
    ...(maxCyclesPerWindow === undefined ? {} : { maxCyclesPerWindow }),
  });
}
