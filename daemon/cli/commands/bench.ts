// `har-gateway bench <name>` (also `npm run bench -- <name>`): benchmark scripts that print
// figures. Each benchmark is a module under bench/ exporting `run(args): Promise<number>`
// (the exit code); this table is the only list of them.
import type { Command } from 'commander';
import { CliExit, EXIT_NOT_AVAILABLE } from '../exit.ts';

interface BenchModule {
  run(args: readonly string[]): Promise<number>;
}

/** name -> [description, loader]; a benchmark is loaded only when it runs. */
const BENCHMARKS: Record<string, readonly [string, () => Promise<BenchModule>]> = {
  datasets: ['dataset readers: HAPT parse, task windows, window-cache export, WISDM parse', () => import('../../../bench/datasets.ts')],
  train: ['training toolkit: the --smoke run (2 min target) or, with --zoo, the zoo rebuild (45 min target)', () => import('../../../bench/train.ts')],
  ingest: ['the ingest side: decode+validate us/batch per payload form; N simulated wearables through aedes and MqttIngest: samples/s, drops, CPU, RSS', () => import('../../../bench/ingest.ts')],
  gateway: ['the daemon under N simulated wearables at 50 Hz: samples/s, windows/s, p50/p99 latency, drops, CPU, RSS', () => import('../../../bench/gateway.ts')],
  iss: ['instruction-set simulator speed: MIPS on conv-like kernels (custom SIMD and RV32IM), and the ratio to qemu-system-riscv32 when installed', () => import('../../../bench/iss.ts')],
  kernels: ['firmware kernels on the emulated core: MAC/cycle per kernel and precision (SIMD vs plain), zoo energy and latency', () => import('../../../bench/kernels.ts')],
  reference: ['TypeScript reference executor: windows/s, us/window and M MAC/s per zoo model and mode', () => import('../../../bench/reference.ts')],
  budget: ['battery budget on a simulated month: end vs target, plan error, mode switches per day, µs per window', () => import('../../../bench/budget.ts')],
  replay: ['replay of every HAPT test experiment through the full pipeline with the emulated MCU at --speed max: speed-up over real time (target >= 500x), windows/s, latency', () => import('../../../bench/replay.ts')],
  ble: ['BLE decoders on generated notifications: µs/notification, samples/s, 52 Hz wearables per core (decode + pairing + binary encoding)', () => import('../../../bench/ble.ts')],
  dashboard: ['the live dashboard in chromium under N devices x P predictions/s: applied/s, frame interval p50/p99/max, long tasks, display lag', () => import('../../../bench/dashboard.ts')],
};

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(`benchmarks that print figures: ${Object.keys(BENCHMARKS).join(', ') || '(none yet)'}`)
    .argument('<name>', 'which benchmark')
    .argument('[args...]', 'options of that benchmark (see `har-gateway bench <name> --help`)')
    .allowUnknownOption()
    .action(async (name: string, args: string[]) => {
      const entry = BENCHMARKS[name];
      if (!entry) {
        throw new CliExit(EXIT_NOT_AVAILABLE, `har-gateway bench: no benchmark named "${name}" (available: ${Object.keys(BENCHMARKS).join(', ') || 'none yet'}).`);
      }
      const mod = await entry[1]();
      process.exitCode = await mod.run(args);
    });
}
