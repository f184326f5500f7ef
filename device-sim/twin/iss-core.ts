// The twin's core on the real instruction-set simulator (device-sim/iss): an McuCore over a
// Machine with the firmware ELF loaded. UART bytes are collected for the twin's console.
import { Machine } from '../iss/machine.ts';
import type { CoreStop, McuCore } from './core.ts';

export function createIssCore(firmwareElf: Uint8Array): McuCore {
  let console = '';
  const machine = new Machine({ onUartByte: (byte) => (console += String.fromCharCode(byte)) });
  machine.loadElf(firmwareElf);
  return {
    writeBytes: (address, bytes) => machine.bus.writeBytes(address, bytes),
    readBytes: (address, length) => machine.bus.readBytes(address, length),
    writeU32: (address, value) => machine.bus.write32(address, value),
    readU32: (address) => machine.bus.read32(address) >>> 0,
    takeConsole: () => {
      const out = console;
      console = '';
      return out;
    },
    run(maxCycles: number): CoreStop {
      const before = machine.s.cycle;
      const r = machine.run(maxCycles);
      const cycles = machine.s.cycle - before;
      switch (r.reason) {
        case 'halt':
          return { reason: 'halt', cycles, exitCode: r.exitCode };
        case 'tohost':
          return { reason: 'tohost', cycles, exitCode: r.value };
        case 'trap':
          return { reason: 'trap', cycles, mcause: r.cause, mepc: r.pc, mtval: r.tval };
        case 'wfi':
          return { reason: 'wfi', cycles };
        default:
          return { reason: 'budget', cycles };
      }
    },
  };
}
