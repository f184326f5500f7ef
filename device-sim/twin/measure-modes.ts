// Measuring a model's operating modes on the twin (issue 4 section 4, "fill the cycles, latency
// and energy columns"): every window runs on the firmware (see measureModes for which
// thresholds are probed); the averages
// per window of cycles (the firmware's mcycle delta), latency and energy (the twin profile's
// active energy per cycle) are that mode's figures. Every answer is also checked against the
// TypeScript reference executor, tolerance zero: a mismatch stops the measurement.
import { THRESHOLD_FIRST_EXIT, THRESHOLD_FULL } from '../../models/engine.ts';
import { readArtifact, type ModelArtifact } from '../../models/format/index.ts';
import { quantizeWindowInto } from '../../models/quantize.ts';
import { ReferenceModel, runReference } from '../../models/reference/index.ts';
import { loadFirmwareImage } from './firmware-image.ts';
import { createIssCore } from './iss-core.ts';
import { resolveTwinProfile } from './profiles.ts';
import type { TwinProfile } from './profile.ts';
import { createTwin, type KernelSet } from './twin.ts';

export interface WindowSet {
  readonly count: number;
  readonly windowSamples: number;
  readonly channels: number;
  /** [count][windowSamples][channels], float64 in the model's input units. */
  readonly x: Float64Array;
}

export interface ModeFigures {
  readonly threshold: number;
  readonly windows: number;
  readonly cycles: number;
  readonly latencyUs: number;
  readonly energyUj: number;
  readonly avgMacs: number;
  /** Share of windows that went past the first stage. */
  readonly continueShare: number;
}

export class MeasureError extends Error {
  readonly code: 'MEASURE_SHAPE' | 'MEASURE_MISMATCH';
  constructor(code: MeasureError['code'], message: string) {
    super(message);
    this.name = 'MeasureError';
    this.code = code;
  }
}

export interface MeasureOptions {
  readonly firmwareElf?: Uint8Array;
  readonly profile?: TwinProfile;
  readonly kernelSet?: KernelSet;
  /** Check every answer against the reference executor (default true). */
  readonly checkReference?: boolean;
  /** Called after each mode. */
  readonly onMode?: (figures: ModeFigures) => void;
}

interface RunFigures {
  cycles: number;
  latencyUs: number;
  energyUj: number;
  macs: number;
  margin: number;
  exitTaken: number;
}

/**
 * Runs every window and returns the figures per threshold, in order. A model of one or two
 * stages needs two runs per window whatever the number of modes: threshold 0 (stop after stage
 * 0) and 4294967295 (run everything); a mode with threshold T continues exactly when stage 0's
 * margin < T (ARITHMETIC.md 6), and then executes the same instructions as the full run (the
 * emulator is deterministic), so its figures are composed exactly from the two. Deeper cascades
 * run every mode.
 */
export function measureModes(modelBytes: Uint8Array, windows: WindowSet, thresholds: readonly number[], options: MeasureOptions = {}): ModeFigures[] {
  const artifact: ModelArtifact = readArtifact(modelBytes);
  const { inChannels, windowSamples, stageCount } = artifact.net;
  if (windows.channels !== inChannels || windows.windowSamples !== windowSamples) {
    throw new MeasureError('MEASURE_SHAPE', `windows are ${windows.windowSamples} x ${windows.channels}, the model takes ${windowSamples} x ${inChannels}`);
  }
  const profile = options.profile ?? resolveTwinProfile();
  const twin = createTwin({ firmwareElf: options.firmwareElf ?? loadFirmwareImage(), modelBytes, profile, coreFactory: createIssCore });
  const reference = options.checkReference === false ? null : new ReferenceModel(artifact);
  const scale = artifact.metadata.input.scale;
  const bytes = windowSamples * inChannels;
  const window = new Int8Array(bytes);
  const composed = stageCount <= 2;
  const probes = composed ? (stageCount === 1 ? [THRESHOLD_FULL] : [THRESHOLD_FIRST_EXIT, THRESHOLD_FULL]) : [...thresholds];
  const sums = thresholds.map(() => ({ cycles: 0, latencyUs: 0, energyUj: 0, macs: 0, continued: 0 }));

  const probe = (threshold: number, index: number): RunFigures => {
    const r = twin.run(window, threshold, options.kernelSet ?? 'simd');
    if (reference) {
      const e = runReference(reference, window, threshold);
      if (e.classIndex !== r.classIndex || e.margin !== r.margin || e.exitTaken !== r.exitTaken || e.macs !== r.macs || e.scores.some((s, k) => s !== r.scores[k])) {
        throw new MeasureError('MEASURE_MISMATCH', `window ${index}, threshold ${threshold}: firmware ${JSON.stringify(r.scores)} class ${r.classIndex}, reference ${JSON.stringify([...e.scores])} class ${e.classIndex}`);
      }
    }
    return { cycles: r.cycles, latencyUs: r.latencyUs, energyUj: r.energyUj, macs: r.macs, margin: r.margin, exitTaken: r.exitTaken };
  };

  for (let i = 0; i < windows.count; i++) {
    quantizeWindowInto(windows.x, i * bytes, scale, window);
    const runs = probes.map((t) => probe(t, i));
    thresholds.forEach((threshold, m) => {
      let r: RunFigures | undefined;
      if (!composed) r = runs[m];
      else if (stageCount === 1) r = runs[0];
      else r = (runs[0]?.margin ?? 0) < threshold ? runs[1] : runs[0];
      const sum = sums[m];
      if (r === undefined || sum === undefined) return;
      sum.cycles += r.cycles;
      sum.latencyUs += r.latencyUs;
      sum.energyUj += r.energyUj;
      sum.macs += r.macs;
      if (r.exitTaken > 0) sum.continued++;
    });
  }
  const n = Math.max(1, windows.count);
  return thresholds.map((threshold, m) => {
    const s = sums[m] ?? { cycles: 0, latencyUs: 0, energyUj: 0, macs: 0, continued: 0 };
    const f: ModeFigures = { threshold, windows: windows.count, cycles: s.cycles / n, latencyUs: s.latencyUs / n, energyUj: s.energyUj / n, avgMacs: s.macs / n, continueShare: s.continued / n };
    options.onMode?.(f);
    return f;
  });
}
