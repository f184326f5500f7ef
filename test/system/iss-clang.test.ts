// System test: small C and assembly programs built with Debian's clang + lld
// (--target=riscv32-unknown-elf -march=rv32imc -mabi=ilp32 -ffreestanding -nostdlib -mno-relax)
// run on the ISS. Checks that compiler output (compressed code at -Os, the `.insn` encoding of
// the custom dot products, trap handlers) behaves as computed independently in TypeScript, and
// that translated and single-step execution agree on state and cycles.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Machine } from '../../device-sim/iss/machine.ts';

const INCLUDE = resolve('device-sim/firmware/include');
const dir = mkdtempSync(join(tmpdir(), 'iss-clang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CFLAGS = ['--target=riscv32-unknown-elf', '-march=rv32imc', '-mabi=ilp32', '-ffreestanding', '-nostdlib', '-mno-relax', `-I${INCLUDE}`];

const LINK_SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0x1C000000;
  .text : { *(.text.start) *(.text*) }
  .rodata : { *(.rodata*) *(.srodata*) }
  .data : { *(.data*) *(.sdata*) }
  .bss : { *(.bss*) *(.sbss*) *(COMMON) }
  . = ALIGN(64);
  .tohost : { *(.tohost) }
}`;

const RUNTIME = `
#include "memory_map.h"
#define REG32(a) (*(volatile unsigned int *)(a))
static void out_char(char c) { REG32(PERIPHERAL_UART_BASE + PERIPHERAL_UART_TX) = (unsigned char)c; }
static void out_hex(unsigned v) { for (int i = 28; i >= 0; i -= 4) out_char("0123456789abcdef"[(v >> i) & 15]); out_char('\\n'); }
static void halt(unsigned code) { REG32(PERIPHERAL_EXIT_BASE + PERIPHERAL_EXIT_CODE) = code; for (;;) {} }
int main(void);
void _start(void) __attribute__((naked, section(".text.start")));
void _start(void) { __asm__ volatile("li sp, 0x1c03fff0\\n call main\\n"); }
`;

function build(name: string, source: string, optimization: string): Uint8Array {
  const ext = name.endsWith('.S') ? 'S' : 'c';
  const src = join(dir, `${name}.${optimization}.${ext}`);
  const obj = join(dir, `${name}.${optimization}.o`);
  const out = join(dir, `${name}.${optimization}.elf`);
  const ld = join(dir, 'link.ld');
  writeFileSync(src, source);
  writeFileSync(ld, LINK_SCRIPT);
  execFileSync('clang', [...CFLAGS, optimization, '-c', src, '-o', obj]);
  execFileSync('ld.lld', ['-m', 'elf32lriscv', '--no-relax', '-T', ld, obj, '-o', out]);
  return readFileSync(out);
}

function run(elf: Uint8Array, maxBlockInstructions?: number): { machine: Machine; uart: string; result: ReturnType<Machine['run']> } {
  let uart = '';
  const machine = new Machine({ onUartByte: (b) => (uart += String.fromCharCode(b)), ...(maxBlockInstructions ? { maxBlockInstructions } : {}) });
  machine.loadElf(elf);
  const result = machine.run(50_000_000);
  return { machine, uart, result };
}

// ---- program 1: integer arithmetic, checked against a TypeScript model of the same C ----

const ARITH_C = `${RUNTIME}
volatile unsigned seed = 12345;
volatile int divisor_bias = -7;
int main(void) {
  unsigned acc = seed;
  int sacc = 1;
  for (int i = 1; i < 300; i++) {
    acc = acc * 2654435761u + (unsigned)i;
    acc ^= acc >> 13;
    acc = acc / ((unsigned)i | 1u) + acc % 97u;
    int d = i + divisor_bias;                 /* crosses zero: division by zero at i = 7 */
    sacc += (d == 0) ? (int)(acc & 0xff) : ((int)acc / d) - ((int)acc % d);
    sacc ^= (int)((long long)sacc * (long long)(int)acc >> 32);
  }
  out_hex(acc);
  out_hex((unsigned)sacc);
  halt(0);
  return 0;
}
`;

function arithModel(): string {
  let acc = 12345;
  let sacc = 1;
  for (let i = 1; i < 300; i++) {
    acc = (Math.imul(acc, 2654435761) + i) >>> 0;
    acc = (acc ^ (acc >>> 13)) >>> 0;
    acc = (Math.floor(acc / ((i | 1) >>> 0)) + (acc % 97)) >>> 0;
    const d = i - 7;
    const sa = acc | 0;
    sacc = (sacc + (d === 0 ? acc & 0xff : (Math.trunc(sa / d) | 0) - (sa % d | 0))) | 0;
    sacc = (sacc ^ Number((BigInt(sacc) * BigInt(sa)) >> 32n)) | 0;
  }
  const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
  return `${hex(acc)}\n${hex(sacc)}\n`;
}

// ---- program 2: the nine custom dot products through clang's .insn ----

function lane(v: number, i: number, bits: number, signed: boolean): number {
  const raw = (v >>> (i * bits)) & ((1 << bits) - 1);
  return signed && raw >= 1 << (bits - 1) ? raw - (1 << bits) : raw;
}

const DOT_INPUTS: Array<[number, number, number]> = [
  [0, 0x04030201, 0xff02fe01],
  [100, 0x7f80ff01, 0x80807f7f],
  [-5, 0x12345678, 0x9abcdef0],
  [0x7fffffff, 0xffffffff, 0xffffffff],
];

const DOT_C = `${RUNTIME}
#define DOT(f3, f7, acc, a, b) __asm__ volatile(".insn r 0x0b, " #f3 ", " #f7 ", %0, %1, %2" : "+r"(acc) : "r"(a), "r"(b))
static volatile int inputs[][3] = { ${DOT_INPUTS.map(([c, a, b]) => `{ ${c}, ${a | 0}, ${b | 0} }`).join(', ')} };
int main(void) {
  for (unsigned k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
    int r;
    r = inputs[k][0]; DOT(0, 0, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(1, 0, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(2, 0, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(0, 1, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(1, 1, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(2, 1, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(0, 2, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(1, 2, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
    r = inputs[k][0]; DOT(2, 2, r, inputs[k][1], inputs[k][2]); out_hex((unsigned)r);
  }
  halt(0);
  return 0;
}
`;

function dotModel(): string {
  const lines: string[] = [];
  for (const [acc, a, b] of DOT_INPUTS) {
    for (const bits of [8, 4, 2]) {
      for (const [as, bs] of [[true, true], [false, false], [false, true]] as const) {
        let sum = acc;
        for (let i = 0; i < 32 / bits; i++) sum += lane(a, i, bits, as) * lane(b, i, bits, bs);
        lines.push(((sum | 0) >>> 0).toString(16).padStart(8, '0'));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---- program 3: riscv-tests style assembly with a trap handler, tohost and a signature ----

const TRAPS_S = `
  .section .text.start
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li s0, 0
  la a0, data
  lw a1, 2(a0)          # misaligned: handler records and skips
  .insn r 0x0b, 7, 0, a2, a1, a1   # custom-0 funct3 7: not an instruction -> illegal
  c.nop
  ecall
  la t0, begin_signature
  sw s0, 0(t0)          # traps taken
  csrr t1, minstret
  sw t1, 4(t0)
  li t1, 1
  la t0, tohost
  sw t1, 0(t0)
  sw zero, 4(t0)
1: j 1b
handler:
  addi s0, s0, 1
  csrr t2, mcause
  la t3, causes
  slli t4, s0, 2
  add t3, t3, t4
  sw t2, -4(t3)
  csrr t2, mepc
  lhu t4, 0(t2)
  andi t4, t4, 3
  li t5, 3
  addi t2, t2, 2
  bne t4, t5, 2f
  addi t2, t2, 2
2:
  csrw mepc, t2
  mret
  .data
  .align 4
data: .word 0x11223344, 0x55667788
  .globl begin_signature
begin_signature:
  .word 0, 0
causes:
  .word 0, 0, 0
  .globl end_signature
end_signature:
  .section .tohost, "aw"
  .globl tohost
tohost: .word 0, 0
`;

describe('programs built with clang + lld', () => {
  it.each(['-O2', '-Os'])('integer arithmetic at %s matches the TypeScript model of the same C', (opt) => {
    const elf = build('arith', ARITH_C, opt);
    const r = run(elf);
    expect(r.result).toEqual({ reason: 'halt', exitCode: 0 });
    expect(r.uart).toBe(arithModel());
    // translated blocks and one-instruction blocks agree on everything architectural and on cycles
    const single = run(elf, 1);
    expect(single.uart).toBe(r.uart);
    expect(single.machine.s.cycle).toBe(r.machine.s.cycle);
    expect(single.machine.s.instret).toBe(r.machine.s.instret);
    expect(Array.from(single.machine.s.events)).toEqual(Array.from(r.machine.s.events));
    if (opt === '-Os') expect(r.machine.s.events[10]).toBeGreaterThan(0); // compressed instructions retired
  });

  it('the custom dot products emitted with .insn compute what docs/ARCHITECTURE.md specifies', () => {
    const r = run(build('dot', DOT_C, '-O2'));
    expect(r.result).toEqual({ reason: 'halt', exitCode: 0 });
    expect(r.uart).toBe(dotModel());
  });

  it('traps are precise: misaligned load, illegal custom encoding and ecall reach the handler; tohost ends the run', () => {
    const elfPath = join(dir, 'traps.elf');
    writeFileSync(elfPath, build('traps.S', TRAPS_S, '-O0'));
    const r = run(readFileSync(elfPath));
    expect(r.result).toEqual({ reason: 'tohost', value: 1 });
    const sigPath = join(dir, 'traps.sig');
    const cli = spawnSync(process.execPath, ['bin/har-gateway.js', 'mcu', 'run', elfPath, '--signature', sigPath], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const words = readFileSync(sigPath, 'utf8').trim().split('\n');
    expect(words[0]).toBe('00000003'); // three traps
    expect(words.slice(2)).toEqual(['00000004', '00000002', '0000000b']); // load misaligned, illegal, ecall
  });
});
