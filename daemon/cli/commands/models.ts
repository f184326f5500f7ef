// `har-gateway models`: list and show the model zoo
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list and show the model zoo (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('models', 'lands with issue 3'));
}
