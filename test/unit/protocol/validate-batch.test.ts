import { describe, expect, it } from 'vitest';
import { validateBatch, MAX_T0_MS } from '../../../protocol/validate-batch.ts';
import { MAX_BATCH_SAMPLES } from '../../../protocol/sample-batch.ts';
import { makeBatch } from './make-batch.ts';

describe('batch value bounds', () => {
  it('accepts a plausible batch', () => {
    expect(validateBatch(makeBatch())).toBeNull();
    expect(validateBatch(makeBatch({ rateHz: 1000, samples: MAX_BATCH_SAMPLES }))).toBeNull();
  });

  const cases: Array<[string, ReturnType<typeof makeBatch>, string]> = [
    ['a negative rate', makeBatch({ rateHz: -50 }), 'bad-rate'],
    ['a zero rate', makeBatch({ rateHz: 0 }), 'bad-rate'],
    ['a rate above 1 kHz', makeBatch({ rateHz: 1001 }), 'bad-rate'],
    ['zero samples', makeBatch({ samples: 0 }), 'bad-sample-count'],
    ['too many samples', makeBatch({ samples: MAX_BATCH_SAMPLES + 1 }), 'bad-sample-count'],
    ['a negative timestamp', makeBatch({ t0Ms: -1 }), 'bad-timestamp'],
    ['a timestamp in microseconds', makeBatch({ t0Ms: MAX_T0_MS * 1000 }), 'bad-timestamp'],
    ['a NaN rate', makeBatch({ rateHz: NaN }), 'non-finite'],
    ['an absurd acceleration', makeBatch({ samples: 1, acc: Float64Array.from([0, 1e6, 0]) }), 'out-of-range'],
    ['an absurd angular rate', makeBatch({ samples: 1, acc: Float64Array.from([0, 0, 1]), gyro: Float64Array.from([0, 0, -500]) }), 'out-of-range'],
    ['a NaN sample', makeBatch({ samples: 1, acc: Float64Array.from([0, NaN, 1]) }), 'non-finite'],
  ];
  it.each(cases)('rejects %s', (_what, batch, kind) => {
    expect(validateBatch(batch)?.kind).toBe(kind);
  });

  it('uses the limits it is given', () => {
    const batch = makeBatch({ samples: 1, acc: Float64Array.from([0, 0, 5]), gyro: null });
    expect(validateBatch(batch, { maxAbsAccG: 4, maxAbsGyroRadS: 10 })?.kind).toBe('out-of-range');
    expect(validateBatch(batch, { maxAbsAccG: 8, maxAbsGyroRadS: 10 })).toBeNull();
  });
});
