// `har-gateway ble`: BLE decoders and bridge
import type { Command } from 'commander';
import { notAvailable } from '../exit.ts';

export function registerBle(program: Command): void {
  program
    .command('ble')
    .description('BLE decoders and bridge (not available yet)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notAvailable('ble', 'lands with issue 7'));
}
