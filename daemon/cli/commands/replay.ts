// `har-gateway replay`: replay recorded sessions through the gateway
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay recorded sessions through the gateway (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('replay', 'lands with issue 6'));
}
