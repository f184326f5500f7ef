// Issue 4 section 5, tolerance zero: for every zoo model, the firmware on the twin reproduces the
// committed conformance vectors (models/zoo/vectors/<id>.json, generated inputs written by the
// exporter) — scores, class, margin, exit taken and MACs — with both kernel sets.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFirmwareImage } from '../../device-sim/twin/firmware-image.ts';
import { createIssCore } from '../../device-sim/twin/iss-core.ts';
import { resolveTwinProfile } from '../../device-sim/twin/profiles.ts';
import { createTwin } from '../../device-sim/twin/twin.ts';

const ZOO_DIR = 'models/zoo';

interface VectorCase {
  readonly name?: string;
  readonly threshold: number;
  readonly input: number[];
  readonly scores: number[];
  readonly classIndex: number;
  readonly margin: number;
  readonly exitTaken: number;
  readonly macs: number;
}

const ids = readdirSync(ZOO_DIR)
  .filter((f) => f.endsWith('.harm'))
  .map((f) => f.slice(0, -'.harm'.length))
  .sort();

describe('firmware on the twin = zoo conformance vectors', () => {
  it('the zoo has models with vectors', () => {
    expect(ids.length).toBeGreaterThan(0);
  });

  const firmwareElf = loadFirmwareImage();
  const profile = resolveTwinProfile();
  it.each(ids)('%s', (id) => {
    const cases = (JSON.parse(readFileSync(join(ZOO_DIR, 'vectors', `${id}.json`), 'utf8')) as { cases: VectorCase[] }).cases;
    expect(cases.length).toBeGreaterThan(0);
    const twin = createTwin({ firmwareElf, modelBytes: new Uint8Array(readFileSync(join(ZOO_DIR, `${id}.harm`))), profile, coreFactory: createIssCore });
    for (const c of cases) {
      for (const kernelSet of ['simd', 'ref'] as const) {
        const r = twin.run(Int8Array.from(c.input), c.threshold, kernelSet);
        expect(
          { scores: r.scores, classIndex: r.classIndex, margin: r.margin, exitTaken: r.exitTaken, macs: r.macs },
          `${c.name ?? 'case'} threshold ${c.threshold} ${kernelSet}`,
        ).toEqual({ scores: c.scores, classIndex: c.classIndex, margin: c.margin, exitTaken: c.exitTaken, macs: c.macs });
      }
    }
  });
});
