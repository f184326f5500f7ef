// `har-gateway config`: check a configuration file or print its JSON schema
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('check a configuration file or print its JSON schema (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('config', 'lands with issue 2'));
}
