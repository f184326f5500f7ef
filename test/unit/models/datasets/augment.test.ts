import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { shiftedTransitionWindows } from '../../../../models/datasets/augment.ts';
import { exportWindowCache, main } from '../../../../models/datasets/export-cache.ts';
import { clearHaptCache, taskProtocol, type HaptExperiment, type LabelledSegment } from '../../../../models/datasets/index.ts';
import { decodeNpy } from '../../../../models/datasets/npy.ts';
import { fakeValue, writeFakeHapt } from './hapt-fixture.ts';

function experiment(number: number, user: number, sampleCount: number, segments: LabelledSegment[]): HaptExperiment {
  return { experiment: number, user, rateHz: 50, channels: [], units: [], sampleCount, samples: new Float64Array(0), segments };
}

describe('shiftedTransitionWindows', () => {
  const hapt12 = taskProtocol('hapt12');
  it('shifts each training transition window by -32 -16 +16 +32 while the transition keeps half the window', () => {
    // L = 100 at [400, 500): protocol window at 386; shifts 354 370 402 418: coverage 82 98 98 82.
    const exps = [experiment(1, 1, 1000, [seg(4, 0, 400), seg(7, 400, 500), seg(5, 500, 1000)])];
    const { placements, counters } = shiftedTransitionWindows(hapt12, exps, 'train');
    expect(placements.map((p) => [p.start, p.classIndex])).toEqual([
      [354, 6],
      [370, 6],
      [402, 6],
      [418, 6],
    ]);
    expect(counters).toEqual({ shiftedOffLabel: 0, shiftedOutsideRecording: 0 });
  });

  it('drops shifts that would leave the recording or (with wider shifts) change the label, counting them', () => {
    // L = 64 at [100, 164): protocol window at 68. With the default shifts the transition stays
    // inside the window (coverage (L + 128) / 2 - |shift| >= 64 for every L >= 64), so only the
    // recording's end (200 samples) drops +16 and +32.
    const exps = [experiment(1, 1, 200, [seg(8, 100, 164), seg(5, 164, 200)])];
    const plain = shiftedTransitionWindows(hapt12, exps, 'train');
    expect(plain.placements.map((p) => p.start)).toEqual([36, 52]);
    expect(plain.counters).toEqual({ shiftedOffLabel: 0, shiftedOutsideRecording: 2 });
    // Shifts of 48 leave the transition 48 of 128 samples: no longer its label.
    const wide = shiftedTransitionWindows(hapt12, exps, 'train', [-48, -24]);
    expect(wide.placements.map((p) => p.start)).toEqual([44]);
    expect(wide.counters).toEqual({ shiftedOffLabel: 1, shiftedOutsideRecording: 0 });
  });

  it('leaves other splits alone and refuses a task without transitions', () => {
    const exps = [experiment(1, 2, 1000, [seg(7, 400, 500)])];
    expect(shiftedTransitionWindows(hapt12, exps, 'train').placements).toEqual([]);
    expect(shiftedTransitionWindows(hapt12, exps, 'test').placements).toHaveLength(4);
    expect(() => shiftedTransitionWindows(taskProtocol('hapt6'), exps, 'train')).toThrow(expect.objectContaining({ code: 'DATASET_BAD_ARGUMENT' }));
  });
});

function seg(activityId: number, startSample: number, endSample: number): LabelledSegment {
  return { activityId, startSample, endSample };
}

describe('export-cache --augment-transitions', () => {
  let root = '';
  let out = '';
  beforeAll(() => {
    clearHaptCache();
    root = writeFakeHapt([{ experiment: 1, user: 1, samples: 700, labels: [[4, 1, 300], [7, 301, 400], [5, 401, 700]] }]);
    out = mkdtempSync(join(tmpdir(), 'augment-cache-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('writes the shifted windows to augment/ and points to them from meta.json; a plain export removes them', () => {
    const meta = exportWindowCache('hapt12', root, out, { augmentTransitions: true });
    expect(meta.augment).toEqual({ dir: 'augment', trainWindows: 4 });
    const dir = join(out, 'hapt12', 'augment');
    const x = decodeNpy(readFileSync(join(dir, 'train.x.npy')));
    const start = decodeNpy(readFileSync(join(dir, 'train.start.npy')));
    expect([...start.data]).toEqual([254, 270, 302, 318]);
    expect(x.shape).toEqual([4, 128, 6]);
    expect(x.data[(1 * 128 + 3) * 6 + 4]).toBe(Math.fround(fakeValue(1, 270 + 3, 4)));
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))).toMatchObject({ trainWindows: 4, classCounts: [0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0] });
    const plain = exportWindowCache('hapt12', root, out);
    expect(plain.augment).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses the flag for hapt6', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(main(['--task', 'hapt6', '--augment-transitions', '--data', root, '--out', out])).toBe(1);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/hapt12 only/);
    err.mockRestore();
  });
});
