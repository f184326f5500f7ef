// Test helpers: tiny programs assembled with the table-driven assembler, run on a fresh
// machine, with a step limit that fails instead of hanging (avr8js's runUntil).
import { L2_BASE } from '../../../../device-sim/memory-map.ts';
import { assemble } from '../../../../device-sim/iss/assembler.ts';
import { Machine, type RunResult } from '../../../../device-sim/iss/machine.ts';

export const BASE = L2_BASE;

export interface Loaded {
  readonly m: Machine;
  readonly symbols: ReadonlyMap<string, number>;
  readonly uart: number[];
  readonly warnings: string[];
}

/** Assembles `source` at the start of L2 and loads it (pc = first instruction). */
export function load(source: string, options: { maxBlockInstructions?: number } = {}): Loaded {
  const uart: number[] = [];
  const warnings: string[] = [];
  const m = new Machine({ onUartByte: (b) => uart.push(b), warn: (w) => warnings.push(w), ...options });
  const a = assemble(source, BASE);
  m.loadBytes(BASE, a.bytes);
  return { m, symbols: a.symbols, uart, warnings };
}

/** Steps until `predicate` holds; throws after maxSteps (never hangs). Returns the steps taken. */
export function runUntil(m: Machine, predicate: (m: Machine) => boolean, maxSteps: number): number {
  for (let steps = 0; steps < maxSteps; steps++) {
    if (predicate(m)) return steps;
    const r = m.step();
    if (r.reason !== 'step' && !predicate(m)) throw new Error(`run stopped (${JSON.stringify(r)}) before the predicate held`);
  }
  if (predicate(m)) return maxSteps;
  throw new Error(`predicate still false after ${maxSteps} steps (pc 0x${(m.s.pc >>> 0).toString(16)})`);
}

/** Runs a program that ends with `ebreak` (no handler): returns the registers; fails on any other ending. */
export function runToEbreak(source: string, maxCycles = 100_000): Loaded & { result: RunResult } {
  const loaded = load(source);
  const result = loaded.m.run(maxCycles);
  if (result.reason !== 'trap' || result.cause !== 3) throw new Error(`expected the closing ebreak, got ${JSON.stringify(result)}`);
  return { ...loaded, result };
}

/** Same program stepped one instruction at a time: must end in the same state (the two paths share the semantics). */
export function stepToEbreak(source: string, maxSteps = 100_000): Loaded {
  const loaded = load(source);
  runUntil(loaded.m, atEbreak, maxSteps);
  return loaded;
}

/** Is the next instruction a 32-bit ebreak? */
export function atEbreak(m: Machine): boolean {
  return m.bus.fetchable(m.s.pc, 4) && m.bus.fetch16(m.s.pc) === 0x0073 && m.bus.fetch16(m.s.pc + 2) === 0x0010;
}

export const reg = (m: Machine, r: number): number => m.s.x[r]!;
export const ureg = (m: Machine, r: number): number => m.s.x[r]! >>> 0;
