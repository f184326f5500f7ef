// Scores, class and margin (models/ARITHMETIC.md §5) and the adaptive decision (§6).

export interface ClassAndMargin {
  /** The smallest index of the maximum score. */
  readonly classIndex: number;
  /** s[class] - max over j != class of s[j]; 0 on a tie and for a single class. */
  readonly margin: number;
}

export function classAndMargin(scores: ArrayLike<number>, count: number = scores.length): ClassAndMargin {
  let best = 0;
  for (let i = 1; i < count; i++) if ((scores[i] ?? 0) > (scores[best] ?? 0)) best = i;
  let second = -Infinity;
  for (let i = 0; i < count; i++) if (i !== best && (scores[i] ?? 0) > second) second = scores[i] ?? 0;
  return { classIndex: best, margin: count > 1 ? (scores[best] ?? 0) - second : 0 };
}

/** §6: after a stage that is not the last, continue iff margin < T (both unsigned 32-bit). */
export function shouldContinue(margin: number, threshold: number): boolean {
  return margin < threshold;
}
