// The one small interface every memory-mapped device implements (after Spike's
// abstract_device_t and rp2040js's Peripheral): offsets are relative to the device's base,
// accesses are naturally aligned (the bus checks), values are little-endian.

export type AccessSize = 1 | 2 | 4;

export interface Device {
  readonly name: string;
  readonly base: number;
  readonly bytes: number;
  /** The value read, or undefined when nothing is implemented at that offset (the bus counts and warns, reads 0). */
  read(offset: number, size: AccessSize): number | undefined;
  /** false when nothing is implemented at that offset (the bus counts and warns, ignores the write). */
  write(offset: number, size: AccessSize, value: number): boolean;
}

/** What devices may ask of the machine. */
export interface DeviceHost {
  /** Stops the core at the end of the current instruction with this exit code. */
  halt(exitCode: number): void;
}
