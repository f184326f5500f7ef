// Decoding: instruction bits -> a small record (op, registers, immediate), derived entirely from
// the encoding table (encodings.ts). Compressed instructions are expanded into the base
// instruction they stand for (Vol. I §16.1: "each RVC instruction expands into a single 32-bit
// instruction"), so the semantics exist once. Nothing here executes anything.
import {
  ENCODINGS_32,
  ENCODINGS_C,
  IMM_LAYOUT_32,
  immBitPairs,
  immTopBit,
  matches32,
  matchesC,
  type BaseOp,
  type CReg,
  type Encoding32,
  type EncodingC,
  type Format32,
  type ImmLayout,
} from './encodings.ts';

export interface Decoded {
  /** The base operation (the key of the semantics table). */
  readonly op: BaseOp;
  /** The mnemonic as encoded (`c.addi` for a compressed addi). */
  readonly name: string;
  readonly format: Format32 | 'C';
  /** The instruction bits (16 or 32). */
  readonly raw: number;
  readonly lengthBytes: 2 | 4;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  /** Sign-extended immediate (shift amount, zimm of CSR*I forms, or 0). */
  readonly imm: number;
  /** CSR address for Zicsr instructions, else 0. */
  readonly csr: number;
}

/** The length of the instruction whose first parcel is `low16` (Vol. I §1.5): 2 or 4 (others are not supported). */
export function instructionLength(low16: number): 2 | 4 {
  return (low16 & 3) === 3 ? 4 : 2;
}

type ImmExtractor = (bits: number) => number;

function compileImm(layout: ImmLayout): ImmExtractor {
  const pairs = immBitPairs(layout);
  const top = immTopBit(layout);
  return (bits: number) => {
    let v = 0;
    for (const [instBit, immBit] of pairs) v |= ((bits >>> instBit) & 1) << immBit;
    if (layout.signed && top < 31) {
      const shift = 31 - top;
      v = (v << shift) >> shift;
    }
    return v | 0;
  };
}

const IMM_32 = new Map<Format32, ImmExtractor>();
for (const [format, layout] of Object.entries(IMM_LAYOUT_32)) IMM_32.set(format as Format32, compileImm(layout));

const IMM_C = new Map<EncodingC, ImmExtractor>();
for (const enc of ENCODINGS_C) if (enc.imm) IMM_C.set(enc, compileImm(enc.imm));

/** The operand format of each base operation (compressed forms use their expansion's). */
export const BASE_FORMAT: ReadonlyMap<BaseOp, Format32> = new Map(ENCODINGS_32.map((enc) => [enc.name, enc.format]));

/** 32-bit encodings bucketed by major opcode (bits 6:0) for a short scan. */
const BY_OPCODE = new Map<number, Encoding32[]>();
for (const enc of ENCODINGS_32) {
  const opcode = enc.match & 0x7f;
  const list = BY_OPCODE.get(opcode) ?? [];
  list.push(enc);
  BY_OPCODE.set(opcode, list);
}

/** Decodes a 32-bit instruction word; null when the word is not a legal instruction. */
export function decode32(word: number): Decoded | null {
  const w = word >>> 0;
  const enc = BY_OPCODE.get(w & 0x7f)?.find((candidate) => matches32(candidate, w));
  if (!enc) return null;
  const rd = (w >>> 7) & 31;
  const rs1 = (w >>> 15) & 31;
  const rs2 = (w >>> 20) & 31;
  const isCsr = enc.format === 'CSR' || enc.format === 'CSRI';
  const extract = IMM_32.get(enc.format);
  return {
    op: enc.name,
    name: enc.name,
    format: enc.format,
    raw: w,
    lengthBytes: 4,
    rd: enc.format === 'S' || enc.format === 'B' ? 0 : rd,
    rs1: enc.format === 'U' || enc.format === 'J' ? 0 : rs1,
    rs2: enc.format === 'R' || enc.format === 'S' || enc.format === 'B' ? rs2 : 0,
    imm: extract ? extract(w) : 0,
    csr: isCsr ? w >>> 20 : 0,
  };
}

function cReg(spec: CReg, parcel: number): number {
  switch (spec) {
    case 'rd':
      return (parcel >>> 7) & 31;
    case 'rs2':
      return (parcel >>> 2) & 31;
    case 'rd_p':
      return 8 + ((parcel >>> 7) & 7);
    case 'rs2_p':
      return 8 + ((parcel >>> 2) & 7);
    default:
      return spec;
  }
}

/** Finds the compressed encoding of a parcel (at most one matches: tested). */
export function findCompressed(parcel: number): EncodingC | undefined {
  return ENCODINGS_C.find((enc) => matchesC(enc, parcel));
}

/** Decodes (and expands) a 16-bit compressed instruction; null when illegal or reserved. */
export function decode16(parcel: number): Decoded | null {
  const p = parcel & 0xffff;
  const enc = findCompressed(p);
  if (!enc) return null;
  const extract = IMM_C.get(enc);
  // c.lui's layout names nzimm[17:12], so the value arrives already shifted, as lui expects.
  const imm = extract ? extract(p) : 0;
  return {
    op: enc.expandsTo,
    name: enc.name,
    format: 'C',
    raw: p,
    lengthBytes: 2,
    rd: cReg(enc.rd, p),
    rs1: cReg(enc.rs1, p),
    rs2: cReg(enc.rs2, p),
    imm,
    csr: 0,
  };
}

/** Decodes the instruction whose bits are `bits` (the low parcel decides the length). */
export function decode(bits: number): Decoded | null {
  return instructionLength(bits & 0xffff) === 4 ? decode32(bits) : decode16(bits & 0xffff);
}

/** Registers an instruction reads (for hazard detection in the cycle model); x0 excluded. */
export function sourceRegisters(d: Decoded): number[] {
  const regs: number[] = [];
  switch (d.op) {
    case 'lui': case 'auipc': case 'jal': case 'fence': case 'fence.i': case 'ecall': case 'ebreak': case 'mret': case 'wfi':
    case 'csrrwi': case 'csrrsi': case 'csrrci':
      break;
    case 'dot.b.ss': case 'dot.b.uu': case 'dot.b.us': case 'dot.n.ss': case 'dot.n.uu': case 'dot.n.us':
    case 'dot.c.ss': case 'dot.c.uu': case 'dot.c.us':
      regs.push(d.rs1, d.rs2, d.rd); // the accumulator is a source too
      break;
    default: {
      regs.push(d.rs1);
      const format = BASE_FORMAT.get(d.op);
      if (format === 'R' || format === 'S' || format === 'B') regs.push(d.rs2);
    }
  }
  return regs.filter((r) => r !== 0);
}
