// The machine around the core: devices on the bus, wfi handing control to the host and
// resuming, tohost, self-modifying code and host writes invalidating translated blocks.
import { describe, expect, it } from 'vitest';
import { MAILBOX, PERIPHERALS, REGIONS } from '../../../../device-sim/memory-map.ts';
import { assemble } from '../../../../device-sim/iss/assembler.ts';
import { writeElf } from '../../../../device-sim/iss/elf-writer.ts';
import { Machine } from '../../../../device-sim/iss/machine.ts';
import { BASE, load, reg } from './helpers.ts';

describe('devices', () => {
  it('UART: bytes written to TX reach the sink; STATUS reads TX ready', () => {
    const { m, uart } = load(`
      li t0, ${PERIPHERALS.uart.base}
      lw a0, 4(t0)
      li t1, 79
      sb t1, 0(t0)
      li t1, 75
      sw t1, 0(t0)
      ebreak`);
    m.run(1000);
    expect(String.fromCharCode(...uart)).toBe('OK');
    expect(reg(m, 10)).toBe(1);
  });

  it('exit device: a word written to CODE halts with that code, after the store retires', () => {
    const { m } = load(`
      li t0, ${PERIPHERALS.exit.base}
      li t1, 42
      sw t1, 0(t0)
      li a0, 1`);
    expect(m.run(1000)).toEqual({ reason: 'halt', exitCode: 42 });
    expect(reg(m, 10)).toBe(0);
    expect(m.s.instret).toBe(5);
  });

  it('unimplemented device registers read 0, ignore writes, and are counted and warned once per address', () => {
    const { m, warnings } = load(`
      li t0, ${PERIPHERALS.uart.base}
      lw a0, 0x40(t0)
      lw a0, 0x40(t0)
      sw a0, 0x44(t0)
      ebreak`);
    m.run(1000);
    expect(reg(m, 10)).toBe(0);
    expect(m.busStats.unimplementedRegisterAccesses).toBe(3);
    expect(warnings).toHaveLength(2);
  });
});

describe('wfi and the host', () => {
  it('wfi returns control to the host; run() resumes after it (the mailbox protocol)', () => {
    const { m } = load(`
      li s0, ${REGIONS.mailbox.base}
      li t0, 1
      sw t0, ${MAILBOX.STATUS}(s0)     # READY
    wait:
      wfi
      lw t1, ${MAILBOX.COMMAND}(s0)
      beq t1, x0, wait
      lw a0, ${MAILBOX.THRESHOLD}(s0)
      addi a0, a0, 1
      sw a0, ${MAILBOX.CLASS_INDEX}(s0)
      sw x0, ${MAILBOX.COMMAND}(s0)
      li t0, 2
      sw t0, ${MAILBOX.STATUS}(s0)
      j wait`);
    expect(m.run(10_000)).toEqual({ reason: 'wfi' });
    expect(m.bus.read32(REGIONS.mailbox.base + MAILBOX.STATUS)).toBe(1);
    expect(m.run(10_000)).toEqual({ reason: 'wfi' }); // spurious wake-up: no command yet
    m.bus.write32(REGIONS.mailbox.base + MAILBOX.THRESHOLD, 41);
    m.bus.write32(REGIONS.mailbox.base + MAILBOX.COMMAND, 1);
    expect(m.run(10_000)).toEqual({ reason: 'wfi' });
    expect(m.bus.read32(REGIONS.mailbox.base + MAILBOX.CLASS_INDEX)).toBe(42);
    expect(m.bus.read32(REGIONS.mailbox.base + MAILBOX.STATUS)).toBe(2);
    expect(m.bus.read32(REGIONS.mailbox.base + MAILBOX.COMMAND)).toBe(0);
  });
});

describe('tohost (riscv-tests convention)', () => {
  it('stops when the program writes a nonzero value to the tohost symbol', () => {
    const a = assemble(`
      la t0, tohost
      sw x0, 0(t0)       # zero: keeps running
      li t1, 7           # (3 << 1) | 1: test 3 failed
      sw t1, 0(t0)
      ebreak
      .align 8
    tohost:
      .word 0, 0`, BASE);
    const m = new Machine();
    m.loadElf(writeElf({ entry: BASE, segments: [{ address: BASE, data: a.bytes }], symbols: { tohost: a.symbols.get('tohost')! } }));
    expect(m.run(1000)).toEqual({ reason: 'tohost', value: 7 });
  });
});

describe('translated code stays coherent', () => {
  it('a store into code that already ran is seen the next time it runs', () => {
    const { m } = load(`
      li s1, 2
    again:
      jal ra, patched
      addi s1, s1, -1
      beq s1, x0, done
      la t0, patched
      li t1, 0x00700513      # addi a0, x0, 7
      sw t1, 0(t0)
      j again
    done:
      ebreak
    patched:
      addi a0, x0, 1
      ret`);
    m.run(10_000);
    expect(reg(m, 10)).toBe(7);
  });

  it('a store that rewrites the next instruction of the same block takes effect immediately', () => {
    const { m } = load(`
      la t0, next
      li t1, 0x00900513      # addi a0, x0, 9
      sw t1, 0(t0)
    next:
      addi a0, x0, 1
      ebreak`);
    m.run(1000);
    expect(reg(m, 10)).toBe(9);
  });

  it('host writes into code invalidate it too', () => {
    const { m, symbols } = load(`
    start:
      addi a0, x0, 1
      ebreak`);
    m.run(1000);
    expect(reg(m, 10)).toBe(1);
    m.bus.write32(symbols.get('start')!, 0x00500513); // addi a0, x0, 5
    m.reset(BASE);
    m.run(1000);
    expect(reg(m, 10)).toBe(5);
  });
});

describe('single-step and translated execution', () => {
  it('end in the same state on a program with loops, calls, memory and compressed code', () => {
    const source = `
      li sp, 0x1c004000
      li s0, 10
      li a0, 0
    loop:
      c.mv a1, s0
      jal ra, square
      c.add a0, a1
      c.addi s0, -1
      bne s0, x0, loop
      ebreak
    square:
      c.addi sp, -16
      c.swsp ra, 12(sp)
      mul a1, a1, a1
      c.lwsp ra, 12(sp)
      c.addi sp, 16
      c.jr ra`;
    const a = load(source);
    a.m.run(100_000);
    const b = load(source, { maxBlockInstructions: 1 });
    for (let i = 0; i < 10_000 && b.m.step().reason === 'step'; i++);
    expect(reg(a.m, 10)).toBe(385);
    expect(Array.from(b.m.s.x)).toEqual(Array.from(a.m.s.x));
    expect(b.m.s.cycle).toBe(a.m.s.cycle);
    expect(Array.from(b.m.s.events)).toEqual(Array.from(a.m.s.events));
  });
});

describe('regions (several blocks in one translated function)', () => {
  const NESTED = `
      li sp, 0x1c004000
      li s0, 0
      li s1, 7
    outer:
      li s2, 5
    inner:
      mv a0, s2
      jal ra, twice          # call and return inside one region
      add s0, s0, a0
      addi s2, s2, -1
      bne s2, x0, inner
      addi s1, s1, -1
      bne s1, x0, outer
      ebreak
    twice:
      slli a0, a0, 1
      ret`;

  it('compute nested loops with calls exactly like single-step execution', () => {
    const a = load(NESTED);
    expect(a.m.run(100_000)).toMatchObject({ reason: 'trap', cause: 3 });
    expect(reg(a.m, 8)).toBe(7 * 2 * (5 + 4 + 3 + 2 + 1));
    const b = load(NESTED, { maxBlockInstructions: 1 });
    for (let i = 0; i < 10_000 && b.m.step().reason === 'step'; i++);
    expect(Array.from(b.m.s.x)).toEqual(Array.from(a.m.s.x));
    expect(b.m.s.cycle).toBe(a.m.s.cycle);
    expect(b.m.s.instret).toBe(a.m.s.instret);
    expect(Array.from(b.m.s.events)).toEqual(Array.from(a.m.s.events));
  });

  it('stopping at the cycle budget anywhere and resuming gives the same end state', () => {
    const whole = load(NESTED);
    whole.m.run(100_000);
    for (const slice of [1, 3, 7, 20, 53]) {
      const sliced = load(NESTED);
      let r = sliced.m.run(slice);
      let runs = 1;
      while (r.reason === 'budget' && runs < 10_000) {
        r = sliced.m.run(slice);
        runs++;
      }
      expect(r, `slices of ${slice} cycles`).toMatchObject({ reason: 'trap', cause: 3 });
      expect(runs).toBeGreaterThan(1);
      expect(Array.from(sliced.m.s.x)).toEqual(Array.from(whole.m.s.x));
      expect(sliced.m.s.cycle).toBe(whole.m.s.cycle);
      expect(sliced.m.s.instret).toBe(whole.m.s.instret);
      expect(Array.from(sliced.m.s.events)).toEqual(Array.from(whole.m.s.events));
    }
  });
});
