// The twin's operating points from the energy profiles of device-sim/timing/energy.ts (issue 4
// section 2; the default is Quentin's published 0.65 V / 450 MHz / 12 mW point, source named
// there). Only the active part counts for an inference: the core sleeps in wfi between windows,
// which the battery model (daemon) charges as sleep power over time.
import { DEFAULT_ENERGY_PROFILE, energyPerCyclePj, energyProfile } from '../timing/energy.ts';
import type { TwinProfile } from './profile.ts';

export function resolveTwinProfile(id: string = DEFAULT_ENERGY_PROFILE): TwinProfile {
  const p = energyProfile(id);
  return { name: p.id, clockHz: p.clockHz, activeEnergyPerCyclePj: energyPerCyclePj(p) };
}
