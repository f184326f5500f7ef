// ELF32 loader for the emulated MCU (System V gABI "ELF Object File Format"; RISC-V ELF psABI).
// Everything is validated before anything is loaded: identification (magic, class ELFCLASS32,
// data ELFDATA2LSB, version), e_machine EM_RISCV, e_type ET_EXEC, header sizes, every program
// header and section header inside the file, PT_LOAD segments inside mapped memory, and the
// symbol table's names inside its string table. A malformed file gives an ElfError with a code,
// never a partial load.

export const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const ELF32_EHDR_BYTES = 52;
const ELF32_PHDR_BYTES = 32;
const ELF32_SHDR_BYTES = 40;
const ELF32_SYM_BYTES = 16;

export type ElfErrorCode =
  | 'ELF_TRUNCATED'
  | 'ELF_MAGIC'
  | 'ELF_CLASS'
  | 'ELF_ENDIAN'
  | 'ELF_VERSION'
  | 'ELF_TYPE'
  | 'ELF_MACHINE'
  | 'ELF_HEADER_SIZE'
  | 'ELF_PROGRAM_HEADERS'
  | 'ELF_SEGMENT_FILE_BOUNDS'
  | 'ELF_SEGMENT_SIZE'
  | 'ELF_SEGMENT_NOT_MAPPED'
  | 'ELF_NO_SEGMENTS'
  | 'ELF_ENTRY'
  | 'ELF_SECTION_HEADERS'
  | 'ELF_SYMBOLS';

export class ElfError extends Error {
  readonly code: ElfErrorCode;
  constructor(code: ElfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ElfError';
    this.code = code;
  }
}

export interface ElfSegment {
  /** Load address (p_paddr: where the bytes go in the MCU's memory). */
  readonly address: number;
  readonly fileBytes: number;
  readonly memoryBytes: number;
  readonly data: Uint8Array;
  readonly flags: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
  /** Symbol name -> value (st_value), from .symtab when present. */
  readonly symbols: ReadonlyMap<string, number>;
}

/** Where loadable bytes may go: [base, base + bytes). */
export interface MemoryRange {
  readonly base: number;
  readonly bytes: number;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

export function parseElf(bytes: Uint8Array, mapped: readonly MemoryRange[]): ElfImage {
  if (bytes.length < ELF32_EHDR_BYTES) throw new ElfError('ELF_TRUNCATED', `file of ${bytes.length} bytes is shorter than an ELF32 header (52 bytes)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) throw new ElfError('ELF_MAGIC', 'not an ELF file (bad magic; expected 7f 45 4c 46)');
  if (bytes[4] !== 1) throw new ElfError('ELF_CLASS', `EI_CLASS is ${bytes[4]}, expected 1 (ELFCLASS32)`);
  if (bytes[5] !== 1) throw new ElfError('ELF_ENDIAN', `EI_DATA is ${bytes[5]}, expected 1 (ELFDATA2LSB, little-endian)`);
  if (bytes[6] !== 1) throw new ElfError('ELF_VERSION', `EI_VERSION is ${bytes[6]}, expected 1 (EV_CURRENT)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => view.getUint16(o, true);
  const u32 = (o: number): number => view.getUint32(o, true);

  const type = u16(16);
  if (type !== ET_EXEC) throw new ElfError('ELF_TYPE', `e_type is ${type}, expected 2 (ET_EXEC, a linked executable)`);
  const machine = u16(18);
  if (machine !== EM_RISCV) throw new ElfError('ELF_MACHINE', `e_machine is ${machine}, expected ${EM_RISCV} (EM_RISCV)`);
  if (u32(20) !== 1) throw new ElfError('ELF_VERSION', `e_version is ${u32(20)}, expected 1`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const ehsize = u16(40);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  if (ehsize !== ELF32_EHDR_BYTES) throw new ElfError('ELF_HEADER_SIZE', `e_ehsize is ${ehsize}, expected 52`);
  if (phnum === 0) throw new ElfError('ELF_NO_SEGMENTS', 'no program headers: nothing to load');
  if (phentsize !== ELF32_PHDR_BYTES) throw new ElfError('ELF_HEADER_SIZE', `e_phentsize is ${phentsize}, expected 32`);
  if (phoff + phnum * ELF32_PHDR_BYTES > bytes.length) {
    throw new ElfError('ELF_PROGRAM_HEADERS', `program headers (${phnum} at offset ${phoff}) run past the end of the file (${bytes.length} bytes)`);
  }

  const inMapped = (address: number, length: number): boolean =>
    mapped.some((r) => address >= r.base && address + length <= r.base + r.bytes);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * ELF32_PHDR_BYTES;
    if (u32(o) !== PT_LOAD) continue;
    const offset = u32(o + 4);
    const paddr = u32(o + 12);
    const filesz = u32(o + 16);
    const memsz = u32(o + 20);
    const flags = u32(o + 24);
    if (memsz === 0) continue;
    if (filesz > memsz) throw new ElfError('ELF_SEGMENT_SIZE', `segment ${i}: p_filesz ${filesz} exceeds p_memsz ${memsz}`);
    if (offset + filesz > bytes.length) {
      throw new ElfError('ELF_SEGMENT_FILE_BOUNDS', `segment ${i}: file bytes [${offset}, ${offset + filesz}) run past the end of the file (${bytes.length} bytes)`);
    }
    if (!inMapped(paddr, memsz)) {
      throw new ElfError('ELF_SEGMENT_NOT_MAPPED', `segment ${i}: [${hex(paddr)}, ${hex(paddr + memsz)}) is not inside the MCU's memory (${mapped.map((r) => `[${hex(r.base)}, ${hex(r.base + r.bytes)})`).join(', ')})`);
    }
    segments.push({ address: paddr, fileBytes: filesz, memoryBytes: memsz, data: bytes.subarray(offset, offset + filesz), flags });
  }
  if (segments.length === 0) throw new ElfError('ELF_NO_SEGMENTS', 'no PT_LOAD segment with bytes to load');
  if (!segments.some((sg) => entry >= sg.address && entry < sg.address + sg.memoryBytes)) {
    throw new ElfError('ELF_ENTRY', `entry point ${hex(entry)} is not inside a loaded segment`);
  }
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const a = segments[i]!;
      const b = segments[j]!;
      if (a.address < b.address + b.memoryBytes && b.address < a.address + a.memoryBytes) {
        throw new ElfError('ELF_SEGMENT_SIZE', `segments at ${hex(a.address)} and ${hex(b.address)} overlap`);
      }
    }
  }
  return { entry, segments, symbols: readSymbols(bytes, view, shoff, shentsize, shnum) };
}

function readSymbols(bytes: Uint8Array, view: DataView, shoff: number, shentsize: number, shnum: number): Map<string, number> {
  const symbols = new Map<string, number>();
  if (shnum === 0 || shoff === 0) return symbols;
  if (shentsize !== ELF32_SHDR_BYTES) throw new ElfError('ELF_SECTION_HEADERS', `e_shentsize is ${shentsize}, expected 40`);
  if (shoff + shnum * ELF32_SHDR_BYTES > bytes.length) {
    throw new ElfError('ELF_SECTION_HEADERS', `section headers (${shnum} at offset ${shoff}) run past the end of the file`);
  }
  const u32 = (o: number): number => view.getUint32(o, true);
  const section = (i: number): { type: number; offset: number; size: number; link: number } => {
    const o = shoff + i * ELF32_SHDR_BYTES;
    return { type: u32(o + 4), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24) };
  };
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (sh.type !== SHT_SYMTAB) continue;
    if (sh.offset + sh.size > bytes.length) throw new ElfError('ELF_SYMBOLS', `.symtab [${sh.offset}, ${sh.offset + sh.size}) runs past the end of the file`);
    if (sh.link >= shnum) throw new ElfError('ELF_SYMBOLS', `.symtab links to section ${sh.link} of ${shnum}`);
    const strtab = section(sh.link);
    if (strtab.offset + strtab.size > bytes.length) throw new ElfError('ELF_SYMBOLS', 'the symbol string table runs past the end of the file');
    const names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
    const decoder = new TextDecoder();
    for (let o = sh.offset; o + ELF32_SYM_BYTES <= sh.offset + sh.size; o += ELF32_SYM_BYTES) {
      const nameOffset = u32(o);
      if (nameOffset === 0) continue;
      if (nameOffset >= names.length) throw new ElfError('ELF_SYMBOLS', `symbol name offset ${nameOffset} is outside the string table (${names.length} bytes)`);
      let end = nameOffset;
      while (end < names.length && names[end] !== 0) end++;
      const name = decoder.decode(names.subarray(nameOffset, end));
      if (!symbols.has(name)) symbols.set(name, u32(o + 4));
    }
  }
  return symbols;
}
