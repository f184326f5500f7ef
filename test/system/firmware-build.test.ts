// Issue 4 section 3: the committed firmware image is reproducible. Rebuilds with Debian's clang
// and lld into a temporary folder and fails unless the image and the source hash are
// byte-identical to the committed ones (device-sim/firmware/build.sh --check).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BUILD_SCRIPT = 'device-sim/firmware/build.sh';

describe('firmware build', () => {
  it('rebuilds byte-identical to the committed image and source hash', () => {
    const out = execFileSync('bash', [BUILD_SCRIPT, '--check'], { encoding: 'utf8' });
    expect(out).toContain('committed image is up to date');
  });

  it('produces an ELF32 RISC-V executable', () => {
    const elf = readFileSync('device-sim/firmware/build/har-fw.elf');
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(elf[4]).toBe(1); // ELFCLASS32
    expect(elf.readUInt16LE(18)).toBe(243); // EM_RISCV
  });

  it('does not contain the path of the checkout', () => {
    const elf = readFileSync('device-sim/firmware/build/har-fw.elf');
    expect(elf.includes(Buffer.from(process.cwd()))).toBe(false);
  });

  it('the host harness of the same sources compiles with the host C compiler', () => {
    const dir = mkdtempSync(join(tmpdir(), 'har-fw-host-'));
    try {
      execFileSync('bash', ['device-sim/firmware/host/build-host.sh', join(dir, 'harness')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
