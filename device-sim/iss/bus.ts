// The memory bus, built from device-sim/memory-map.ts: the L2 SRAM (firmware, model and
// mailbox regions are all plain RAM) and the peripherals behind the Device interface.
//
// Guest accesses never throw: a fault is recorded in `fault`/`faultAddress` for the caller
// (the translated code) to turn into a precise trap. Host accesses (loading an ELF, writing the
// mailbox) throw BusError, since a host bug is not the firmware's fault.
//
// Misaligned data accesses trap (Vol. I §2.6 allows it: "loads and stores where the effective
// address is not naturally aligned ... may ... raise an address-misaligned exception"); the
// address goes to mtval. Accesses outside every region are access faults; accesses inside a
// device's window that hit no register read 0 / are ignored. Both are counted and warned about
// once per address (not once per access).
import { L2_BASE, L2_BYTES } from '../memory-map.ts';
import type { AccessSize, Device } from './devices/device.ts';
import { CAUSE } from './state.ts';

/** Code pages: translated blocks are tracked per 256-byte page of L2. */
export const PAGE_SHIFT = 8;
export const PAGE_FLAG_CODE = 1;
export const PAGE_FLAG_WATCH = 2;
export const NO_FAULT = -1;

/** Why a store asks the core to stop after the current instruction. */
export const STOP = { NONE: 0, HALT: 1, TOHOST: 2, CODE_WRITE: 3 } as const;

export class BusError extends Error {
  readonly code: string;
  readonly address: number;
  constructor(code: string, message: string, address: number) {
    super(message);
    this.name = 'BusError';
    this.code = code;
    this.address = address;
  }
}

export interface BusStats {
  /** Guest accesses outside every region (each also raised an access fault). */
  unmappedAccesses: number;
  /** Guest accesses inside a device window where no register is implemented. */
  unimplementedRegisterAccesses: number;
}

/** At most this many distinct addresses are remembered for the warn-once rule; beyond it, only counts. */
const WARNED_ADDRESSES_MAX = 256;

export class Bus {
  readonly buffer = new ArrayBuffer(L2_BYTES);
  readonly u8 = new Uint8Array(this.buffer);
  readonly i8 = new Int8Array(this.buffer);
  readonly u16 = new Uint16Array(this.buffer);
  readonly i16 = new Int16Array(this.buffer);
  readonly i32 = new Int32Array(this.buffer);
  /** Per 256-byte page of L2: PAGE_FLAG_CODE (translated code lives here), PAGE_FLAG_WATCH (tohost). */
  readonly pageFlags = new Uint8Array(L2_BYTES >>> PAGE_SHIFT);
  readonly stats: BusStats = { unmappedAccesses: 0, unimplementedRegisterAccesses: 0 };

  /** Set by a faulting guest access: the exception code, else NO_FAULT. */
  fault: number = NO_FAULT;
  faultAddress = 0;
  /** Set by a store that must end the current block (STOP.*). */
  stop: number = STOP.NONE;
  exitCode = 0;
  /** The ELF symbol `tohost` (riscv-tests convention), or -1. */
  tohostAddress = -1;
  tohostValue = 0;

  private readonly devices: readonly Device[];
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<number>();
  /** Called with the L2 page index when a write hits a page holding translated code. */
  onCodeWrite: (page: number) => void = () => undefined;

  constructor(devices: readonly Device[], warn: (message: string) => void) {
    this.devices = devices;
    this.warn = warn;
  }

  /** Marks the tohost word so stores to it reach the slow path. */
  watchTohost(address: number): void {
    this.tohostAddress = address;
    const offset = address - L2_BASE;
    if (offset >>> 0 < L2_BYTES) this.pageFlags[offset >>> PAGE_SHIFT]! |= PAGE_FLAG_WATCH;
  }

  private device(address: number): Device | undefined {
    for (const d of this.devices) if ((address - d.base) >>> 0 < d.bytes) return d;
    return undefined;
  }

  private note(address: number, what: string): void {
    if (this.warned.has(address) || this.warned.size >= WARNED_ADDRESSES_MAX) return;
    this.warned.add(address);
    this.warn(`${what} at 0x${(address >>> 0).toString(16).padStart(8, '0')} (counted; warned once per address)`);
  }

  // ---- guest accesses (slow path of the translated code) ----

  /** A guest load; on a fault sets `fault` and returns 0. */
  load(address: number, size: AccessSize, signed: boolean): number {
    if ((address & (size - 1)) !== 0) return this.setFault(CAUSE.LOAD_MISALIGNED, address);
    const offset = address - L2_BASE;
    if (offset >>> 0 < L2_BYTES) {
      if (size === 4) return this.i32[offset >>> 2]!;
      if (size === 2) return signed ? this.i16[offset >>> 1]! : this.u16[offset >>> 1]!;
      return signed ? this.i8[offset]! : this.u8[offset]!;
    }
    const d = this.device(address);
    if (!d) {
      this.stats.unmappedAccesses++;
      this.note(address, 'load from unmapped address');
      return this.setFault(CAUSE.LOAD_ACCESS_FAULT, address);
    }
    const v = d.read(address - d.base, size);
    if (v === undefined) {
      this.stats.unimplementedRegisterAccesses++;
      this.note(address, `load from unimplemented ${d.name} register`);
      return 0;
    }
    if (size === 4) return v | 0;
    if (size === 2) return signed ? (v << 16) >> 16 : v & 0xffff;
    return signed ? (v << 24) >> 24 : v & 0xff;
  }

  /** A guest store; on a fault sets `fault`; may set `stop`. */
  store(address: number, size: AccessSize, value: number): void {
    if ((address & (size - 1)) !== 0) {
      this.setFault(CAUSE.STORE_MISALIGNED, address);
      return;
    }
    const offset = address - L2_BASE;
    if (offset >>> 0 < L2_BYTES) {
      const page = offset >>> PAGE_SHIFT;
      const flags = this.pageFlags[page]!;
      if (size === 4) this.i32[offset >>> 2] = value;
      else if (size === 2) this.u16[offset >>> 1] = value;
      else this.u8[offset] = value;
      if (flags & PAGE_FLAG_CODE) {
        this.onCodeWrite(page);
        this.stop = STOP.CODE_WRITE;
      }
      if (flags & PAGE_FLAG_WATCH && this.tohostAddress >= 0 && (offset - (this.tohostAddress - L2_BASE)) >>> 0 < 4) {
        const v = this.i32[(this.tohostAddress - L2_BASE) >>> 2]!;
        if (v !== 0) {
          this.tohostValue = v >>> 0;
          this.stop = STOP.TOHOST;
        }
      }
      return;
    }
    const d = this.device(address);
    if (!d) {
      this.stats.unmappedAccesses++;
      this.note(address, 'store to unmapped address');
      this.setFault(CAUSE.STORE_ACCESS_FAULT, address);
      return;
    }
    if (!d.write(address - d.base, size, value)) {
      this.stats.unimplementedRegisterAccesses++;
      this.note(address, `store to unimplemented ${d.name} register`);
    }
  }

  /** Requested by the exit device. */
  halt(exitCode: number): void {
    this.exitCode = exitCode;
    this.stop = STOP.HALT;
  }

  private setFault(cause: number, address: number): number {
    this.fault = cause;
    this.faultAddress = address | 0;
    return 0;
  }

  /** Is an instruction fetch of `bytes` at `address` inside executable memory (L2)? */
  fetchable(address: number, bytes: number): boolean {
    const offset = address - L2_BASE;
    return offset >>> 0 < L2_BYTES && (offset + bytes - 1) >>> 0 < L2_BYTES;
  }

  /** Reads a 16-bit parcel of code (caller checked fetchable). */
  fetch16(address: number): number {
    return this.u16[(address - L2_BASE) >>> 1]!;
  }

  // ---- host accesses ----

  private hostOffset(address: number, bytes: number): number {
    const offset = address - L2_BASE;
    if (offset < 0 || offset + bytes > L2_BYTES) {
      throw new BusError('BUS_HOST_RANGE', `host access of ${bytes} bytes at 0x${(address >>> 0).toString(16)} is outside L2`, address);
    }
    return offset;
  }

  private invalidateRange(offset: number, bytes: number): void {
    if (bytes <= 0) return;
    for (let page = offset >>> PAGE_SHIFT; page <= (offset + bytes - 1) >>> PAGE_SHIFT; page++) {
      if (this.pageFlags[page]! & PAGE_FLAG_CODE) this.onCodeWrite(page);
    }
  }

  writeBytes(address: number, data: Uint8Array): void {
    const offset = this.hostOffset(address, data.length);
    this.u8.set(data, offset);
    this.invalidateRange(offset, data.length);
  }

  fill(address: number, bytes: number, value = 0): void {
    const offset = this.hostOffset(address, bytes);
    this.u8.fill(value, offset, offset + bytes);
    this.invalidateRange(offset, bytes);
  }

  readBytes(address: number, bytes: number): Uint8Array {
    const offset = this.hostOffset(address, bytes);
    return this.u8.slice(offset, offset + bytes);
  }

  read32(address: number): number {
    if (address & 3) throw new BusError('BUS_HOST_MISALIGNED', `host read32 at misaligned 0x${(address >>> 0).toString(16)}`, address);
    return this.i32[this.hostOffset(address, 4) >>> 2]! >>> 0;
  }

  write32(address: number, value: number): void {
    if (address & 3) throw new BusError('BUS_HOST_MISALIGNED', `host write32 at misaligned 0x${(address >>> 0).toString(16)}`, address);
    const offset = this.hostOffset(address, 4);
    this.i32[offset >>> 2] = value;
    this.invalidateRange(offset, 4);
  }
}
