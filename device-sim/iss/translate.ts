// The translator: a region of basic blocks -> one JavaScript function (built with
// `new Function`), with the semantics bodies of semantics.ts spliced in, memory fast paths for
// L2, precise traps, and the cycle model's static costs summed per exit point. A block whose
// last instruction branches back to its own start becomes a loop inside the function (the
// inner loops of the kernels), checking the cycle budget once per iteration.
//
// Shape of a region's function (what keeps it fast: measured in README.md "Speed"):
//  - registers in locals, loaded once at entry and written back by ONE epilogue; every exit
//    sets `pc` (and for the rare exits, the row `xi` of an exit table) and breaks to it;
//  - no calls on the hot path: a load or store that is not a plain aligned L2 access (device,
//    fault, misaligned, a page holding translated code or tohost) leaves the region before the
//    access (BLOCK_RESULT.SLOW_PATH) and the machine executes that one instruction as a
//    single-instruction block, the one place that calls the bus;
//  - blocks dispatched by index (a dense switch), the region's source bounded so V8 optimizes it.
//
// Invariants:
//  - at every exit the counters (cycle, instret, events) include exactly the retired
//    instructions, and s.pc is the next instruction to execute (or the trap handler);
//  - an instruction that traps does not retire (Vol. II §3.1.11, minstret);
//  - stores that hit a page with translated code, a device or tohost take the slow path and
//    may end the run loop's block right after the store (self-modifying code, halt, tohost).
import { L2_BASE, L2_BYTES } from '../memory-map.ts';
import { baseCycles, HPM_EVENT, HPM_EVENT_COUNT, TIMING } from '../timing/cycle-model.ts';
import type { Bus } from './bus.ts';
import { PAGE_SHIFT } from './bus.ts';
import { BASE_FORMAT, decode, instructionLength, sourceRegisters, type Decoded } from './decode.ts';
import { SEMANTICS } from './semantics.ts';
import { CAUSE, MSTATUS } from './state.ts';

/** What a translated block returns. */
export const BLOCK_RESULT = {
  /** Continue at s.pc. */
  CONTINUE: 0,
  /** Stop the run: see rt.stopKind. */
  STOP: 1,
  /** Execute the instruction at s.pc as a single-instruction block (a load or store off the plain L2 path), then continue. */
  SLOW_PATH: 2,
} as const;

/** Why a block returned BLOCK_RESULT.STOP (rt.stopKind). */
export const STOP_KIND = { NONE: 0, BUS: 1, WFI: 2, FENCE_I: 3, TRAP: 4 } as const;

/** What the generated code may call; the machine implements it. */
export interface BlockRuntime {
  readonly s: import('./state.ts').CpuState;
  readonly bus: Bus;
  readonly H: BlockHelpers;
  stopKind: number;
  /** Destination register of the last retired instruction (0: none, or a load), for the jalr hazard across blocks. */
  prevRd: number;
  /** Takes a trap at `pc` (returns 0: continue at the handler) or stops the run when unhandled (returns 1). */
  raise(cause: number, tval: number, pc: number): number;
  /** Takes the pending bus fault (bus.fault / bus.faultAddress) as a trap at `pc`. */
  memFault(pc: number): number;
  /** Executes a Zicsr instruction; false = illegal instruction. */
  csr(kind: 'write' | 'set' | 'clear', csr: number, source: number, rd: number, writes: boolean, ownCycles: number): boolean;
}

export interface BlockHelpers {
  mulh(a: number, b: number): number;
  mulhsu(a: number, b: number): number;
  mulhu(a: number, b: number): number;
  divExtra(divisor: number, signed: boolean): number;
  /** Extra cycle when a jump target is a non-word-aligned 32-bit instruction. */
  targetExtra(target: number): number;
}

export type BlockFn = () => number;

export interface TranslatedBlock {
  readonly fn: BlockFn;
  readonly startPc: number;
  /** Address after the entry block's last instruction. */
  readonly endPc: number;
  /** [start, end) of every basic block in the region (for invalidation). */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly instructions: number;
  readonly source: string;
}

interface Item {
  readonly pc: number;
  readonly bits: number;
  readonly lengthBytes: 2 | 4;
  readonly d: Decoded | null;
}

const TERMINATORS = new Set(['branch', 'jal', 'jalr', 'csr', 'ecall', 'ebreak', 'mret', 'wfi', 'fence.i']);

function isTerminator(item: Item): boolean {
  return item.d === null || TERMINATORS.has(SEMANTICS[item.d.op].kind);
}

/** Fetches and decodes the instruction at pc; undefined when it cannot be fetched. */
export function fetchItem(bus: Bus, pc: number): Item | undefined {
  if (!bus.fetchable(pc, 2)) return undefined;
  const low = bus.fetch16(pc);
  const lengthBytes = instructionLength(low);
  if (lengthBytes === 4 && !bus.fetchable(pc, 4)) return undefined;
  const bits = lengthBytes === 4 ? (low | (bus.fetch16(pc + 2) << 16)) >>> 0 : low;
  return { pc, bits, lengthBytes, d: decode(bits) };
}

/** Does the instruction write a destination register (and which)? 0 when none. */
function destination(d: Decoded | null): number {
  if (!d) return 0;
  const kind = SEMANTICS[d.op].kind;
  if (kind === 'store' || kind === 'branch' || kind === 'fence' || kind === 'fence.i' || kind === 'ecall' || kind === 'ebreak' || kind === 'mret' || kind === 'wfi') return 0;
  return d.rd;
}

/** The register a jalr right after this instruction would wait for (loads excluded: their stall is the load-use one). */
function hazardDestination(d: Decoded | null): number {
  return d && SEMANTICS[d.op].kind !== 'load' ? destination(d) : 0;
}

function isMisalignedWideTarget(bus: Bus, target: number): boolean {
  return (target & 2) !== 0 && bus.fetchable(target, 2) && (bus.fetch16(target) & 3) === 3;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** A basic block: straight-line items ending at a terminator, a fetch boundary or the length cap. */
interface Block {
  readonly startPc: number;
  readonly endPc: number;
  readonly items: readonly Item[];
}

function collectBlock(bus: Bus, pc: number, maxInstructions: number): Block | undefined {
  const items: Item[] = [];
  let next = pc;
  for (;;) {
    const item = fetchItem(bus, next);
    if (!item) break;
    items.push(item);
    next += item.lengthBytes;
    if (isTerminator(item)) break;
    // keep a load's successor in the same block so the load-use stall is decided statically
    // (not in single-step mode, where a block is exactly one instruction)
    if (items.length >= maxInstructions && (maxInstructions === 1 || !(item.d && SEMANTICS[item.d.op].kind === 'load'))) break;
  }
  return items.length === 0 ? undefined : { startPc: pc, endPc: next, items };
}

/** Static successors of a block that a region may include (branch/jump targets, fall-through, a call's return point). */
function staticSuccessors(block: Block): number[] {
  const last = block.items[block.items.length - 1]!;
  if (!last.d) return [];
  const kind = SEMANTICS[last.d.op].kind;
  const target = (last.pc + last.d.imm) | 0;
  switch (kind) {
    case 'branch':
      return [target, block.endPc];
    case 'jal':
      return last.d.rd !== 0 ? [target, block.endPc] : [target];
    case 'jalr':
    case 'csr':
    case 'ecall':
    case 'ebreak':
    case 'mret':
    case 'wfi':
    case 'fence.i':
      return [];
    default:
      return [block.endPc];
  }
}

/**
 * Factories by generated source, shared by every Machine of the process (thread): twins running
 * the same firmware reuse one function literal per region, so V8 parses it once and the closures
 * of later twins start from code already optimized for the earlier ones.
 */
const FACTORIES = new Map<string, (rt: BlockRuntime) => BlockFn>();
const FACTORY_CACHE_MAX = 8192;

/** Instructions per region: measured on the firmware (CPU time per window), 32 runs the plain kernels 3x faster than single blocks; 96+ is slower (bigger functions reach optimized code later). */
export const REGION_MAX_INSTRUCTIONS = 32;

/**
 * Longest generated source of a region (characters). V8 never optimizes a function of more
 * than 60 KiB of bytecode (its max_optimized_bytecode_size); such a region stays in the
 * baseline tier and runs ~30x slower (measured: 16 MIPS on the firmware with 512-instruction
 * regions, whose largest function had 69 KB of bytecode from 94 K characters). The generated
 * code measured 0.6-0.75 bytes of bytecode per character, so this keeps every region far below.
 */
export const REGION_MAX_SOURCE_CHARS = 40_000;

/**
 * Translates the region entered at pc: the basic block there plus the blocks statically
 * reachable from it (breadth first, up to REGION_MAX_INSTRUCTIONS), compiled into one JS
 * function with the registers in locals. undefined when pc cannot be fetched.
 * maxInstructions = 1 gives exactly one instruction (single-step mode).
 */
export function translateBlock(rt: BlockRuntime, pc: number, maxInstructions: number, regionInstructions = REGION_MAX_INSTRUCTIONS): TranslatedBlock | undefined {
  const bus = rt.bus;
  const entry = collectBlock(bus, pc, maxInstructions);
  if (!entry) return undefined;
  const blocks: Block[] = [entry];
  const seen = new Set<number>([pc]);
  let instructions = entry.items.length;
  if (maxInstructions > 1) {
    for (let i = 0; i < blocks.length && instructions < regionInstructions; i++) {
      for (const next of staticSuccessors(blocks[i]!)) {
        if (seen.has(next)) continue;
        seen.add(next);
        const block = collectBlock(bus, next, maxInstructions);
        if (!block || instructions + block.items.length > regionInstructions) continue;
        blocks.push(block);
        instructions += block.items.length;
      }
    }
  }
  let source = generateRegion(bus, blocks, maxInstructions === 1);
  while (source.length > REGION_MAX_SOURCE_CHARS && blocks.length > 1) {
    instructions -= blocks.pop()!.items.length;
    source = generateRegion(bus, blocks, maxInstructions === 1);
  }
  let factory = FACTORIES.get(source);
  if (!factory) {
    if (FACTORIES.size >= FACTORY_CACHE_MAX) FACTORIES.clear();
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the translator's purpose: blocks become JS functions
    factory = new Function('rt', source) as (rt: BlockRuntime) => BlockFn;
    FACTORIES.set(source, factory);
  }
  return {
    fn: factory(rt),
    startPc: pc,
    endPc: entry.endPc,
    ranges: blocks.map((b) => [b.startPc, b.endPc] as const),
    instructions,
    source,
  };
}

/** Static cost of each item: cycles and events when it retires along the not-taken path. */
interface Cost {
  cycles: number;
  events: Map<number, number>;
}

function staticCosts(bus: Bus, items: readonly Item[], endPc: number): Cost[] {
  return items.map((item, k) => {
    const events = new Map<number, number>();
    const bump = (e: number, n = 1): void => void events.set(e, (events.get(e) ?? 0) + n);
    if (!item.d) return { cycles: 0, events };
    const d = item.d;
    const sem = SEMANTICS[d.op];
    let cycles = baseCycles(d.op, d.csr);
    if (item.lengthBytes === 2) bump(HPM_EVENT.COMP_INSTR);
    switch (sem.kind) {
      case 'load': {
        bump(HPM_EVENT.LD);
        const successor = items[k + 1] ?? fetchItem(bus, endPc);
        if (d.rd !== 0 && successor?.d && sourceRegisters(successor.d).includes(d.rd)) {
          cycles += TIMING.loadUseStall;
          bump(HPM_EVENT.LD_STALL);
        }
        break;
      }
      case 'store':
        bump(HPM_EVENT.ST);
        break;
      case 'jal':
      case 'jalr': {
        bump(HPM_EVENT.JUMP);
        if (sem.kind === 'jal' && isMisalignedWideTarget(bus, (item.pc + d.imm) | 0)) cycles += TIMING.misalignedTargetExtra;
        const prev = items[k - 1];
        if (sem.kind === 'jalr' && prev?.d && d.rs1 !== 0 && destination(prev.d) === d.rs1 && SEMANTICS[prev.d.op].kind !== 'load') {
          cycles += TIMING.jalrStall;
          bump(HPM_EVENT.JMP_STALL);
        }
        break;
      }
      case 'branch':
        bump(HPM_EVENT.BRANCH);
        break;
      case 'alu':
        if (d.op === 'mulh' || d.op === 'mulhsu' || d.op === 'mulhu') bump(HPM_EVENT.MULDIV_STALL, TIMING.mulh - 1);
        break;
      default:
        break;
    }
    return { cycles, events };
  });
}

/**
 * How the region's single epilogue leaves (local `st`): every exit of the generated code adds
 * its retired instructions to the local counters, sets `pc` (and `prd`, `t`, `v` as noted) and
 * breaks out of the dispatch loop to ONE write-back of registers and counters. Exits stay a few
 * statements each, so a region's function stays small enough for V8 to optimize early.
 */
const EXIT = {
  /** Continue at `pc` (another region, or the budget was reached): return 0. */
  CONTINUE: 0,
  /** The load/store at `pc` faulted on the bus (bus.fault): trap. */
  MEM_FAULT: 1,
  /** Trap with cause `t` and mtval `v` at `pc`. */
  RAISE: 2,
  /** Stop the run loop with rt.stopKind = `t`, resuming at `pc`: return 1. */
  STOP: 3,
  /** The load/store at `pc` is not a plain L2 access: return BLOCK_RESULT.SLOW_PATH. */
  SLOW: 4,
} as const;

/** Counter increments of a path: cycles, retired instructions, HPM events (indexed by HPM_EVENT). */
interface Counts {
  readonly cycles: number;
  readonly instret: number;
  readonly events: Float64Array;
}
const NO_COUNTS: Counts = { cycles: 0, instret: 0, events: new Float64Array(HPM_EVENT_COUNT) };

/** In an exit row: leave `prd` (the hazard register of the last retired instruction) as it is. */
const KEEP_PRD = -1;

/**
 * A rare static exit of a region (slow-path loads and stores, traps, stops, the cycle budget):
 * instead of a sequence of assignments at each of them, the generated code sets `xi` to its row
 * and breaks out; the epilogue applies the row. That keeps those exits one statement each and the
 * function small (V8's compile time grows with it). The frequent exit, to a static target
 * outside the region, stays inline: reading a row costs more than the assignments.
 */
interface ExitRow {
  readonly counts: Counts;
  /** Where execution continues (or the trapping instruction). */
  readonly pc: number;
  /** EXIT.* */
  readonly st: number;
  /** RAISE: the cause; STOP: the stop kind. */
  readonly t: number;
  /** RAISE: mtval. */
  readonly v: number;
  /** prd after the exit, or KEEP_PRD. */
  readonly prd: number;
}

/**
 * One test for "offset o is inside L2 and aligned to `bytes`": L2_BYTES is a power of two, so
 * the offsets outside L2 (including the negative ones, as int32) have a bit of ~(L2_BYTES - 1)
 * set; a misaligned one has a bit of (bytes - 1) set.
 */
function plainAccessMask(bytes: 1 | 2 | 4): number {
  if ((L2_BYTES & (L2_BYTES - 1)) !== 0) throw new Error(`L2_BYTES (${L2_BYTES}) must be a power of two for the translator's address test`);
  return ~(L2_BYTES - 1) | (bytes - 1);
}

/**
 * The JS source of a region. In a region, loads and stores that are not plain aligned L2
 * accesses (devices, faults, stores into translated code or onto tohost: rare) leave before the
 * access with EXIT.SLOW, and the machine executes that one instruction as a single-instruction
 * block (`single`), which calls the bus; the regions themselves stay free of calls.
 */
function generateRegion(bus: Bus, blocks: readonly Block[], single: boolean): string {
  const entryPc = blocks[0]!.startPc;
  const inRegion = new Set(blocks.map((b) => b.startPc));
  // blocks are dispatched by their index (dense small integers: V8 compiles the switch to a jump table)
  const blockIndex = new Map(blocks.map((b, i) => [b.startPc, i]));
  /** A dynamic target (jalr: function returns) inside the region continues there; others leave with pc = t. */
  const jalrTargets = `switch (t) { ${blocks.map((b, i) => `case ${b.startPc}: bi = ${i}; continue outer;`).join(' ')} }`;
  const startsWithJalr = new Set(blocks.filter((b) => b.items[0]?.d?.op === 'jalr').map((b) => b.startPc));

  // Registers live in locals (r5 ...) for the whole region; the ones written go back to x[] at the exit.
  const used = new Set<number>();
  const written = new Set<number>();
  for (const b of blocks) {
    for (const { d } of b.items) {
      if (!d) continue;
      for (const r of [d.rs1, d.rs2, d.rd]) if (r !== 0) used.add(r);
      const rd = destination(d);
      if (rd !== 0) written.add(rd);
    }
  }
  const usedEvents = new Set<number>();
  const writeback = [...written].map((r) => `x[${r}] = r${r};`).join(' ');
  /** Writes registers and counters back to the state (the epilogue; a CSR access also needs them exact). */
  const flushState = (): string => {
    const ev = [...usedEvents].sort((p, q) => p - q).map((e) => `ev[${e}] += e${e};`).join(' ');
    return `${writeback} s.cycle += cyc; s.instret += ins; ${ev}`;
  };
  // flushState is emitted before usedEvents is complete: emit a placeholder, substitute at the end
  const FLUSH = '/*@flush@*/';

  const body: string[] = [];
  const reg = (r: number): string => (r === 0 ? '0' : `r${r}`);
  const write = (rd: number, expr: string): string => (rd === 0 ? '' : `r${rd} = (${expr}) | 0;`);
  /** Static exits (row 0 unused: xi = 0 means "no table exit"). */
  const rows: ExitRow[] = [{ counts: NO_COUNTS, pc: 0, st: EXIT.CONTINUE, t: 0, v: 0, prd: KEEP_PRD }];
  /** Leaves the region through a static exit: its counts, pc and how are in the exit table. */
  const exitVia = (counts: Counts, pc: number, st: number, more: { t?: number; v?: number; prd?: number } = {}): string => {
    for (let e = 0; e < HPM_EVENT_COUNT; e++) if (counts.events[e]) usedEvents.add(e);
    rows.push({ counts, pc, st, t: more.t ?? 0, v: more.v ?? 0, prd: more.prd ?? KEEP_PRD });
    return `xi = ${rows.length - 1}; break outer;`;
  };
  /** Adds counts to the local counters (on paths that continue inside the region). */
  const accountCode = (c: Counts): string => {
    const parts: string[] = [];
    if (c.cycles) parts.push(`cyc += ${c.cycles};`);
    if (c.instret) parts.push(`ins += ${c.instret};`);
    for (let e = 0; e < HPM_EVENT_COUNT; e++) {
      const n = c.events[e]!;
      if (n) {
        usedEvents.add(e);
        parts.push(`e${e} += ${n};`);
      }
    }
    return parts.join(' ');
  };

  for (const block of blocks) {
    const { items, startPc, endPc } = block;
    const costs = staticCosts(bus, items, endPc);
    const prefixCycles: number[] = [0];
    const prefixEvents: Float64Array[] = [new Float64Array(HPM_EVENT_COUNT)];
    costs.forEach((c, k) => {
      prefixCycles.push(prefixCycles[k]! + c.cycles);
      const ev = prefixEvents[k]!.slice();
      for (const [e, n] of c.events) ev[e]! += n;
      prefixEvents.push(ev);
    });
    /** The retirement of items [0, k) (plus extras). */
    const counts = (k: number, extraCycles = 0, extraEvents: ReadonlyMap<number, number> = new Map()): Counts => {
      const events = prefixEvents[k]!.slice();
      for (const [e, n] of extraEvents) events[e]! += n;
      return { cycles: prefixCycles[k]! + extraCycles, instret: k, events };
    };
    const account = (k: number): string => accountCode(counts(k));
    const prdAfter = (k: number): number => (k ? hazardDestination(items[k - 1]!.d) : 0);
    const selfLoop = (() => {
      const last = items[items.length - 1]!;
      const kind = last.d ? SEMANTICS[last.d.op].kind : undefined;
      return last.d !== null && (kind === 'branch' || kind === 'jal') && ((last.pc + last.d.imm) | 0) === startPc;
    })();
    /** Control goes to a static target once the block's items [0, k) retired, with counts c. */
    const goTo = (target: number, fromPc: number, k: number, c: Counts): string => {
      // the common way out of a region: inline (the exit table costs ~15 loads per use, measured 15% of the CPU profile when every exit went through it)
      if (!inRegion.has(target)) return `${accountCode(c)} prd = ${prdAfter(k)}; pc = ${target}; break outer;`;
      const backward = target <= fromPc;
      const prd = startsWithJalr.has(target) || backward ? ` prd = ${prdAfter(k)};` : '';
      const budget = backward ? ` if (cyc >= lim) { ${exitVia(NO_COUNTS, target, EXIT.CONTINUE)} }` : '';
      if (selfLoop && target === startPc) return `${accountCode(c)}${prd}${budget} continue;`;
      return `${accountCode(c)}${prd} bi = ${blockIndex.get(target)!};${budget} continue outer;`;
    };

    const code: string[] = [];
    items.forEach((item, k) => {
      const { d, pc } = item;
      const nextPc = pc + item.lengthBytes;
      if (!d) {
        code.push(`/* ${hex(pc)}: illegal ${hex(item.bits)} */ ${exitVia(counts(k), pc, EXIT.RAISE, { t: CAUSE.ILLEGAL_INSTRUCTION, v: item.bits | 0 })}`);
        return;
      }
      const sem = SEMANTICS[d.op];
      const format = BASE_FORMAT.get(d.op);
      const immAsB = format === 'I' || format === 'SHIFT';
      const ops = { a: reg(d.rs1), b: immAsB ? `(${d.imm})` : reg(d.rs2), d: reg(d.rd), imm: d.imm, pc };
      /** After a bus call (single-instruction blocks only): a fault traps at this instruction. */
      const memFault = (): string => `if (bus.fault !== -1) { ${exitVia(counts(k), pc, EXIT.MEM_FAULT)} }`;
      /** Leaves before item k (a load or store) for the machine to execute it as a single-instruction block. */
      const slowExit = (k: number): string => exitVia(counts(k), pc, EXIT.SLOW, k ? { prd: prdAfter(k) } : {});
      code.push(`/* ${hex(pc)}: ${d.name} */`);
      switch (sem.kind) {
        case 'alu':
          if (d.rd !== 0) code.push(write(d.rd, sem.expr(ops)));
          break;
        case 'div':
          usedEvents.add(HPM_EVENT.MULDIV_STALL);
          code.push(`t = H.divExtra(${ops.b}, ${sem.signed}); cyc += t; e${HPM_EVENT.MULDIV_STALL} += t; ${write(d.rd, sem.expr(ops))}`);
          break;
        case 'load': {
          const bytes = sem.bytes;
          const view = bytes === 4 ? 'i32[o >> 2]' : bytes === 2 ? (sem.signed ? 'i16[o >> 1]' : 'u16[o >> 1]') : sem.signed ? 'i8[o]' : 'u8[o]';
          const offset = `o = (${reg(d.rs1)} + ${d.imm - L2_BASE}) | 0;`;
          if (!single) {
            code.push(`${offset} if ((o & ${plainAccessMask(bytes)}) !== 0) { ${slowExit(k)} } ${d.rd !== 0 ? `r${d.rd} = ${view};` : ''}`);
            break;
          }
          code.push(
            `${offset} if ((o & ${plainAccessMask(bytes)}) === 0) v = ${view};` +
              ` else { v = bus.load((${reg(d.rs1)} + ${d.imm}) | 0, ${bytes}, ${sem.signed}); ${memFault()} } ${write(d.rd, 'v')}`,
          );
          break;
        }
        case 'store': {
          const bytes = sem.bytes;
          const view = bytes === 4 ? 'i32[o >> 2]' : bytes === 2 ? 'u16[o >> 1]' : 'u8[o]';
          const offset = `o = (${reg(d.rs1)} + ${d.imm - L2_BASE}) | 0;`;
          // pf: the page holds translated code or the tohost word (bus.ts), which the bus must see
          const plain = `(o & ${plainAccessMask(bytes)}) === 0 && pf[o >> ${PAGE_SHIFT}] === 0`;
          if (!single) {
            code.push(`${offset} if (${plain}) ${view} = ${reg(d.rs2)}; else { ${slowExit(k)} }`);
            break;
          }
          code.push(
            `${offset} if (${plain}) ${view} = ${reg(d.rs2)};` +
              ` else { bus.store((${reg(d.rs1)} + ${d.imm}) | 0, ${bytes}, ${reg(d.rs2)}); ${memFault()}` +
              ` if (bus.stop !== 0) { ${exitVia(counts(k + 1), nextPc, EXIT.STOP, { prd: 0, t: STOP_KIND.BUS })} } }`,
          );
          break;
        }
        case 'branch': {
          const target = (pc + d.imm) | 0;
          const takenExtra = TIMING.branchTaken - TIMING.branchNotTaken + (isMisalignedWideTarget(bus, target) ? TIMING.misalignedTargetExtra : 0);
          const taken = goTo(target, pc, k + 1, counts(k + 1, takenExtra, new Map([[HPM_EVENT.BRANCH_TAKEN, 1]])));
          code.push(`if (${sem.cond(ops)}) { ${taken} } ${goTo(nextPc, pc, k + 1, counts(k + 1))}`);
          break;
        }
        case 'jal': {
          const target = (pc + d.imm) | 0;
          code.push(`${write(d.rd, String(nextPc))} ${goTo(target, pc, k + 1, counts(k + 1))}`);
          break;
        }
        case 'jalr': {
          // a jalr at the start of a block: the hazard depends on the instruction that retired before it (dynamic)
          if (k === 0 && d.rs1 !== 0) {
            usedEvents.add(HPM_EVENT.JMP_STALL);
            code.push(`if (prd === ${d.rs1}) { cyc += ${TIMING.jalrStall}; e${HPM_EVENT.JMP_STALL} += 1; }`);
          }
          // a dynamic target inside the region continues here (function returns); others leave through default
          code.push(
            `t = (${reg(d.rs1)} + ${d.imm}) & -2; ${write(d.rd, String(nextPc))} if ((t & 2) !== 0) cyc += H.targetExtra(t); ${account(k + 1)}` +
              ` prd = ${d.rd}; pc = t; if (cyc >= lim) break outer; ${jalrTargets} break outer;`,
          );
          break;
        }
        case 'csr': {
          const source = sem.immediate ? String(d.rs1) : reg(d.rs1);
          const writes = sem.action === 'write' || d.rs1 !== 0;
          const own = prefixCycles[k + 1]! - prefixCycles[k]!;
          // counters are exact when the CSR is read: everything goes back to the state first (rt.csr writes x[rd])
          code.push(
            `${account(k)} ${FLUSH} if (!rt.csr('${sem.action}', ${d.csr}, ${source}, ${d.rd}, ${writes}, ${own})) return rt.raise(${CAUSE.ILLEGAL_INSTRUCTION}, ${item.bits | 0}, ${pc});` +
              ` s.cycle += ${own}; s.instret += 1; rt.prevRd = ${d.rd};${item.lengthBytes === 2 ? ` ev[${HPM_EVENT.COMP_INSTR}] += 1;` : ''} s.pc = ${nextPc}; return 0;`,
          );
          break;
        }
        case 'ecall':
          code.push(exitVia(counts(k), pc, EXIT.RAISE, { t: CAUSE.ECALL_M, v: 0 }));
          break;
        case 'ebreak':
          // Vol. II §3.1.16: on a breakpoint mtval holds the address of the ebreak (as Spike and Sail do).
          code.push(exitVia(counts(k), pc, EXIT.RAISE, { t: CAUSE.BREAKPOINT, v: pc }));
          break;
        case 'mret':
          code.push(`${account(k + 1)} s.mstatus = ((s.mstatus & ${MSTATUS.MPIE}) ? ${MSTATUS.MIE} : 0) | ${MSTATUS.MPIE}; prd = 0; pc = s.mepc; break outer;`);
          break;
        case 'wfi':
          code.push(exitVia(counts(k + 1), nextPc, EXIT.STOP, { prd: 0, t: STOP_KIND.WFI }));
          break;
        case 'fence':
          break;
        case 'fence.i':
          code.push(exitVia(counts(k + 1), nextPc, EXIT.STOP, { prd: 0, t: STOP_KIND.FENCE_I }));
          break;
      }
    });
    if (!isTerminator(items[items.length - 1]!)) code.push(goTo(endPc, items[items.length - 1]!.pc, items.length, counts(items.length)));
    body.push(`case ${blockIndex.get(startPc)!}: { /* ${hex(startPc)} */`, selfLoop ? `for (;;) {\n${code.join('\n')}\n}` : code.join('\n'), `}`);
  }

  const locals = [...used].map((r) => `r${r} = x[${r}]`).join(', ');
  const events = [...usedEvents].sort((p, q) => p - q);
  const eventLocals = events.map((e) => `e${e} = 0`).join(', ');
  // the exit table: one array per field, indexed by xi (small-integer arrays, so V8 keeps them
  // unboxed); a field that no row sets is left out, with its read in the epilogue
  const fields: Array<{ name: string; local: string; value: (r: ExitRow) => number; unset: number }> = [
    { name: 'XC', local: 'cyc +=', value: (r) => r.counts.cycles, unset: 0 },
    { name: 'XI', local: 'ins +=', value: (r) => r.counts.instret, unset: 0 },
    ...events.map((e) => ({ name: `XE${e}`, local: `e${e} +=`, value: (r: ExitRow) => r.counts.events[e]!, unset: 0 })),
    { name: 'XP', local: 'pc =', value: (r) => r.pc, unset: Number.NaN },
    { name: 'XS', local: 'st =', value: (r) => r.st, unset: EXIT.CONTINUE },
    { name: 'XT', local: 't =', value: (r) => r.t, unset: 0 },
    { name: 'XV', local: 'v =', value: (r) => r.v, unset: 0 },
  ];
  const present = fields.filter((f) => rows.slice(1).some((r) => f.value(r) !== f.unset));
  const tables = present.map((f) => `const ${f.name} = [${rows.map(f.value).join(', ')}];`);
  const setsPrd = rows.slice(1).some((r) => r.prd !== KEEP_PRD);
  if (setsPrd) tables.push(`const XD = [${rows.map((r) => r.prd).join(', ')}];`);
  const fromTable =
    rows.length > 1
      ? `if (xi !== 0) { ${present.map((f) => `${f.local} ${f.name}[xi];`).join(' ')}${setsPrd ? ` if (XD[xi] !== ${KEEP_PRD}) prd = XD[xi];` : ''} }`
      : '';
  const text = [
    `"use strict";`,
    `const s = rt.s, x = s.x, ev = s.events, bus = rt.bus, H = rt.H;`,
    `const i32 = bus.i32, i16 = bus.i16, u16 = bus.u16, i8 = bus.i8, u8 = bus.u8, pf = bus.pageFlags;`,
    ...tables,
    `return function region_${(entryPc >>> 0).toString(16)}() {`,
    `let o = 0, v = 0, t = 0, cyc = 0, ins = 0, xi = 0, st = ${EXIT.CONTINUE}, prd = rt.prevRd, pc = ${entryPc}, bi = 0;`,
    eventLocals ? `let ${eventLocals};` : '',
    `const lim = s.cycleLimit - s.cycle;`,
    locals ? `let ${locals};` : '',
    `outer: for (;;) {`,
    `switch (bi) {`,
    ...body,
    `default: break outer;`,
    `}`,
    `}`,
    fromTable,
    `${FLUSH} rt.prevRd = prd;`,
    `if (st === ${EXIT.CONTINUE}) { s.pc = pc; return 0; }`,
    `if (st === ${EXIT.MEM_FAULT}) return rt.memFault(pc);`,
    `if (st === ${EXIT.RAISE}) return rt.raise(t, v, pc);`,
    `if (st === ${EXIT.SLOW}) { s.pc = pc; return ${BLOCK_RESULT.SLOW_PATH}; }`,
    `s.pc = pc; rt.stopKind = t; return 1;`,
    `};`,
  ].join('\n');
  return text.split(FLUSH).join(flushState());
}
