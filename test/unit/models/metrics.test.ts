import { describe, expect, it } from 'vitest';
import { classificationReport, ConfusionMatrix, MetricsError } from '../../../models/metrics.ts';

describe('classification metrics', () => {
  it('computes a hand-checked report', () => {
    // true:      0 0 0 1 1 2
    // predicted: 0 0 1 1 2 2
    const r = classificationReport([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
    expect(r.confusion).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    expect(r.windows).toBe(6);
    expect(r.correct).toBe(4);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    // class 0: tp 2 fp 0 fn 1 -> P 1, R 2/3, F1 4/5; class 1: tp 1 fp 1 fn 1 -> 1/2, 1/2, 1/2; class 2: tp 1 fp 1 fn 0 -> 1/2, 1, 2/3
    expect(r.perClass[0]).toMatchObject({ precision: 1, support: 3, predicted: 2 });
    expect(r.perClass[0]?.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0]?.f1).toBeCloseTo(0.8, 12);
    expect(r.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(r.perClass[2]?.f1).toBeCloseTo(2 / 3, 12);
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('macro F1 averages over the classes present in labels or predictions (as the exporter)', () => {
    const r = classificationReport([0, 0, 1], [0, 0, 1], 4);
    expect(r.macroF1).toBe(1);
    expect(r.perClass[3]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    const wrong = classificationReport([0, 1], [2, 2], 3);
    // class 0: f1 0, class 1: f1 0, class 2: tp 0 fp 2 -> f1 0; all present
    expect(wrong.macroF1).toBe(0);
    expect(wrong.accuracy).toBe(0);
  });

  it('an empty report is all zeros', () => {
    const r = new ConfusionMatrix(2).report();
    expect(r).toMatchObject({ windows: 0, accuracy: 0, macroF1: 0, confusion: [[0, 0], [0, 0]] });
  });

  it('rejects labels outside the classes and length mismatches', () => {
    const m = new ConfusionMatrix(3);
    expect(() => m.add(3, 0)).toThrow(MetricsError);
    expect(() => m.add(0, -1)).toThrow(MetricsError);
    expect(() => classificationReport([0], [0, 1], 2)).toThrow(MetricsError);
    expect(() => new ConfusionMatrix(0)).toThrow(MetricsError);
  });
});
