// The translator: a basic block of decoded instructions -> one JavaScript function (built with
// `new Function`), with the semantics bodies of semantics.ts spliced in, memory fast paths for
// L2, precise traps, and the cycle model's static costs summed per exit point. A block whose
// last instruction branches back to its own start becomes a loop inside the function (the
// inner loops of the kernels), checking the cycle budget once per iteration.
//
// Invariants:
//  - at every exit the counters (cycle, instret, events) include exactly the retired
//    instructions, and s.pc is the next instruction to execute (or the trap handler);
//  - an instruction that traps does not retire (Vol. II §3.1.11, minstret);
//  - stores that hit a page with translated code, a device or tohost take the slow path and
//    may end the block right after the store (self-modifying code, halt, tohost).
import { L2_BASE, L2_BYTES } from '../memory-map.ts';
import { baseCycles, HPM_EVENT, HPM_EVENT_COUNT, TIMING } from '../timing/cycle-model.ts';
import type { Bus } from './bus.ts';
import { PAGE_SHIFT } from './bus.ts';
import { BASE_FORMAT, decode, instructionLength, sourceRegisters, type Decoded } from './decode.ts';
import { SEMANTICS } from './semantics.ts';
import { CAUSE, MSTATUS } from './state.ts';

/** Why a block returned 1 (rt.stopKind). */
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
  /** Address after the last instruction. */
  readonly endPc: number;
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

/** Translates the block starting at pc; undefined when pc cannot be fetched (instruction access fault). */
export function translateBlock(rt: BlockRuntime, pc: number, maxInstructions: number): TranslatedBlock | undefined {
  const bus = rt.bus;
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
  if (items.length === 0) return undefined;
  const source = generate(bus, items, next);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the translator's purpose: blocks become JS functions
  const factory = new Function('rt', source) as (rt: BlockRuntime) => BlockFn;
  return { fn: factory(rt), startPc: pc, endPc: next, instructions: items.length, source };
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

function generate(bus: Bus, items: readonly Item[], endPc: number): string {
  const startPc = items[0]!.pc;
  const costs = staticCosts(bus, items, endPc);
  // prefix sums: retiring items [0, k)
  const prefixCycles: number[] = [0];
  const prefixEvents: Float64Array[] = [new Float64Array(HPM_EVENT_COUNT)];
  costs.forEach((c, k) => {
    prefixCycles.push(prefixCycles[k]! + c.cycles);
    const ev = prefixEvents[k]!.slice();
    for (const [e, n] of c.events) ev[e]! += n;
    prefixEvents.push(ev);
  });
  const n = items.length;
  const last = items[n - 1]!;
  const lastSem = last.d ? SEMANTICS[last.d.op] : undefined;
  const loops =
    last.d !== null &&
    (lastSem?.kind === 'branch' || lastSem?.kind === 'jal') &&
    ((last.pc + last.d.imm) | 0) === startPc;

  // Registers live in locals (r5 ...) inside the block; the ones written go back to x[] at every exit.
  const used = new Set<number>();
  const written = new Set<number>();
  for (const { d } of items) {
    if (!d) continue;
    for (const r of [d.rs1, d.rs2, d.rd]) if (r !== 0) used.add(r);
    const rd = destination(d);
    if (rd !== 0) written.add(rd);
  }
  const writeback = [...written].map((r) => `x[${r}] = r${r};`).join(' ');

  // One loop iteration's static cost (the taken path back to the start).
  const loopTakenExtra =
    lastSem?.kind === 'branch'
      ? TIMING.branchTaken - TIMING.branchNotTaken + (isMisalignedWideTarget(bus, startPc) ? TIMING.misalignedTargetExtra : 0)
      : 0;
  const iterationCycles = prefixCycles[n]! + loopTakenExtra;
  const iterationEvents = prefixEvents[n]!.slice();
  if (lastSem?.kind === 'branch') iterationEvents[HPM_EVENT.BRANCH_TAKEN]! += 1;

  /**
   * Everything an exit after retiring items [0, k) of the current pass must do: write the
   * registers back, add the counters (completed loop iterations `it`, dynamic cycles `cyc`,
   * the static prefix) and record the hazard state.
   */
  const flush = (k: number, extraCycles = 0, extraEvents: ReadonlyMap<number, number> = new Map()): string => {
    const parts: string[] = [];
    if (writeback) parts.push(writeback);
    const cycles = prefixCycles[k]! + extraCycles;
    parts.push(`s.cycle += cyc${cycles ? ` + ${cycles}` : ''};`);
    const instret = loops ? `it * ${n}${k ? ` + ${k}` : ''}` : String(k);
    if (loops || k) parts.push(`s.instret += ${instret};`);
    const ev = prefixEvents[k]!;
    for (let e = 0; e < HPM_EVENT_COUNT; e++) {
      const fixed = ev[e]! + (extraEvents.get(e) ?? 0);
      const perIteration = loops ? iterationEvents[e]! : 0;
      if (perIteration && fixed) parts.push(`ev[${e}] += it * ${perIteration} + ${fixed};`);
      else if (perIteration) parts.push(`ev[${e}] += it * ${perIteration};`);
      else if (fixed) parts.push(`ev[${e}] += ${fixed};`);
    }
    // the jalr hazard of the next block's first instruction depends on what retired last
    if (k) parts.push(`rt.prevRd = ${hazardDestination(items[k - 1]!.d)};`);
    else if (loops) parts.push(`if (it) rt.prevRd = ${hazardDestination(last.d)};`);
    return parts.join(' ');
  };

  const body: string[] = [];
  const reg = (r: number): string => (r === 0 ? '0' : `r${r}`);
  const write = (rd: number, expr: string): string => (rd === 0 ? '' : `r${rd} = (${expr}) | 0;`);
  // the taken path of the closing branch/jump of a loop block: count the iteration, check the budget, go round
  const nextIteration = `cyc += ${iterationCycles}; it++; if (cyc >= lim) { ${flush(0)} s.pc = ${startPc}; return 0; } continue;`;

  items.forEach((item, k) => {
    const { d, pc } = item;
    const nextPc = pc + item.lengthBytes;
    if (!d) {
      body.push(`/* ${hex(pc)}: illegal ${hex(item.bits)} */ ${flush(k)} return rt.raise(${CAUSE.ILLEGAL_INSTRUCTION}, ${item.bits | 0}, ${pc});`);
      return;
    }
    const sem = SEMANTICS[d.op];
    const format = BASE_FORMAT.get(d.op);
    const immAsB = format === 'I' || format === 'SHIFT';
    const ops = { a: reg(d.rs1), b: immAsB ? `(${d.imm})` : reg(d.rs2), d: reg(d.rd), imm: d.imm, pc };
    const memFault = `if (bus.fault !== -1) { ${flush(k)} return rt.memFault(${pc}); }`;
    body.push(`/* ${hex(pc)}: ${d.name} */`);
    switch (sem.kind) {
      case 'alu':
        if (d.rd !== 0) body.push(write(d.rd, sem.expr(ops)));
        break;
      case 'div':
        body.push(`t = H.divExtra(${ops.b}, ${sem.signed}); cyc += t; ev[${HPM_EVENT.MULDIV_STALL}] += t; ${write(d.rd, sem.expr(ops))}`);
        break;
      case 'load': {
        const bytes = sem.bytes;
        const view = bytes === 4 ? 'i32[o >>> 2]' : bytes === 2 ? (sem.signed ? 'i16[o >>> 1]' : 'u16[o >>> 1]') : sem.signed ? 'i8[o]' : 'u8[o]';
        const aligned = bytes === 1 ? '' : ` && (o & ${bytes - 1}) === 0`;
        body.push(
          `a = (${reg(d.rs1)} + ${d.imm}) | 0; o = a - ${L2_BASE};` +
            ` if ((o >>> 0) < ${L2_BYTES}${aligned}) v = ${view}; else { v = bus.load(a, ${bytes}, ${sem.signed}); ${memFault} }` +
            ` ${write(d.rd, 'v')}`,
        );
        break;
      }
      case 'store': {
        const bytes = sem.bytes;
        const view = bytes === 4 ? 'i32[o >>> 2]' : bytes === 2 ? 'u16[o >>> 1]' : 'u8[o]';
        const aligned = bytes === 1 ? '' : ` && (o & ${bytes - 1}) === 0`;
        body.push(
          `a = (${reg(d.rs1)} + ${d.imm}) | 0; o = a - ${L2_BASE};` +
            ` if ((o >>> 0) < ${L2_BYTES}${aligned} && pf[o >>> ${PAGE_SHIFT}] === 0) ${view} = ${reg(d.rs2)};` +
            ` else { bus.store(a, ${bytes}, ${reg(d.rs2)}); ${memFault}` +
            ` if (bus.stop !== 0) { ${flush(k + 1)} s.pc = ${nextPc}; rt.stopKind = ${STOP_KIND.BUS}; return 1; } }`,
        );
        break;
      }
      case 'branch': {
        const target = (pc + d.imm) | 0;
        const takenExtra = TIMING.branchTaken - TIMING.branchNotTaken + (isMisalignedWideTarget(bus, target) ? TIMING.misalignedTargetExtra : 0);
        const taken = loops ? nextIteration : `${flush(k + 1, takenExtra, new Map([[HPM_EVENT.BRANCH_TAKEN, 1]]))} s.pc = ${target}; return 0;`;
        body.push(`if (${sem.cond(ops)}) { ${taken} } ${flush(k + 1)} s.pc = ${nextPc}; return 0;`);
        break;
      }
      case 'jal': {
        const target = (pc + d.imm) | 0;
        const go = loops ? nextIteration : `${flush(k + 1)} s.pc = ${target}; return 0;`;
        body.push(`${write(d.rd, String(nextPc))} ${go}`);
        break;
      }
      case 'jalr':
        // a jalr at the start of a block: the hazard depends on the instruction that retired before it (dynamic)
        if (k === 0 && d.rs1 !== 0) body.push(`if (rt.prevRd === ${d.rs1}) { cyc += ${TIMING.jalrStall}; ev[${HPM_EVENT.JMP_STALL}] += 1; }`);
        body.push(`t = (${reg(d.rs1)} + ${d.imm}) & -2; ${write(d.rd, String(nextPc))} cyc += H.targetExtra(t); ${flush(k + 1)} s.pc = t; return 0;`);
        break;
      case 'csr': {
        const source = sem.immediate ? String(d.rs1) : reg(d.rs1);
        const writes = sem.action === 'write' || d.rs1 !== 0;
        const own = prefixCycles[k + 1]! - prefixCycles[k]!;
        // counters are exact when the CSR is read: flush first (x[] is written back too: rt.csr writes x[rd])
        body.push(
          `${flush(k)} if (!rt.csr('${sem.action}', ${d.csr}, ${source}, ${d.rd}, ${writes}, ${own})) return rt.raise(${CAUSE.ILLEGAL_INSTRUCTION}, ${item.bits | 0}, ${pc});` +
            ` s.cycle += ${own}; s.instret += 1; rt.prevRd = ${d.rd};${item.lengthBytes === 2 ? ` ev[${HPM_EVENT.COMP_INSTR}] += 1;` : ''} s.pc = ${nextPc}; return 0;`,
        );
        break;
      }
      case 'ecall':
        body.push(`${flush(k)} return rt.raise(${CAUSE.ECALL_M}, 0, ${pc});`);
        break;
      case 'ebreak':
        // Vol. II §3.1.16: on a breakpoint mtval holds the address of the ebreak (as Spike and Sail do).
        body.push(`${flush(k)} return rt.raise(${CAUSE.BREAKPOINT}, ${pc}, ${pc});`);
        break;
      case 'mret':
        body.push(`${flush(k + 1)} s.mstatus = ((s.mstatus & ${MSTATUS.MPIE}) ? ${MSTATUS.MIE} : 0) | ${MSTATUS.MPIE}; s.pc = s.mepc; return 0;`);
        break;
      case 'wfi':
        body.push(`${flush(k + 1)} s.pc = ${nextPc}; rt.stopKind = ${STOP_KIND.WFI}; return 1;`);
        break;
      case 'fence':
        break;
      case 'fence.i':
        body.push(`${flush(k + 1)} s.pc = ${nextPc}; rt.stopKind = ${STOP_KIND.FENCE_I}; return 1;`);
        break;
    }
  });
  if (!isTerminator(last)) body.push(`${flush(n)} s.pc = ${endPc}; return 0;`);

  const inner = loops ? `for (;;) {\n${body.join('\n')}\n}` : body.join('\n');
  const locals = [...used].map((r) => `r${r} = x[${r}]`).join(', ');
  return [
    `"use strict";`,
    `const s = rt.s, x = s.x, ev = s.events, bus = rt.bus, H = rt.H;`,
    `const i32 = bus.i32, i16 = bus.i16, u16 = bus.u16, i8 = bus.i8, u8 = bus.u8, pf = bus.pageFlags;`,
    `return function block_${(startPc >>> 0).toString(16)}() {`,
    `let a = 0, o = 0, v = 0, t = 0, cyc = 0, it = 0;`,
    loops ? `const lim = s.cycleLimit - s.cycle;` : '',
    locals ? `let ${locals};` : '',
    inner,
    `};`,
  ].join('\n');
}
