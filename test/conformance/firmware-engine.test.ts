// The 'mcu' InferenceEngine (models/engine.ts) built from plain data (a model path, the default
// firmware image and profile): same answers as the reference engine, plus cycles, instret and
// energy/latency at the profile's operating point; errors keep their codes and the engine stays
// usable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activeEnergyUj, cyclesToUs, energyProfile } from '../../device-sim/timing/energy.ts';
import { createMcuEngine } from '../../device-sim/twin/mcu-engine.ts';
import { randomWindow, seededRandom } from '../../device-sim/twin/random-models.ts';
import { readArtifact } from '../../models/format/index.ts';
import { createReferenceEngine } from '../../models/reference/index.ts';
import { THRESHOLD_FULL } from '../../models/engine.ts';
import { loadZooModel } from '../../models/zoo/index.ts';

const MODEL = loadZooModel('default').path;

describe("createMcuEngine ('mcu')", () => {
  const engine = createMcuEngine({ model: MODEL });
  const reference = createReferenceEngine(readArtifact(new Uint8Array(readFileSync(MODEL))));

  it('answers like the reference engine, with cycles and energy from the default profile', () => {
    expect(engine.kind).toBe('mcu');
    const rand = seededRandom(77);
    const profile = energyProfile();
    for (let i = 0; i < 3; i++) {
      const window = randomWindow(rand, engine.twin.windowBytes);
      const r = engine.run(window, THRESHOLD_FULL);
      const e = reference.run(window, THRESHOLD_FULL);
      expect({ ...r, cycles: null, instret: null, energyUj: null, latencyUs: null }).toEqual({ ...e, scores: [...e.scores] });
      expect(r.cycles).toBeGreaterThan(r.macs / 4); // at most 4 MACs per cycle at 8 bits
      expect(r.instret).toBeGreaterThan(0);
      expect(r.energyUj).toBeCloseTo(activeEnergyUj(r.cycles ?? 0, profile), 12);
      expect(r.latencyUs).toBeCloseTo(cyclesToUs(r.cycles ?? 0, profile), 9);
    }
  });

  it('keeps the error codes of the InferenceEngine contract and stays usable', () => {
    expect(() => engine.run(new Int8Array(5), 0)).toThrow(expect.objectContaining({ code: 'TWIN_WINDOW' }));
    expect(engine.run(new Int8Array(engine.twin.windowBytes), 0).scores.length).toBeGreaterThan(1);
  });

  it('accepts bytes and a profile name; an unknown profile is refused', () => {
    const bytes = new Uint8Array(readFileSync(MODEL));
    expect(createMcuEngine({ model: bytes, profile: 'quentin-22nm-0v65', kernelSet: 'ref' }).kind).toBe('mcu');
    expect(() => createMcuEngine({ model: bytes, profile: 'no-such-chip' })).toThrow(/unknown energy profile/);
  });
});
