import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearHaptCache, loadTaskWindows, taskProtocol, type TaskWindows } from '../../../../models/datasets/index.ts';
import { cutTaskWindows, labelStreamWindow, type TaskProtocol } from '../../../../models/datasets/tasks.ts';
import type { HaptExperiment, LabelledSegment } from '../../../../models/datasets/hapt.ts';
import { fakeValue, writeFakeHapt } from './hapt-fixture.ts';

function experiment(number: number, user: number, sampleCount: number, segments: LabelledSegment[]): HaptExperiment {
  return { experiment: number, user, rateHz: 50, channels: [], units: [], sampleCount, samples: new Float64Array(0), segments };
}

function seg(activityId: number, startSample: number, endSample: number): LabelledSegment {
  return { activityId, startSample, endSample };
}

function starts(protocol: TaskProtocol, exps: HaptExperiment[]): Array<[number, number]> {
  return cutTaskWindows(protocol, exps).placements.map((p) => [p.start, p.classIndex]);
}

describe('task protocols', () => {
  it('split the 30 volunteers into disjoint train, validation and test sets', () => {
    for (const task of ['hapt6', 'hapt12']) {
      const p = taskProtocol(task);
      expect(p.subjects.test).toEqual([2, 4, 9, 10, 12, 13, 18, 20, 24]);
      expect(p.subjects.validation).toEqual([11, 22, 30]);
      expect(p.subjects.train).toHaveLength(18);
      const all = [...p.subjects.train, ...p.subjects.validation, ...p.subjects.test].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
  });

  it('name their classes after the HAPT activities', () => {
    expect(taskProtocol('hapt6').classes).toEqual(['WALKING', 'WALKING_UPSTAIRS', 'WALKING_DOWNSTAIRS', 'SITTING', 'STANDING', 'LAYING']);
    expect(taskProtocol('hapt12').classes.slice(6)).toEqual(['STAND_TO_SIT', 'SIT_TO_STAND', 'SIT_TO_LIE', 'LIE_TO_SIT', 'STAND_TO_LIE', 'LIE_TO_STAND']);
    expect(taskProtocol('hapt6').protocol).toBe('hapt6/v1');
  });

  it('reject an unknown task', () => {
    expect(() => taskProtocol('hapt7')).toThrow(expect.objectContaining({ code: 'DATASET_BAD_ARGUMENT' }));
  });
});

describe('window rule 1: basic activities, inside one segment', () => {
  const hapt6 = taskProtocol('hapt6');
  it('starts at the segment start and steps by 64 while the whole window fits', () => {
    expect(starts(hapt6, [experiment(1, 1, 1000, [seg(1, 10, 330)])])).toEqual([
      [10, 0],
      [74, 0],
      [138, 0],
      [202, 0],
    ]);
  });
  it('gives a segment of exactly 128 samples one window and a shorter one none (counted)', () => {
    const cut = cutTaskWindows(hapt6, [experiment(1, 1, 1000, [seg(6, 0, 128), seg(5, 200, 327)])]);
    expect(cut.placements.map((p) => [p.start, p.classIndex])).toEqual([[0, 5]]);
    expect(cut.counters.segmentShorterThanWindow).toBe(1);
  });
  it('leaves transitions out of hapt6 and counts them', () => {
    const cut = cutTaskWindows(hapt6, [experiment(1, 1, 1000, [seg(4, 0, 200), seg(7, 200, 300), seg(5, 300, 500)])]);
    expect(cut.placements.map((p) => p.classIndex)).toEqual([3, 3, 4, 4]);
    expect(cut.counters.segmentsNotInTask).toBe(1);
  });
});

describe('window rule 2: hapt12 transitions, centred', () => {
  const hapt12 = taskProtocol('hapt12');
  it('centres one window on a transition shorter than a window', () => {
    // L = 100: start = 400 + floor((100 - 128) / 2) = 386; the window holds all 100 samples.
    expect(starts(hapt12, [experiment(1, 1, 1000, [seg(7, 400, 500)])])).toEqual([[386, 6]]);
    // L = 101: floor(-27 / 2) = -14.
    expect(starts(hapt12, [experiment(1, 1, 1000, [seg(8, 400, 501)])])).toEqual([[386, 7]]);
  });
  it('centres the group of windows on a longer transition', () => {
    // L = 200: n = 1 + floor(72 / 64) = 2, first = 300 + floor((200 - 128 - 64) / 2) = 304.
    expect(starts(hapt12, [experiment(1, 1, 1000, [seg(12, 300, 500)])])).toEqual([
      [304, 11],
      [368, 11],
    ]);
    expect(starts(hapt12, [experiment(1, 1, 1000, [seg(9, 300, 428)])])).toEqual([[300, 8]]);
  });
  it('drops transitions shorter than half a window and windows outside the recording, counting both', () => {
    const cut = cutTaskWindows(hapt12, [experiment(1, 1, 600, [seg(7, 0, 100), seg(10, 300, 363), seg(11, 520, 600)])]);
    expect(cut.placements).toEqual([]);
    expect(cut.counters.outsideRecording).toBe(2);
    expect(cut.counters.transitionTooShort).toBe(1);
  });
  it('keeps the basic activity windows of hapt6 and orders all windows by start', () => {
    const exps = [experiment(1, 1, 1000, [seg(4, 0, 300), seg(7, 300, 400), seg(5, 400, 600)])];
    expect(starts(hapt12, exps)).toEqual([
      [0, 3],
      [64, 3],
      [128, 3],
      [286, 6],
      [400, 4],
      [464, 4],
    ]);
  });
});

describe('loadTaskWindows', () => {
  let root = '';
  beforeAll(() => {
    clearHaptCache();
    root = writeFakeHapt([
      // user 2 is a test volunteer, 11 a validation one, 1 and 3 training ones
      { experiment: 1, user: 1, samples: 600, labels: [[1, 1, 256], [7, 257, 356], [4, 357, 600]] },
      { experiment: 2, user: 2, samples: 300, labels: [[2, 1, 300]] },
      { experiment: 3, user: 11, samples: 300, labels: [[3, 1, 300]] },
      { experiment: 4, user: 3, samples: 300, labels: [[6, 1, 300]] },
    ]);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function check(w: TaskWindows): void {
    const values = w.windowSamples * 6;
    expect(w.x.length).toBe(w.count * values);
    for (let i = 0; i < w.count; i += 1) {
      for (const t of [0, 77, 127]) {
        for (let c = 0; c < 6; c += 1) expect(w.x[i * values + t * 6 + c]).toBe(fakeValue(w.experiment[i]!, w.start[i]! + t, c));
      }
    }
  }

  it('gives the training windows of the training volunteers with their samples, labels and origin', () => {
    const w = loadTaskWindows('hapt6', 'train', root);
    expect(w).toMatchObject({ task: 'hapt6', split: 'train', protocol: 'hapt6/v1', windowSamples: 128, strideSamples: 64, rateHz: 50, count: 8 });
    expect([...w.experiment]).toEqual([1, 1, 1, 1, 1, 4, 4, 4]);
    expect([...w.subject]).toEqual([1, 1, 1, 1, 1, 3, 3, 3]);
    expect([...w.start]).toEqual([0, 64, 128, 356, 420, 0, 64, 128]);
    expect([...w.y]).toEqual([0, 0, 0, 3, 3, 5, 5, 5]);
    expect(w.channels).toEqual(['acc_x', 'acc_y', 'acc_z', 'gyro_x', 'gyro_y', 'gyro_z']);
    check(w);
  });

  it('gives the test and validation volunteers their own splits', () => {
    const test = loadTaskWindows('hapt6', 'test', root);
    expect([...test.subject]).toEqual([2, 2, 2]);
    expect([...test.y]).toEqual([1, 1, 1]);
    const validation = loadTaskWindows('hapt6', 'validation', root);
    expect([...validation.subject]).toEqual([11, 11, 11]);
    check(test);
    check(validation);
  });

  it('adds the centred transition window in hapt12', () => {
    const w = loadTaskWindows('hapt12', 'train', root);
    expect([...w.start]).toEqual([0, 64, 128, 242, 356, 420, 0, 64, 128]);
    expect([...w.y]).toEqual([0, 0, 0, 6, 3, 3, 5, 5, 5]);
    check(w);
  });

  it('is deterministic', () => {
    const a = loadTaskWindows('hapt12', 'train', root);
    clearHaptCache();
    const b = loadTaskWindows('hapt12', 'train', root);
    expect(b.x).toEqual(a.x);
    expect(b.y).toEqual(a.y);
    expect(b.start).toEqual(a.start);
  });

  it('rejects an unknown split', () => {
    expect(() => loadTaskWindows('hapt6', 'dev', root)).toThrow(expect.objectContaining({ code: 'DATASET_BAD_ARGUMENT' }));
  });
});

describe('labelStreamWindow (labels of windows cut by a stream)', () => {
  const segments = [seg(4, 0, 300), seg(7, 300, 400), seg(5, 400, 600), seg(11, 700, 900)];
  it('labels a window inside one basic segment and leaves windows across segments unscored in hapt6', () => {
    const p = taskProtocol('hapt6');
    expect(labelStreamWindow(p, segments, 0)).toBe(3);
    expect(labelStreamWindow(p, segments, 172)).toBe(3);
    expect(labelStreamWindow(p, segments, 173)).toBeUndefined();
    expect(labelStreamWindow(p, segments, 300)).toBeUndefined();
    expect(labelStreamWindow(p, segments, 472)).toBe(4);
    expect(labelStreamWindow(p, segments, 600)).toBeUndefined();
  });
  it('labels a window by the transition covering at least half of it in hapt12', () => {
    const p = taskProtocol('hapt12');
    expect(labelStreamWindow(p, segments, 236)).toBe(6); // 64 of 128 samples of STAND_TO_SIT
    expect(labelStreamWindow(p, segments, 235)).toBeUndefined(); // 63
    expect(labelStreamWindow(p, segments, 336)).toBe(6);
    expect(labelStreamWindow(p, segments, 337)).toBeUndefined();
    expect(labelStreamWindow(p, segments, 750)).toBe(10);
  });
  it('agrees with every window that cutTaskWindows places', () => {
    const exps = [experiment(1, 1, 1200, [...segments, seg(8, 950, 1030), seg(1, 1030, 1200)])];
    for (const task of ['hapt6', 'hapt12']) {
      const p = taskProtocol(task);
      const placements = cutTaskWindows(p, exps).placements;
      expect(placements.length).toBeGreaterThan(5);
      for (const w of placements) expect(labelStreamWindow(p, exps[0]!.segments, w.start)).toBe(w.classIndex);
    }
  });
});
