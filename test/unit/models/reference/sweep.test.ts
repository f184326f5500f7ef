import { describe, expect, it } from 'vitest';
import { THRESHOLD_FULL } from '../../../../models/engine.ts';
import { readArtifact } from '../../../../models/format/read.ts';
import { writeArtifact } from '../../../../models/format/write.ts';
import { ReferenceModel } from '../../../../models/reference/executor.ts';
import { decideFromStages } from '../../../../models/reference/sweep.ts';
import { randomWindow, randomSpec, seededRandom } from '../format/fixtures.ts';

describe('mode decisions from one full run (ARITHMETIC.md §6-7)', () => {
  it('walks the stages while margin < T and adds their MACs', () => {
    const stages = [{ classIndex: 2, margin: 5 }, { classIndex: 1, margin: 0 }, { classIndex: 0, margin: 9 }];
    const macs = [100, 50, 25];
    expect(decideFromStages(stages, macs, 0)).toEqual({ classIndex: 2, margin: 5, exitTaken: 0, macs: 100 });
    expect(decideFromStages(stages, macs, 5)).toEqual({ classIndex: 2, margin: 5, exitTaken: 0, macs: 100 });
    expect(decideFromStages(stages, macs, 6)).toEqual({ classIndex: 0, margin: 9, exitTaken: 2, macs: 175 });
    expect(decideFromStages(stages, macs, THRESHOLD_FULL)).toEqual({ classIndex: 0, margin: 9, exitTaken: 2, macs: 175 });
    expect(() => decideFromStages([], [], 0)).toThrow(RangeError);
  });

  it('agrees with running the executor at each threshold (early exit and cascade)', () => {
    const rng = seededRandom(12);
    for (const [seed, shape] of [[31, 'early-exit'], [32, 'cascade'], [33, 'early-exit'], [34, 'cascade']] as const) {
      const artifact = readArtifact(writeArtifact(randomSpec(seed, shape)));
      const model = new ReferenceModel(artifact);
      const stageMacs = artifact.metadata.stages.map((s) => s.macs);
      for (let i = 0; i < 30; i++) {
        const w = randomWindow(rng, model.windowValues);
        const full = model.run(w, THRESHOLD_FULL);
        for (const t of [0, 1, 2, 5, 17, 100, 1000, THRESHOLD_FULL]) {
          const direct = model.run(w, t);
          expect(decideFromStages(full.stageResults, stageMacs, t)).toEqual({ classIndex: direct.classIndex, margin: direct.margin, exitTaken: direct.exitTaken, macs: direct.macs });
        }
      }
    }
  });
});
