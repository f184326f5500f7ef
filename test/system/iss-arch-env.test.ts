// System test: the riscv-arch-test target environment of the ISS (device-sim/iss/arch-test:
// model_test.h + link.ld) builds with clang/lld, and `mcu run --signature` ends at RVMODEL_HALT
// and writes the signature region the way RISCOF reads it. (The official suites are not part
// of this repository; this checks the environment they plug into, with a test written here.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ENV = resolve('device-sim/iss/arch-test');
const dir = mkdtempSync(join(tmpdir(), 'iss-arch-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEST_S = `
#include "model_test.h"
  .section .text.init
  .globl rvtest_entry_point
rvtest_entry_point:
  RVMODEL_BOOT
  la t0, trap_handler
  csrw mtvec, t0
  la s11, begin_signature
  li a0, -7
  li a1, 2
  div a2, a0, a1          # -3 (rounds toward zero)
  rem a3, a0, a1          # -1
  sw a2, 0(s11)
  sw a3, 4(s11)
  c.li a4, -1
  c.srli a4, 4            # 0x0fffffff
  sw a4, 8(s11)
  .option push
  .option norvc
  ebreak                  # trap (32-bit encoding): the handler stores mcause and returns 4 bytes on
  .option pop
  sw s10, 16(s11)         # mcause recorded by the handler
  RVMODEL_HALT
  .align 2                # mtvec holds a 4-byte aligned base
trap_handler:
  csrr s10, mcause
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  sw t0, 12(s11)          # where execution resumes
  mret

  .data
RVMODEL_DATA_BEGIN
  .fill 6, 4, 0xdeadbeef
RVMODEL_DATA_END
`;

describe('riscv-arch-test environment (model_test.h, link.ld)', () => {
  it('builds, halts through tohost and writes the signature', () => {
    const src = join(dir, 'test.S');
    const obj = join(dir, 'test.o');
    const elf = join(dir, 'test.elf');
    writeFileSync(src, TEST_S);
    execFileSync('clang', ['--target=riscv32-unknown-elf', '-march=rv32imc', '-mabi=ilp32', '-nostdlib', '-mno-relax', `-I${ENV}`, '-c', src, '-o', obj]);
    execFileSync('ld.lld', ['-m', 'elf32lriscv', '--no-relax', '-T', join(ENV, 'link.ld'), obj, '-o', elf]);
    const signature = join(dir, 'test.signature');
    const r = spawnSync(process.execPath, ['bin/har-gateway.js', 'mcu', 'run', elf, '--signature', signature], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/tohost = 1 \(pass\)/);
    expect(r.status).toBe(0);
    const words = readFileSync(signature, 'utf8').trim().split('\n');
    expect(words).toHaveLength(8); // 6 words, padded to 16 bytes by RVMODEL_DATA_END's .align 4
    expect(words.slice(0, 3)).toEqual(['fffffffd', 'ffffffff', '0fffffff']);
    expect(Number.parseInt(words[3]!, 16)).toBeGreaterThan(0x1c000000); // resume address after the ebreak
    expect(words[4]).toBe('00000003'); // mcause = breakpoint
    expect(words[5]).toBe('deadbeef'); // untouched
    expect(words.slice(6)).toEqual(['00000000', '00000000']);
  });
});
