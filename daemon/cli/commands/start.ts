// `har-gateway start`: run the gateway daemon
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the gateway daemon (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('start', 'the daemon lands with issue 2'));
}
