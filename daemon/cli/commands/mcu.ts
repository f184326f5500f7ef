// `har-gateway mcu`: run an ELF32 program on the emulated RISC-V MCU
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerMcu(program: Command): void {
  program
    .command('mcu')
    .description('run an ELF32 program on the emulated RISC-V MCU (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('mcu', 'lands with issue 4'));
}
