// M extension (Vol. I ch. 7), including table 7.1 (division by zero and overflow), checked
// against BigInt arithmetic on seeded random and corner-case operands.
import { describe, expect, it } from 'vitest';
import { mulh, mulhsu, mulhu } from '../../../../device-sim/iss/arith.ts';
import { reg, runToEbreak } from './helpers.ts';

const M32 = (1n << 32n) - 1n;
const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const u = (v: number): bigint => BigInt(v >>> 0);
const sg = (v: number): bigint => BigInt(v | 0);

function* operands(): Generator<[number, number]> {
  const corners = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0xffff, 0x10000, 3];
  for (const a of corners) for (const b of corners) yield [a, b];
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed | 0;
  };
  for (let i = 0; i < 2000; i++) yield [next(), next()];
}

describe('upper-half products', () => {
  it('match BigInt on corners and 2000 seeded random pairs', () => {
    for (const [a, b] of operands()) {
      expect(mulhu(a, b), `mulhu ${a} ${b}`).toBe(s32((u(a) * u(b)) >> 32n));
      expect(mulh(a, b), `mulh ${a} ${b}`).toBe(s32((sg(a) * sg(b)) >> 32n));
      expect(mulhsu(a, b), `mulhsu ${a} ${b}`).toBe(s32((sg(a) * u(b)) >> 32n));
    }
  });
});

describe('M instructions on the core', () => {
  it('mul keeps the low 32 bits; mulh/mulhsu/mulhu the high ones', () => {
    const { m } = runToEbreak(`
      li a0, -7
      li a1, 0x40000001
      mul a2, a0, a1
      mulh a3, a0, a1
      mulhsu a4, a0, a1
      mulhu a5, a0, a1
      ebreak`);
    const a = -7;
    const b = 0x40000001;
    expect(reg(m, 12)).toBe(Math.imul(a, b));
    expect(reg(m, 13)).toBe(s32((sg(a) * sg(b)) >> 32n));
    expect(reg(m, 14)).toBe(s32((sg(a) * u(b)) >> 32n));
    expect(reg(m, 15)).toBe(s32((u(a) * u(b)) >> 32n));
  });

  it('divides by zero as table 7.1 says: quotient all ones, remainder the dividend', () => {
    const { m } = runToEbreak(`
      li a0, 1234
      div a1, a0, x0
      divu a2, a0, x0
      rem a3, a0, x0
      remu a4, a0, x0
      li t0, -5
      div a5, t0, x0
      rem a6, t0, x0
      ebreak`);
    expect([11, 12, 13, 14, 15, 16].map((r) => reg(m, r))).toEqual([-1, -1, 1234, 1234, -1, -5]);
  });

  it('overflows -2^31 / -1 to -2^31 with remainder 0', () => {
    const { m } = runToEbreak(`
      li a0, 0x80000000
      li a1, -1
      div a2, a0, a1
      rem a3, a0, a1
      divu a4, a0, a1
      remu a5, a0, a1
      ebreak`);
    expect(reg(m, 12)).toBe(-0x80000000);
    expect(reg(m, 13)).toBe(0);
    expect(reg(m, 14)).toBe(0);
    expect(reg(m, 15)).toBe(-0x80000000);
  });

  it('rounds signed division toward zero with the remainder taking the dividend\'s sign (600 pairs)', () => {
    const pairs = [...operands()].filter(([a, b]) => b !== 0 && !(a === -0x80000000 && b === -1)).slice(0, 600);
    // one program: a loop over a table of pairs, results stored after the table
    const { m, symbols } = runToEbreak(`
      la s0, table
      li s1, ${pairs.length}
      la s2, results
    loop:
      lw a0, 0(s0)
      lw a1, 4(s0)
      div a2, a0, a1
      rem a3, a0, a1
      divu a4, a0, a1
      remu a5, a0, a1
      sw a2, 0(s2)
      sw a3, 4(s2)
      sw a4, 8(s2)
      sw a5, 12(s2)
      addi s0, s0, 8
      addi s2, s2, 16
      addi s1, s1, -1
      bne s1, x0, loop
      ebreak
    table:
      ${pairs.map(([a, b]) => `.word ${a}, ${b}`).join('\n      ')}
    results:
      .space ${pairs.length * 16}`, 10_000_000);
    const results = symbols.get('results')!;
    pairs.forEach(([a, b], i) => {
      const word = (k: number): number => m.bus.read32(results + 16 * i + 4 * k) | 0;
      expect(word(0), `${a} / ${b}`).toBe(s32(sg(a) / sg(b)));
      expect(word(1), `${a} % ${b}`).toBe(s32(sg(a) % sg(b)));
      expect(word(2), `${a} /u ${b}`).toBe(s32((u(a) / u(b)) & M32));
      expect(word(3), `${a} %u ${b}`).toBe(s32(u(a) % u(b)));
    });
  });
});
