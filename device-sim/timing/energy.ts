// Energy and time of the emulated MCU, derived from cycles only (never from the wall clock):
//   time     = cycles / clockHz
//   energy   = cycles * energyPerActiveCycle + sleepPower * timeAsleep
// One profile per operating point. Each names its source; figures that are not published for
// the chip are marked ASSUMPTION.

export interface EnergyProfile {
  readonly id: string;
  readonly description: string;
  /** Core supply voltage of the operating point. */
  readonly voltageV: number;
  readonly clockHz: number;
  /** Total SoC power while the core runs (core + L2 + interconnect), at this point. */
  readonly activePowerMw: number;
  /** Power while the core sleeps in wfi with L2 retained. */
  readonly sleepPowerUw: number;
  readonly source: string;
  readonly sleepSource: string;
}

export const ENERGY_PROFILES = {
  'quentin-22nm-0v65': {
    id: 'quentin-22nm-0v65',
    description: 'PULPissimo-class MCU in 22 nm FD-SOI (Quentin: RI5CY core, 512 KiB L2) at 0.65 V, 450 MHz',
    voltageV: 0.65,
    clockHz: 450e6,
    activePowerMw: 12,
    sleepPowerUw: 10,
    source:
      'P. D. Schiavone et al., "Quentin: an Ultra-Low-Power PULPissimo SoC in 22nm FDX", IEEE SOI-3D-Subthreshold ' +
      'Microelectronics Technology Unified Conference (S3S), 2018: 0.65 V, 450 MHz, about 12 mW (the operating point named in issue 4)',
    sleepSource:
      'ASSUMPTION: 10 uW for deep sleep with L2 retention, the order of magnitude PULPissimo-class SoCs in 22 nm report; ' +
      'not a figure published for Quentin in the source above',
  },
} as const satisfies Record<string, EnergyProfile>;

export type EnergyProfileId = keyof typeof ENERGY_PROFILES;
export const DEFAULT_ENERGY_PROFILE: EnergyProfileId = 'quentin-22nm-0v65';

export class EnergyProfileError extends Error {
  readonly code = 'ENERGY_PROFILE_UNKNOWN';
  constructor(id: string) {
    super(`unknown energy profile "${id}" (known: ${Object.keys(ENERGY_PROFILES).join(', ')})`);
    this.name = 'EnergyProfileError';
  }
}

export function energyProfile(id: string = DEFAULT_ENERGY_PROFILE): EnergyProfile {
  const profile = (ENERGY_PROFILES as Record<string, EnergyProfile>)[id];
  if (!profile) throw new EnergyProfileError(id);
  return profile;
}

/** Energy of one active cycle in picojoules: P / f. */
export function energyPerCyclePj(profile: EnergyProfile): number {
  return ((profile.activePowerMw * 1e-3) / profile.clockHz) * 1e12;
}

/** Latency of `cycles` at the profile's clock, in microseconds. */
export function cyclesToUs(cycles: number, profile: EnergyProfile): number {
  return (cycles / profile.clockHz) * 1e6;
}

/** Energy of `cycles` active cycles, in microjoules. */
export function activeEnergyUj(cycles: number, profile: EnergyProfile): number {
  return cycles * energyPerCyclePj(profile) * 1e-6;
}

/** Energy of sleeping `durationUs` microseconds, in microjoules. */
export function sleepEnergyUj(durationUs: number, profile: EnergyProfile): number {
  return profile.sleepPowerUw * durationUs * 1e-6;
}
