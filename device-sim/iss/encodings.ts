// The instruction encodings of the emulated core, as DATA: one table of mask/match, format and
// name, from which the decoder, the disassembler, the test assembler and the overlap test are
// all derived (the way Spike generates its decoder from riscv-opcodes).
//
// Sources: The RISC-V Instruction Set Manual, Volume I: Unprivileged ISA (20191213):
//   ch. 2 "RV32I Base Integer Instruction Set", ch. 7 "M Standard Extension", ch. 9 "Zicsr",
//   ch. 16 "C Standard Extension for Compressed Instructions" (tables 16.5-16.7 list the RVC
//   opcode map; reserved code points are excluded below with `reserved`);
//   Volume II: Privileged Architecture (20211203) §3.3 for ecall/ebreak/mret/wfi.
// Custom: docs/ARCHITECTURE.md "Custom SIMD dot products" (custom-0 opcode 0x0B).

/** Operand layout of a 32-bit instruction (Vol. I §2.2 figure 2.3, plus system forms). */
export type Format32 = 'R' | 'I' | 'S' | 'B' | 'U' | 'J' | 'SHIFT' | 'CSR' | 'CSRI' | 'FENCE' | 'NONE';

/** Base instruction names: the semantics table (semantics.ts) has one body per name. */
export type BaseOp =
  | 'lui' | 'auipc' | 'jal' | 'jalr'
  | 'beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu'
  | 'lb' | 'lh' | 'lw' | 'lbu' | 'lhu' | 'sb' | 'sh' | 'sw'
  | 'addi' | 'slti' | 'sltiu' | 'xori' | 'ori' | 'andi' | 'slli' | 'srli' | 'srai'
  | 'add' | 'sub' | 'sll' | 'slt' | 'sltu' | 'xor' | 'srl' | 'sra' | 'or' | 'and'
  | 'fence' | 'fence.i' | 'ecall' | 'ebreak' | 'mret' | 'wfi'
  | 'csrrw' | 'csrrs' | 'csrrc' | 'csrrwi' | 'csrrsi' | 'csrrci'
  | 'mul' | 'mulh' | 'mulhsu' | 'mulhu' | 'div' | 'divu' | 'rem' | 'remu'
  | 'dot.b.ss' | 'dot.b.uu' | 'dot.b.us'
  | 'dot.n.ss' | 'dot.n.uu' | 'dot.n.us'
  | 'dot.c.ss' | 'dot.c.uu' | 'dot.c.us';

export type Extension = 'I' | 'M' | 'Zicsr' | 'Zifencei' | 'Xhardot';

export interface Encoding32 {
  readonly name: BaseOp;
  readonly mask: number;
  readonly match: number;
  readonly format: Format32;
  readonly ext: Extension;
}

const OPCODE = 0x0000_007f;
const F3 = 0x0000_707f;
const F7F3 = 0xfe00_707f;
const EXACT = 0xffff_ffff;

function e(name: BaseOp, mask: number, match: number, format: Format32, ext: Extension): Encoding32 {
  return { name, mask: mask >>> 0, match: match >>> 0, format, ext };
}

/** R-type match value from opcode, funct3 and funct7. */
function r(opcode: number, funct3: number, funct7: number): number {
  return ((funct7 << 25) | (funct3 << 12) | opcode) >>> 0;
}

/** The custom SIMD dot products (docs/ARCHITECTURE.md): funct7 = lane width, funct3 = signedness. */
export const DOT_OPCODE = 0x0b; // custom-0 (Vol. I table 24.1)
export const DOT_LANES = { b: { funct7: 0, laneBits: 8 }, n: { funct7: 1, laneBits: 4 }, c: { funct7: 2, laneBits: 2 } } as const;
export const DOT_SIGNEDNESS = { ss: 0, uu: 1, us: 2 } as const;

export const ENCODINGS_32: readonly Encoding32[] = [
  // RV32I (Vol. I ch. 2, table 24.2 "RV32I Base Instruction Set")
  e('lui', OPCODE, 0x37, 'U', 'I'),
  e('auipc', OPCODE, 0x17, 'U', 'I'),
  e('jal', OPCODE, 0x6f, 'J', 'I'),
  e('jalr', F3, 0x67, 'I', 'I'),
  e('beq', F3, 0x0063, 'B', 'I'),
  e('bne', F3, 0x1063, 'B', 'I'),
  e('blt', F3, 0x4063, 'B', 'I'),
  e('bge', F3, 0x5063, 'B', 'I'),
  e('bltu', F3, 0x6063, 'B', 'I'),
  e('bgeu', F3, 0x7063, 'B', 'I'),
  e('lb', F3, 0x0003, 'I', 'I'),
  e('lh', F3, 0x1003, 'I', 'I'),
  e('lw', F3, 0x2003, 'I', 'I'),
  e('lbu', F3, 0x4003, 'I', 'I'),
  e('lhu', F3, 0x5003, 'I', 'I'),
  e('sb', F3, 0x0023, 'S', 'I'),
  e('sh', F3, 0x1023, 'S', 'I'),
  e('sw', F3, 0x2023, 'S', 'I'),
  e('addi', F3, 0x0013, 'I', 'I'),
  e('slti', F3, 0x2013, 'I', 'I'),
  e('sltiu', F3, 0x3013, 'I', 'I'),
  e('xori', F3, 0x4013, 'I', 'I'),
  e('ori', F3, 0x6013, 'I', 'I'),
  e('andi', F3, 0x7013, 'I', 'I'),
  // RV32 shifts: shamt[5] must be 0 (§2.4), so funct7 is fully specified.
  e('slli', F7F3, r(0x13, 1, 0x00), 'SHIFT', 'I'),
  e('srli', F7F3, r(0x13, 5, 0x00), 'SHIFT', 'I'),
  e('srai', F7F3, r(0x13, 5, 0x20), 'SHIFT', 'I'),
  e('add', F7F3, r(0x33, 0, 0x00), 'R', 'I'),
  e('sub', F7F3, r(0x33, 0, 0x20), 'R', 'I'),
  e('sll', F7F3, r(0x33, 1, 0x00), 'R', 'I'),
  e('slt', F7F3, r(0x33, 2, 0x00), 'R', 'I'),
  e('sltu', F7F3, r(0x33, 3, 0x00), 'R', 'I'),
  e('xor', F7F3, r(0x33, 4, 0x00), 'R', 'I'),
  e('srl', F7F3, r(0x33, 5, 0x00), 'R', 'I'),
  e('sra', F7F3, r(0x33, 5, 0x20), 'R', 'I'),
  e('or', F7F3, r(0x33, 6, 0x00), 'R', 'I'),
  e('and', F7F3, r(0x33, 7, 0x00), 'R', 'I'),
  // FENCE: fm/pred/succ/rs1/rd are ignored by an implementation without caches (§2.7).
  e('fence', F3, 0x000f, 'FENCE', 'I'),
  e('fence.i', F3, 0x100f, 'FENCE', 'Zifencei'),
  e('ecall', EXACT, 0x0000_0073, 'NONE', 'I'),
  e('ebreak', EXACT, 0x0010_0073, 'NONE', 'I'),
  // Privileged (Vol. II §3.3.2 mret, §3.3.3 wfi)
  e('mret', EXACT, 0x3020_0073, 'NONE', 'I'),
  e('wfi', EXACT, 0x1050_0073, 'NONE', 'I'),
  // Zicsr (Vol. I ch. 9)
  e('csrrw', F3, 0x1073, 'CSR', 'Zicsr'),
  e('csrrs', F3, 0x2073, 'CSR', 'Zicsr'),
  e('csrrc', F3, 0x3073, 'CSR', 'Zicsr'),
  e('csrrwi', F3, 0x5073, 'CSRI', 'Zicsr'),
  e('csrrsi', F3, 0x6073, 'CSRI', 'Zicsr'),
  e('csrrci', F3, 0x7073, 'CSRI', 'Zicsr'),
  // M (Vol. I ch. 7)
  e('mul', F7F3, r(0x33, 0, 0x01), 'R', 'M'),
  e('mulh', F7F3, r(0x33, 1, 0x01), 'R', 'M'),
  e('mulhsu', F7F3, r(0x33, 2, 0x01), 'R', 'M'),
  e('mulhu', F7F3, r(0x33, 3, 0x01), 'R', 'M'),
  e('div', F7F3, r(0x33, 4, 0x01), 'R', 'M'),
  e('divu', F7F3, r(0x33, 5, 0x01), 'R', 'M'),
  e('rem', F7F3, r(0x33, 6, 0x01), 'R', 'M'),
  e('remu', F7F3, r(0x33, 7, 0x01), 'R', 'M'),
  // Custom SIMD dot products, rd = rd + dot(rs1, rs2) (docs/ARCHITECTURE.md; semantics.ts).
  e('dot.b.ss', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.ss, DOT_LANES.b.funct7), 'R', 'Xhardot'),
  e('dot.b.uu', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.uu, DOT_LANES.b.funct7), 'R', 'Xhardot'),
  e('dot.b.us', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.us, DOT_LANES.b.funct7), 'R', 'Xhardot'),
  e('dot.n.ss', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.ss, DOT_LANES.n.funct7), 'R', 'Xhardot'),
  e('dot.n.uu', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.uu, DOT_LANES.n.funct7), 'R', 'Xhardot'),
  e('dot.n.us', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.us, DOT_LANES.n.funct7), 'R', 'Xhardot'),
  e('dot.c.ss', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.ss, DOT_LANES.c.funct7), 'R', 'Xhardot'),
  e('dot.c.uu', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.uu, DOT_LANES.c.funct7), 'R', 'Xhardot'),
  e('dot.c.us', F7F3, r(DOT_OPCODE, DOT_SIGNEDNESS.us, DOT_LANES.c.funct7), 'R', 'Xhardot'),
];

/**
 * Where the immediate of a format lives: each field says which instruction bits [hi:lo] carry
 * which immediate bits, written in the spec's own notation ("12|10:5" = bit 12 then bits 10..5,
 * most significant instruction bit first), so the tables can be checked against the manual.
 */
export interface ImmField {
  readonly hi: number;
  readonly lo: number;
  readonly bits: string;
}

export interface ImmLayout {
  readonly fields: readonly ImmField[];
  readonly signed: boolean;
}

/** Vol. I §2.3 figure 2.4 (immediate variants). */
export const IMM_LAYOUT_32: Readonly<Partial<Record<Format32, ImmLayout>>> = {
  I: { fields: [{ hi: 31, lo: 20, bits: '11:0' }], signed: true },
  S: { fields: [{ hi: 31, lo: 25, bits: '11:5' }, { hi: 11, lo: 7, bits: '4:0' }], signed: true },
  B: { fields: [{ hi: 31, lo: 25, bits: '12|10:5' }, { hi: 11, lo: 7, bits: '4:1|11' }], signed: true },
  U: { fields: [{ hi: 31, lo: 12, bits: '31:12' }], signed: true },
  J: { fields: [{ hi: 31, lo: 12, bits: '20|10:1|11|19:12' }], signed: true },
  SHIFT: { fields: [{ hi: 24, lo: 20, bits: '4:0' }], signed: false },
  CSRI: { fields: [{ hi: 19, lo: 15, bits: '4:0' }], signed: false }, // zimm, in the rs1 field
};

/** Register operand of a compressed instruction: a field, or a fixed register number. */
export type CReg =
  | 'rd' // bits 11:7
  | 'rs2' // bits 6:2
  | 'rd_p' // bits 9:7, x8..x15 (rd'/rs1')
  | 'rs2_p' // bits 4:2, x8..x15 (rd'/rs2')
  | number;

/** One 16-bit encoding and its expansion into a base instruction (Vol. I §16.2-16.8). */
export interface EncodingC {
  readonly name: string;
  readonly mask: number;
  readonly match: number;
  /** Code points inside mask/match that are reserved (or HINTs of other entries) — not this instruction. */
  readonly reserved?: readonly { readonly mask: number; readonly match: number; readonly why: string }[];
  readonly expandsTo: BaseOp;
  readonly rd: CReg;
  readonly rs1: CReg;
  readonly rs2: CReg;
  readonly imm: ImmLayout | null;
  /** Operand order for the assembler and disassembler (a subset of rd, rs1, rs2, imm). */
  readonly operands: readonly ('rd' | 'rs1' | 'rs2' | 'imm')[];
}

const Q = 0xe003; // funct3 + quadrant

function ci(bits: readonly (readonly [number, number, string])[], signed: boolean): ImmLayout {
  return { fields: bits.map(([hi, lo, b]) => ({ hi, lo, bits: b })), signed };
}

const IMM_CI_SIGNED = ci([[12, 12, '5'], [6, 2, '4:0']], true);
const IMM_CI_SHAMT = ci([[12, 12, '5'], [6, 2, '4:0']], false);
const IMM_CL_W = ci([[12, 10, '5:3'], [6, 5, '2|6']], false);
const IMM_CJ = ci([[12, 2, '11|4|9:8|10|6|7|3:1|5']], true);
const IMM_CB = ci([[12, 10, '8|4:3'], [6, 2, '7:6|2:1|5']], true);

/** RVC, RV32 only (Vol. I tables 16.5-16.7); F/D loads and stores are not implemented (illegal). */
export const ENCODINGS_C: readonly EncodingC[] = [
  // Quadrant 0
  {
    name: 'c.addi4spn', mask: Q, match: 0x0000, expandsTo: 'addi', rd: 'rs2_p', rs1: 2, rs2: 0,
    imm: ci([[12, 5, '5:4|9:6|2|3']], false), operands: ['rd', 'rs1', 'imm'],
    reserved: [{ mask: 0xffe3, match: 0x0000, why: 'nzuimm = 0 is reserved; the all-zero parcel is illegal (§16.5)' }],
  },
  { name: 'c.lw', mask: Q, match: 0x4000, expandsTo: 'lw', rd: 'rs2_p', rs1: 'rd_p', rs2: 0, imm: IMM_CL_W, operands: ['rd', 'imm', 'rs1'] },
  { name: 'c.sw', mask: Q, match: 0xc000, expandsTo: 'sw', rd: 0, rs1: 'rd_p', rs2: 'rs2_p', imm: IMM_CL_W, operands: ['rs2', 'imm', 'rs1'] },
  // Quadrant 1. c.nop is c.addi with rd = 0; c.addi with imm = 0 and c.li/c.lui with rd = 0 are HINTs (executed as nops).
  { name: 'c.addi', mask: Q, match: 0x0001, expandsTo: 'addi', rd: 'rd', rs1: 'rd', rs2: 0, imm: IMM_CI_SIGNED, operands: ['rd', 'imm'] },
  { name: 'c.jal', mask: Q, match: 0x2001, expandsTo: 'jal', rd: 1, rs1: 0, rs2: 0, imm: IMM_CJ, operands: ['imm'] },
  { name: 'c.li', mask: Q, match: 0x4001, expandsTo: 'addi', rd: 'rd', rs1: 0, rs2: 0, imm: IMM_CI_SIGNED, operands: ['rd', 'imm'] },
  {
    name: 'c.addi16sp', mask: 0xef83, match: 0x6101, expandsTo: 'addi', rd: 2, rs1: 2, rs2: 0,
    imm: ci([[12, 12, '9'], [6, 2, '4|6|8:7|5']], true), operands: ['rd', 'imm'],
    reserved: [{ mask: 0xffff, match: 0x6101, why: 'nzimm = 0 is reserved (§16.5)' }],
  },
  {
    name: 'c.lui', mask: Q, match: 0x6001, expandsTo: 'lui', rd: 'rd', rs1: 0, rs2: 0,
    imm: ci([[12, 12, '17'], [6, 2, '16:12']], true), operands: ['rd', 'imm'],
    reserved: [
      { mask: 0xef83, match: 0x6101, why: 'rd = 2 encodes c.addi16sp' },
      { mask: 0xf07f, match: 0x6001, why: 'nzimm = 0 is reserved (§16.5)' },
    ],
  },
  // RV32C: shamt[5] = 1 is reserved for custom extensions (§16.5), so bit 12 is part of the mask.
  { name: 'c.srli', mask: 0xfc03, match: 0x8001, expandsTo: 'srli', rd: 'rd_p', rs1: 'rd_p', rs2: 0, imm: IMM_CI_SHAMT, operands: ['rd', 'imm'] },
  { name: 'c.srai', mask: 0xfc03, match: 0x8401, expandsTo: 'srai', rd: 'rd_p', rs1: 'rd_p', rs2: 0, imm: IMM_CI_SHAMT, operands: ['rd', 'imm'] },
  { name: 'c.andi', mask: 0xec03, match: 0x8801, expandsTo: 'andi', rd: 'rd_p', rs1: 'rd_p', rs2: 0, imm: IMM_CI_SIGNED, operands: ['rd', 'imm'] },
  { name: 'c.sub', mask: 0xfc63, match: 0x8c01, expandsTo: 'sub', rd: 'rd_p', rs1: 'rd_p', rs2: 'rs2_p', imm: null, operands: ['rd', 'rs2'] },
  { name: 'c.xor', mask: 0xfc63, match: 0x8c21, expandsTo: 'xor', rd: 'rd_p', rs1: 'rd_p', rs2: 'rs2_p', imm: null, operands: ['rd', 'rs2'] },
  { name: 'c.or', mask: 0xfc63, match: 0x8c41, expandsTo: 'or', rd: 'rd_p', rs1: 'rd_p', rs2: 'rs2_p', imm: null, operands: ['rd', 'rs2'] },
  { name: 'c.and', mask: 0xfc63, match: 0x8c61, expandsTo: 'and', rd: 'rd_p', rs1: 'rd_p', rs2: 'rs2_p', imm: null, operands: ['rd', 'rs2'] },
  { name: 'c.j', mask: Q, match: 0xa001, expandsTo: 'jal', rd: 0, rs1: 0, rs2: 0, imm: IMM_CJ, operands: ['imm'] },
  { name: 'c.beqz', mask: Q, match: 0xc001, expandsTo: 'beq', rd: 0, rs1: 'rd_p', rs2: 0, imm: IMM_CB, operands: ['rs1', 'imm'] },
  { name: 'c.bnez', mask: Q, match: 0xe001, expandsTo: 'bne', rd: 0, rs1: 'rd_p', rs2: 0, imm: IMM_CB, operands: ['rs1', 'imm'] },
  // Quadrant 2
  { name: 'c.slli', mask: 0xf003, match: 0x0002, expandsTo: 'slli', rd: 'rd', rs1: 'rd', rs2: 0, imm: IMM_CI_SHAMT, operands: ['rd', 'imm'] },
  {
    name: 'c.lwsp', mask: Q, match: 0x4002, expandsTo: 'lw', rd: 'rd', rs1: 2, rs2: 0,
    imm: ci([[12, 12, '5'], [6, 2, '4:2|7:6']], false), operands: ['rd', 'imm'],
    reserved: [{ mask: 0xef83, match: 0x4002, why: 'rd = 0 is reserved (§16.3)' }],
  },
  {
    name: 'c.jr', mask: 0xf07f, match: 0x8002, expandsTo: 'jalr', rd: 0, rs1: 'rd', rs2: 0, imm: null, operands: ['rs1'],
    reserved: [{ mask: 0xffff, match: 0x8002, why: 'rs1 = 0 is reserved (§16.4)' }],
  },
  {
    name: 'c.mv', mask: 0xf003, match: 0x8002, expandsTo: 'add', rd: 'rd', rs1: 0, rs2: 'rs2', imm: null, operands: ['rd', 'rs2'],
    reserved: [{ mask: 0xf07f, match: 0x8002, why: 'rs2 = 0 encodes c.jr' }],
  },
  { name: 'c.ebreak', mask: 0xffff, match: 0x9002, expandsTo: 'ebreak', rd: 0, rs1: 0, rs2: 0, imm: null, operands: [] },
  {
    name: 'c.jalr', mask: 0xf07f, match: 0x9002, expandsTo: 'jalr', rd: 1, rs1: 'rd', rs2: 0, imm: null, operands: ['rs1'],
    reserved: [{ mask: 0xffff, match: 0x9002, why: 'rs1 = 0 encodes c.ebreak' }],
  },
  {
    name: 'c.add', mask: 0xf003, match: 0x9002, expandsTo: 'add', rd: 'rd', rs1: 'rd', rs2: 'rs2', imm: null, operands: ['rd', 'rs2'],
    reserved: [{ mask: 0xf07f, match: 0x9002, why: 'rs2 = 0 encodes c.jalr / c.ebreak' }],
  },
  {
    name: 'c.swsp', mask: Q, match: 0xc002, expandsTo: 'sw', rd: 0, rs1: 2, rs2: 'rs2',
    imm: ci([[12, 7, '5:2|7:6']], false), operands: ['rs2', 'imm'],
  },
];

/** Does a 16-bit parcel belong to this compressed encoding (mask/match and not reserved)? */
export function matchesC(enc: EncodingC, parcel: number): boolean {
  if ((parcel & enc.mask) !== enc.match) return false;
  for (const r of enc.reserved ?? []) if ((parcel & r.mask) === r.match) return false;
  return true;
}

/** Does a 32-bit word belong to this encoding? */
export function matches32(enc: Encoding32, word: number): boolean {
  return ((word & enc.mask) >>> 0) === enc.match;
}

/**
 * Parses an immediate layout into (instruction bit, immediate bit) pairs, e.g. field
 * {hi: 31, lo: 25, bits: '12|10:5'} -> [[31,12],[30,10],[29,9],...,[25,5]].
 */
export function immBitPairs(layout: ImmLayout): Array<readonly [number, number]> {
  const pairs: Array<readonly [number, number]> = [];
  for (const field of layout.fields) {
    const immBits: number[] = [];
    for (const part of field.bits.split('|')) {
      const [hiText, loText] = part.split(':');
      const hi = Number(hiText);
      const lo = loText === undefined ? hi : Number(loText);
      for (let b = hi; b >= lo; b--) immBits.push(b);
    }
    if (immBits.length !== field.hi - field.lo + 1) {
      throw new Error(`immediate layout ${field.bits} does not fill instruction bits ${field.hi}:${field.lo}`);
    }
    immBits.forEach((immBit, i) => pairs.push([field.hi - i, immBit]));
  }
  return pairs;
}

/** The highest immediate bit of a layout (the sign bit when signed). */
export function immTopBit(layout: ImmLayout): number {
  return Math.max(...immBitPairs(layout).map(([, b]) => b));
}
