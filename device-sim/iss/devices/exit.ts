// Exit device (device-sim/memory-map.ts PERIPHERALS.exit): a word written to CODE halts the
// core with that exit code (the run returns {reason: 'halt', exitCode}).
import { PERIPHERALS } from '../../memory-map.ts';
import type { AccessSize, Device, DeviceHost } from './device.ts';

export class ExitDevice implements Device {
  readonly name = 'exit';
  readonly base = PERIPHERALS.exit.base;
  readonly bytes = PERIPHERALS.exit.bytes;
  private readonly host: DeviceHost;

  constructor(host: DeviceHost) {
    this.host = host;
  }

  read(offset: number, _size: AccessSize): number | undefined {
    return offset === PERIPHERALS.exit.regs.CODE ? 0 : undefined;
  }

  write(offset: number, _size: AccessSize, value: number): boolean {
    if (offset !== PERIPHERALS.exit.regs.CODE) return false;
    this.host.halt(value | 0);
    return true;
  }
}
