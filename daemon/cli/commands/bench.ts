// `har-gateway bench`: benchmarks of the emulator and pipeline
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('benchmarks of the emulator and pipeline (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('bench', 'lands with issues 2 and 4'));
}
