// A tiny two-pass assembler built from the same encoding table as the decoder (encodings.ts),
// for tests and benchmarks that must not depend on clang. Every encoded instruction is decoded
// back and compared, so an operand out of range, or a reserved compressed encoding, is an
// AsmError rather than a silently different instruction.
//
// Syntax (one statement per line, `#` or `//` comments):
//   label:                      defines a label at the current address
//   add a0, a1, a2              any mnemonic of the table, registers by number (x5) or ABI name
//   lw a0, 8(sp) / sw a0, 8(sp) memory operands
//   beq a0, a1, label           branch and jump targets: a label or a number (a byte offset)
//   lui a0, 0x12345             U-type immediates are the 20-bit field, as in GNU as
//   csrrs a0, mcycle, x0        CSRs by name (table CSR_NAMES) or number
//   c.addi a0, 1 / c.lw a0, 4(a1) compressed mnemonics
//   li rd, value (lui+addi, always 8 bytes), la rd, label (auipc+addi), mv, j, jr, ret, nop, c.nop
//   .word v, .half v, .byte v, .align n (power of two bytes), .space n
import { decode16, decode32 } from './decode.ts';
import {
  ENCODINGS_32,
  ENCODINGS_C,
  IMM_LAYOUT_32,
  immBitPairs,
  type CReg,
  type Encoding32,
  type EncodingC,
  type ImmLayout,
} from './encodings.ts';
import { ABI_NAMES } from './state.ts';

export class AsmError extends Error {
  readonly code = 'ASM_ERROR';
  readonly line: number;
  constructor(message: string, line: number) {
    super(line > 0 ? `line ${line}: ${message}` : message);
    this.name = 'AsmError';
    this.line = line;
  }
}

export const CSR_NAMES: Readonly<Record<string, number>> = {
  mstatus: 0x300, misa: 0x301, mie: 0x304, mtvec: 0x305, mcountinhibit: 0x320, mscratch: 0x340,
  mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344, mcycle: 0xb00, minstret: 0xb02,
  mcycleh: 0xb80, minstreth: 0xb82, cycle: 0xc00, time: 0xc01, instret: 0xc02, cycleh: 0xc80,
  timeh: 0xc81, instreth: 0xc82, mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14,
  mhpmcounter3: 0xb03, mhpmcounter4: 0xb04, mhpmcounter5: 0xb05, mhpmcounter6: 0xb06, mhpmcounter7: 0xb07,
  mhpmcounter8: 0xb08, mhpmcounter9: 0xb09, mhpmcounter10: 0xb0a, mhpmcounter11: 0xb0b, mhpmcounter12: 0xb0c,
};

const BY_NAME_32 = new Map<string, Encoding32>(ENCODINGS_32.map((e) => [e.name, e]));
const BY_NAME_C = new Map<string, EncodingC>(ENCODINGS_C.map((e) => [e.name, e]));

export function parseRegister(text: string, line = 0): number {
  const t = text.trim().toLowerCase();
  const m = /^x(\d{1,2})$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    if (n < 32) return n;
  }
  if (t === 'fp') return 8;
  const abi = (ABI_NAMES as readonly string[]).indexOf(t);
  if (abi >= 0) return abi;
  throw new AsmError(`not a register: "${text}"`, line);
}

function scatter(layout: ImmLayout, imm: number): number {
  let w = 0;
  for (const [instBit, immBit] of immBitPairs(layout)) w |= ((imm >>> immBit) & 1) << instBit;
  return w >>> 0;
}

export interface Operands32 {
  rd?: number;
  rs1?: number;
  rs2?: number;
  imm?: number;
  csr?: number;
}

/** Encodes one 32-bit instruction of the table; checks it decodes back to the same operands. */
export function encode32(name: string, o: Operands32, line = 0): number {
  const enc = BY_NAME_32.get(name);
  if (!enc) throw new AsmError(`unknown instruction "${name}"`, line);
  const rd = o.rd ?? 0;
  const rs1 = o.rs1 ?? 0;
  const rs2 = o.rs2 ?? 0;
  const imm = o.imm ?? 0;
  let w = enc.match;
  switch (enc.format) {
    case 'R': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20); break;
    case 'I': w |= (rd << 7) | (rs1 << 15) | scatter(IMM_LAYOUT_32.I!, imm); break;
    case 'SHIFT': w |= (rd << 7) | (rs1 << 15) | scatter(IMM_LAYOUT_32.SHIFT!, imm); break;
    case 'S': w |= (rs1 << 15) | (rs2 << 20) | scatter(IMM_LAYOUT_32.S!, imm); break;
    case 'B': w |= (rs1 << 15) | (rs2 << 20) | scatter(IMM_LAYOUT_32.B!, imm); break;
    case 'U': w |= (rd << 7) | scatter(IMM_LAYOUT_32.U!, imm); break;
    case 'J': w |= (rd << 7) | scatter(IMM_LAYOUT_32.J!, imm); break;
    case 'CSR': w |= (rd << 7) | (rs1 << 15) | ((o.csr ?? 0) << 20); break;
    case 'CSRI': w |= (rd << 7) | scatter(IMM_LAYOUT_32.CSRI!, imm) | ((o.csr ?? 0) << 20); break;
    case 'FENCE': case 'NONE': break;
  }
  w >>>= 0;
  const back = decode32(w);
  const immChecked = enc.format !== 'R' && enc.format !== 'CSR' && enc.format !== 'FENCE' && enc.format !== 'NONE';
  if (!back || back.op !== enc.name || (immChecked && back.imm !== (imm | 0))) {
    throw new AsmError(`${name}: operand out of range (immediate ${imm})`, line);
  }
  return w;
}

export interface OperandsC {
  rd?: number;
  rs1?: number;
  rs2?: number;
  imm?: number;
}

function placeCReg(spec: CReg, reg: number, what: string, name: string, line: number): number {
  switch (spec) {
    case 'rd': return (reg & 31) << 7;
    case 'rs2': return (reg & 31) << 2;
    case 'rd_p':
    case 'rs2_p':
      if (reg < 8 || reg > 15) throw new AsmError(`${name}: ${what} must be one of x8..x15`, line);
      return (reg - 8) << (spec === 'rd_p' ? 7 : 2);
    default:
      if (reg !== spec) throw new AsmError(`${name}: ${what} must be x${spec}`, line);
      return 0;
  }
}

/** Encodes one compressed instruction; checks it decodes back (reserved encodings are errors). */
export function encodeC(name: string, o: OperandsC, line = 0): number {
  const enc = BY_NAME_C.get(name);
  if (!enc) throw new AsmError(`unknown instruction "${name}"`, line);
  let w = enc.match;
  const fields: Array<[CReg, number, string]> = [[enc.rd, o.rd ?? (typeof enc.rd === 'number' ? enc.rd : 0), 'rd'], [enc.rs1, o.rs1 ?? (typeof enc.rs1 === 'number' ? enc.rs1 : (o.rd ?? 0)), 'rs1'], [enc.rs2, o.rs2 ?? (typeof enc.rs2 === 'number' ? enc.rs2 : 0), 'rs2']];
  for (const [spec, reg, what] of fields) w |= placeCReg(spec, reg, what, name, line);
  if (enc.imm) w |= scatter(enc.imm, o.imm ?? 0);
  w &= 0xffff;
  const back = decode16(w);
  if (!back || back.name !== name || (enc.imm && back.imm !== ((o.imm ?? 0) | 0))) {
    throw new AsmError(`${name}: operands out of range or a reserved encoding (imm ${o.imm ?? 0})`, line);
  }
  return w;
}

// ---- the text assembler ----

interface Statement {
  readonly line: number;
  readonly mnemonic: string;
  readonly args: readonly string[];
  readonly address: number;
  readonly bytes: number;
}

export interface Assembled {
  readonly bytes: Uint8Array;
  readonly symbols: ReadonlyMap<string, number>;
  readonly base: number;
}

function splitArgs(rest: string): string[] {
  return rest.trim() === '' ? [] : rest.split(',').map((a) => a.trim());
}

function statementBytes(mnemonic: string, args: readonly string[], address: number, line: number): number {
  if (mnemonic === 'li' || mnemonic === 'la') return 8;
  if (mnemonic === '.word') return 4 * args.length;
  if (mnemonic === '.half') return 2 * args.length;
  if (mnemonic === '.byte') return args.length;
  if (mnemonic === '.space') return Number(args[0]);
  if (mnemonic === '.align') {
    const n = Number(args[0]);
    if (!Number.isInteger(n) || n <= 0 || (n & (n - 1)) !== 0) throw new AsmError('.align takes a power of two (bytes)', line);
    return (n - (address % n)) % n;
  }
  return mnemonic.startsWith('c.') ? 2 : 4;
}

/** Assembles `source` at `base`; returns the bytes and the labels. */
export function assemble(source: string, base: number): Assembled {
  const statements: Statement[] = [];
  const symbols = new Map<string, number>();
  let address = base;
  source.split('\n').forEach((raw, i) => {
    const line = i + 1;
    let text = raw.replace(/(#|\/\/).*$/, '').trim();
    for (let m = /^([A-Za-z_.$][\w.$]*):/.exec(text); m; m = /^([A-Za-z_.$][\w.$]*):/.exec(text)) {
      if (symbols.has(m[1]!)) throw new AsmError(`label "${m[1]}" defined twice`, line);
      symbols.set(m[1]!, address);
      text = text.slice(m[0].length).trim();
    }
    if (!text) return;
    const sp = text.search(/\s/);
    const mnemonic = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
    const args = splitArgs(sp < 0 ? '' : text.slice(sp));
    const bytes = statementBytes(mnemonic, args, address, line);
    statements.push({ line, mnemonic, args, address, bytes });
    address += bytes;
  });
  const out = new Uint8Array(address - base);
  const view = new DataView(out.buffer);
  const value = (text: string, line: number): number => {
    const t = text.trim();
    if (symbols.has(t)) return symbols.get(t)!;
    const n = Number(t);
    if (t === '' || !Number.isFinite(n)) throw new AsmError(`not a number or label: "${text}"`, line);
    return n;
  };
  const target = (text: string, pc: number, line: number): number => {
    const t = text.trim();
    return symbols.has(t) ? symbols.get(t)! - pc : value(t, line);
  };
  const memOperand = (text: string, line: number): { imm: number; reg: number } => {
    const m = /^(.*)\((\w+)\)$/.exec(text.trim());
    if (!m) throw new AsmError(`expected imm(reg), got "${text}"`, line);
    return { imm: m[1]!.trim() === '' ? 0 : value(m[1]!, line), reg: parseRegister(m[2]!, line) };
  };
  const csrNumber = (text: string, line: number): number => CSR_NAMES[text.trim().toLowerCase()] ?? value(text, line);

  for (const st of statements) {
    const { line, mnemonic: mn, args, address: pc } = st;
    const at = pc - base;
    const arg = (i: number): string => {
      const a = args[i];
      if (a === undefined) throw new AsmError(`${mn}: missing operand ${i + 1}`, line);
      return a;
    };
    const reg = (i: number): number => parseRegister(arg(i), line);
    const put32 = (w: number, offset = at): void => view.setUint32(offset, w >>> 0, true);
    if (mn === '.word') { args.forEach((a, i) => view.setUint32(at + 4 * i, value(a, line) >>> 0, true)); continue; }
    if (mn === '.half') { args.forEach((a, i) => view.setUint16(at + 2 * i, value(a, line) & 0xffff, true)); continue; }
    if (mn === '.byte') { args.forEach((a, i) => view.setUint8(at + i, value(a, line) & 0xff)); continue; }
    if (mn === '.space' || mn === '.align') continue;
    if (mn === 'li' || mn === 'la') {
      const v = mn === 'li' ? value(arg(1), line) | 0 : (value(arg(1), line) - pc) | 0;
      const lo = (v << 20) >> 20;
      const hi = ((v - lo) >>> 12) & 0xfffff;
      const rd = reg(0);
      put32(encode32(mn === 'li' ? 'lui' : 'auipc', { rd, imm: (hi << 12) | 0 }, line));
      put32(encode32('addi', { rd, rs1: rd, imm: lo }, line), at + 4);
      continue;
    }
    if (mn === 'nop') { put32(encode32('addi', {}, line)); continue; }
    if (mn === 'c.nop') { view.setUint16(at, encodeC('c.addi', { rd: 0, imm: 0 }, line), true); continue; }
    if (mn === 'mv') { put32(encode32('addi', { rd: reg(0), rs1: reg(1), imm: 0 }, line)); continue; }
    if (mn === 'j') { put32(encode32('jal', { rd: 0, imm: target(arg(0), pc, line) }, line)); continue; }
    if (mn === 'jr') { put32(encode32('jalr', { rd: 0, rs1: reg(0), imm: 0 }, line)); continue; }
    if (mn === 'ret') { put32(encode32('jalr', { rd: 0, rs1: 1, imm: 0 }, line)); continue; }
    if (mn.startsWith('c.')) {
      const enc = BY_NAME_C.get(mn);
      if (!enc) throw new AsmError(`unknown instruction "${mn}"`, line);
      const o: OperandsC = {};
      let i = 0;
      for (const operand of enc.operands) {
        if (operand === 'imm') {
          const a = arg(i++);
          const isJump = enc.expandsTo === 'jal' || enc.expandsTo === 'beq' || enc.expandsTo === 'bne';
          if (/\(\w+\)$/.test(a)) {
            const mem = memOperand(a, line);
            o.imm = mem.imm;
            if (enc.operands.includes('rs1')) o.rs1 = mem.reg;
            else if (enc.rs1 !== mem.reg) throw new AsmError(`${mn}: base register must be x${String(enc.rs1)}`, line);
          } else {
            o.imm = isJump ? target(a, pc, line) : enc.expandsTo === 'lui' ? value(a, line) << 12 : value(a, line);
          }
        } else if (operand === 'rs1' && o.rs1 !== undefined) {
          // already set from a memory operand
        } else {
          o[operand] = reg(i++);
        }
      }
      view.setUint16(at, encodeC(mn, o, line), true);
      continue;
    }
    const enc = BY_NAME_32.get(mn);
    if (!enc) throw new AsmError(`unknown instruction "${mn}"`, line);
    switch (enc.format) {
      case 'R': put32(encode32(mn, { rd: reg(0), rs1: reg(1), rs2: reg(2) }, line)); break;
      case 'I': {
        if (args.length === 2) {
          const mem = memOperand(arg(1), line);
          put32(encode32(mn, { rd: reg(0), rs1: mem.reg, imm: mem.imm }, line));
        } else {
          put32(encode32(mn, { rd: reg(0), rs1: reg(1), imm: value(arg(2), line) }, line));
        }
        break;
      }
      case 'SHIFT': put32(encode32(mn, { rd: reg(0), rs1: reg(1), imm: value(arg(2), line) }, line)); break;
      case 'S': {
        const mem = memOperand(arg(1), line);
        put32(encode32(mn, { rs2: reg(0), rs1: mem.reg, imm: mem.imm }, line));
        break;
      }
      case 'B': put32(encode32(mn, { rs1: reg(0), rs2: reg(1), imm: target(arg(2), pc, line) }, line)); break;
      case 'U': put32(encode32(mn, { rd: reg(0), imm: (value(arg(1), line) << 12) | 0 }, line)); break;
      case 'J': {
        if (args.length === 1) put32(encode32(mn, { rd: 1, imm: target(arg(0), pc, line) }, line));
        else put32(encode32(mn, { rd: reg(0), imm: target(arg(1), pc, line) }, line));
        break;
      }
      case 'CSR': put32(encode32(mn, { rd: reg(0), csr: csrNumber(arg(1), line), rs1: reg(2) }, line)); break;
      case 'CSRI': put32(encode32(mn, { rd: reg(0), csr: csrNumber(arg(1), line), imm: value(arg(2), line) }, line)); break;
      case 'FENCE': case 'NONE': put32(enc.match); break;
    }
  }
  return { bytes: out, symbols, base };
}
