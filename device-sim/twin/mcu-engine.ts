// The 'mcu' InferenceEngine (models/engine.ts): every window runs the real firmware on the
// emulated core, so cycles, energy and latency come from executed instructions. Constructible
// from plain data (bytes or file paths, a profile name), so a worker thread can build its own.
import { readFileSync } from 'node:fs';
import type { InferenceEngine, InferenceResult } from '../../models/engine.ts';
import type { CoreFactory } from './core.ts';
import { loadFirmwareImage } from './firmware-image.ts';
import { createIssCore } from './iss-core.ts';
import { resolveTwinProfile } from './profiles.ts';
import type { TwinProfile } from './profile.ts';
import { createTwin, type KernelSet, type Twin } from './twin.ts';

export interface McuEngineOptions {
  /** The model artifact (bytes, or a path to a .harm file). */
  readonly model: Uint8Array | string;
  /** The firmware ELF (bytes or path); default: the committed image. */
  readonly firmware?: Uint8Array | string;
  /** Energy/clock profile name from device-sim/timing, or a profile; default: the default profile. */
  readonly profile?: string | TwinProfile;
  /** Kernel set of every run; default 'simd'. */
  readonly kernelSet?: KernelSet;
  readonly maxCyclesPerWindow?: number;
  readonly onConsole?: (line: string) => void;
  /** For tests: a core other than the ISS. */
  readonly coreFactory?: CoreFactory;
}

export interface McuEngine extends InferenceEngine {
  readonly kind: 'mcu';
  readonly twin: Twin;
}

const bytesOf = (source: Uint8Array | string): Uint8Array =>
  typeof source === 'string' ? new Uint8Array(readFileSync(source)) : source;

export function createMcuEngine(options: McuEngineOptions): McuEngine {
  const twin = createTwin({
    firmwareElf: options.firmware === undefined ? loadFirmwareImage() : bytesOf(options.firmware),
    modelBytes: bytesOf(options.model),
    profile: typeof options.profile === 'object' ? options.profile : resolveTwinProfile(options.profile),
    coreFactory: options.coreFactory ?? createIssCore,
    ...(options.maxCyclesPerWindow === undefined ? {} : { maxCyclesPerWindow: options.maxCyclesPerWindow }),
    ...(options.onConsole === undefined ? {} : { onConsole: options.onConsole }),
  });
  const kernelSet = options.kernelSet ?? 'simd';
  return {
    kind: 'mcu',
    twin,
    run(window: Int8Array, threshold: number): InferenceResult {
      const r = twin.run(window, threshold, kernelSet);
      return {
        classIndex: r.classIndex,
        scores: r.scores,
        margin: r.margin,
        exitTaken: r.exitTaken,
        macs: r.macs,
        cycles: r.cycles,
        instret: r.instret,
        energyUj: r.energyUj,
        latencyUs: r.latencyUs,
      };
    },
  };
}
