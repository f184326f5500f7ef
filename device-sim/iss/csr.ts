// The CSR file (Vol. II ch. 2-3; Zicsr Vol. I ch. 9; Zicntr Vol. I ch. 10): machine mode only.
// A CSR that does not exist, or a write to a read-only one, is an illegal instruction
// (Vol. II §2.1: "Attempts to access a non-existent CSR raise an illegal instruction
// exception. Attempts to write a read-only register also raise illegal instruction").
import { hpmEventOfCounter } from '../timing/cycle-model.ts';
import { MSTATUS, type CpuState } from './state.ts';

export const CSR = {
  mstatus: 0x300, misa: 0x301, mie: 0x304, mtvec: 0x305, mcountinhibit: 0x320,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  mcycle: 0xb00, minstret: 0xb02, mcycleh: 0xb80, minstreth: 0xb82,
  cycle: 0xc00, time: 0xc01, instret: 0xc02, cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
} as const;

/** misa: MXL = 1 (RV32), extensions I, M, C and X (non-standard: the dot products) (Vol. II §3.1.1). */
export const MISA = (0x4000_0000 | (1 << 8) | (1 << 12) | (1 << 2) | (1 << 23)) >>> 0;
/** CV32E40P's identification values (User Manual "Control and Status Registers"): OpenHW JEDEC id, marchid 4. */
const MVENDORID = 0x602;
const MARCHID = 4;

const TWO_32 = 0x1_0000_0000;

const lo32 = (v: number): number => v % TWO_32 | 0;
const hi32 = (v: number): number => Math.floor(v / TWO_32) | 0;
const withLo = (v: number, lo: number): number => Math.floor(v / TWO_32) * TWO_32 + (lo >>> 0);
const withHi = (v: number, hi: number): number => (hi >>> 0) * TWO_32 + (v % TWO_32);

/** Reads a CSR; null when it does not exist. */
export function readCsr(s: CpuState, csr: number): number | null {
  switch (csr) {
    case CSR.mstatus: return (s.mstatus | MSTATUS.MPP) | 0;
    case CSR.misa: return MISA | 0;
    case CSR.mie: return s.mie | 0;
    case CSR.mip: return 0; // no interrupt sources are modelled
    case CSR.mtvec: return s.mtvec | 0;
    case CSR.mcountinhibit: return 0;
    case CSR.mscratch: return s.mscratch | 0;
    case CSR.mepc: return s.mepc | 0;
    case CSR.mcause: return s.mcause | 0;
    case CSR.mtval: return s.mtval | 0;
    case CSR.mvendorid: return MVENDORID;
    case CSR.marchid: return MARCHID;
    case CSR.mimpid: case CSR.mhartid: case CSR.mconfigptr: return 0;
    // time: this twin's timebase is the core clock (time comes from cycles, never the wall clock).
    case CSR.mcycle: case CSR.cycle: case CSR.time: return lo32(s.cycle);
    case CSR.mcycleh: case CSR.cycleh: case CSR.timeh: return hi32(s.cycle);
    case CSR.minstret: case CSR.instret: return lo32(s.instret);
    case CSR.minstreth: case CSR.instreth: return hi32(s.instret);
    default:
      break;
  }
  // mhpmcounter3..31 (0xb03..), their high halves (0xb83..), user shadows (0xc03.., 0xc83..)
  const base = csr & 0xf7f; // folds the 'h' bit (0x080) away
  const h = (csr & 0x080) !== 0;
  if ((base >= 0xb03 && base <= 0xb1f) || (base >= 0xc03 && base <= 0xc1f)) {
    const event = hpmEventOfCounter(base & 0x1f);
    const v = event === null ? 0 : (s.events[event] ?? 0);
    return h ? hi32(v) : lo32(v);
  }
  if (csr >= 0x323 && csr <= 0x33f) {
    const event = hpmEventOfCounter(csr - 0x320);
    return event === null ? 0 : 1 << event;
  }
  return null;
}

/**
 * Writes a CSR (the instruction's own increment of a counter it writes is replaced by the write:
 * Vol. I §9.1, "if a CSR access instruction writes such a CSR, the write is done instead of the
 * increment"; ownCycles is what the caller will still add for the writing instruction).
 * Returns false when the CSR does not exist or is read-only (illegal instruction).
 */
export function writeCsr(s: CpuState, csr: number, value: number, ownCycles: number): boolean {
  if ((csr >>> 10) === 3) return false; // read-only range (Vol. II §2.1, table 2.1)
  const v = value | 0;
  switch (csr) {
    case CSR.mstatus: s.mstatus = v & (MSTATUS.MIE | MSTATUS.MPIE); return true;
    case CSR.misa: return true; // WARL, fixed
    case CSR.mie: s.mie = v & 0x888; return true; // MSIE, MTIE, MEIE
    case CSR.mip: return true; // no writable bits
    // mtvec: MODE 0 (direct) or 1 (vectored; exceptions still go to BASE) — reserved modes are WARL -> 0.
    case CSR.mtvec: s.mtvec = (v & ~3) | ((v & 3) === 1 ? 1 : 0); return true;
    case CSR.mcountinhibit: return true; // WARL, counters always count
    case CSR.mscratch: s.mscratch = v; return true;
    case CSR.mepc: s.mepc = v & ~1; return true; // IALIGN = 16: bit 0 reads 0 (§3.1.14)
    case CSR.mcause: s.mcause = v; return true;
    case CSR.mtval: s.mtval = v; return true;
    case CSR.mcycle: s.cycle = withLo(s.cycle, v) - ownCycles; return true;
    case CSR.mcycleh: s.cycle = withHi(s.cycle, v) - ownCycles; return true;
    case CSR.minstret: s.instret = withLo(s.instret, v) - 1; return true;
    case CSR.minstreth: s.instret = withHi(s.instret, v) - 1; return true;
    default:
      break;
  }
  const base = csr & 0xf7f;
  if (base >= 0xb03 && base <= 0xb1f) {
    const event = hpmEventOfCounter(base & 0x1f);
    if (event !== null) {
      const old = s.events[event] ?? 0;
      s.events[event] = (csr & 0x080) !== 0 ? withHi(old, v) : withLo(old, v);
    }
    return true;
  }
  if (csr >= 0x323 && csr <= 0x33f) return true; // mhpmevent: fixed wiring (WARL)
  return false;
}
