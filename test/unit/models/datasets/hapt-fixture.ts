// Writes a small synthetic HAPT "RawData" folder (generated values, never dataset content) in
// the published layout, for the reader and task tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeExperiment {
  readonly experiment: number;
  readonly user: number;
  readonly samples: number;
  /** [activityId, start, end] with 1-based inclusive positions, as labels.txt has them. */
  readonly labels: ReadonlyArray<readonly [number, number, number]>;
}

/** Value of channel c at sample t of an experiment: distinct and exactly representable. */
export function fakeValue(experiment: number, t: number, c: number): number {
  return experiment * 1000 + t + c / 8;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Creates <tmp>/hapt/HAPT Data Set/RawData/... and returns the datasets root (<tmp>). */
export function writeFakeHapt(experiments: readonly FakeExperiment[], options: { labelsText?: string } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'hapt-fake-'));
  const raw = join(root, 'hapt', 'HAPT Data Set', 'RawData');
  mkdirSync(raw, { recursive: true });
  const labelLines: string[] = [];
  for (const e of experiments) {
    const acc: string[] = [];
    const gyro: string[] = [];
    for (let t = 0; t < e.samples; t += 1) {
      acc.push([0, 1, 2].map((c) => String(fakeValue(e.experiment, t, c))).join(' '));
      gyro.push([3, 4, 5].map((c) => String(fakeValue(e.experiment, t, c))).join(' '));
    }
    writeFileSync(join(raw, `acc_exp${pad2(e.experiment)}_user${pad2(e.user)}.txt`), `${acc.join('\n')}\n`);
    writeFileSync(join(raw, `gyro_exp${pad2(e.experiment)}_user${pad2(e.user)}.txt`), `${gyro.join('\n')}\n`);
    for (const [activity, start, end] of e.labels) labelLines.push(`${e.experiment} ${e.user} ${activity} ${start} ${end}`);
  }
  writeFileSync(join(raw, 'labels.txt'), options.labelsText ?? `${labelLines.join('\n')}\n`);
  return root;
}
