// Disassembly for `mcu run --trace`, driven by the same tables (format of the base operation).
// Compressed instructions print their own mnemonic with the operands of their expansion.
import { CSR_NAMES } from './assembler.ts';
import { BASE_FORMAT, type Decoded } from './decode.ts';
import { SEMANTICS } from './semantics.ts';
import { ABI_NAMES } from './state.ts';

const CSR_BY_NUMBER = new Map<number, string>(Object.entries(CSR_NAMES).map(([name, n]) => [n, name]));
const r = (n: number): string => ABI_NAMES[n] ?? `x${n}`;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

export function disassemble(d: Decoded | null, bits: number, pc: number): string {
  if (!d) return `illegal ${hex(bits)}`;
  const format = BASE_FORMAT.get(d.op);
  const kind = SEMANTICS[d.op].kind;
  const csr = (): string => CSR_BY_NUMBER.get(d.csr) ?? hex(d.csr);
  switch (format) {
    case 'R': return `${d.name} ${r(d.rd)}, ${r(d.rs1)}, ${r(d.rs2)}`;
    case 'I':
      return kind === 'load' || kind === 'jalr' ? `${d.name} ${r(d.rd)}, ${d.imm}(${r(d.rs1)})` : `${d.name} ${r(d.rd)}, ${r(d.rs1)}, ${d.imm}`;
    case 'SHIFT': return `${d.name} ${r(d.rd)}, ${r(d.rs1)}, ${d.imm}`;
    case 'S': return `${d.name} ${r(d.rs2)}, ${d.imm}(${r(d.rs1)})`;
    case 'B': return `${d.name} ${r(d.rs1)}, ${r(d.rs2)}, ${hex(pc + d.imm)}`;
    case 'U': return `${d.name} ${r(d.rd)}, ${hex(d.imm >>> 12)}`;
    case 'J': return `${d.name} ${r(d.rd)}, ${hex(pc + d.imm)}`;
    case 'CSR': return `${d.name} ${r(d.rd)}, ${csr()}, ${r(d.rs1)}`;
    case 'CSRI': return `${d.name} ${r(d.rd)}, ${csr()}, ${d.imm}`;
    default: return d.name;
  }
}
