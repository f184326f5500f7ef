// The cycle model (device-sim/timing/cycle-model.ts, after the CV32E40P "Instruction timing"
// table): each test measures a snippet as the difference between a program with it and the
// same program without it, in both translated and single-step execution.
import { describe, expect, it } from 'vitest';
import { divExtraCycles, TIMING } from '../../../../device-sim/timing/cycle-model.ts';
import { atEbreak, load, runUntil } from '../iss/helpers.ts';

const SETUP = `
  li s0, 0x1c001000
  li a1, 7
  li a2, 3
  nop`;

function cycles(source: string, stepped: boolean): number {
  const { m } = load(source);
  if (stepped) {
    runUntil(m, atEbreak, 10_000);
  } else {
    const r = m.run(100_000);
    expect(r).toMatchObject({ reason: 'trap', cause: 3 });
  }
  return m.s.cycle;
}

/** Cycles of `snippet` (followed by a nop, so hazards into the next instruction are visible). */
function cost(snippet: string): number {
  const program = (body: string): string => `${SETUP}\n${body}\n  nop\n  ebreak`;
  const translated = cycles(program(snippet), false) - cycles(program(''), false);
  const stepped = cycles(program(snippet), true) - cycles(program(''), true);
  expect(stepped, 'single-step and translated execution agree').toBe(translated);
  return translated;
}

describe('instruction timing (CV32E40P)', () => {
  it('ALU and mul: 1 cycle; mulh family: 5', () => {
    expect(cost('add a0, a1, a2')).toBe(TIMING.alu);
    expect(cost('mul a0, a1, a2')).toBe(TIMING.mul);
    expect(cost('mulh a0, a1, a2')).toBe(TIMING.mulh);
    expect(cost('mulhu a0, a1, a2')).toBe(TIMING.mulh);
  });

  it('division: 3 + leading zeros of the divisor; 35 when dividing by zero', () => {
    expect(cost('div a0, a1, a2')).toBe(3 + 30); // divisor 3: 30 leading zeros
    expect(cost('li a3, 0x80000000\n divu a0, a1, a3')).toBe(2 + 3);
    expect(cost('divu a0, a1, x0')).toBe(35);
    expect(cost('rem a0, a1, x0')).toBe(35);
    expect(divExtraCycles(-1, true)).toBe(31);
    expect(divExtraCycles(-1, false)).toBe(0);
  });

  it('load: 1 cycle, plus 1 when the next instruction uses the result', () => {
    expect(cost('lw a0, 0(s0)')).toBe(1);
    expect(cost('lw a0, 0(s0)\n add a3, a0, a0')).toBe(1 + 1 + 1);
    expect(cost('lw a0, 0(s0)\n add a3, a1, a1\n add a4, a0, a0')).toBe(3);
    expect(cost('sw a1, 0(s0)')).toBe(1);
  });

  it('branches: 1 not taken, 3 taken', () => {
    expect(cost('beq a1, a2, next\n next:')).toBe(TIMING.branchNotTaken); // falls through to the same place
    expect(cost('bne a1, a2, next\n nop\n next:')).toBe(TIMING.branchTaken);
  });

  it('jumps: 2 cycles; +1 to a 32-bit instruction at a non-word-aligned address; jalr +1 after a write of its base', () => {
    expect(cost('jal x0, next\n next:')).toBe(TIMING.jump);
    expect(cost('jal x0, next\n c.nop\n next:')).toBe(TIMING.jump + 1); // target at +6: 2-byte aligned, 32-bit nop follows
    expect(cost('la t0, next\n nop\n jalr x0, 0(t0)\n next:')).toBe(2 + 1 + TIMING.jump);
    expect(cost('la t0, next\n jalr x0, 0(t0)\n next:')).toBe(2 + TIMING.jump + TIMING.jalrStall);
  });

  it('CSR access: 4 cycles for the listed machine CSRs, 1 for the others', () => {
    expect(cost('csrrs a0, mstatus, x0')).toBe(TIMING.csrSlow);
    expect(cost('csrrs a0, mcycle, x0')).toBe(TIMING.csrSlow);
    expect(cost('csrrs a0, mscratch, x0')).toBe(TIMING.csrFast);
    expect(cost('csrrs a0, cycle, x0')).toBe(TIMING.csrFast);
  });
});

describe('counters readable by the firmware', () => {
  it('mcycle and minstret count what retired before the reading instruction', () => {
    const { m } = load(`
      nop
      nop
      csrrs a0, mcycle, x0
      csrrs a1, minstret, x0
      csrrs a2, mcycleh, x0
      ebreak`);
    m.run(1000);
    expect(m.s.x[10]).toBe(2);
    expect(m.s.x[11]).toBe(3);
    expect(m.s.x[12]).toBe(0);
  });

  it('a write to minstret replaces the increment of the writing instruction (Zicsr §9.1)', () => {
    const { m } = load(`
      li t0, 100
      csrrw x0, minstret, t0
      csrrs a0, minstret, x0
      ebreak`);
    m.run(1000);
    expect(m.s.x[10]).toBe(100);
  });

  it('stall and event counters as CV32E40P mhpmcounters 3..12', () => {
    const { m } = load(`
      li s0, 0x1c001000
      lw a0, 0(s0)
      add a1, a0, a0         # load-use stall
      la t0, t
      jalr x0, 0(t0)         # jalr hazard
    t:
      li a2, 2
    loop:
      addi a2, a2, -1
      bne a2, x0, loop       # 2 branches, 1 taken
      c.nop
      divu a3, a2, a2        # by zero: 32 stall cycles beyond the first
      sw a0, 0(s0)
      csrrs s1, mhpmcounter3, x0
      csrrs s2, mhpmcounter4, x0
      csrrs s3, mhpmcounter6, x0
      csrrs s4, mhpmcounter7, x0
      csrrs s5, mhpmcounter8, x0
      csrrs s6, mhpmcounter9, x0
      csrrs s7, mhpmcounter10, x0
      csrrs s8, mhpmcounter11, x0
      csrrs s9, mhpmcounter12, x0
      csrrs s10, 0x323, x0   # mhpmevent3: the one-hot selector of LD_STALL
      ebreak`);
    m.run(10_000);
    const x = (r: number): number => m.s.x[r]!;
    expect([x(9), x(18), x(19), x(20), x(21), x(22), x(23), x(24), x(25), x(26)]).toEqual([1, 1, 1, 1, 1, 2, 1, 1, 32, 1 << 2]);
  });
});
