// `har-gateway simulate`: stream simulated wearables over MQTT
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('stream simulated wearables over MQTT (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('simulate', 'lands with issue 2'));
}
