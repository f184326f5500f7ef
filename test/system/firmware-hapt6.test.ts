// Issue 4 section 5, tolerance zero on real data: every hapt6 test window, quantized with the
// default model's input scales (models/quantize.ts), gives the same scores, class, margin, exit
// and MACs on the firmware (twin, SIMD kernels) as on the TypeScript reference executor, at the
// cheapest and the full mode. Reads the shared datasets (HAR_DATA_DIR, default ../shared/datasets).
import { describe, expect, it } from 'vitest';
import { measureModes } from '../../device-sim/twin/measure-modes.ts';
import { loadTaskWindows } from '../../models/datasets/index.ts';
import { THRESHOLD_FIRST_EXIT, THRESHOLD_FULL } from '../../models/engine.ts';
import { loadZooModel } from '../../models/zoo/index.ts';

const DATA_DIR = process.env.HAR_DATA_DIR ?? '../shared/datasets';

describe('default zoo model on every hapt6 test window: firmware = reference', () => {
  it('matches window for window (measureModes stops at the first mismatch)', { timeout: 1_800_000 }, () => {
    const model = loadZooModel('default');
    const windows = loadTaskWindows('hapt6', 'test', DATA_DIR);
    expect(windows.count).toBeGreaterThan(1000);
    const figures = measureModes(model.bytes, { count: windows.count, windowSamples: windows.windowSamples, channels: windows.channels.length, x: windows.x }, [THRESHOLD_FIRST_EXIT, THRESHOLD_FULL]);
    for (const f of figures) {
      expect(f.windows).toBe(windows.count);
      expect(f.latencyUs).toBeLessThan(16_000); // the paper's bound at the default clock
      expect(f.energyUj).toBeGreaterThan(0.005);
      expect(f.energyUj).toBeLessThan(62);
    }
  });
});
