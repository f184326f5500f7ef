// measureModes (device-sim/twin/measure-modes.ts), which fills the zoo's mode tables: for a
// two-stage model it composes every mode from two probe runs per window; the composed figures
// must equal running every mode on the twin directly (the emulator is deterministic).
import { describe, expect, it } from 'vitest';
import { loadFirmwareImage } from '../../device-sim/twin/firmware-image.ts';
import { createIssCore } from '../../device-sim/twin/iss-core.ts';
import { measureModes, MeasureError } from '../../device-sim/twin/measure-modes.ts';
import { comboModel, seededRandom } from '../../device-sim/twin/random-models.ts';
import { resolveTwinProfile } from '../../device-sim/twin/profiles.ts';
import { createTwin } from '../../device-sim/twin/twin.ts';
import { readArtifact } from '../../models/format/index.ts';
import { quantizeWindow } from '../../models/quantize.ts';

const profile = resolveTwinProfile();

describe('measureModes', () => {
  for (const variant of [1, 2]) {
    it(`composes each mode of a ${variant === 1 ? 'early-exit' : 'cascade'} model exactly`, () => {
      const m = comboModel(900 + variant, 4, 4, 8, variant);
      const artifact = readArtifact(m.bytes);
      const { inChannels, windowSamples } = artifact.net;
      const rand = seededRandom(variant);
      const count = 12;
      const x = Float64Array.from({ length: count * windowSamples * inChannels }, () => (rand() - 0.5) * 4);
      const thresholds = [0, 3, 40, 400, 4294967295];
      const figures = measureModes(m.bytes, { count, windowSamples, channels: inChannels, x }, thresholds, { profile });

      const twin = createTwin({ firmwareElf: loadFirmwareImage(), modelBytes: m.bytes, profile, coreFactory: createIssCore });
      const scale = artifact.metadata.input.scale;
      thresholds.forEach((threshold, i) => {
        let cycles = 0, energyUj = 0, macs = 0, continued = 0;
        for (let w = 0; w < count; w++) {
          const window = quantizeWindow(x.subarray(w * windowSamples * inChannels, (w + 1) * windowSamples * inChannels), scale);
          const r = twin.run(window, threshold);
          cycles += r.cycles;
          energyUj += r.energyUj;
          macs += r.macs;
          if (r.exitTaken > 0) continued++;
        }
        const f = figures[i];
        expect(f?.cycles).toBe(cycles / count);
        expect(f?.avgMacs).toBe(macs / count);
        expect(f?.continueShare).toBe(continued / count);
        expect(f?.energyUj).toBeCloseTo(energyUj / count, 9);
      });
      expect(figures[0]?.continueShare).toBe(0);
      expect(figures[4]?.continueShare).toBe(1);
      expect(figures[4]?.cycles).toBeGreaterThan(figures[0]?.cycles ?? Infinity);
    });
  }

  it('refuses windows of another shape', () => {
    const m = comboModel(5, 8, 8, 8, 0);
    expect(() => measureModes(m.bytes, { count: 1, windowSamples: 3, channels: 2, x: new Float64Array(6) }, [0])).toThrow(MeasureError);
  });
});
