// End to end: the real CLI (`node bin/har-gateway.js mcu run`) on ELF files this test writes
// with the project's assembler and ELF writer (no cross-compiler needed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../device-sim/iss/assembler.ts';
import { writeElf } from '../../device-sim/iss/elf-writer.ts';
import { L2_BASE, PERIPHERALS } from '../../device-sim/memory-map.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcu-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function elf(name: string, source: string, symbols: readonly string[] = []): string {
  const a = assemble(source, L2_BASE);
  const path = join(dir, `${name}.elf`);
  writeFileSync(path, writeElf({ entry: L2_BASE, segments: [{ address: L2_BASE, data: a.bytes, flags: 7 }], symbols: Object.fromEntries(symbols.map((s) => [s, a.symbols.get(s)!])) }));
  return path;
}

function mcu(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/har-gateway.js', 'mcu', 'run', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PRINT_AND_EXIT = (code: number): string => `
    li t0, ${PERIPHERALS.uart.base}
    la a1, msg
  next:
    lbu t1, 0(a1)
    beq t1, x0, done
    sw t1, 0(t0)
    addi a1, a1, 1
    j next
  done:
    li t0, ${PERIPHERALS.exit.base}
    li t1, ${code}
    sw t1, 0(t0)
  msg:
    .byte 104, 101, 108, 108, 111, 10, 0`;

describe('har-gateway mcu run', () => {
  it('prints the UART output on stdout, cycles and instret on stderr, and exits with the exit device code', () => {
    const r = mcu(elf('hello', PRINT_AND_EXIT(3)));
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/halted by the exit device with code 3/);
    expect(r.stderr).toMatch(/cycles \d+, instret \d+/);
    expect(r.stderr).toMatch(/uJ \(quentin-22nm-0v65/);
  });

  it('exit code 0 on success', () => {
    expect(mcu(elf('ok', PRINT_AND_EXIT(0))).status).toBe(0);
  });

  it('ecall without a trap handler exits with a0', () => {
    const r = mcu(elf('ecall', 'li a0, 9\n ecall'));
    expect(r.status).toBe(9);
    expect(r.stderr).toMatch(/ecall at 0x1c000008 with no trap handler: exit with a0 = 9/);
  });

  it('tohost: 1 passes, (n << 1) | 1 reports test n', () => {
    const src = (v: number): string => `
      la t0, tohost
      li t1, ${v}
      sw t1, 0(t0)
      sw x0, 4(t0)
      j .
      .align 64
    tohost:
      .word 0, 0`.replace('j .', 'spin: j spin');
    expect(mcu(elf('pass', src(1), ['tohost'])).status).toBe(0);
    const fail = mcu(elf('fail', src((5 << 1) | 1), ['tohost']));
    expect(fail.status).toBe(5);
    expect(fail.stderr).toMatch(/test 5 failed/);
  });

  it('--signature writes the words between begin_signature and end_signature as hex lines', () => {
    const path = elf('sig', `
      la t0, begin_signature
      li t1, 0xdeadbeef
      sw t1, 0(t0)
      li t1, 42
      sw t1, 4(t0)
      ebreak
      .align 16
    begin_signature:
      .word 0, 0, 0x01020304
    end_signature:
      .word 0`, ['begin_signature', 'end_signature']);
    const out = join(dir, 'sig.txt');
    const r = mcu(path, '--signature', out);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('deadbeef\n0000002a\n01020304\n');
  });

  it('--trace prints pc, instruction and register writes', () => {
    const r = mcu(elf('trace', 'li a0, 5\n addi a0, a0, 1\n ecall'), '--trace');
    expect(r.stderr).toMatch(/1c000008 {2}00150513 {2}addi a0, a0, 1\s+a0=0x00000006/);
    expect(r.status).toBe(6);
  });

  it('stops a runaway program at --max-cycles with exit code 124', () => {
    const r = mcu(elf('spin', 'spin: j spin'), '--max-cycles', '5000');
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/cycle budget exhausted/);
  });

  it('reports an unhandled trap with exit code 125', () => {
    const r = mcu(elf('fault', 'li a0, 0x30000000\n lw a1, 0(a0)'));
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/unhandled trap: load access fault \(mcause 5\) at pc 0x1c000008, mtval 0x30000000/);
  });

  it('rejects a malformed ELF with a clear message and exit code 1', () => {
    const path = join(dir, 'bad.elf');
    writeFileSync(path, Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array<number>(60).fill(0)]));
    const r = mcu(path);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/EI_CLASS is 2, expected 1 \(ELFCLASS32\) \(ELF_CLASS\)/);
    expect(mcu(join(dir, 'missing.elf')).status).toBe(1);
  });
});
