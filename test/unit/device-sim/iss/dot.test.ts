// The custom SIMD dot products (docs/ARCHITECTURE.md): rd = rd + sum over lanes of
// lane(rs1) * lane(rs2), lane width 8/4/2 bits by funct7, signedness by funct3 — checked
// against an independent per-lane reference on seeded random operands.
import { describe, expect, it } from 'vitest';
import { reg, runToEbreak } from './helpers.ts';

function lane(v: number, i: number, bits: number, signed: boolean): number {
  const raw = (v >>> (i * bits)) & ((1 << bits) - 1);
  return signed && raw >= 1 << (bits - 1) ? raw - (1 << bits) : raw;
}

function dotReference(acc: number, a: number, b: number, bits: number, aSigned: boolean, bSigned: boolean): number {
  let sum = acc;
  for (let i = 0; i < 32 / bits; i++) sum += lane(a, i, bits, aSigned) * lane(b, i, bits, bSigned);
  return sum | 0;
}

const VARIANTS = [
  ['b', 8], ['n', 4], ['c', 2],
].flatMap(([w, bits]) => [['ss', true, true], ['uu', false, false], ['us', false, true]].map(([s, as, bs]) => ({ name: `dot.${w as string}.${s as string}`, bits: bits as number, aSigned: as as boolean, bSigned: bs as boolean })));

describe('custom dot products', () => {
  it('lane 0 is the least significant: a worked 4 x 8-bit example', () => {
    const { m } = runToEbreak(`
      li a0, 0x04030201     # lanes 1, 2, 3, 4
      li a1, 0xff02fe01     # lanes 1, -2, 2, -1 (signed)
      li a2, 100
      dot.b.ss a2, a0, a1   # 100 + 1 - 4 + 6 - 4 = 99
      li a3, 0
      dot.b.us a3, a1, a0   # unsigned rs1 lanes 1, 254, 2, 255 x signed rs2 1, 2, 3, 4 = 1 + 508 + 6 + 1020
      ebreak`);
    expect(reg(m, 12)).toBe(99);
    expect(reg(m, 13)).toBe(1535);
  });

  it.each(VARIANTS)('$name matches the per-lane reference on 300 random operand triples', ({ name, bits, aSigned, bSigned }) => {
    let seed = 0x9e3779b9 ^ bits;
    const next = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed | 0;
    };
    const triples = Array.from({ length: 300 }, () => [next(), next(), next()] as const);
    triples.push([0x7fffffff, -1, -1], [-0x80000000, 0x80808080, 0x80808080]);
    const { m, symbols } = runToEbreak(`
      la s0, table
      li s1, ${triples.length}
    loop:
      lw a0, 0(s0)
      lw a1, 4(s0)
      lw a2, 8(s0)
      ${name} a0, a1, a2
      sw a0, 0(s0)
      addi s0, s0, 12
      addi s1, s1, -1
      bne s1, x0, loop
      ebreak
    table:
      ${triples.map((t) => `.word ${t.join(', ')}`).join('\n      ')}`, 1_000_000);
    const table = symbols.get('table')!;
    triples.forEach(([acc, a, b], i) => {
      expect(m.bus.read32(table + 12 * i) | 0, `${name} acc=${acc} a=${a} b=${b}`).toBe(dotReference(acc, a, b, bits, aSigned, bSigned));
    });
  });

  it('takes one cycle and reads rd as the accumulator', () => {
    const { m } = runToEbreak(`
      li a0, 0x01010101
      li a1, 0x01010101
      li a2, 0
      dot.b.uu a2, a0, a1
      dot.b.uu a2, a0, a1
      ebreak`);
    expect(reg(m, 12)).toBe(8);
    expect(m.s.cycle).toBe(6 + 2);
  });
});
