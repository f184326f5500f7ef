// Training augmentation for the rare hapt12 transition classes: extra windows shifted in time
// around each transition window of the protocol. NOT part of any protocol: validation and test
// windows are never augmented, and accuracy is always measured on the protocol's windows.
// Written by `export-cache.ts --task hapt12 --augment-transitions` to <task>/augment/.
import { DatasetError } from './errors.ts';
import { HAPT_FIRST_TRANSITION_ID, type HaptExperiment } from './hapt.ts';
import { cutTaskWindows, labelStreamWindow, type SplitName, type TaskProtocol, type WindowPlacement } from './tasks.ts';

/** Shifts (samples) of the extra windows: a quarter and an eighth of a window, both ways. */
export const TRANSITION_SHIFTS_SAMPLES: readonly number[] = [-32, -16, 16, 32];

export interface AugmentCounters {
  /** Shifted windows the transition covers less than half of (they would change label). */
  shiftedOffLabel: number;
  /** Shifted windows past the start or end of the recording. */
  shiftedOutsideRecording: number;
}

/**
 * For each transition window of `split` (hapt12 rule 2), windows shifted by each of `shifts`
 * that keep the same label under labelStreamWindow (the transition still covers at least half
 * of the window). Ordered like the protocol's windows: experiment, then start.
 */
export function shiftedTransitionWindows(
  protocol: TaskProtocol,
  experiments: readonly HaptExperiment[],
  split: SplitName,
  shifts: readonly number[] = TRANSITION_SHIFTS_SAMPLES,
): { placements: WindowPlacement[]; counters: AugmentCounters } {
  if (!protocol.activityIds.some((id) => id >= HAPT_FIRST_TRANSITION_ID)) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `task ${protocol.task} has no transition classes to augment`);
  }
  const byNumber = new Map(experiments.map((e) => [e.experiment, e]));
  const counters: AugmentCounters = { shiftedOffLabel: 0, shiftedOutsideRecording: 0 };
  const placements: WindowPlacement[] = [];
  for (const w of cutTaskWindows(protocol, experiments).placements) {
    if (w.split !== split || protocol.activityIds[w.classIndex]! < HAPT_FIRST_TRANSITION_ID) continue;
    const exp = byNumber.get(w.experiment)!;
    for (const shift of shifts) {
      const start = w.start + shift;
      if (start < 0 || start + protocol.windowSamples > exp.sampleCount) {
        counters.shiftedOutsideRecording += 1;
        continue;
      }
      if (labelStreamWindow(protocol, exp.segments, start) !== w.classIndex) {
        counters.shiftedOffLabel += 1;
        continue;
      }
      placements.push({ ...w, start });
    }
  }
  placements.sort((p, q) => p.experiment - q.experiment || p.start - q.start);
  return { placements, counters };
}
