// Recorded signals: the UCI HAPT raw experiments (50 Hz, acc in g, gyro in rad/s), read through
// models/datasets (loaded lazily: the datasets are optional and parsing all 61 takes ~1.5 s).
// Each source plays one experiment from a starting sample and loops.
import type { SignalSource } from './signal-source.ts';

/** The part of models/datasets' HaptExperiment this module uses. */
export interface RecordedExperiment {
  readonly experiment: number;
  readonly user: number;
  readonly rateHz: number;
  readonly sampleCount: number;
  /** [t][6]: acc x y z (g), gyro x y z (rad/s). */
  readonly samples: Float64Array;
  readonly segments: readonly { readonly activityId: number; readonly startSample: number; readonly endSample: number }[];
}

export interface RecordingSet {
  readonly experiments: readonly RecordedExperiment[];
  /** Activity id i + 1 is activityNames[i]. */
  readonly activityNames: readonly string[];
}

/**
 * Loads the HAPT experiments under dataDir, or returns null with the reason when they are not
 * there (any failure of the reader means "no recordings": the caller falls back to synthetic).
 */
export async function loadRecordings(dataDir: string): Promise<{ set: RecordingSet } | { set: null; reason: string }> {
  try {
    const datasets = await import('../../models/datasets/index.ts');
    const experiments = datasets.loadHaptExperiments(dataDir);
    if (experiments.length === 0) return { set: null, reason: `no HAPT experiments under ${dataDir}` };
    return { set: { experiments, activityNames: datasets.HAPT_ACTIVITIES } };
  } catch (err) {
    return { set: null, reason: err instanceof Error ? err.message : String(err) };
  }
}

export function createRecordingSource(set: RecordingSet, index: number, startSample = 0): SignalSource {
  const exp = set.experiments[index % set.experiments.length] as RecordedExperiment;
  const n = exp.sampleCount;
  return {
    description: `hapt exp ${exp.experiment} user ${exp.user}`,
    rateHz: exp.rateHz,
    activityAt(i) {
      const at = (startSample + i) % n;
      const segment = exp.segments.find((s) => s.startSample <= at && at < s.endSample);
      return segment ? (set.activityNames[segment.activityId - 1] ?? null) : null;
    },
    read(first, count, acc, gyro) {
      for (let k = 0; k < count; k++) {
        const row = ((startSample + first + k) % n) * 6;
        for (let a = 0; a < 3; a++) {
          acc[k * 3 + a] = exp.samples[row + a] ?? 0;
          gyro[k * 3 + a] = exp.samples[row + 3 + a] ?? 0;
        }
      }
    },
  };
}
