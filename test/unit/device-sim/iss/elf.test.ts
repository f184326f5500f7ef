// ELF32 loader validation: every malformed input gives an ElfError with a code, never a partial load.
import { describe, expect, it } from 'vitest';
import { parseElf, ElfError } from '../../../../device-sim/iss/elf.ts';
import { writeElf } from '../../../../device-sim/iss/elf-writer.ts';
import { Machine } from '../../../../device-sim/iss/machine.ts';
import { BASE } from './helpers.ts';

const L2 = [{ base: BASE, bytes: 512 * 1024 }];
const code = Uint8Array.from([0x13, 0x05, 0x70, 0x00, 0x73, 0x00, 0x10, 0x00]); // addi a0, x0, 7; ebreak

function good(): Uint8Array {
  return writeElf({ entry: BASE, segments: [{ address: BASE, data: code, memoryBytes: 64 }], symbols: { begin_signature: BASE + 8, end_signature: BASE + 16, tohost: BASE + 32 } });
}

function corrupt(edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = good();
  edit(bytes, new DataView(bytes.buffer));
  return bytes;
}

function codeOf(bytes: Uint8Array): string {
  try {
    parseElf(bytes, L2);
  } catch (err) {
    if (err instanceof ElfError) return err.code;
    throw err;
  }
  return 'OK';
}

describe('ELF32 loader', () => {
  it('loads segments, zero-fills the rest of p_memsz, reads symbols and starts at the entry', () => {
    const m = new Machine();
    m.bus.fill(BASE + 8, 64, 0xaa);
    const image = m.loadElf(good());
    expect(image.entry).toBe(BASE);
    expect(m.symbols.get('tohost')).toBe(BASE + 32);
    expect(m.bus.read32(BASE + 8)).toBe(0);
    expect(m.run(100)).toMatchObject({ reason: 'trap', cause: 3 });
    expect(m.s.x[10]).toBe(7);
  });

  it.each([
    ['ELF_TRUNCATED', () => good().subarray(0, 40)],
    ['ELF_MAGIC', () => corrupt((b) => (b[1] = 0x46))],
    ['ELF_CLASS', () => corrupt((b) => (b[4] = 2))],
    ['ELF_ENDIAN', () => corrupt((b) => (b[5] = 2))],
    ['ELF_VERSION', () => corrupt((b) => (b[6] = 0))],
    ['ELF_TYPE', () => corrupt((_, v) => v.setUint16(16, 3, true))],
    ['ELF_MACHINE', () => corrupt((_, v) => v.setUint16(18, 62, true))],
    ['ELF_HEADER_SIZE', () => corrupt((_, v) => v.setUint16(42, 56, true))],
    ['ELF_NO_SEGMENTS', () => corrupt((_, v) => v.setUint16(44, 0, true))],
    ['ELF_PROGRAM_HEADERS', () => corrupt((_, v) => v.setUint32(28, 0xfffff0, true))],
    ['ELF_SEGMENT_FILE_BOUNDS', () => corrupt((_, v) => v.setUint32(52 + 4, 0x100000, true))],
    ['ELF_SEGMENT_SIZE', () => corrupt((_, v) => v.setUint32(52 + 20, 4, true))],
    ['ELF_SEGMENT_NOT_MAPPED', () => corrupt((_, v) => v.setUint32(52 + 12, 0x80000000, true))],
    ['ELF_SEGMENT_NOT_MAPPED', () => corrupt((_, v) => v.setUint32(52 + 12, BASE + 512 * 1024 - 32, true))],
    ['ELF_ENTRY', () => corrupt((_, v) => v.setUint32(24, BASE + 0x1000, true))],
    ['ELF_SECTION_HEADERS', () => corrupt((_, v) => v.setUint32(32, 0xffffff, true))],
  ])('rejects %s', (expected, make) => {
    expect(codeOf(make())).toBe(expected);
  });

  it('rejects a symbol name outside the string table', () => {
    const bytes = good();
    const v = new DataView(bytes.buffer);
    const shoff = v.getUint32(32, true);
    const symtabOffset = v.getUint32(shoff + 40 + 16, true);
    v.setUint32(symtabOffset + 16, 0xffff, true);
    expect(codeOf(bytes)).toBe('ELF_SYMBOLS');
  });

  it('rejects overlapping segments', () => {
    const bytes = writeElf({ entry: BASE, segments: [{ address: BASE, data: code }, { address: BASE + 4, data: code }] });
    expect(codeOf(bytes)).toBe('ELF_SEGMENT_SIZE');
  });

  it('a failed load leaves the machine untouched', () => {
    const m = new Machine();
    m.loadElf(good());
    expect(() => m.loadElf(corrupt((b) => (b[4] = 2)))).toThrow(ElfError);
    expect(m.bus.read32(BASE)).toBe(0x00700513);
  });
});
