// The meaning of every base instruction, one plain body each, with the specification's words.
// Bodies are JavaScript expressions over the source operands `a` (x[rs1]) and `b` (x[rs2] or
// the immediate) that the translator (translate.ts) splices into straight-line block code; the
// translator owns the plumbing (memory fast paths, traps, counters, control flow). The same
// bodies run in single-step mode (blocks of one instruction), so there is one semantics.
//
// Values are int32 in JS numbers; an Int32Array store wraps results modulo 2^32.
import type { BaseOp } from './encodings.ts';

/** What the translator does with an instruction. */
export type Semantics =
  /** rd = expr (a = x[rs1], b = x[rs2] for R-type or the immediate for I-type; pc and imm are constants). */
  | { readonly kind: 'alu'; readonly spec: string; readonly expr: (o: Operands) => string }
  | { readonly kind: 'load'; readonly spec: string; readonly bytes: 1 | 2 | 4; readonly signed: boolean }
  | { readonly kind: 'store'; readonly spec: string; readonly bytes: 1 | 2 | 4 }
  | { readonly kind: 'branch'; readonly spec: string; readonly cond: (o: Operands) => string }
  | { readonly kind: 'jal' | 'jalr'; readonly spec: string }
  /** A division: like alu, plus operand-dependent cycles (cycle-model.ts divExtraCycles). */
  | { readonly kind: 'div'; readonly spec: string; readonly signed: boolean; readonly expr: (o: Operands) => string }
  | { readonly kind: 'csr'; readonly spec: string; readonly action: 'write' | 'set' | 'clear'; readonly immediate: boolean }
  | { readonly kind: 'ecall' | 'ebreak' | 'mret' | 'wfi' | 'fence' | 'fence.i'; readonly spec: string };

export interface Operands {
  /** JS expression of the first source (x[rs1], or 0 for x0). */
  readonly a: string;
  /** JS expression of the second source: x[rs2] (R/S/B) or the immediate (I/SHIFT). */
  readonly b: string;
  /** JS expression of rd's current value (the dot products accumulate into rd). */
  readonly d: string;
  readonly imm: number;
  readonly pc: number;
}

const alu = (spec: string, expr: (o: Operands) => string): Semantics => ({ kind: 'alu', spec, expr });

/**
 * Dot product of the lanes of a and b (docs/ARCHITECTURE.md "Custom SIMD dot products"):
 * lane i occupies bits [i*w, i*w + w); signed lanes are sign-extended, unsigned zero-extended.
 * The products are summed first, in their own parentheses: that sum has a small static range
 * (|sum| <= 4 * 255 * 255), so V8 keeps it in int32 arithmetic without overflow checks, and
 * `(d + sum) | 0` then wraps like the 32-bit adder. (Written as d + p0 + p1 + ..., every partial
 * sum may leave the int32 range and the whole expression runs in float64: measured 2-4x slower
 * per dot product.) Each product is a Math.imul of two lanes (|lane| <= 255, so the product is
 * exact) and the products are added as a balanced tree: ~25% faster again in isolation.
 */
function dotExpr(laneBits: 8 | 4 | 2, aSigned: boolean, bSigned: boolean): (o: Operands) => string {
  const lanes = 32 / laneBits;
  const mask = (1 << laneBits) - 1;
  const lane = (v: string, i: number, signed: boolean): string => {
    const lo = i * laneBits;
    const top = lo + laneBits === 32;
    if (signed) return top ? `(${v} >> ${lo})` : `(${v} << ${32 - lo - laneBits} >> ${32 - laneBits})`;
    if (top) return `(${v} >>> ${lo})`;
    return lo === 0 ? `(${v} & ${mask})` : `(${v} >>> ${lo} & ${mask})`;
  };
  const tree = (terms: readonly string[]): string => {
    if (terms.length === 1) return terms[0]!;
    const half = terms.length / 2;
    return `(${tree(terms.slice(0, half))} + ${tree(terms.slice(half))})`;
  };
  return (o) => {
    const terms: string[] = [];
    for (let i = 0; i < lanes; i++) terms.push(`Math.imul(${lane(o.a, i, aSigned)}, ${lane(o.b, i, bSigned)})`);
    return `(${o.d} + ${tree(terms)}) | 0`;
  };
}

/** Semantics of every base op (Vol. I chapter and section cited per entry). */
export const SEMANTICS: Readonly<Record<BaseOp, Semantics>> = {
  // §2.4 Integer Computational Instructions
  lui: alu('LUI places the U-immediate value in the top 20 bits of rd, filling the lowest 12 bits with zeros', (o) => `${o.imm | 0}`),
  auipc: alu('AUIPC adds the 20-bit U-immediate, shifted left 12, to the address of the AUIPC instruction', (o) => `${(o.pc + o.imm) | 0}`),
  addi: alu('ADDI adds the sign-extended 12-bit immediate to register rs1. Arithmetic overflow is ignored', (o) => `(${o.a} + ${o.b}) | 0`),
  slti: alu('SLTI places 1 in rd if rs1 is less than the sign-extended immediate when both are treated as signed', (o) => `${o.a} < ${o.b} ? 1 : 0`),
  sltiu: alu('SLTIU: the immediate is first sign-extended then treated as an unsigned number', (o) => `(${o.a} >>> 0) < ${o.imm >>> 0} ? 1 : 0`),
  xori: alu('XORI: bitwise XOR on rs1 and the sign-extended 12-bit immediate', (o) => `${o.a} ^ ${o.b}`),
  ori: alu('ORI: bitwise OR', (o) => `${o.a} | ${o.b}`),
  andi: alu('ANDI: bitwise AND', (o) => `${o.a} & ${o.b}`),
  slli: alu('SLLI is a logical left shift (zeros are shifted into the lower bits)', (o) => `${o.a} << ${o.imm}`),
  srli: alu('SRLI is a logical right shift (zeros are shifted into the upper bits)', (o) => `${o.a} >>> ${o.imm}`),
  srai: alu('SRAI is an arithmetic right shift (the original sign bit is copied into the vacated upper bits)', (o) => `${o.a} >> ${o.imm}`),
  add: alu('ADD performs the addition of rs1 and rs2. Overflows are ignored', (o) => `(${o.a} + ${o.b}) | 0`),
  sub: alu('SUB performs the subtraction of rs2 from rs1. Overflows are ignored', (o) => `(${o.a} - ${o.b}) | 0`),
  // JS masks shift counts to 5 bits, exactly as "the shift amount held in the lower 5 bits of register rs2".
  sll: alu('SLL: logical left shift of rs1 by the shift amount held in the lower 5 bits of rs2', (o) => `${o.a} << ${o.b}`),
  slt: alu('SLT: signed compare, writing 1 to rd if rs1 < rs2, 0 otherwise', (o) => `${o.a} < ${o.b} ? 1 : 0`),
  sltu: alu('SLTU: unsigned compare', (o) => `(${o.a} >>> 0) < (${o.b} >>> 0) ? 1 : 0`),
  xor: alu('XOR', (o) => `${o.a} ^ ${o.b}`),
  srl: alu('SRL: logical right shift by the lower 5 bits of rs2', (o) => `${o.a} >>> ${o.b}`),
  sra: alu('SRA: arithmetic right shift by the lower 5 bits of rs2', (o) => `${o.a} >> ${o.b}`),
  or: alu('OR', (o) => `${o.a} | ${o.b}`),
  and: alu('AND', (o) => `${o.a} & ${o.b}`),
  // §2.5 Control Transfer Instructions
  jal: { kind: 'jal', spec: 'JAL stores the address of the instruction following the jump (pc+2 or pc+4) into rd; target = pc + sign-extended offset' },
  jalr: { kind: 'jalr', spec: 'JALR: target = (rs1 + sign-extended imm) with the least-significant bit set to zero; rd = address of the next instruction' },
  beq: { kind: 'branch', spec: 'BEQ takes the branch if rs1 and rs2 are equal', cond: (o) => `${o.a} === ${o.b}` },
  bne: { kind: 'branch', spec: 'BNE takes the branch if rs1 and rs2 are unequal', cond: (o) => `${o.a} !== ${o.b}` },
  blt: { kind: 'branch', spec: 'BLT: signed less than', cond: (o) => `${o.a} < ${o.b}` },
  bge: { kind: 'branch', spec: 'BGE: signed greater than or equal', cond: (o) => `${o.a} >= ${o.b}` },
  bltu: { kind: 'branch', spec: 'BLTU: unsigned less than', cond: (o) => `(${o.a} >>> 0) < (${o.b} >>> 0)` },
  bgeu: { kind: 'branch', spec: 'BGEU: unsigned greater than or equal', cond: (o) => `(${o.a} >>> 0) >= (${o.b} >>> 0)` },
  // §2.6 Load and Store Instructions
  lb: { kind: 'load', spec: 'LB loads an 8-bit value from memory, then sign-extends to 32 bits', bytes: 1, signed: true },
  lh: { kind: 'load', spec: 'LH loads a 16-bit value from memory, then sign-extends to 32 bits', bytes: 2, signed: true },
  lw: { kind: 'load', spec: 'LW loads a 32-bit value from memory into rd', bytes: 4, signed: true },
  lbu: { kind: 'load', spec: 'LBU loads an 8-bit value and zero-extends it', bytes: 1, signed: false },
  lhu: { kind: 'load', spec: 'LHU loads a 16-bit value and zero-extends it', bytes: 2, signed: false },
  sb: { kind: 'store', spec: 'SB stores the low 8 bits of rs2 to memory', bytes: 1 },
  sh: { kind: 'store', spec: 'SH stores the low 16 bits of rs2 to memory', bytes: 2 },
  sw: { kind: 'store', spec: 'SW stores 32 bits of rs2 to memory', bytes: 4 },
  // §2.7 Memory Ordering, §3.2 Zifencei: a single hart without caches: fence is a nop; fence.i drops translated code.
  fence: { kind: 'fence', spec: 'FENCE orders memory and I/O accesses as viewed by other harts (a nop for one in-order hart)' },
  'fence.i': { kind: 'fence.i', spec: 'FENCE.I synchronizes the instruction and data streams (drops all translated blocks)' },
  // §2.8 Environment Call and Breakpoints; Vol. II §3.3.1-§3.3.3
  ecall: { kind: 'ecall', spec: 'ECALL is used to make a service request to the execution environment (environment-call-from-M-mode exception)' },
  ebreak: { kind: 'ebreak', spec: 'EBREAK is used to return control to a debugging environment (breakpoint exception)' },
  mret: { kind: 'mret', spec: 'MRET: pc = mepc; MIE = MPIE; MPIE = 1; privilege = MPP (M)' },
  wfi: { kind: 'wfi', spec: 'WFI provides a hint that the current hart can be stalled until an interrupt might need servicing (here: control returns to the host)' },
  // Ch. 9 Zicsr
  csrrw: { kind: 'csr', spec: 'CSRRW atomically swaps values in the CSRs and integer registers; if rd=x0 the CSR is not read', action: 'write', immediate: false },
  csrrs: { kind: 'csr', spec: 'CSRRS: rd = CSR; CSR |= rs1 (no write when rs1 = x0)', action: 'set', immediate: false },
  csrrc: { kind: 'csr', spec: 'CSRRC: rd = CSR; CSR &= ~rs1 (no write when rs1 = x0)', action: 'clear', immediate: false },
  csrrwi: { kind: 'csr', spec: 'CSRRWI: like CSRRW with the 5-bit zero-extended immediate', action: 'write', immediate: true },
  csrrsi: { kind: 'csr', spec: 'CSRRSI: no write when uimm = 0', action: 'set', immediate: true },
  csrrci: { kind: 'csr', spec: 'CSRRCI: no write when uimm = 0', action: 'clear', immediate: true },
  // Ch. 7 M, §7.1 multiplication (helpers in runtime.ts), §7.2 division and table 7.1 (divide by zero, overflow)
  mul: alu('MUL performs an XLEN-bit x XLEN-bit multiplication and places the lower XLEN bits in rd', (o) => `Math.imul(${o.a}, ${o.b})`),
  mulh: alu('MULH: upper XLEN bits of the signed x signed product', (o) => `H.mulh(${o.a}, ${o.b})`),
  mulhsu: alu('MULHSU: upper XLEN bits of the signed rs1 x unsigned rs2 product', (o) => `H.mulhsu(${o.a}, ${o.b})`),
  mulhu: alu('MULHU: upper XLEN bits of the unsigned x unsigned product', (o) => `H.mulhu(${o.a}, ${o.b})`),
  // x / 0 = -1 (all bits set); -2^31 / -1 = -2^31 (overflow): `(a / b) | 0` truncates toward zero and wraps 2^31 to -2^31.
  div: { kind: 'div', signed: true, spec: 'DIV: signed division rounding towards zero; x/0 = -1; overflow -2^31/-1 = -2^31', expr: (o) => `${o.b} === 0 ? -1 : (${o.a} / ${o.b}) | 0` },
  divu: { kind: 'div', signed: false, spec: 'DIVU: unsigned division; x/0 = 2^32-1', expr: (o) => `${o.b} === 0 ? -1 : ((${o.a} >>> 0) / (${o.b} >>> 0)) >>> 0` },
  // x % 0 = x; -2^31 % -1 = 0 (JS gives -0, and `| 0` makes it 0). The sign of the remainder equals the dividend's.
  rem: { kind: 'div', signed: true, spec: 'REM: remainder of signed division (sign of the dividend); x%0 = x; overflow remainder = 0', expr: (o) => `${o.b} === 0 ? ${o.a} : (${o.a} % ${o.b}) | 0` },
  remu: { kind: 'div', signed: false, spec: 'REMU: remainder of unsigned division; x%0 = x', expr: (o) => `${o.b} === 0 ? ${o.a} : ((${o.a} >>> 0) % (${o.b} >>> 0)) | 0` },
  // docs/ARCHITECTURE.md: custom-0, rd = rd + dot(rs1, rs2). PULP counterparts (RI5CY/CV32E40P XpulpV2
  // pv.sdotsp.b / pv.sdotup.b / pv.sdotusp.b; XpulpNN pv.sdotsp.n/.c, pv.sdotup.n/.c, pv.sdotusp.n/.c).
  'dot.b.ss': alu('4 x 8-bit signed x signed, accumulate (pv.sdotsp.b)', dotExpr(8, true, true)),
  'dot.b.uu': alu('4 x 8-bit unsigned x unsigned, accumulate (pv.sdotup.b)', dotExpr(8, false, false)),
  'dot.b.us': alu('4 x 8-bit unsigned rs1 x signed rs2, accumulate (pv.sdotusp.b)', dotExpr(8, false, true)),
  'dot.n.ss': alu('8 x 4-bit signed x signed, accumulate (pv.sdotsp.n, XpulpNN)', dotExpr(4, true, true)),
  'dot.n.uu': alu('8 x 4-bit unsigned x unsigned, accumulate (pv.sdotup.n)', dotExpr(4, false, false)),
  'dot.n.us': alu('8 x 4-bit unsigned rs1 x signed rs2, accumulate (pv.sdotusp.n)', dotExpr(4, false, true)),
  'dot.c.ss': alu('16 x 2-bit signed x signed, accumulate (pv.sdotsp.c, XpulpNN)', dotExpr(2, true, true)),
  'dot.c.uu': alu('16 x 2-bit unsigned x unsigned, accumulate (pv.sdotup.c)', dotExpr(2, false, false)),
  'dot.c.us': alu('16 x 2-bit unsigned rs1 x signed rs2, accumulate (pv.sdotusp.c)', dotExpr(2, false, true)),
};
