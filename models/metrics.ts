// Classification metrics of integer predictions: confusion matrix, accuracy, per-class precision
// / recall / F1 and macro F1. Shared by `har-gateway eval` and replay. Macro F1 follows the
// exporter (models/train/metrics.py): the mean of F1 = 2TP / (2TP + FP + FN) over the classes
// that occur in the labels or the predictions. Precision (recall) of a class that was never
// predicted (never present) is 0.

export class MetricsError extends Error {
  readonly code = 'METRICS_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'MetricsError';
  }
}

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Windows whose true label is this class. */
  readonly support: number;
  /** Windows predicted as this class. */
  readonly predicted: number;
}

export interface ClassificationReport {
  readonly windows: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly macroF1: number;
  /** confusion[true][predicted] = windows. */
  readonly confusion: number[][];
  readonly perClass: ClassMetrics[];
}

/** An incrementally filled confusion matrix (replay adds one prediction at a time). */
export class ConfusionMatrix {
  readonly classCount: number;
  private readonly counts: Uint32Array;

  constructor(classCount: number) {
    if (!Number.isInteger(classCount) || classCount < 1) throw new MetricsError(`class count ${classCount} must be a positive integer`);
    this.classCount = classCount;
    this.counts = new Uint32Array(classCount * classCount);
  }

  add(trueClass: number, predictedClass: number): void {
    const n = this.classCount;
    if (!Number.isInteger(trueClass) || trueClass < 0 || trueClass >= n) throw new MetricsError(`true class ${trueClass} outside [0, ${n})`);
    if (!Number.isInteger(predictedClass) || predictedClass < 0 || predictedClass >= n) throw new MetricsError(`predicted class ${predictedClass} outside [0, ${n})`);
    this.counts[trueClass * n + predictedClass] = (this.counts[trueClass * n + predictedClass] ?? 0) + 1;
  }

  at(trueClass: number, predictedClass: number): number {
    return this.counts[trueClass * this.classCount + predictedClass] ?? 0;
  }

  rows(): number[][] {
    return Array.from({ length: this.classCount }, (_, t) => Array.from({ length: this.classCount }, (_, p) => this.at(t, p)));
  }

  report(): ClassificationReport {
    const n = this.classCount;
    let windows = 0;
    let correct = 0;
    const perClass: ClassMetrics[] = [];
    let f1Sum = 0;
    let present = 0;
    for (let c = 0; c < n; c++) {
      let support = 0;
      let predicted = 0;
      for (let k = 0; k < n; k++) {
        support += this.at(c, k);
        predicted += this.at(k, c);
      }
      const tp = this.at(c, c);
      windows += support;
      correct += tp;
      const fp = predicted - tp;
      const fn = support - tp;
      const f1 = 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
      if (tp + fp + fn > 0) {
        f1Sum += f1;
        present++;
      }
      perClass.push({ precision: predicted > 0 ? tp / predicted : 0, recall: support > 0 ? tp / support : 0, f1, support, predicted });
    }
    return {
      windows,
      correct,
      accuracy: windows > 0 ? correct / windows : 0,
      macroF1: present > 0 ? f1Sum / present : 0,
      confusion: this.rows(),
      perClass,
    };
  }
}

/** The report of paired label / prediction arrays. */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classCount: number): ClassificationReport {
  if (yTrue.length !== yPred.length) throw new MetricsError(`${yTrue.length} labels but ${yPred.length} predictions`);
  const m = new ConfusionMatrix(classCount);
  for (let i = 0; i < yTrue.length; i++) m.add(yTrue[i] ?? -1, yPred[i] ?? -1);
  return m.report();
}
