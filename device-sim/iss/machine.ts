// The emulated MCU: one RV32IMC + Zicsr + Zicntr hart (machine mode only) with the custom dot
// products, the bus of device-sim/memory-map.ts, and a cache of translated blocks.
//
// Faults are values: run() and step() return a RunResult, never throw for anything the
// firmware does. Unhandled traps (mtvec base 0, which nothing is mapped at, or a handler that
// cannot be fetched) end the run with reason 'trap' and leave the CSRs as they were, so a host
// (`mcu run`, the twin) can report them; with a handler installed, traps are taken precisely
// (Vol. II §3.1.6-§3.1.16: mepc, mcause, mtval, mstatus.MPIE/MIE).
import { L2_BASE, L2_BYTES } from '../memory-map.ts';
import { divExtraCycles, TIMING } from '../timing/cycle-model.ts';
import { mulh, mulhsu, mulhu } from './arith.ts';
import { Bus, NO_FAULT, PAGE_FLAG_CODE, PAGE_SHIFT, STOP, type BusStats } from './bus.ts';
import { readCsr, writeCsr } from './csr.ts';
import { ExitDevice } from './devices/exit.ts';
import { Uart } from './devices/uart.ts';
import { parseElf, type ElfImage } from './elf.ts';
import { CAUSE, CAUSE_NAMES, createCpuState, MSTATUS, type CpuState } from './state.ts';
import { disassemble } from './disasm.ts';
import { SEMANTICS } from './semantics.ts';
import { BLOCK_RESULT, fetchItem, REGION_MAX_INSTRUCTIONS, STOP_KIND, translateBlock, type BlockFn, type BlockHelpers, type BlockRuntime } from './translate.ts';

export type RunResult =
  | { readonly reason: 'halt'; readonly exitCode: number }
  | { readonly reason: 'tohost'; readonly value: number }
  | { readonly reason: 'wfi' }
  | { readonly reason: 'budget' }
  | { readonly reason: 'trap'; readonly cause: number; readonly causeName: string; readonly pc: number; readonly tval: number }
  /** step() only: one instruction retired (or a handled trap was taken). */
  | { readonly reason: 'step' };

export interface TraceRecord {
  readonly pc: number;
  readonly bits: number;
  readonly lengthBytes: 2 | 4;
  readonly text: string;
  /** [register, new value (unsigned)] for every register the step changed. */
  readonly writes: ReadonlyArray<readonly [number, number]>;
  readonly result: RunResult;
}

export interface MachineOptions {
  /** Bytes the firmware writes to the debug UART. Default: dropped. */
  onUartByte?: (byte: number) => void;
  /** Warnings (unmapped / unimplemented addresses), once per address. Default: dropped. */
  warn?: (message: string) => void;
  /** Longest translated block (instructions). Default 64. */
  maxBlockInstructions?: number;
  /** Instructions per translated region (translate.ts). Default REGION_MAX_INSTRUCTIONS. */
  maxRegionInstructions?: number;
}

const DEFAULT_MAX_BLOCK_INSTRUCTIONS = 64;
const SLOT_COUNT = L2_BYTES >>> 1;
/**
 * L2_BASE as a module-local constant for the dispatch loop: under tsx an imported binding is
 * read through a getter, and that getter was 5% of the CPU profile of the twin's inference.
 */
const CODE_BASE: number = L2_BASE;
const MAX_LIVE_TRANSLATIONS = 65_536;

export class Machine implements BlockRuntime {
  readonly s: CpuState = createCpuState();
  readonly bus: Bus;
  readonly H: BlockHelpers;
  stopKind: number = STOP_KIND.NONE;
  prevRd = 0;
  /** Set when a run ends on an unhandled trap. */
  private unhandled: { cause: number; tval: number; pc: number } | null = null;
  /** The last loaded image's symbols. */
  symbols: ReadonlyMap<string, number> = new Map();

  private readonly maxBlock: number;
  private readonly maxRegion: number;
  /** Translated blocks: slot (pc - L2_BASE) / 2 -> 1 + index into `fns` (0 = none); singles: one-instruction blocks for step(). */
  private readonly blocks = new Int32Array(SLOT_COUNT);
  private readonly singles = new Int32Array(SLOT_COUNT);
  private fns: BlockFn[] = [];
  /** page -> slots of blocks that cover it. */
  private readonly pageSlots = new Map<number, number[]>();
  /** Blocks translated since construction (a measure for tests and the bench). */
  translations = 0;

  constructor(options: MachineOptions = {}) {
    const onUartByte = options.onUartByte ?? (() => undefined);
    this.bus = new Bus(
      [new Uart(onUartByte), new ExitDevice({ halt: (code) => this.bus.halt(code) })],
      options.warn ?? (() => undefined),
    );
    this.bus.onCodeWrite = (page) => this.invalidatePage(page);
    this.maxBlock = options.maxBlockInstructions ?? DEFAULT_MAX_BLOCK_INSTRUCTIONS;
    this.maxRegion = options.maxRegionInstructions ?? REGION_MAX_INSTRUCTIONS;
    const bus = this.bus;
    this.H = {
      mulh,
      mulhsu,
      mulhu,
      divExtra: divExtraCycles,
      targetExtra: (target: number) =>
        (target & 2) !== 0 && bus.fetchable(target, 2) && (bus.fetch16(target) & 3) === 3 ? TIMING.misalignedTargetExtra : 0,
    };
  }

  get busStats(): BusStats {
    return this.bus.stats;
  }

  /** Parses, validates and loads an ELF32 image; resets the hart to its entry point. */
  loadElf(bytes: Uint8Array): ElfImage {
    const image = parseElf(bytes, [{ base: L2_BASE, bytes: L2_BYTES }]);
    this.bus.fill(L2_BASE, L2_BYTES, 0);
    for (const segment of image.segments) {
      this.bus.writeBytes(segment.address, segment.data);
    }
    this.symbols = image.symbols;
    const tohost = image.symbols.get('tohost');
    if (tohost !== undefined) this.bus.watchTohost(tohost);
    this.reset(image.entry);
    return image;
  }

  /** Loads raw bytes (e.g. code a test assembled) at an address of L2 and resets to `entry`. */
  loadBytes(address: number, bytes: Uint8Array, entry = address): void {
    this.bus.writeBytes(address, bytes);
    this.reset(entry);
  }

  /** Architectural reset (Vol. II §3.4): pc = entry, registers and CSRs zero, counters zero. */
  reset(entry: number): void {
    const s = this.s;
    s.x.fill(0);
    s.events.fill(0);
    s.pc = entry;
    s.cycle = 0;
    s.instret = 0;
    s.mstatus = 0;
    s.mie = 0;
    s.mtvec = 0;
    s.mscratch = 0;
    s.mepc = 0;
    s.mcause = 0;
    s.mtval = 0;
    this.bus.stop = STOP.NONE;
    this.bus.fault = NO_FAULT;
    this.unhandled = null;
    this.prevRd = 0;
  }

  /** Runs until a stop condition or until at least `maxCycles` more cycles have elapsed (checked at block boundaries). */
  run(maxCycles: number): RunResult {
    const s = this.s;
    s.cycleLimit = s.cycle + maxCycles;
    for (;;) {
      if (s.cycle >= s.cycleLimit) return { reason: 'budget' };
      const slot = (s.pc - CODE_BASE) >>> 1;
      const id = slot < SLOT_COUNT ? this.blocks[slot]! : 0;
      let fn = id !== 0 ? this.fns[id - 1] : undefined;
      if (fn === undefined) {
        fn = this.translate(s.pc, this.maxBlock, this.blocks);
        if (fn === undefined) {
          if (this.raise(CAUSE.INSTRUCTION_ACCESS_FAULT, s.pc, s.pc) !== 0) {
            const result = this.stopResult();
            if (result) return result;
          }
          continue;
        }
      }
      let code = fn();
      // a load or store off the plain L2 path: that one instruction as a single-instruction block
      if (code === BLOCK_RESULT.SLOW_PATH) code = this.single();
      if (code !== BLOCK_RESULT.CONTINUE) {
        const result = this.stopResult();
        if (result) return result;
      }
    }
  }

  /** Executes exactly one instruction (or takes one trap). */
  step(): RunResult {
    const s = this.s;
    const limit = s.cycleLimit;
    s.cycleLimit = s.cycle; // a single-instruction loop block runs one iteration
    const code = this.single();
    s.cycleLimit = limit;
    return code !== BLOCK_RESULT.CONTINUE ? (this.stopResult() ?? { reason: 'step' }) : { reason: 'step' };
  }

  /** Runs the instruction at pc as a single-instruction block (the one place loads and stores call the bus). */
  private single(): number {
    const s = this.s;
    const slot = (s.pc - CODE_BASE) >>> 1;
    const id = slot < SLOT_COUNT ? this.singles[slot]! : 0;
    let fn = id !== 0 ? this.fns[id - 1] : undefined;
    if (fn === undefined) {
      fn = this.translate(s.pc, 1, this.singles);
      if (fn === undefined) return this.raise(CAUSE.INSTRUCTION_ACCESS_FAULT, s.pc, s.pc);
    }
    return fn();
  }

  /** step() plus what a trace prints: the instruction and the registers it wrote. */
  traceStep(): TraceRecord {
    const s = this.s;
    const pc = s.pc >>> 0;
    const item = fetchItem(this.bus, s.pc);
    const before = s.x.slice();
    const retiredBefore = s.instret;
    const result = this.step();
    const writes: Array<readonly [number, number]> = [];
    // registers that changed, plus the destination of a retired instruction that wrote its old value again
    const rd = item?.d && s.instret > retiredBefore && SEMANTICS[item.d.op].kind !== 'store' && SEMANTICS[item.d.op].kind !== 'branch' ? item.d.rd : 0;
    for (let r = 1; r < 32; r++) if (s.x[r] !== before[r] || r === rd) writes.push([r, s.x[r]! >>> 0]);
    return {
      pc,
      bits: item?.bits ?? 0,
      lengthBytes: item?.lengthBytes ?? 4,
      text: item ? disassemble(item.d, item.bits, pc) : '(not fetchable)',
      writes,
      result,
    };
  }

  private translate(pc: number, maxInstructions: number, cache: Int32Array): BlockFn | undefined {
    if ((pc & 1) !== 0) return undefined;
    // invalidated blocks leave dead entries behind (self-modifying code): start afresh past a bound
    if (this.fns.length >= MAX_LIVE_TRANSLATIONS) this.flushTranslations();
    const block = translateBlock(this, pc, maxInstructions, this.maxRegion);
    if (!block) return undefined;
    this.translations++;
    const slot = (pc - L2_BASE) >>> 1;
    this.fns.push(block.fn);
    cache[slot] = this.fns.length;
    const pages = new Set<number>();
    for (const [start, end] of block.ranges) {
      for (let page = (start - L2_BASE) >>> PAGE_SHIFT; page <= (end - 1 - L2_BASE) >>> PAGE_SHIFT; page++) pages.add(page);
    }
    for (const page of pages) {
      this.bus.pageFlags[page]! |= PAGE_FLAG_CODE;
      const slots = this.pageSlots.get(page);
      if (slots) slots.push(slot);
      else this.pageSlots.set(page, [slot]);
    }
    return block.fn;
  }

  private invalidatePage(page: number): void {
    const slots = this.pageSlots.get(page);
    if (slots) {
      for (const slot of slots) {
        this.blocks[slot] = 0;
        this.singles[slot] = 0;
      }
      this.pageSlots.delete(page);
    }
    this.bus.pageFlags[page]! &= ~PAGE_FLAG_CODE;
  }

  /** Drops every translated block (fence.i). */
  flushTranslations(): void {
    for (const page of [...this.pageSlots.keys()]) this.invalidatePage(page);
    this.blocks.fill(0);
    this.singles.fill(0);
    this.fns = [];
  }

  /** Interprets rt.stopKind after a block returned 1; null = keep running. */
  private stopResult(): RunResult | null {
    const kind = this.stopKind;
    this.stopKind = STOP_KIND.NONE;
    switch (kind) {
      case STOP_KIND.WFI:
        return { reason: 'wfi' };
      case STOP_KIND.FENCE_I:
        this.flushTranslations();
        return null;
      case STOP_KIND.TRAP: {
        const t = this.unhandled!;
        this.unhandled = null;
        return { reason: 'trap', cause: t.cause, causeName: CAUSE_NAMES[t.cause] ?? `cause ${t.cause}`, pc: t.pc >>> 0, tval: t.tval >>> 0 };
      }
      case STOP_KIND.BUS: {
        const stop = this.bus.stop;
        this.bus.stop = STOP.NONE;
        if (stop === STOP.HALT) return { reason: 'halt', exitCode: this.bus.exitCode };
        if (stop === STOP.TOHOST) return { reason: 'tohost', value: this.bus.tohostValue };
        return null; // CODE_WRITE: the block was invalidated; continue with fresh translations
      }
      default:
        return null;
    }
  }

  // ---- BlockRuntime ----

  raise(cause: number, tval: number, pc: number): number {
    const s = this.s;
    const base = s.mtvec & ~3;
    if (base === 0 || (cause === CAUSE.INSTRUCTION_ACCESS_FAULT && pc === base)) {
      s.pc = pc;
      this.unhandled = { cause, tval, pc };
      this.stopKind = STOP_KIND.TRAP;
      return 1;
    }
    // Vol. II §3.1.6.1: MPIE <- MIE, MIE <- 0, MPP <- M; exceptions always go to BASE (§3.1.7).
    s.mepc = pc & ~1;
    s.mcause = cause;
    s.mtval = tval | 0;
    s.mstatus = s.mstatus & MSTATUS.MIE ? MSTATUS.MPIE : 0;
    s.pc = base;
    s.cycle += TIMING.trapEntry;
    this.prevRd = 0;
    return 0;
  }

  memFault(pc: number): number {
    const cause = this.bus.fault;
    this.bus.fault = NO_FAULT;
    return this.raise(cause, this.bus.faultAddress, pc);
  }

  csr(kind: 'write' | 'set' | 'clear', csr: number, source: number, rd: number, writes: boolean, ownCycles: number): boolean {
    const s = this.s;
    // csrrw with rd = x0 "shall not read the CSR"; the CSR must still exist.
    const old = readCsr(s, csr);
    if (old === null) return false;
    if (writes) {
      const value = kind === 'write' ? source : kind === 'set' ? old | source : old & ~source;
      if (!writeCsr(s, csr, value, ownCycles)) return false;
    }
    if (rd !== 0) s.x[rd] = old;
    return true;
  }
}
