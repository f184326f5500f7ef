// Generated test batches (no dataset data): a slow sine per axis, in g and rad/s.
import type { SampleBatch } from '../../../protocol/sample-batch.ts';

export function makeBatch(overrides: Partial<SampleBatch> & { samples?: number; gyro?: Float64Array | null } = {}): SampleBatch {
  const samples = overrides.samples ?? 25;
  const seq = overrides.seq ?? 0;
  const acc = new Float64Array(samples * 3);
  const gyro = new Float64Array(samples * 3);
  for (let i = 0; i < samples; i++) {
    for (let a = 0; a < 3; a++) {
      acc[i * 3 + a] = Math.sin((seq + i) * 0.1 + a) * 1.5 + (a === 2 ? 1 : 0);
      gyro[i * 3 + a] = Math.cos((seq + i) * 0.07 + a) * 2;
    }
  }
  return {
    deviceId: 'dev-1',
    seq,
    t0Ms: 1_732_450_000_000 + (seq * 1000) / 50,
    rateHz: 50,
    samples,
    acc,
    gyro,
    ...overrides,
  };
}
