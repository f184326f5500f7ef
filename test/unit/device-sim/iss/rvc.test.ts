// C extension behaviour (Vol. I ch. 16): compressed instructions do what their expansions do,
// mix with 32-bit ones at 2-byte alignment, and reserved encodings trap as illegal.
import { describe, expect, it } from 'vitest';
import { BASE, load, reg, runToEbreak, ureg } from './helpers.ts';

describe('compressed instructions', () => {
  it('compute like their expansions', () => {
    const { m } = runToEbreak(`
      c.li a0, -3
      c.addi a0, 5          # 2
      c.lui a1, 0x12        # 0x12000
      c.mv a2, a1
      c.add a2, a0          # 0x12002
      c.slli a2, 4          # 0x120020
      c.li s0, -8
      c.srai s0, 1          # -4
      c.li s1, -8
      c.srli s1, 28         # 0xf
      c.andi s1, 6          # 6
      c.li a3, 12
      c.li a4, 10
      c.sub a3, a4          # 2
      ebreak`);
    expect(reg(m, 10)).toBe(2);
    expect(reg(m, 11)).toBe(0x12000);
    expect(reg(m, 12)).toBe(0x120020);
    expect(reg(m, 8)).toBe(-4);
    expect(reg(m, 9)).toBe(6);
    expect(reg(m, 13)).toBe(2);
  });

  it('c.xor, c.or, c.and on the compressed registers', () => {
    const { m } = runToEbreak(`
      li s0, 0xff00
      li s1, 0x0ff0
      mv a0, s0
      c.xor a0, s1
      mv a1, s0
      c.or a1, s1
      mv a2, s0
      c.and a2, s1
      ebreak`);
    expect([10, 11, 12].map((r) => reg(m, r))).toEqual([0xf0f0, 0xfff0, 0x0f00]);
  });

  it('load and store relative to sp and to x8..x15', () => {
    const { m } = runToEbreak(`
      li sp, 0x1c002000
      c.addi16sp sp, -64
      li t0, 0x11223344
      c.swsp t0, 60(sp)
      c.lwsp a0, 60(sp)
      c.addi4spn s0, sp, 32
      c.sw a0, 4(s0)
      c.lw a1, 4(s0)
      ebreak`);
    expect(ureg(m, 2)).toBe(0x1c002000 - 64);
    expect(ureg(m, 10)).toBe(0x11223344);
    expect(ureg(m, 8)).toBe(0x1c002000 - 32);
    expect(ureg(m, 11)).toBe(0x11223344);
  });

  it('jump and link with pc+2', () => {
    const { m } = runToEbreak(`
      c.jal sub
      c.j end
    sub:
      c.mv a0, ra
      c.jr ra
    end:
      la t0, sub2
      c.jalr t0
      ebreak
    sub2:
      c.mv a1, ra
      c.jr ra`);
    expect(ureg(m, 10)).toBe(BASE + 2);
    expect(ureg(m, 11)).toBe(BASE + 16 + 2); // c.jalr at BASE + 16 links pc + 2
  });

  it('branch on zero / non-zero', () => {
    const { m } = runToEbreak(`
      c.li a0, 0
      c.li a1, 0
      c.beqz a0, z
      c.li a1, 1
    z:
      c.li a2, 1
      c.bnez a2, nz
      c.li a1, 2
    nz:
      ebreak`);
    expect(reg(m, 11)).toBe(0);
  });

  it('executes 32-bit instructions at 2-byte aligned addresses', () => {
    const { m } = runToEbreak(`
      c.nop
      li a0, 0x12345678     # lui+addi at BASE+2 and BASE+6
      addi a0, a0, 1
      ebreak`);
    expect(ureg(m, 10)).toBe(0x12345679);
  });

  it.each([
    [0x0000, 'the all-zero parcel'],
    [0x0004, 'c.addi4spn with nzuimm = 0'],
    [0x6101, 'c.addi16sp with nzimm = 0'],
    [0x6081, 'c.lui with nzimm = 0'],
    [0x4002, 'c.lwsp with rd = 0'],
    [0x8002, 'c.jr with rs1 = 0'],
    [0x9001, 'c.srli with shamt[5] = 1'],
  ])('traps %i (%s) as an illegal instruction with the parcel in mtval', (parcel) => {
    const { m, symbols } = load(`
      la t0, handler
      csrrw x0, mtvec, t0
    bad:
      .half ${parcel}
      .half 0
    handler:
      csrrs a0, mcause, x0
      csrrs a1, mepc, x0
      csrrs a2, mtval, x0
      li t0, 0x1A104000
      sw x0, 0(t0)          # exit device: halt`);
    const r = m.run(10_000);
    expect(r).toEqual({ reason: 'halt', exitCode: 0 });
    expect(reg(m, 10)).toBe(2);
    expect(ureg(m, 11)).toBe(symbols.get('bad'));
    expect(ureg(m, 12)).toBe(parcel);
  });
});
