// The task protocols: which windows of the HAPT recordings a task uses, their labels and their
// split. Fixed and versioned; models/datasets/README.md ("Task protocols") is their description
// and must change with them (a change of windows or splits is a new protocol version).
import { DatasetError } from './errors.ts';
import { HAPT_ACTIVITIES, HAPT_CHANNELS, HAPT_FIRST_TRANSITION_ID, HAPT_RATE_HZ, HAPT_UNITS, type HaptExperiment, type LabelledSegment } from './hapt.ts';

export const TASK_NAMES = ['hapt6', 'hapt12'] as const;
export type TaskName = (typeof TASK_NAMES)[number];
export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** The standard test volunteers of UCI HAR (its test/subject_test.txt), the same people as HAPT's. */
export const UCI_HAR_TEST_SUBJECTS: readonly number[] = [2, 4, 9, 10, 12, 13, 18, 20, 24];
/**
 * Validation volunteers, held out of the training volunteers: every 7th of the 21 training
 * volunteers in ascending order (the 7th, 14th and 21st: 11, 22, 30). A rule fixed before any
 * model was trained, whole volunteers so validation is subject-independent like the test split.
 */
export const HAPT_VALIDATION_SUBJECTS: readonly number[] = [11, 22, 30];
export const HAPT_SUBJECT_COUNT = 30;

export const WINDOW_SAMPLES = 128;
export const STRIDE_SAMPLES = 64;

export interface TaskProtocol {
  readonly task: TaskName;
  /** Versioned name of the protocol; bump it with any change of windows, labels or splits. */
  readonly protocol: string;
  readonly classes: readonly string[];
  /** HAPT activity id of each class index. */
  readonly activityIds: readonly number[];
  readonly windowSamples: number;
  readonly strideSamples: number;
  readonly rateHz: number;
  readonly channels: readonly string[];
  readonly units: readonly string[];
  readonly subjects: Readonly<Record<SplitName, readonly number[]>>;
}

function subjectsBySplit(): Record<SplitName, readonly number[]> {
  const all = Array.from({ length: HAPT_SUBJECT_COUNT }, (_, i) => i + 1);
  return {
    train: all.filter((s) => !UCI_HAR_TEST_SUBJECTS.includes(s) && !HAPT_VALIDATION_SUBJECTS.includes(s)),
    validation: [...HAPT_VALIDATION_SUBJECTS],
    test: [...UCI_HAR_TEST_SUBJECTS],
  };
}

function protocolFor(task: TaskName, protocol: string, classCount: number): TaskProtocol {
  const activityIds = Array.from({ length: classCount }, (_, i) => i + 1);
  return {
    task,
    protocol,
    classes: HAPT_ACTIVITIES.slice(0, classCount),
    activityIds,
    windowSamples: WINDOW_SAMPLES,
    strideSamples: STRIDE_SAMPLES,
    rateHz: HAPT_RATE_HZ,
    channels: HAPT_CHANNELS,
    units: HAPT_UNITS,
    subjects: subjectsBySplit(),
  };
}

const PROTOCOLS: Readonly<Record<TaskName, TaskProtocol>> = {
  hapt6: protocolFor('hapt6', 'hapt6/v1', 6),
  hapt12: protocolFor('hapt12', 'hapt12/v1', 12),
};

export function isTaskName(value: string): value is TaskName {
  return (TASK_NAMES as readonly string[]).includes(value);
}

export function isSplitName(value: string): value is SplitName {
  return (SPLIT_NAMES as readonly string[]).includes(value);
}

export function taskProtocol(task: string): TaskProtocol {
  if (!isTaskName(task)) {
    throw new DatasetError('DATASET_BAD_ARGUMENT', `unknown task "${task}" (known: ${TASK_NAMES.join(', ')})`);
  }
  return PROTOCOLS[task];
}

export function splitOfSubject(protocol: TaskProtocol, subject: number): SplitName | undefined {
  return SPLIT_NAMES.find((split) => protocol.subjects[split].includes(subject));
}

/** One window of a task: where it is in which recording, and its label. */
export interface WindowPlacement {
  readonly experiment: number;
  readonly subject: number;
  readonly split: SplitName;
  /** First sample of the window, 0-based index into the experiment's samples. */
  readonly start: number;
  readonly classIndex: number;
}

export type WindowCounters = {
  /** Transition segments shorter than half a window: no window (hapt12 rule 2). */
  transitionTooShort: number;
  /** Transition windows that would reach past the start or end of the recording. */
  outsideRecording: number;
  /** Segments of activities the task does not use (transitions in hapt6). */
  segmentsNotInTask: number;
  /** Basic-activity segments shorter than one window. */
  segmentShorterThanWindow: number;
};

export interface WindowCut {
  readonly placements: readonly WindowPlacement[];
  readonly counters: WindowCounters;
}

/**
 * Rule 1 (both tasks, basic activities 1-6): windows of `windowSamples` with stride
 * `strideSamples` entirely inside one labelled segment, the first at the segment's first sample.
 */
function insideSegmentStarts(segment: LabelledSegment, windowSamples: number, strideSamples: number): number[] {
  const starts: number[] = [];
  for (let start = segment.startSample; start + windowSamples <= segment.endSample; start += strideSamples) starts.push(start);
  return starts;
}

/**
 * Rule 2 (hapt12, transitions 7-12): a transition segment of L samples gets
 * n = L >= W ? 1 + floor((L - W) / S) : 1 windows, S apart, the group centred on the segment:
 * first start = segment start + floor((L - W - (n - 1) * S) / 2). A short transition (L < W)
 * thus gets one window that contains all of it, centred on it, so the transition covers L / W
 * of the window; segments with L < W / 2 (the transition would cover less than half) get none.
 */
function transitionStarts(segment: LabelledSegment, windowSamples: number, strideSamples: number): number[] | 'too-short' {
  const length = segment.endSample - segment.startSample;
  if (2 * length < windowSamples) return 'too-short';
  const n = length >= windowSamples ? 1 + Math.floor((length - windowSamples) / strideSamples) : 1;
  const first = segment.startSample + Math.floor((length - windowSamples - (n - 1) * strideSamples) / 2);
  return Array.from({ length: n }, (_, k) => first + k * strideSamples);
}

/**
 * Every window of the task over the given experiments (all splits), in a fixed order:
 * experiment ascending, then start ascending (then class index, for equal starts).
 */
export function cutTaskWindows(protocol: TaskProtocol, experiments: readonly HaptExperiment[]): WindowCut {
  const counters: WindowCounters = { transitionTooShort: 0, outsideRecording: 0, segmentsNotInTask: 0, segmentShorterThanWindow: 0 };
  const placements: WindowPlacement[] = [];
  const { windowSamples, strideSamples } = protocol;
  const sorted = [...experiments].sort((p, q) => p.experiment - q.experiment);
  for (const exp of sorted) {
    const split = splitOfSubject(protocol, exp.user);
    if (split === undefined) {
      throw new DatasetError('DATASET_INCONSISTENT', `experiment ${exp.experiment}: volunteer ${exp.user} is not in 1-${HAPT_SUBJECT_COUNT}`);
    }
    const own: WindowPlacement[] = [];
    for (const segment of exp.segments) {
      const classIndex = protocol.activityIds.indexOf(segment.activityId);
      if (classIndex < 0) {
        counters.segmentsNotInTask += 1;
        continue;
      }
      if (segment.activityId < HAPT_FIRST_TRANSITION_ID) {
        const starts = insideSegmentStarts(segment, windowSamples, strideSamples);
        if (starts.length === 0) counters.segmentShorterThanWindow += 1;
        for (const start of starts) own.push({ experiment: exp.experiment, subject: exp.user, split, start, classIndex });
        continue;
      }
      const starts = transitionStarts(segment, windowSamples, strideSamples);
      if (starts === 'too-short') {
        counters.transitionTooShort += 1;
        continue;
      }
      for (const start of starts) {
        if (start < 0 || start + windowSamples > exp.sampleCount) {
          counters.outsideRecording += 1;
          continue;
        }
        own.push({ experiment: exp.experiment, subject: exp.user, split, start, classIndex });
      }
    }
    own.sort((p, q) => p.start - q.start || p.classIndex - q.classIndex);
    placements.push(...own);
  }
  return { placements, counters };
}

/**
 * The label of any window [start, start + windowSamples) of an experiment under the task's rules,
 * for windows cut by a stream (replay) rather than by cutTaskWindows; undefined = not scored.
 * - Rule 1: a window entirely inside one segment of a basic activity of the task gets its class.
 * - Rule 2 (hapt12): otherwise, a window of which a transition segment covers at least half the
 *   samples gets that transition (the one covering more; the earlier on a tie).
 * Every window that cutTaskWindows places gets the same label from this function.
 */
export function labelStreamWindow(protocol: TaskProtocol, segments: readonly LabelledSegment[], start: number): number | undefined {
  const end = start + protocol.windowSamples;
  let best: { classIndex: number; covered: number } | undefined;
  for (const segment of segments) {
    const classIndex = protocol.activityIds.indexOf(segment.activityId);
    if (classIndex < 0) continue;
    if (segment.activityId < HAPT_FIRST_TRANSITION_ID) {
      if (segment.startSample <= start && end <= segment.endSample) return classIndex;
      continue;
    }
    const covered = Math.min(end, segment.endSample) - Math.max(start, segment.startSample);
    if (2 * covered >= protocol.windowSamples && (!best || covered > best.covered)) best = { classIndex, covered };
  }
  return best?.classIndex;
}
