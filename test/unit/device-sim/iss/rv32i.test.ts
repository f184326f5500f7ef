// RV32I behaviour as tiny programs (Vol. I ch. 2); each program runs translated (blocks) and
// stepped (one-instruction blocks), and both must agree.
import { describe, expect, it } from 'vitest';
import { BASE, reg, runToEbreak, stepToEbreak, ureg } from './helpers.ts';

function both(source: string): Array<(r: number) => number> {
  const a = runToEbreak(source).m;
  const b = stepToEbreak(source).m;
  expect(Array.from(b.s.x)).toEqual(Array.from(a.s.x));
  expect(b.s.cycle).toBe(a.s.cycle);
  expect(b.s.instret).toBe(a.s.instret);
  return [(r) => reg(a, r), (r) => ureg(a, r)];
}

describe('RV32I integer computational instructions', () => {
  it('adds, subtracts and wraps on overflow', () => {
    const [r] = both(`
      li a0, 0x7fffffff
      addi a1, a0, 1        # wraps to -2^31
      li a2, -2147483648
      sub a3, a2, a0        # -2^31 - (2^31-1) wraps to 1
      add a4, a0, a0
      ebreak`);
    expect(r!(11)).toBe(-2147483648);
    expect(r!(13)).toBe(1);
    expect(r!(14)).toBe(-2);
  });

  it('compares signed and unsigned, with the immediate sign-extended before an unsigned compare', () => {
    const [r] = both(`
      li a0, -1
      slti a1, a0, 0       # -1 < 0 -> 1
      sltiu a2, a0, -1     # 0xffffffff < 0xffffffff -> 0
      sltiu a3, x0, -1     # 0 < 0xffffffff -> 1
      li a4, 1
      slt a5, a0, a4       # -1 < 1 -> 1
      sltu a6, a0, a4      # 0xffffffff < 1 -> 0
      sltu a7, x0, a4      # snez
      ebreak`);
    expect([10, 11, 12, 13, 14, 15, 16, 17].map((i) => r!(i))).toEqual([-1, 1, 0, 1, 1, 1, 0, 1]);
  });

  it('shifts by immediates and by the low 5 bits of rs2', () => {
    const [r, u] = both(`
      li a0, 0x80000001
      slli a1, a0, 1
      srli a2, a0, 31
      srai a3, a0, 31
      li t0, 33            # only the low 5 bits count: shift by 1
      sll a4, a0, t0
      srl a5, a0, t0
      sra a6, a0, t0
      ebreak`);
    expect(u!(11)).toBe(2);
    expect(r!(12)).toBe(1);
    expect(r!(13)).toBe(-1);
    expect(u!(14)).toBe(2);
    expect(u!(15)).toBe(0x40000000);
    expect(u!(16)).toBe(0xc0000000);
  });

  it('does logic with sign-extended immediates', () => {
    const [, u] = both(`
      li a0, 0x0f0f0f0f
      xori a1, a0, -1      # not
      ori a2, a0, 0x7f0
      andi a3, a0, -16
      li t0, 0xff00ff00
      xor a4, a0, t0
      or a5, a0, t0
      and a6, a0, t0
      ebreak`);
    expect([11, 12, 13, 14, 15, 16].map((i) => u!(i))).toEqual([0xf0f0f0f0, 0x0f0f0fff, 0x0f0f0f00, 0xf00ff00f, 0xff0fff0f, 0x0f000f00]);
  });

  it('lui and auipc build addresses relative to their own pc', () => {
    const [, u] = both(`
      lui a0, 0xfffff
      auipc a1, 1
      auipc a2, 0
      ebreak`);
    expect(u!(10)).toBe(0xfffff000);
    expect(u!(11)).toBe(BASE + 4 + 0x1000);
    expect(u!(12)).toBe(BASE + 8);
  });

  it('never changes x0', () => {
    const [r] = both(`
      addi x0, x0, 5
      lui x0, 1
      li a0, 0x1c000100
      lw x0, 0(a0)
      add a1, x0, x0
      ebreak`);
    expect(r!(0)).toBe(0);
    expect(r!(11)).toBe(0);
  });
});

describe('RV32I control transfer', () => {
  it('takes every branch kind on the right condition', () => {
    const [r] = both(`
      li a0, -1
      li a1, 1
      li s0, 0
      beq a0, a0, ok1
      j fail
    ok1:
      bne a0, a1, ok2
      j fail
    ok2:
      blt a0, a1, ok3
      j fail
    ok3:
      bge a1, a0, ok4
      j fail
    ok4:
      bltu a1, a0, ok5
      j fail
    ok5:
      bgeu a0, a1, ok6
      j fail
    ok6:
      bltu a0, a1, fail
      blt a1, a0, fail
      li s0, 1
    fail:
      ebreak`);
    expect(r!(8)).toBe(1);
  });

  it('jal links pc+4 and jalr clears the target\'s low bit', () => {
    const [, u] = both(`
      jal ra, target
    back:
      ebreak
    target:
      la t0, back
      addi t0, t0, 1       # odd: jalr must clear bit 0
      jalr a0, 0(t0)`);
    expect(u!(1)).toBe(BASE + 4);
    expect(u!(10)).toBe(BASE + 4 + 4 + 8 + 4 + 4); // the link of the jalr
  });

  it('jalr reads rs1 before writing rd when they are the same register', () => {
    const [, u] = both(`
      la t0, dest
      jalr t0, 0(t0)
      ebreak
    dest:
      ebreak`);
    expect(u!(5)).toBe(BASE + 12);
  });
});

describe('RV32I loads and stores', () => {
  it('sign- and zero-extends bytes and halfwords, little-endian', () => {
    const [r, u] = both(`
      li a0, 0x1c001000
      li t0, 0x8081f2f3
      sw t0, 0(a0)
      lb a1, 0(a0)
      lbu a2, 0(a0)
      lh a3, 2(a0)
      lhu a4, 2(a0)
      lw a5, 0(a0)
      li t1, 0x1234
      sh t1, 4(a0)
      sb t1, 7(a0)
      lw a6, 4(a0)
      ebreak`);
    expect(r!(11)).toBe(-13); // 0xf3
    expect(r!(12)).toBe(0xf3);
    expect(r!(13)).toBe(-32639); // 0x8081
    expect(r!(14)).toBe(0x8081);
    expect(u!(15)).toBe(0x8081f2f3);
    expect(u!(16)).toBe(0x34001234);
  });

  it('uses negative offsets', () => {
    const [r] = both(`
      li a0, 0x1c001010
      li t0, 42
      sw t0, -16(a0)
      li a1, 0x1c001000
      lw a2, 0(a1)
      ebreak`);
    expect(r!(12)).toBe(42);
  });
});
