// The architectural state of the hart as plain data (like mini-rv32ima's one struct): easy to
// snapshot, reset and compare. Counters are JS numbers (exact integers up to 2^53 cycles).
import { HPM_EVENT_COUNT } from '../timing/cycle-model.ts';

export interface CpuState {
  /** x0..x31; x[0] stays 0 (writes to x0 are never emitted). */
  readonly x: Int32Array;
  pc: number;
  /** mcycle: emulated core cycles since reset (64-bit counter, Zicntr). */
  cycle: number;
  /** minstret: retired instructions since reset. */
  instret: number;
  /** Performance events, indexed by HPM_EVENT (cycle-model.ts). */
  readonly events: Float64Array;
  /** Machine-mode CSRs (Vol. II §3.1). */
  mstatus: number;
  mie: number;
  mtvec: number;
  mscratch: number;
  mepc: number;
  mcause: number;
  mtval: number;
  /** The run loop stops at the first block boundary where cycle >= cycleLimit. */
  cycleLimit: number;
}

/**
 * A value that is not a small integer, to create the 64-bit counters as double fields. V8 first
 * gives a field holding 0 the small-integer representation; when mcycle passes 2^30 (about 3,400
 * windows of the default model) the store generalizes it to a double and every translated region
 * that reads the counters is deoptimized at once: the twin then ran at 14-40 MIPS for seconds
 * while V8 re-optimized them (seen in the bench as drops from ~600 MIPS). Fields created as
 * doubles keep that representation when 0 is stored into them.
 */
const DOUBLE_FIELD = 0.5;

export function createCpuState(): CpuState {
  const s: CpuState = {
    x: new Int32Array(32),
    pc: 0,
    cycle: DOUBLE_FIELD,
    instret: DOUBLE_FIELD,
    events: new Float64Array(HPM_EVENT_COUNT),
    mstatus: 0,
    mie: 0,
    mtvec: 0,
    mscratch: 0,
    mepc: 0,
    mcause: 0,
    mtval: 0,
    cycleLimit: Number.POSITIVE_INFINITY,
  };
  s.cycle = 0;
  s.instret = 0;
  return s;
}

/** A deep copy, for tests and for the twin's reset-after-fault. */
export function snapshotCpuState(s: CpuState): CpuState {
  return { ...s, x: s.x.slice(), events: s.events.slice() };
}

/** ABI register names (Vol. I ch. 25 "RISC-V Assembly Programmer's Handbook", table 25.1). */
export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

/** Exception codes (Vol. II §3.1.15, table 3.6 "Machine cause register (mcause) values after trap"). */
export const CAUSE = {
  INSTRUCTION_MISALIGNED: 0,
  INSTRUCTION_ACCESS_FAULT: 1,
  ILLEGAL_INSTRUCTION: 2,
  BREAKPOINT: 3,
  LOAD_MISALIGNED: 4,
  LOAD_ACCESS_FAULT: 5,
  STORE_MISALIGNED: 6,
  STORE_ACCESS_FAULT: 7,
  ECALL_M: 11,
} as const;

export const CAUSE_NAMES: Readonly<Record<number, string>> = {
  0: 'instruction address misaligned',
  1: 'instruction access fault',
  2: 'illegal instruction',
  3: 'breakpoint',
  4: 'load address misaligned',
  5: 'load access fault',
  6: 'store/AMO address misaligned',
  7: 'store/AMO access fault',
  11: 'environment call from M-mode',
};

/** mstatus fields (Vol. II §3.1.6): machine mode only, so MPP reads as 3 (M). */
export const MSTATUS = { MIE: 1 << 3, MPIE: 1 << 7, MPP: 3 << 11 } as const;
