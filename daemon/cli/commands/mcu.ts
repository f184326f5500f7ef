// `har-gateway mcu run <elf>`: runs any ELF32 RISC-V program on the emulated MCU
// (device-sim/iss), the way firmware authors debug: UART output to stdout, cycles and instret
// to stderr, and an exit code that reflects how the program ended (issue 4 §1):
//   exit device           -> the code written (0..255; a nonzero code that is 0 mod 256 gives 1)
//   tohost (riscv-tests)  -> 0 when tohost = 1 (pass), else the failing test number (tohost >> 1)
//   ecall / ebreak without a trap handler (mtvec = 0) -> a0, as an exit code
//   other unhandled trap  -> 125 (cause, pc and mtval on stderr)
//   cycle budget exhausted -> 124;  wfi with nothing to wake the core -> 123
//   unreadable or malformed ELF, missing signature symbols -> 1
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ElfError } from '../../../device-sim/iss/elf.ts';
import { Machine, type RunResult } from '../../../device-sim/iss/machine.ts';
import { ABI_NAMES, CAUSE } from '../../../device-sim/iss/state.ts';
import { activeEnergyUj, cyclesToUs, DEFAULT_ENERGY_PROFILE, energyPerCyclePj, energyProfile, EnergyProfileError } from '../../../device-sim/timing/energy.ts';
import { CliExit } from '../exit.ts';

export const MCU_EXIT = { BUDGET: 124, TRAP: 125, WFI: 123, INPUT: 1 } as const;
const DEFAULT_MAX_CYCLES = 1_000_000_000;
/** Trace mode steps one instruction at a time; cap its default budget so a forgotten loop does not flood the terminal. */
const DEFAULT_TRACE_MAX_CYCLES = 1_000_000;

interface McuRunOptions {
  maxCycles?: string;
  trace?: boolean;
  signature?: string;
  profile: string;
}

/** Maps a program's exit value to a process exit code without turning a failure into success. */
export function exitCodeOf(value: number): number {
  const v = value | 0;
  if (v === 0) return 0;
  return v & 0xff || 1;
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** Buffers UART bytes so a chatty program does not make one write per byte. */
class ConsoleSink {
  private bytes: number[] = [];
  private readonly write: (chunk: Uint8Array) => void;
  constructor(write: (chunk: Uint8Array) => void) {
    this.write = write;
  }
  push(byte: number): void {
    this.bytes.push(byte);
    if (byte === 10 || this.bytes.length >= 4096) this.flush();
  }
  flush(): void {
    if (this.bytes.length === 0) return;
    this.write(Uint8Array.from(this.bytes));
    this.bytes = [];
  }
}

function parseMaxCycles(text: string | undefined, trace: boolean): number {
  if (text === undefined) return trace ? DEFAULT_TRACE_MAX_CYCLES : DEFAULT_MAX_CYCLES;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliExit(MCU_EXIT.INPUT, `har-gateway mcu run: --max-cycles must be a positive integer, got "${text}"`);
  return n;
}

export async function mcuRun(elfPath: string, options: McuRunOptions): Promise<number> {
  const trace = options.trace === true;
  const maxCycles = parseMaxCycles(options.maxCycles, trace);
  let profile;
  try {
    profile = energyProfile(options.profile);
  } catch (err) {
    if (err instanceof EnergyProfileError) throw new CliExit(MCU_EXIT.INPUT, `har-gateway mcu run: ${err.message}`);
    throw err;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(elfPath);
  } catch (err) {
    throw new CliExit(MCU_EXIT.INPUT, `har-gateway mcu run: cannot read ${elfPath}: ${(err as Error).message}`);
  }
  const consoleSink = new ConsoleSink((chunk) => process.stdout.write(chunk));
  const warnings: string[] = [];
  const machine = new Machine({ onUartByte: (b) => consoleSink.push(b), warn: (m) => warnings.push(m) });
  try {
    machine.loadElf(bytes);
  } catch (err) {
    if (err instanceof ElfError) throw new CliExit(MCU_EXIT.INPUT, `har-gateway mcu run: ${elfPath}: ${err.message} (${err.code})`);
    throw err;
  }
  let signature: { begin: number; end: number } | null = null;
  if (options.signature !== undefined) {
    const begin = machine.symbols.get('begin_signature');
    const end = machine.symbols.get('end_signature');
    if (begin === undefined || end === undefined || end < begin) {
      throw new CliExit(MCU_EXIT.INPUT, `har-gateway mcu run: --signature needs the symbols begin_signature and end_signature in ${elfPath}`);
    }
    signature = { begin, end };
  }

  const result = trace ? runTraced(machine, maxCycles, consoleSink) : machine.run(maxCycles);
  consoleSink.flush();
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));

  if (signature) {
    const words: string[] = [];
    for (let a = signature.begin; a + 4 <= signature.end; a += 4) words.push(hex8(machine.bus.read32(a)));
    writeFileSync(options.signature!, words.map((w) => `${w}\n`).join(''));
  }

  const s = machine.s;
  const { text, exitCode } = describe(result, machine);
  const cpi = s.instret > 0 ? (s.cycle / s.instret).toFixed(3) : '-';
  const lines = [
    `mcu: ${text}`,
    `mcu: cycles ${s.cycle}, instret ${s.instret} (CPI ${cpi})`,
    `mcu: ${cyclesToUs(s.cycle, profile).toFixed(3)} us at ${profile.clockHz / 1e6} MHz, ${activeEnergyUj(s.cycle, profile).toFixed(4)} uJ (${profile.id}, ${energyPerCyclePj(profile).toFixed(2)} pJ/cycle)`,
  ];
  const stats = machine.busStats;
  if (stats.unmappedAccesses || stats.unimplementedRegisterAccesses) {
    lines.push(`mcu: ${stats.unmappedAccesses} unmapped and ${stats.unimplementedRegisterAccesses} unimplemented-register accesses`);
    for (const w of warnings) lines.push(`mcu: warning: ${w}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  return exitCode;
}

function describe(result: RunResult, machine: Machine): { text: string; exitCode: number } {
  const a0 = machine.s.x[10]! | 0;
  switch (result.reason) {
    case 'halt':
      return { text: `halted by the exit device with code ${result.exitCode}`, exitCode: exitCodeOf(result.exitCode) };
    case 'tohost':
      return result.value === 1
        ? { text: 'tohost = 1 (pass)', exitCode: 0 }
        : { text: `tohost = ${result.value} (test ${result.value >>> 1} failed)`, exitCode: exitCodeOf(result.value >>> 1) };
    case 'trap':
      if (result.cause === CAUSE.ECALL_M || result.cause === CAUSE.BREAKPOINT) {
        const what = result.cause === CAUSE.ECALL_M ? 'ecall' : 'ebreak';
        return { text: `${what} at 0x${hex8(result.pc)} with no trap handler: exit with a0 = ${a0}`, exitCode: exitCodeOf(a0) };
      }
      return {
        text: `unhandled trap: ${result.causeName} (mcause ${result.cause}) at pc 0x${hex8(result.pc)}, mtval 0x${hex8(result.tval)}`,
        exitCode: MCU_EXIT.TRAP,
      };
    case 'budget':
      return { text: `cycle budget exhausted at pc 0x${hex8(machine.s.pc)}`, exitCode: MCU_EXIT.BUDGET };
    case 'wfi':
      return { text: `stopped at wfi (pc 0x${hex8(machine.s.pc)}): no interrupt source can wake the core`, exitCode: MCU_EXIT.WFI };
    case 'step':
      return { text: 'stopped', exitCode: 0 };
  }
}

function runTraced(machine: Machine, maxCycles: number, consoleSink: ConsoleSink): RunResult {
  const limit = machine.s.cycle + maxCycles;
  const out: string[] = [];
  const flush = (): void => {
    consoleSink.flush();
    if (out.length) process.stderr.write(`${out.join('\n')}\n`);
    out.length = 0;
  };
  for (;;) {
    if (machine.s.cycle >= limit) {
      flush();
      return { reason: 'budget' };
    }
    const t = machine.traceStep();
    const bits = t.lengthBytes === 2 ? (t.bits & 0xffff).toString(16).padStart(4, '0').padEnd(8, ' ') : hex8(t.bits);
    const writes = t.writes.map(([r, v]) => `${ABI_NAMES[r]}=0x${hex8(v)}`).join(' ');
    out.push(`${hex8(t.pc)}  ${bits}  ${t.text.padEnd(32)} ${writes}`.trimEnd());
    if (out.length >= 256) flush();
    if (t.result.reason !== 'step') {
      flush();
      return t.result;
    }
  }
}

export function registerMcu(program: Command): void {
  const mcu = program.command('mcu').description('the emulated RISC-V MCU (RV32IMC + custom dot products, CV32E40P timing)');
  mcu
    .command('run')
    .description(
      'run an ELF32 program: UART to stdout; ends at the exit device, ecall/ebreak without a handler, or a write to tohost. ' +
        'Exit code: the program\'s (exit device, a0 at ecall/ebreak, tohost >> 1), 124 budget, 125 unhandled trap, 123 wfi, 1 bad input',
    )
    .argument('<elf>', 'ELF32 little-endian RISC-V executable linked for the L2 at 0x1C000000')
    .option('--max-cycles <n>', `cycle budget (default ${DEFAULT_MAX_CYCLES}; ${DEFAULT_TRACE_MAX_CYCLES} with --trace)`)
    .option('--trace', 'print pc, instruction and register writes per step (to stderr)')
    .option('--signature <file>', 'write the words between begin_signature and end_signature as hex lines (riscv-arch-test)')
    .option('--profile <id>', 'energy profile for the printed time and energy', DEFAULT_ENERGY_PROFILE)
    .action(async (elf: string, options: McuRunOptions) => {
      process.exitCode = await mcuRun(elf, options);
    });
}
