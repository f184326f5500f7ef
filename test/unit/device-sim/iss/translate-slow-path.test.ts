// The translated regions leave to a one-instruction slow path for everything that is not a plain
// aligned L2 access (device registers, misaligned accesses that trap, stores into a page holding
// code). A loop that hits every one of those must end in exactly the state that single-stepping
// the same program gives: registers, pc, cycles, instret, stall events, trap CSRs, UART bytes.
import { describe, expect, it } from 'vitest';
import { PERIPHERALS } from '../../../../device-sim/memory-map.ts';
import { load } from './helpers.ts';

const { uart, exit } = PERIPHERALS;

const PROGRAM = `
    la t0, handler
    csrrw x0, mtvec, t0
    li sp, 0x1c004000
    li s0, 6
    li s1, 0
    li a1, ${uart.base}
  loop:
    lw a2, ${uart.regs.STATUS}(a1)  # device load inside the loop, used by the next instruction
    add s1, s1, a2
    addi a0, s0, 0x40
    sw a0, ${uart.regs.TX}(a1)      # device store: one UART byte per trip
    lw a3, 0(sp)
    addi a3, a3, 3
    sw a3, 0(sp)
    lh a4, 2(sp)
    lw a5, 1(sp)                      # misaligned: traps, the handler skips it
    add s1, s1, a5
    la t1, patch
    lw t2, 0(t1)
    sw t2, 0(t1)                      # store into the page holding this code
  patch:
    addi s1, s1, 1
    addi s0, s0, -1
    bne s0, x0, loop
    li t0, ${exit.base}
    sw x0, ${exit.regs.CODE}(t0)                      # exit device
  handler:
    csrrs t3, mepc, x0
    addi t3, t3, 4
    csrrw x0, mepc, t3
    addi s2, s2, 1
    mret`;

function snapshot(l: ReturnType<typeof load>) {
  const s = l.m.s;
  return {
    x: Array.from(s.x),
    pc: s.pc,
    cycle: s.cycle,
    instret: s.instret,
    events: Array.from(s.events),
    trap: [s.mepc, s.mcause, s.mtval],
    uart: [...l.uart],
  };
}

describe('translated regions and the slow path', () => {
  it('a loop over device, misaligned and self-modifying accesses ends as single-stepping does', () => {
    const translated = load(PROGRAM);
    const result = translated.m.run(1_000_000);
    const stepped = load(PROGRAM, { maxBlockInstructions: 1 });
    let last = stepped.m.step();
    for (let i = 0; i < 100_000 && last.reason === 'step'; i++) last = stepped.m.step();

    expect(result.reason).toBe(last.reason);
    expect(snapshot(translated)).toEqual(snapshot(stepped));
    // the program did what it says: 6 trips, 6 handled misaligned traps, 6 UART bytes
    expect(translated.m.s.x[18]).toBe(6); // s2: traps handled
    expect(translated.uart).toEqual([0x46, 0x45, 0x44, 0x43, 0x42, 0x41]);
    expect(translated.m.s.mcause).toBe(4); // load address misaligned (privileged spec, table 3.6)
  });
});
