import { describe, expect, it } from 'vitest';
import { BatchAssembler, LINK_RESTART_GAP_SAMPLES, MAX_UNPAIRED_SAMPLES } from '../../../../protocol/ble/assemble.ts';
import type { SensorChunk } from '../../../../protocol/ble/types.ts';

const chunk = (sensor: 'acc' | 'gyro', samples: number, firstSampleMs: number | null, base = 0, lostBefore = 0): SensorChunk => ({
  sensor,
  samples,
  rateHz: 50,
  firstSampleMs,
  lostBefore,
  xyz: Float64Array.from({ length: 3 * samples }, (_, k) => base + k),
});

describe('BatchAssembler', () => {
  it('pairs acc and gyro that arrive separately, in sample order, with device time', () => {
    const a = new BatchAssembler({ deviceId: 'p', gyro: true });
    expect(a.push([chunk('acc', 4, 1000)], 0).batches).toEqual([]);
    const [b1] = a.push([chunk('gyro', 3, 1000, 100)], 0).batches;
    expect(b1).toMatchObject({ deviceId: 'p', seq: 0, t0Ms: 1000, samples: 3, rateHz: 50 });
    expect(Array.from(b1?.acc ?? [])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(b1?.gyro ?? [])).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108]);
    const [b2] = a.push([chunk('gyro', 1, 1060, 200)], 0).batches;
    expect(b2).toMatchObject({ seq: 3, t0Ms: 1060, samples: 1 });
    expect(Array.from(b2?.acc ?? [])).toEqual([9, 10, 11]);
  });

  it('clocks devices without timestamps from the first arrival of the segment', () => {
    const a = new BatchAssembler({ deviceId: 't', gyro: false });
    const [b1] = a.push([chunk('acc', 2, null)], 5000).batches;
    const [b2] = a.push([chunk('acc', 2, null)], 5100).batches; // arrival jitter does not move t0
    expect([b1?.t0Ms, b2?.t0Ms, b2?.seq]).toEqual([5000, 5040, 2]);
    expect(b1?.gyro).toBeNull();
  });

  it('makes losses and link restarts visible as seq jumps', () => {
    const a = new BatchAssembler({ deviceId: 'g', gyro: false });
    a.push([chunk('acc', 5, null)], 0);
    const [afterLoss] = a.push([chunk('acc', 5, null, 0, 3)], 1000).batches;
    expect(afterLoss?.seq).toBe(8);
    expect(afterLoss?.t0Ms).toBe(1000); // new segment, new clock anchor
    a.linkRestart();
    const [afterLink] = a.push([chunk('acc', 1, null)], 9000).batches;
    expect(afterLink?.seq).toBe(13 + LINK_RESTART_GAP_SAMPLES);
  });

  it('bounds unpaired samples and counts the drop', () => {
    const a = new BatchAssembler({ deviceId: 'x', gyro: true });
    const r = a.push([chunk('acc', MAX_UNPAIRED_SAMPLES + 10, 0)], 0);
    expect(r.unpairedDropped).toBe(10);
    const [b] = a.push([chunk('gyro', 1, 0)], 0).batches;
    expect(b?.seq).toBe(10);
    expect(b?.t0Ms).toBe(200); // 10 samples at 50 Hz dropped from the front
  });
});

describe('BatchAssembler clock', () => {
  it("'arrival' ignores the device's timestamps", () => {
    const a = new BatchAssembler({ deviceId: 'p', gyro: false, clock: 'arrival' });
    const [b1] = a.push([chunk('acc', 2, 946_684_800_000)], 7000).batches;
    const [b2] = a.push([chunk('acc', 2, 946_684_800_040)], 7100).batches;
    expect([b1?.t0Ms, b2?.t0Ms]).toEqual([7000, 7040]);
  });
});
