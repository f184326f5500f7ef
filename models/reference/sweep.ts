// Operating modes from one full run (models/ARITHMETIC.md §6-7): the stages are deterministic,
// so the result under any threshold T follows from the scores of every stage: start at stage 0,
// move to stage s+1 while margin_s < T, and add the MACs of every stage that ran. Evaluating a
// whole mode table then costs one full run per window instead of one run per mode.
import { shouldContinue } from './decision.ts';

export interface StageOutcome {
  readonly classIndex: number;
  readonly margin: number;
}

export interface ModeDecision {
  readonly classIndex: number;
  readonly margin: number;
  readonly exitTaken: number;
  readonly macs: number;
}

/** The decision under `threshold`, given the outcome and MACs of every stage. */
export function decideFromStages(stages: readonly StageOutcome[], stageMacs: readonly number[], threshold: number): ModeDecision {
  if (stages.length === 0) throw new RangeError('no stage outcomes');
  let s = 0;
  let macs = stageMacs[0] ?? 0;
  while (s + 1 < stages.length && shouldContinue(stages[s]?.margin ?? 0, threshold)) {
    s++;
    macs += stageMacs[s] ?? 0;
  }
  const last = stages[s];
  return { classIndex: last?.classIndex ?? 0, margin: last?.margin ?? 0, exitTaken: s, macs };
}
