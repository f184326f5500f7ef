import { describe, expect, it } from 'vitest';
import { activeEnergyUj, cyclesToUs, DEFAULT_ENERGY_PROFILE, energyPerCyclePj, energyProfile, EnergyProfileError, sleepEnergyUj } from '../../../../device-sim/timing/energy.ts';

describe('energy profiles', () => {
  const p = energyProfile(DEFAULT_ENERGY_PROFILE);

  it('derives energy per cycle from the published operating point (12 mW at 450 MHz)', () => {
    expect(energyPerCyclePj(p)).toBeCloseTo(26.667, 3);
  });

  it('derives time and energy from cycles only', () => {
    expect(cyclesToUs(450, p)).toBeCloseTo(1, 12);
    expect(activeEnergyUj(450e6, p)).toBeCloseTo(12_000, 6); // one second at 12 mW = 12 mJ
    expect(sleepEnergyUj(1e6, p)).toBeCloseTo(p.sleepPowerUw, 9); // one second asleep
  });

  it('names its sources and rejects unknown profiles with a code', () => {
    expect(p.source).toMatch(/Quentin/);
    expect(p.sleepSource).toMatch(/ASSUMPTION/);
    expect(() => energyProfile('nope')).toThrow(EnergyProfileError);
  });
});
