// `har-gateway budget`: choose an operating mode from a battery budget
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerBudget(program: Command): void {
  program
    .command('budget')
    .description('choose an operating mode from a battery budget (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('budget', 'lands with issue 5'));
}
