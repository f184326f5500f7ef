// Precise traps (Vol. II §3.1.6-§3.1.16, §3.3): mepc, mcause, mtval, mstatus MIE/MPIE, mret;
// unhandled traps end the run as values; a trapping instruction does not retire.
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../../device-sim/iss/state.ts';
import { load, reg, ureg } from './helpers.ts';

/** A program with a handler that records mcause/mepc/mtval in s1..s3 and halts via the exit device. */
function withHandler(body: string): ReturnType<typeof load> {
  return load(`
    la t0, handler
    csrrw x0, mtvec, t0
    ${body}
    ebreak
  handler:
    csrrs s1, mcause, x0
    csrrs s2, mepc, x0
    csrrs s3, mtval, x0
    csrrs s4, mstatus, x0
    li t0, 0x1A104000
    sw x0, 0(t0)`);
}

describe('traps with a handler', () => {
  it.each([
    ['lw a0, 1(a1)', CAUSE.LOAD_MISALIGNED, 0x1c001001],
    ['lh a0, 3(a1)', CAUSE.LOAD_MISALIGNED, 0x1c001003],
    ['sw a0, 2(a1)', CAUSE.STORE_MISALIGNED, 0x1c001002],
    ['sh a0, 1(a1)', CAUSE.STORE_MISALIGNED, 0x1c001001],
  ])('%s raises cause %i with the address in mtval', (insn, cause, address) => {
    const { m, symbols } = withHandler(`
      li a1, 0x1c001000
    at:
      ${insn}`);
    expect(m.run(10_000)).toEqual({ reason: 'halt', exitCode: 0 });
    expect(reg(m, 9)).toBe(cause);
    expect(ureg(m, 18)).toBe(symbols.get('at'));
    expect(ureg(m, 19)).toBe(address);
  });

  it('raises access faults outside every region, counts them and warns once per address', () => {
    const { m, warnings } = withHandler(`
      li a1, 0x30000000
      lw a0, 0(a1)`);
    expect(m.run(10_000)).toEqual({ reason: 'halt', exitCode: 0 });
    expect(reg(m, 9)).toBe(CAUSE.LOAD_ACCESS_FAULT);
    expect(ureg(m, 19)).toBe(0x30000000);
    expect(m.busStats.unmappedAccesses).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('store access fault', () => {
    const { m } = withHandler(`
      li a1, 0x00000010
      sw a0, 0(a1)`);
    m.run(10_000);
    expect(reg(m, 9)).toBe(CAUSE.STORE_ACCESS_FAULT);
    expect(ureg(m, 19)).toBe(0x10);
  });

  it('ecall: cause 11, mtval 0; ebreak: cause 3, mtval = pc', () => {
    const e = withHandler('at: ecall');
    e.m.run(10_000);
    expect([reg(e.m, 9), ureg(e.m, 18), reg(e.m, 19)]).toEqual([CAUSE.ECALL_M, e.symbols.get('at'), 0]);
    const b = withHandler('at: ebreak');
    b.m.run(10_000);
    expect([reg(b.m, 9), ureg(b.m, 18), ureg(b.m, 19)]).toEqual([CAUSE.BREAKPOINT, b.symbols.get('at'), b.symbols.get('at')]);
  });

  it('illegal 32-bit instruction: cause 2, the instruction bits in mtval', () => {
    const { m, symbols } = withHandler('at: .word 0xffffffff');
    m.run(10_000);
    expect([reg(m, 9), ureg(m, 18), ureg(m, 19)]).toEqual([CAUSE.ILLEGAL_INSTRUCTION, symbols.get('at'), 0xffffffff]);
  });

  it('jumping to unmapped memory: instruction access fault with the target in mepc and mtval', () => {
    const { m } = withHandler(`
      li a1, 0x40000000
      jalr ra, 0(a1)`);
    m.run(10_000);
    expect([reg(m, 9), ureg(m, 18), ureg(m, 19)]).toEqual([CAUSE.INSTRUCTION_ACCESS_FAULT, 0x40000000, 0x40000000]);
  });

  it('a trap saves MIE into MPIE and clears MIE; mret restores it and returns to mepc', () => {
    const { m } = load(`
      la t0, handler
      csrrw x0, mtvec, t0
      csrrsi x0, mstatus, 8     # MIE = 1
      ecall
      csrrs s5, mstatus, x0     # after mret
      ebreak                     # ends the run: the handler below sees cause 3 and halts
    handler:
      csrrs s4, mstatus, x0
      csrrs t1, mcause, x0
      li t2, 3
      beq t1, t2, stop
      csrrs t1, mepc, x0
      addi t1, t1, 4
      csrrw x0, mepc, t1
      mret
    stop:
      li t0, 0x1A104000
      sw x0, 0(t0)`);
    expect(m.run(10_000)).toEqual({ reason: 'halt', exitCode: 0 });
    expect(ureg(m, 20) & 0x88).toBe(0x80); // in the handler: MPIE = 1, MIE = 0
    expect(ureg(m, 21) & 0x88).toBe(0x88); // after mret: MIE = MPIE = 1
    expect(ureg(m, 21) & 0x1800).toBe(0x1800); // MPP reads M
  });

  it('a trapping instruction does not retire', () => {
    const { m } = load(`
      nop
      nop
      lw a0, 1(x0)`);
    const r = m.run(1000);
    expect(r).toMatchObject({ reason: 'trap', cause: CAUSE.LOAD_MISALIGNED });
    expect(m.s.instret).toBe(2);
  });
});

describe('unhandled traps end the run as values', () => {
  it('without mtvec, an illegal instruction stops with cause, pc and tval and leaves CSRs alone', () => {
    const { m } = load(`
      nop
      .word 0`);
    const r = m.run(1000);
    expect(r).toEqual({ reason: 'trap', cause: CAUSE.ILLEGAL_INSTRUCTION, causeName: 'illegal instruction', pc: 0x1c000004, tval: 0 });
    expect(m.s.mcause).toBe(0);
    expect(m.s.pc).toBe(0x1c000004);
  });

  it('a handler that cannot be fetched stops instead of looping', () => {
    const { m } = load(`
      li t0, 0x30000000
      csrrw x0, mtvec, t0
      .word 0`);
    const r = m.run(100_000);
    expect(r).toMatchObject({ reason: 'trap', cause: CAUSE.INSTRUCTION_ACCESS_FAULT, pc: 0x30000000 });
  });

  it('an infinite loop stops at the cycle budget', () => {
    const { m } = load('spin: j spin');
    expect(m.run(10_000)).toEqual({ reason: 'budget' });
    expect(m.s.cycle).toBeGreaterThanOrEqual(10_000);
    expect(m.s.cycle).toBeLessThan(10_010);
  });
});
