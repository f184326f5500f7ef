// Debug UART (device-sim/memory-map.ts PERIPHERALS.uart): a byte written to TX goes to the
// console sink (stdout for `mcu run`, the daemon's log for the twin). STATUS bit 0 = TX ready,
// always 1 (the emulated UART never backs up).
import { PERIPHERALS } from '../../memory-map.ts';
import type { AccessSize, Device } from './device.ts';

export const UART_STATUS_TX_READY = 1;

export class Uart implements Device {
  readonly name = 'uart';
  readonly base = PERIPHERALS.uart.base;
  readonly bytes = PERIPHERALS.uart.bytes;
  private readonly onByte: (byte: number) => void;

  constructor(onByte: (byte: number) => void) {
    this.onByte = onByte;
  }

  read(offset: number, _size: AccessSize): number | undefined {
    if (offset === PERIPHERALS.uart.regs.STATUS) return UART_STATUS_TX_READY;
    if (offset === PERIPHERALS.uart.regs.TX) return 0; // write-only register reads 0
    return undefined;
  }

  write(offset: number, _size: AccessSize, value: number): boolean {
    if (offset === PERIPHERALS.uart.regs.TX) {
      this.onByte(value & 0xff);
      return true;
    }
    return offset === PERIPHERALS.uart.regs.STATUS; // read-only status: writes ignored
  }
}
