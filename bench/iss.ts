// `har-gateway bench iss [--json] [--seconds S] [--no-qemu] [--no-kernels] [--no-firmware]
//                        [--firmware <elf>] [--model <zoo id>]`: emulation speed of the ISS.
// --firmware pins the firmware image (default: the committed device-sim/firmware/build image),
// so that before/after figures can be compared on the same instructions while the firmware
// changes; --model picks the zoo model of the inference workload (default: the zoo's default).
//
// Workloads (built with the table-driven assembler, so the bench needs no cross-compiler):
//   conv-dot8  an 8-bit conv-like inner loop on the custom SIMD dot product (4 MAC/instruction),
//              the shape of the firmware's optimized kernels; ISS only (QEMU lacks the opcode);
//   conv-rv32im  the same computation with lb/mul/add (RV32IM only), run on the ISS and, when
//              qemu-system-riscv32 is installed, under `qemu-system-riscv32 -machine spike
//              -bios none -kernel x.elf -nographic` (HTIF tohost exit) on the same instructions:
//              the ratio ISS MIPS / QEMU MIPS is printed. QEMU's time excludes its start-up,
//              measured separately with an empty program.
//   inference  the real firmware (device-sim/firmware/build) on the twin with the zoo's default
//              model, both kernel sets: windows/s and MIPS after a warm-up that lasts until
//              the rate settles (V8 optimizes the translated code over the first CPU-seconds;
//              the first windows are much slower); the warm-up's length is printed.
// MIPS = retired instructions / seconds of Machine.run (translation included). Both wall-clock
// and this process's CPU time are printed: on a shared machine the CPU figure is the one that
// means "one core"; the target is checked on it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../device-sim/iss/assembler.ts';
import { writeElf } from '../device-sim/iss/elf-writer.ts';
import { Machine } from '../device-sim/iss/machine.ts';
import { L2_BASE } from '../device-sim/memory-map.ts';
import { createIssCore, createTwin, loadFirmwareImage, resolveTwinProfile, type KernelSet } from '../device-sim/twin/index.ts';
import { loadZooModel } from '../models/zoo/index.ts';

const QEMU = 'qemu-system-riscv32';
const QEMU_SPIKE_RAM = 0x8000_0000;
/** Output channels x input taps of the conv-like kernel (bytes of weights per output = TAPS). */
const OUTPUTS = 64;
const TAPS = 256;

interface Workload {
  readonly name: string;
  readonly description: string;
  readonly source: (repetitions: number) => string;
  readonly qemu: boolean;
}

/** Data shared by both kernels: activations and weights (deterministic pseudo-random bytes). */
function dataSection(): string {
  let seed = 12345;
  const byte = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 16) & 0xff;
  };
  const words = (n: number): string =>
    Array.from({ length: n }, () => `.word ${byte() | (byte() << 8) | (byte() << 16) | (byte() << 24)}`).join('\n');
  // data on its own 4 KiB page: QEMU (like any translator) slows down badly when stores hit a page holding code
  return `
    .align 4096
  act:
    ${words((TAPS + OUTPUTS * 4) / 4)}
  weights:
    ${words(TAPS / 4)}
  out:
    .space ${OUTPUTS * 4}
    .align 4096   // QEMU maps its HTIF device over the page of tohost: keep the data off it
  tohost:
    .word 0, 0
  fromhost:
    .word 0, 0`;
}

const prologue = (repetitions: number): string => `
    li s5, ${repetitions}
  rep:
    la s0, act
    la s2, out
    li s3, ${OUTPUTS}`;

const epilogue = `
    addi s5, s5, -1
    bne s5, x0, rep
    la t0, tohost
    li t1, 1
    sw t1, 0(t0)
    sw x0, 4(t0)
  hang:
    j hang`;

const WORKLOADS: readonly Workload[] = [
  {
    name: 'conv-dot8',
    description: `8-bit conv-like kernel, ${OUTPUTS} outputs x ${TAPS} taps, custom dot.b.ss (4 MAC/instr)`,
    qemu: false,
    source: (repetitions) => `${prologue(repetitions)}
  outer:
    mv a0, s0
    la a1, weights
    li a2, ${TAPS / 8}
    li a3, 0
  inner:
    lw t0, 0(a0)
    lw t1, 0(a1)
    lw t2, 4(a0)
    lw t3, 4(a1)
    dot.b.ss a3, t0, t1
    dot.b.ss a3, t2, t3
    addi a0, a0, 8
    addi a1, a1, 8
    addi a2, a2, -1
    bne a2, x0, inner
    srai a3, a3, 8
    sw a3, 0(s2)
    addi s2, s2, 4
    addi s0, s0, 4
    addi s3, s3, -1
    bne s3, x0, outer
  ${epilogue}
  ${dataSection()}`,
  },
  {
    name: 'conv-rv32im',
    description: `the same kernel with lb/mul/add (RV32IM, 1 MAC per 4 instructions)`,
    qemu: true,
    source: (repetitions) => `${prologue(repetitions)}
  outer:
    mv a0, s0
    la a1, weights
    li a2, ${TAPS / 2}
    li a3, 0
  inner:
    lb t0, 0(a0)
    lb t1, 0(a1)
    lb t2, 1(a0)
    lb t3, 1(a1)
    mul t0, t0, t1
    mul t2, t2, t3
    add a3, a3, t0
    add a3, a3, t2
    addi a0, a0, 2
    addi a1, a1, 2
    addi a2, a2, -1
    bne a2, x0, inner
    srai a3, a3, 8
    sw a3, 0(s2)
    addi s2, s2, 4
    addi s0, s0, 4
    addi s3, s3, -1
    bne s3, x0, outer
  ${epilogue}
  ${dataSection()}`,
  },
];

interface IssFigure {
  workload: string;
  description: string;
  instructions: number;
  cycles: number;
  /** CPU seconds of this process. */
  seconds: number;
  wallSeconds: number;
  /** Per CPU-second. */
  mips: number;
  mipsWall: number;
  cpi: number;
  qemu?: { seconds: number; mips: number; startupSeconds: number; ratio: number; wallSeconds: number } | { skipped: string };
}

function image(source: string, base: number): { elf: Uint8Array; tohost: number } {
  const a = assemble(source, base);
  const tohost = a.symbols.get('tohost')!;
  const elf = writeElf({
    entry: base,
    segments: [{ address: base, data: a.bytes, flags: 7 }],
    symbols: { tohost: { value: tohost, size: 8 }, fromhost: { value: a.symbols.get('fromhost')!, size: 8 } },
  });
  return { elf, tohost };
}

function runIss(workload: Workload, repetitions: number): { instructions: number; cycles: number; seconds: number; wallSeconds: number } {
  const m = new Machine();
  m.loadElf(image(workload.source(repetitions), L2_BASE).elf);
  const t0 = process.hrtime.bigint();
  const cpu0 = cpuSeconds();
  const r = m.run(Number.MAX_SAFE_INTEGER);
  const seconds = cpuSeconds() - cpu0;
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.reason !== 'tohost' || r.value !== 1) throw new Error(`${workload.name}: unexpected end ${JSON.stringify(r)}`);
  return { instructions: m.s.instret, cycles: m.s.cycle, seconds, wallSeconds };
}

function qemuAvailable(): boolean {
  try {
    execFileSync(QEMU, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs QEMU under bash so `times` reports its CPU seconds (children user + system); returns [wall, cpu]. */
function runQemu(elf: Uint8Array, dir: string, name: string): { wallSeconds: number; cpuSeconds: number } {
  const path = join(dir, `${name}.elf`);
  writeFileSync(path, elf);
  const t0 = process.hrtime.bigint();
  const script = '"$@"; status=$?; times >&2; exit $status';
  const r = spawnSync('bash', ['-c', script, 'qemu', QEMU, '-machine', 'spike', '-bios', 'none', '-kernel', path, '-nographic', '-monitor', 'none', '-serial', 'none'], { timeout: 300_000 });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${QEMU} exited with ${r.status ?? r.signal}: ${r.stderr.toString()}`);
  // `times` prints two lines: the shell's user/system, then its children's (e.g. "0m6.120s 0m0.050s")
  const lines = r.stderr.toString().trim().split('\n');
  const children = lines[lines.length - 1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { wallSeconds, cpuSeconds: seconds };
}

interface InferenceFigure {
  kernelSet: KernelSet;
  model: string;
  windows: number;
  instructionsPerWindow: number;
  cyclesPerWindow: number;
  wallSeconds: number;
  cpuSeconds: number;
  windowsPerSecondWall: number;
  windowsPerSecondCpu: number;
  mipsWall: number;
  mipsCpu: number;
  /** CPU seconds and windows run before timing, and whether the rate had settled by then. */
  warmUpCpuSeconds: number;
  warmUpWindows: number;
  warmUpSteady: boolean;
}

/**
 * Warm-up of the inference workload. V8 runs a fresh region in its interpreter, then baseline
 * code, and optimizes it on a compiler thread whose CPU time this process pays: on this machine
 * the firmware reaches its steady speed after 3-5 CPU-seconds (less on an idle machine). The
 * warm-up runs slices of WARM_SLICE_CPU_SECONDS until WARM_STABLE_SLICES consecutive slices
 * agree within WARM_STABLE_FRACTION (after at least WARM_MIN_CPU_SECONDS, at most
 * WARM_MAX_CPU_SECONDS) and reports how long it took, so that the timed part measures the
 * steady speed. (Two slices were not enough: a slow tier-up can look flat for a second.)
 */
const WARM_SLICE_CPU_SECONDS = 0.5;
const WARM_STABLE_SLICES = 3;
const WARM_STABLE_FRACTION = 0.05;
const WARM_MIN_CPU_SECONDS = 3;
const WARM_MAX_CPU_SECONDS = 12;

function warmUp(runWindow: () => number): { cpuSeconds: number; windows: number; steady: boolean } {
  const start = cpuSeconds();
  let windows = 0;
  const rates: number[] = [];
  for (;;) {
    const sliceStart = cpuSeconds();
    let instructions = 0;
    while (cpuSeconds() - sliceStart < WARM_SLICE_CPU_SECONDS) {
      instructions += runWindow();
      windows++;
    }
    rates.push(instructions / (cpuSeconds() - sliceStart));
    const elapsed = cpuSeconds() - start;
    const last = rates.slice(-WARM_STABLE_SLICES);
    const steady = last.length === WARM_STABLE_SLICES && Math.max(...last) - Math.min(...last) <= WARM_STABLE_FRACTION * Math.max(...last);
    if ((steady && elapsed >= WARM_MIN_CPU_SECONDS) || elapsed >= WARM_MAX_CPU_SECONDS) return { cpuSeconds: elapsed, windows, steady };
  }
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The real firmware on the twin: warm up, then time windows for about targetSeconds. */
function runInference(kernelSet: KernelSet, targetSeconds: number, firmwareElf: Uint8Array, modelId: string): InferenceFigure {
  const model = loadZooModel(modelId);
  const twin = createTwin({ firmwareElf, modelBytes: model.bytes, profile: resolveTwinProfile(), coreFactory: createIssCore });
  const window = new Int8Array(twin.windowBytes);
  let seed = 7;
  for (let i = 0; i < window.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    window[i] = ((seed >>> 16) & 0xff) - 128;
  }
  const warm = warmUp(() => twin.run(window, 0xffff_ffff, kernelSet).instret);
  let windows = 0;
  let instructions = 0;
  let cycles = 0;
  const cpu0 = cpuSeconds();
  const wall0 = process.hrtime.bigint();
  while (cpuSeconds() - cpu0 < targetSeconds) {
    const r = twin.run(window, 0xffff_ffff, kernelSet);
    windows++;
    instructions += r.instret;
    cycles += r.cycles;
  }
  const wallSeconds = Number(process.hrtime.bigint() - wall0) / 1e9;
  const cpu = cpuSeconds() - cpu0;
  return {
    kernelSet,
    model: model.id,
    windows,
    instructionsPerWindow: instructions / windows,
    cyclesPerWindow: cycles / windows,
    wallSeconds,
    cpuSeconds: cpu,
    windowsPerSecondWall: windows / wallSeconds,
    windowsPerSecondCpu: windows / cpu,
    mipsWall: instructions / wallSeconds / 1e6,
    mipsCpu: instructions / cpu / 1e6,
    warmUpCpuSeconds: warm.cpuSeconds,
    warmUpWindows: warm.windows,
    warmUpSteady: warm.steady,
  };
}

export function run(args: readonly string[]): Promise<number> {
  return Promise.resolve(runSync(args));
}

function runSync(args: readonly string[]): number {
  const json = args.includes('--json');
  const noQemu = args.includes('--no-qemu');
  const secondsArg = args.indexOf('--seconds');
  const targetSeconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 2;
  if (!Number.isFinite(targetSeconds) || targetSeconds <= 0) {
    process.stderr.write('bench iss: --seconds takes a positive number\n');
    return 2;
  }
  const optionValue = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const firmwarePath = optionValue('--firmware');
  const modelId = optionValue('--model') ?? 'default';
  const figures: IssFigure[] = [];
  const workloads = args.includes('--no-kernels') ? [] : WORKLOADS;
  const haveQemu = !noQemu && qemuAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'bench-iss-'));
  try {
    for (const w of workloads) {
      // calibrate: double the repetitions until a run takes a quarter of the target, then scale to the target
      let repetitions = 4;
      for (let probe = runIss(w, repetitions); probe.seconds < targetSeconds / 4; probe = runIss(w, repetitions)) repetitions *= 2;
      repetitions *= 4;
      const r = runIss(w, repetitions);
      const figure: IssFigure = {
        workload: w.name,
        description: w.description,
        instructions: r.instructions,
        cycles: r.cycles,
        seconds: r.seconds,
        wallSeconds: r.wallSeconds,
        mips: r.instructions / r.seconds / 1e6,
        mipsWall: r.instructions / r.wallSeconds / 1e6,
        cpi: r.cycles / r.instructions,
      };
      if (w.qemu) {
        if (!haveQemu) {
          figure.qemu = { skipped: noQemu ? '--no-qemu' : `${QEMU} not installed` };
        } else {
          const startup = runQemu(image(w.source(1), QEMU_SPIKE_RAM).elf, dir, `${w.name}-startup`);
          const total = runQemu(image(w.source(repetitions), QEMU_SPIKE_RAM).elf, dir, w.name);
          const seconds = Math.max(total.cpuSeconds - startup.cpuSeconds, 1e-6);
          const mips = r.instructions / seconds / 1e6;
          // both in CPU seconds (QEMU's from its process's rusage), so the machine's load cancels out
          figure.qemu = { seconds, mips, startupSeconds: startup.cpuSeconds, ratio: figure.mips / mips, wallSeconds: total.wallSeconds - startup.wallSeconds };
        }
      }
      figures.push(figure);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const inference: Array<InferenceFigure | { kernelSet: KernelSet; skipped: string }> = [];
  if (!args.includes('--no-firmware')) {
    for (const kernelSet of ['simd', 'ref'] as const) {
      try {
        const firmwareElf = firmwarePath !== undefined ? new Uint8Array(readFileSync(firmwarePath)) : loadFirmwareImage();
        inference.push(runInference(kernelSet, targetSeconds, firmwareElf, modelId));
      } catch (err) {
        inference.push({ kernelSet, skipped: `firmware or model not available: ${(err as Error).message}` });
      }
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ bench: 'iss', target: { mips: 300, qemuRatio: 0.5 }, figures, inference }, null, 2)}\n`);
  } else {
    for (const f of figures) {
      process.stdout.write(
        `${f.workload.padEnd(12)} ${f.mips.toFixed(1).padStart(7)} MIPS per CPU-second (${f.mipsWall.toFixed(1)} wall; ${f.instructions} instructions, CPI ${f.cpi.toFixed(3)}; target >= 300)  ${f.description}\n`,
      );
      if (f.qemu && 'mips' in f.qemu) {
        process.stdout.write(
          `${''.padEnd(12)} qemu ${f.qemu.mips.toFixed(1)} MIPS per CPU-second (${f.qemu.seconds.toFixed(3)} CPU s after ${f.qemu.startupSeconds.toFixed(3)} s start-up; ${f.qemu.wallSeconds.toFixed(3)} s wall): ISS/QEMU = ${f.qemu.ratio.toFixed(2)} (target >= 0.5)\n`,
        );
      } else if (f.qemu) {
        process.stdout.write(`${''.padEnd(12)} qemu skipped: ${f.qemu.skipped}\n`);
      }
    }
    for (const f of inference) {
      if ('skipped' in f) {
        process.stdout.write(`inference/${f.kernelSet} skipped: ${f.skipped}\n`);
        continue;
      }
      process.stdout.write(
        `inference/${f.kernelSet.padEnd(4)} ${f.mipsCpu.toFixed(1).padStart(7)} MIPS per CPU-second (${f.mipsWall.toFixed(1)} wall), ` +
          `${f.windowsPerSecondCpu.toFixed(1)} windows/s per CPU-second (${f.windowsPerSecondWall.toFixed(1)} wall); ` +
          `${f.model}: ${Math.round(f.instructionsPerWindow)} instructions, ${Math.round(f.cyclesPerWindow)} cycles per window; ` +
          `${f.windows} windows after a warm-up of ${f.warmUpCpuSeconds.toFixed(1)} CPU-s (${f.warmUpWindows} windows${f.warmUpSteady ? '' : `, rate not settled after ${WARM_MAX_CPU_SECONDS} s`})\n`,
      );
    }
  }
  return 0;
}
