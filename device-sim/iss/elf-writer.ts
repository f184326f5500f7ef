// A minimal ELF32 little-endian RISC-V executable writer: PT_LOAD segments plus a symbol table
// (.symtab/.strtab/.shstrtab), enough for `mcu run`, the loader's tests and the benchmark's
// images for QEMU (System V gABI layouts: Elf32_Ehdr 52 bytes, Elf32_Phdr 32, Elf32_Shdr 40,
// Elf32_Sym 16).
import { EM_RISCV } from './elf.ts';

export interface ElfSegmentSpec {
  readonly address: number;
  readonly data: Uint8Array;
  /** Bytes in memory (>= data.length; the rest is zero-filled, like .bss). */
  readonly memoryBytes?: number;
  /** p_flags: PF_X = 1, PF_W = 2, PF_R = 4. Default R+X. */
  readonly flags?: number;
}

export interface ElfSpec {
  readonly entry: number;
  readonly segments: readonly ElfSegmentSpec[];
  /** name -> value, or {value, size} (st_size; QEMU's HTIF wants 8-byte tohost/fromhost). */
  readonly symbols?: Readonly<Record<string, number | { readonly value: number; readonly size: number }>>;
}

const EHDR = 52;
const PHDR = 32;
const SHDR = 40;
const SYM = 16;

export function writeElf(spec: ElfSpec): Uint8Array {
  const encoder = new TextEncoder();
  const symbolEntries = Object.entries(spec.symbols ?? {});
  // string tables
  const strtabParts: number[] = [0];
  const nameOffsets: number[] = [];
  for (const [name] of symbolEntries) {
    nameOffsets.push(strtabParts.length);
    strtabParts.push(...encoder.encode(name), 0);
  }
  const strtab = Uint8Array.from(strtabParts);
  const shstrNames = ['', '.symtab', '.strtab', '.shstrtab'];
  const shstrParts: number[] = [];
  const shNameOffsets: number[] = [];
  for (const n of shstrNames) {
    shNameOffsets.push(shstrParts.length);
    shstrParts.push(...encoder.encode(n), 0);
  }
  const shstrtab = Uint8Array.from(shstrParts);

  const phoff = EHDR;
  let offset = phoff + PHDR * spec.segments.length;
  const segmentOffsets = spec.segments.map((s) => {
    offset = (offset + 3) & ~3;
    const at = offset;
    offset += s.data.length;
    return at;
  });
  offset = (offset + 3) & ~3;
  const symtabOffset = offset;
  const symtabBytes = SYM * (1 + symbolEntries.length);
  offset += symtabBytes;
  const strtabOffset = offset;
  offset += strtab.length;
  const shstrtabOffset = offset;
  offset += shstrtab.length;
  offset = (offset + 3) & ~3;
  const shoff = offset;
  const shnum = 4;
  const total = shoff + SHDR * shnum;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0); // ELFCLASS32, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, EM_RISCV, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, spec.entry >>> 0, true);
  v.setUint32(28, phoff, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0, true); // e_flags: soft-float ABI, no RVC flag needed by loaders
  v.setUint16(40, EHDR, true);
  v.setUint16(42, PHDR, true);
  v.setUint16(44, spec.segments.length, true);
  v.setUint16(46, SHDR, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, 3, true); // e_shstrndx

  spec.segments.forEach((s, i) => {
    const o = phoff + i * PHDR;
    v.setUint32(o, 1, true); // PT_LOAD
    v.setUint32(o + 4, segmentOffsets[i]!, true);
    v.setUint32(o + 8, s.address >>> 0, true);
    v.setUint32(o + 12, s.address >>> 0, true);
    v.setUint32(o + 16, s.data.length, true);
    v.setUint32(o + 20, Math.max(s.memoryBytes ?? 0, s.data.length), true);
    v.setUint32(o + 24, s.flags ?? 5, true);
    v.setUint32(o + 28, 4, true);
    out.set(s.data, segmentOffsets[i]);
  });

  symbolEntries.forEach(([, symbol], i) => {
    const o = symtabOffset + SYM * (i + 1);
    const { value, size } = typeof symbol === 'number' ? { value: symbol, size: 0 } : symbol;
    v.setUint32(o, nameOffsets[i]!, true);
    v.setUint32(o + 4, value >>> 0, true);
    v.setUint32(o + 8, size >>> 0, true);
    out[o + 12] = (1 << 4) | 0; // STB_GLOBAL, STT_NOTYPE
    v.setUint16(o + 14, 0xfff1, true); // SHN_ABS
  });
  out.set(strtab, strtabOffset);
  out.set(shstrtab, shstrtabOffset);

  const section = (i: number, name: number, type: number, off: number, size: number, link: number, entsize: number): void => {
    const o = shoff + i * SHDR;
    v.setUint32(o, name, true);
    v.setUint32(o + 4, type, true);
    v.setUint32(o + 16, off, true);
    v.setUint32(o + 20, size, true);
    v.setUint32(o + 24, link, true);
    v.setUint32(o + 28, i === 1 ? 1 : 0, true); // sh_info of .symtab: first global symbol index
    v.setUint32(o + 32, 1, true);
    v.setUint32(o + 36, entsize, true);
  };
  section(1, shNameOffsets[1]!, 2, symtabOffset, symtabBytes, 2, SYM); // SHT_SYMTAB, link -> .strtab
  section(2, shNameOffsets[2]!, 3, strtabOffset, strtab.length, 0, 0); // SHT_STRTAB
  section(3, shNameOffsets[3]!, 3, shstrtabOffset, shstrtab.length, 0, 0);
  return out;
}
