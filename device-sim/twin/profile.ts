// The operating point the twin converts cycles with: latency = cycles / clock, energy = cycles x
// energy per active cycle (time is derived from cycles, never from the wall clock). The profiles
// themselves, with their sources, live in device-sim/timing/ (issue 4 section 2); this is the
// shape the twin reads from one.

export interface TwinProfile {
  readonly name: string;
  readonly clockHz: number;
  /** Energy of one active core cycle at this operating point, in picojoules. */
  readonly activeEnergyPerCyclePj: number;
}

export function latencyUsOf(cycles: number, profile: TwinProfile): number {
  return (cycles / profile.clockHz) * 1e6;
}

export function energyUjOf(cycles: number, profile: TwinProfile): number {
  return cycles * profile.activeEnergyPerCyclePj * 1e-6;
}
