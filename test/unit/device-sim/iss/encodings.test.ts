import { describe, expect, it } from 'vitest';
import { ENCODINGS_32, ENCODINGS_C, IMM_LAYOUT_32, immBitPairs, matchesC } from '../../../../device-sim/iss/encodings.ts';
import { decode16, decode32 } from '../../../../device-sim/iss/decode.ts';
import { encode32, encodeC } from '../../../../device-sim/iss/assembler.ts';

describe('encoding table', () => {
  it('has no two 32-bit encodings that overlap', () => {
    const overlaps: string[] = [];
    for (let i = 0; i < ENCODINGS_32.length; i++) {
      for (let j = i + 1; j < ENCODINGS_32.length; j++) {
        const a = ENCODINGS_32[i]!;
        const b = ENCODINGS_32[j]!;
        // two mask/match pairs share a word iff they agree on the bits both masks fix
        if (((a.match ^ b.match) & a.mask & b.mask) === 0) overlaps.push(`${a.name} / ${b.name}`);
      }
    }
    expect(overlaps).toEqual([]);
  });

  it('has no 16-bit parcel that matches two compressed encodings (all 65536 checked)', () => {
    const overlaps: string[] = [];
    for (let p = 0; p < 0x10000; p++) {
      if ((p & 3) === 3) continue;
      const hits = ENCODINGS_C.filter((e) => matchesC(e, p));
      if (hits.length > 1) overlaps.push(`0x${p.toString(16)}: ${hits.map((h) => h.name).join(', ')}`);
    }
    expect(overlaps).toEqual([]);
  });

  it('every match value lies inside its mask', () => {
    for (const e of ENCODINGS_32) expect((e.match & ~e.mask) >>> 0, e.name).toBe(0);
    for (const e of ENCODINGS_C) expect(e.match & ~e.mask & 0xffff, e.name).toBe(0);
  });

  it('immediate layouts place each immediate bit exactly once', () => {
    for (const [format, layout] of Object.entries(IMM_LAYOUT_32)) {
      const immBits = immBitPairs(layout).map(([, b]) => b);
      expect(new Set(immBits).size, format).toBe(immBits.length);
    }
    for (const e of ENCODINGS_C) {
      if (!e.imm) continue;
      const immBits = immBitPairs(e.imm).map(([, b]) => b);
      expect(new Set(immBits).size, e.name).toBe(immBits.length);
    }
  });

  it('the assembler round-trips every 32-bit encoding through the decoder', () => {
    for (const e of ENCODINGS_32) {
      const w = encode32(e.name, { rd: 5, rs1: 6, rs2: 7, imm: e.format === 'SHIFT' || e.format === 'CSRI' ? 3 : e.format === 'U' ? 0x12345000 : e.format === 'I' || e.format === 'S' ? -4 : 8, csr: 0x340 });
      const d = decode32(w);
      expect(d?.op, e.name).toBe(e.name);
    }
  });

  it('rejects operands that do not fit instead of encoding something else', () => {
    expect(() => encode32('addi', { rd: 1, rs1: 1, imm: 2048 })).toThrow(/out of range/);
    expect(() => encode32('beq', { rs1: 1, rs2: 1, imm: 3 })).toThrow(/out of range/);
    expect(() => encodeC('c.addi4spn', { rd: 8, rs1: 2, imm: 0 })).toThrow(/reserved/);
    expect(() => encodeC('c.lw', { rd: 1, rs1: 8, imm: 4 })).toThrow(/x8\.\.x15/);
  });
});

describe('decoder against encodings produced by GNU as / LLVM', () => {
  const cases: Array<[number, string, Partial<Record<'rd' | 'rs1' | 'rs2' | 'imm', number>>]> = [
    [0xfff50513, 'addi', { rd: 10, rs1: 10, imm: -1 }], // addi a0, a0, -1
    [0x00000517, 'auipc', { rd: 10, imm: 0 }],
    [0x02b50533, 'mul', { rd: 10, rs1: 10, rs2: 11 }],
    [0xfe0718e3, 'bne', { rs1: 14, rs2: 0, imm: -16 }], // bnez a4, -16
    [0x00112623, 'sw', { rs1: 2, rs2: 1, imm: 12 }], // sw ra, 12(sp)
    [0x0100006f, 'jal', { rd: 0, imm: 16 }], // j +16
    [0x41f55593, 'srai', { rd: 11, rs1: 10, imm: 31 }],
    [0xb00025f3, 'csrrs', { rd: 11, rs1: 0 }], // csrr a1, mcycle
  ];
  it.each(cases)('0x%s decodes to %s', (bits, op, fields) => {
    const d = decode32(bits);
    expect(d?.op).toBe(op);
    expect(d).toMatchObject(fields);
  });

  const compressed: Array<[number, string, string, Partial<Record<'rd' | 'rs1' | 'rs2' | 'imm', number>>]> = [
    [0x8082, 'c.jr', 'jalr', { rd: 0, rs1: 1, imm: 0 }], // ret
    [0x7139, 'c.addi16sp', 'addi', { rd: 2, rs1: 2, imm: -64 }],
    [0x40b2, 'c.lwsp', 'lw', { rd: 1, rs1: 2, imm: 12 }],
    [0xc606, 'c.swsp', 'sw', { rs1: 2, rs2: 1, imm: 12 }],
    [0x852e, 'c.mv', 'add', { rd: 10, rs1: 0, rs2: 11 }],
    [0x557d, 'c.li', 'addi', { rd: 10, rs1: 0, imm: -1 }],
    [0x0808, 'c.addi4spn', 'addi', { rd: 10, rs1: 2, imm: 16 }],
    [0x9002, 'c.ebreak', 'ebreak', {}],
    [0x0001, 'c.addi', 'addi', { rd: 0, imm: 0 }], // c.nop
  ];
  it.each(compressed)('0x%s decodes to %s (expands to %s)', (bits, name, op, fields) => {
    const d = decode16(bits);
    expect(d?.name).toBe(name);
    expect(d?.op).toBe(op);
    expect(d).toMatchObject(fields);
  });

  it('treats reserved and unsupported encodings as illegal', () => {
    expect(decode16(0x0000)).toBeNull(); // the all-zero parcel
    expect(decode16(0x0004)).toBeNull(); // c.addi4spn with nzuimm = 0
    expect(decode16(0x6101)).toBeNull(); // c.addi16sp with nzimm = 0
    expect(decode16(0x6081)).toBeNull(); // c.lui x1, 0
    expect(decode16(0x4002)).toBeNull(); // c.lwsp x0
    expect(decode16(0x8002)).toBeNull(); // c.jr x0
    expect(decode16(0x9001)).toBeNull(); // c.srli with shamt[5] = 1 (RV32)
    expect(decode16(0x9c01)).toBeNull(); // c.subw (RV64 only)
    expect(decode16(0x2000)).toBeNull(); // c.fld (no D)
    expect(decode32(0x02051513)).toBeNull(); // slli with shamt[5] = 1 (RV32)
    expect(decode32(0xffffffff)).toBeNull();
    expect(decode32(0x0000707b)).toBeNull(); // custom-0 funct3 7: not one of ours
    expect(decode32(0x0600000b)).toBeNull(); // custom-0 funct7 3
  });

  it('decodes the nine custom dot products exactly as docs/ARCHITECTURE.md lays them out', () => {
    const names = ['b', 'n', 'c'].flatMap((w) => ['ss', 'uu', 'us'].map((s) => `dot.${w}.${s}`));
    names.forEach((name, i) => {
      const funct7 = Math.floor(i / 3);
      const funct3 = i % 3;
      const w = ((funct7 << 25) | (13 << 20) | (12 << 15) | (funct3 << 12) | (11 << 7) | 0x0b) >>> 0;
      expect(decode32(w)).toMatchObject({ op: name, rd: 11, rs1: 12, rs2: 13 });
    });
  });
});
