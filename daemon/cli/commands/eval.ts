// `har-gateway eval`: evaluate a model on a dataset split
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a model on a dataset split (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('eval', 'lands with issue 3'));
}
