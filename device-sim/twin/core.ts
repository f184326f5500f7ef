// The small seam between the twin and the instruction-set simulator (device-sim/iss): what the
// twin needs from an emulated core. `createIssCore` (iss-core.ts) implements it on the real ISS;
// unit tests of the twin's protocol handling implement it with fakes.

export type CoreStopReason = 'wfi' | 'halt' | 'trap' | 'budget' | 'tohost';

/** Why `run` returned (faults are values, STYLE.md). */
export interface CoreStop {
  readonly reason: CoreStopReason;
  /** Cycles executed by this `run` call. */
  readonly cycles: number;
  /** Exit device code (reason 'halt') or tohost value. */
  readonly exitCode?: number;
  /** Trap cause, pc and value (reason 'trap'). */
  readonly mcause?: number;
  readonly mepc?: number;
  readonly mtval?: number;
}

export interface McuCore {
  /** Bytes into emulated memory (the model region, the window). */
  writeBytes(address: number, bytes: Uint8Array): void;
  readBytes(address: number, length: number): Uint8Array;
  writeU32(address: number, value: number): void;
  readU32(address: number): number;
  /** Resumes the hart (after reset, or after the `wfi` it stopped at) for at most `maxCycles`. */
  run(maxCycles: number): CoreStop;
  /** Debug UART output since the last call. */
  takeConsole(): string;
}

/** Builds a fresh core with the ELF loaded and the hart at its entry point. */
export type CoreFactory = (firmwareElf: Uint8Array) => McuCore;
