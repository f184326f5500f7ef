// Issue 4 section 5, tolerance zero: the firmware image on the emulated core (twin) equals the
// TypeScript reference executor, for both kernel sets, on random artifacts written by the
// models/format writer at every (input, weight, output) bit-width combination, with plain,
// early-exit and cascade stage structures and thresholds that stop early, continue, or vary.
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../models/format/index.ts';
import { runReference } from '../../models/reference/index.ts';
import { loadFirmwareImage } from '../../device-sim/twin/firmware-image.ts';
import { createIssCore } from '../../device-sim/twin/iss-core.ts';
import { allComboModels, randomInt, randomWindow, seededRandom, wideModels } from '../../device-sim/twin/random-models.ts';
import { createTwin } from '../../device-sim/twin/twin.ts';

const profile = { name: 'conformance', clockHz: 100e6, activeEnergyPerCyclePj: 10 };
const firmwareElf = loadFirmwareImage();

describe('firmware on the twin = TS reference (random artifacts)', () => {
  const models = allComboModels(11);
  it.each(models.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const artifact = readArtifact(m.bytes);
    const twin = createTwin({ firmwareElf, modelBytes: m.bytes, profile, coreFactory: createIssCore });
    const rand = seededRandom(m.bytes.length * 31);
    for (let w = 0; w < 3; w++) {
      const window = randomWindow(rand, m.windowBytes);
      for (const threshold of [0, randomInt(rand, 1, 400), 4294967295]) {
        const ref = runReference(artifact, window, threshold);
        const expected = { scores: [...ref.scores], classIndex: ref.classIndex, margin: ref.margin, exitTaken: ref.exitTaken, macs: ref.macs };
        for (const kernelSet of ['simd', 'ref'] as const) {
          const got = twin.run(window, threshold, kernelSet);
          expect({ scores: got.scores, classIndex: got.classIndex, margin: got.margin, exitTaken: got.exitTaken, macs: got.macs }, `window ${w}, threshold ${threshold}, ${kernelSet}`).toEqual(expected);
          expect(got.cycles).toBeGreaterThan(0);
          expect(got.instret).toBeGreaterThan(0);
          expect(got.instret).toBeLessThanOrEqual(got.cycles);
        }
      }
    }
  });
});

describe('firmware on the twin = TS reference (wide layers of trained-model size)', () => {
  it.each(wideModels(3).map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const artifact = readArtifact(m.bytes);
    const twin = createTwin({ firmwareElf, modelBytes: m.bytes, profile, coreFactory: createIssCore });
    const rand = seededRandom(m.bytes.length);
    for (let w = 0; w < 1; w++) {
      const window = randomWindow(rand, m.windowBytes);
      const ref = runReference(artifact, window, 0);
      for (const kernelSet of ['simd', 'ref'] as const) {
        const got = twin.run(window, 0, kernelSet);
        expect({ scores: got.scores, classIndex: got.classIndex, margin: got.margin, macs: got.macs }, `window ${w}, ${kernelSet}`).toEqual({ scores: [...ref.scores], classIndex: ref.classIndex, margin: ref.margin, macs: ref.macs });
      }
    }
  });
});
