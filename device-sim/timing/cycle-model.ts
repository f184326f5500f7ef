// The cycle model: ONE table of instruction timing, following the published CV32E40P (the
// OpenHW continuation of PULP's RI5CY) pipeline, "CV32E40P User Manual", chapter "Pipeline
// Details", section "Single- and Multi-Cycle Instructions" (table "Cycle counts per instruction
// type") and section "Hazards" (openhwgroup/cv32e40p, docs/source/pipeline.rst, v1.8).
// The manual's figures assume zero wait states on the instruction and data sides, which is
// what the emulated L2 (single-cycle SRAM) gives.
//
// What the translator (device-sim/iss/translate.ts) charges per instruction:
//   base cycles (this table) + dynamic extras: taken branch, division operand, load-use and
//   jalr hazards, non-word-aligned 32-bit jump/branch targets.
// Modelling choices where the manual is silent are marked ASSUMPTION.
import type { BaseOp } from '../iss/encodings.ts';

export const TIMING = {
  /** "Integer Computational: 1". */
  alu: 1,
  /** "Multiplication: 1 (mul)". */
  mul: 1,
  /** "5 (mulh, mulhsu, mulhu)". */
  mulh: 5,
  /** "Division / Remainder: 3..35": 3 when the divisor has no leading zero bit ... */
  divMin: 3,
  /** ... 35 when the divisor is 0. */
  divByZero: 35,
  /** "Load/Store: 1" (aligned; misaligned accesses trap in this core, see bus.ts). */
  load: 1,
  store: 1,
  /** Hazards: "Load data hazard in case the instruction immediately following a load uses the result of that load": 1 cycle. */
  loadUseStall: 1,
  /** Hazards: "Jump register (jalr) data hazard in case that a jalr depends on the result of an immediately preceding instruction": 1 cycle. */
  jalrStall: 1,
  /** "Jump: 2". */
  jump: 2,
  /** "3 (target is a non-word-aligned non-RVC instruction)": one extra cycle for jumps and taken branches. */
  misalignedTargetExtra: 1,
  /** "Branch (Not-Taken): 1". */
  branchNotTaken: 1,
  /** "Branch (Taken): 3". */
  branchTaken: 3,
  /** "CSR Access: 4 (mstatus, mepc, mtvec, mcause, mcycle, minstret, mhpmcounter*, ... mcountinhibit, mhpmevent*)". */
  csrSlow: 4,
  /** "1 (all the other CSRs)". */
  csrFast: 1,
  /** "Instruction Fence: 2" (fence.i). fence is a nop: 1 (ASSUMPTION: no outstanding transactions to wait for). */
  fenceI: 2,
  fence: 1,
  /** ASSUMPTION: mret flushes the fetch stage like a jump. */
  mret: 2,
  /** ASSUMPTION: a trap (ecall, ebreak, illegal instruction, faults) costs like a taken branch: the slot plus a 2-cycle flush. */
  trapEntry: 3,
  /** wfi issues in one cycle; the time asleep is the host's (energy.ts charges sleep power for it). */
  wfi: 1,
  /** docs/ARCHITECTURE.md: the custom dot products take one cycle (like RI5CY's pv.sdotsp, single-cycle in its dot-product unit). */
  dot: 1,
} as const;

/** Base cycles of an instruction when no dynamic extra applies (a branch counts as not taken). */
export function baseCycles(op: BaseOp, csr = 0): number {
  switch (op) {
    case 'mul':
      return TIMING.mul;
    case 'mulh': case 'mulhsu': case 'mulhu':
      return TIMING.mulh;
    case 'div': case 'divu': case 'rem': case 'remu':
      return TIMING.divMin; // plus divExtraCycles() at run time
    case 'lb': case 'lh': case 'lw': case 'lbu': case 'lhu':
      return TIMING.load;
    case 'sb': case 'sh': case 'sw':
      return TIMING.store;
    case 'jal': case 'jalr':
      return TIMING.jump;
    case 'beq': case 'bne': case 'blt': case 'bge': case 'bltu': case 'bgeu':
      return TIMING.branchNotTaken;
    case 'csrrw': case 'csrrs': case 'csrrc': case 'csrrwi': case 'csrrsi': case 'csrrci':
      return isSlowCsr(csr) ? TIMING.csrSlow : TIMING.csrFast;
    case 'fence.i':
      return TIMING.fenceI;
    case 'fence':
      return TIMING.fence;
    case 'mret':
      return TIMING.mret;
    case 'wfi':
      return TIMING.wfi;
    case 'dot.b.ss': case 'dot.b.uu': case 'dot.b.us': case 'dot.n.ss': case 'dot.n.uu': case 'dot.n.us':
    case 'dot.c.ss': case 'dot.c.uu': case 'dot.c.us':
      return TIMING.dot;
    default:
      return TIMING.alu;
  }
}

/**
 * Extra cycles of a division beyond divMin: "The number of cycles depends on the divider
 * operand value (operand b), i.e. in the number of leading bits at 0". 3 + clz(b), 35 when b = 0.
 * ASSUMPTION: for div/rem the leading zeros of |b| count (the serial divider works on magnitudes).
 */
export function divExtraCycles(divisor: number, signed: boolean): number {
  if (divisor === 0) return TIMING.divByZero - TIMING.divMin;
  const magnitude = signed && divisor < 0 ? -divisor >>> 0 : divisor >>> 0;
  return Math.clz32(magnitude);
}

/** CSRs that the manual lists with 4-cycle access. */
export function isSlowCsr(csr: number): boolean {
  if (csr === 0x300 || csr === 0x341 || csr === 0x305 || csr === 0x342 || csr === 0x320) return true; // mstatus mepc mtvec mcause mcountinhibit
  if (csr >= 0xb00 && csr <= 0xb1f) return true; // mcycle, minstret, mhpmcounter3..31
  if (csr >= 0xb80 && csr <= 0xb9f) return true; // mcycleh, minstreth, mhpmcounter3h..31h
  if (csr >= 0x323 && csr <= 0x33f) return true; // mhpmevent3..31
  return false;
}

/**
 * Performance events, numbered like the CV32E40P mhpmevent selector bits (User Manual,
 * "Performance Counters", event table): the firmware reads them as mhpmcounterN.
 */
export const HPM_EVENT = {
  CYCLES: 0,
  INSTR: 1,
  LD_STALL: 2, // load-use hazards
  JMP_STALL: 3, // jalr hazards
  IMISS: 4, // always 0: L2 fetch has no wait states
  LD: 5, // loads retired
  ST: 6, // stores retired
  JUMP: 7, // jal/jalr retired
  BRANCH: 8, // conditional branches retired
  BRANCH_TAKEN: 9, // of which taken
  COMP_INSTR: 10, // compressed instructions retired
  /** Not a CV32E40P event: cycles lost to multi-cycle MULH/DIV beyond the first (a twin extension). */
  MULDIV_STALL: 11,
} as const;

export const HPM_EVENT_COUNT = 12;

/**
 * Counter numbering: mhpmcounter(3 + k) counts event (2 + k), k = 0..9, i.e.
 * mhpmcounter3 = LD_STALL, 4 = JMP_STALL, 5 = IMISS, 6 = LD, 7 = ST, 8 = JUMP, 9 = BRANCH,
 * 10 = BRANCH_TAKEN, 11 = COMP_INSTR, 12 = MULDIV_STALL. The mhpmevent(3 + k) CSRs read as
 * the one-hot selector (1 << (2 + k)) and ignore writes (WARL); counters 13..31 read 0.
 * (On CV32E40P the selection is programmable; fixed wiring keeps the firmware's reads simple.)
 */
export const HPM_FIRST_COUNTER = 3;
export const HPM_COUNTERS = HPM_EVENT_COUNT - 2;

export function hpmEventOfCounter(counter: number): number | null {
  const k = counter - HPM_FIRST_COUNTER;
  return k >= 0 && k < HPM_COUNTERS ? k + 2 : null;
}
