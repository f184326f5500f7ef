// The memory map of the emulated MCU: the one source of truth. The instruction-set simulator
// (device-sim/iss) builds its bus from it, and the C header the firmware includes
// (device-sim/firmware/include/memory_map.h) is generated from it — never edit that header.
//
// Modelled on a PULPissimo-class SoC: 512 KiB of L2 SRAM at 0x1C00_0000 and the APB peripherals
// at 0x1A10_0000 (PULPissimo datasheet, "Memory map"). The mailbox, debug UART and exit device
// are this twin's own devices, not PULPissimo peripherals.

export const L2_BASE = 0x1c00_0000;
export const L2_BYTES = 512 * 1024;

/** Regions inside L2, in address order; together they cover L2 exactly. */
export const REGIONS = {
  /** Firmware code, data, bss, the inference arena and the stack (linker script). */
  firmware: { base: 0x1c00_0000, bytes: 256 * 1024 },
  /** The model artifact (models/FORMAT.md), written by the host, read by the firmware. */
  model: { base: 0x1c04_0000, bytes: 192 * 1024 },
  /** The mailbox: window in, threshold in, results out (layout below). */
  mailbox: { base: 0x1c07_0000, bytes: 64 * 1024 },
} as const;

/** Peripherals (word-wide registers, little-endian). */
export const PERIPHERALS = {
  /** Debug UART: a byte written to TX is appended to the twin's console (the daemon's log). */
  uart: { base: 0x1a10_2000, bytes: 0x1000, regs: { TX: 0x00, STATUS: 0x04 } },
  /** Exit device: a word written to CODE halts the core with that exit code. */
  exit: { base: 0x1a10_4000, bytes: 0x1000, regs: { CODE: 0x00 } },
} as const;

/**
 * Mailbox layout (byte offsets from REGIONS.mailbox.base; u32 little-endian unless noted).
 *
 * Protocol: the firmware boots once, validates the model, writes STATUS = READY and executes
 * `wfi`; the twin regains control. For each window the host writes WINDOW_BYTES, the int8
 * window at WINDOW, THRESHOLD, KERNEL_SET, then COMMAND = RUN and resumes the core. The firmware
 * runs the adaptive inference, writes the results and its own mcycle/minstret deltas around the
 * inference, sets STATUS = DONE (or an ERROR code), clears COMMAND and executes `wfi` again.
 */
export const MAILBOX = {
  COMMAND: 0x00, // host: 1 = RUN; firmware clears it to 0 when it has taken the command
  STATUS: 0x04, // firmware: see MAILBOX_STATUS
  THRESHOLD: 0x08, // host: the mode's unsigned 32-bit threshold (models/ARITHMETIC.md §6)
  WINDOW_BYTES: 0x0c, // host: bytes of the int8 window (windowSamples * inChannels)
  KERNEL_SET: 0x10, // host: 0 = optimized (SIMD) kernels, 1 = plain reference kernels
  CLASS_INDEX: 0x14, // firmware
  MARGIN: 0x18, // firmware
  EXIT_TAKEN: 0x1c, // firmware
  MACS: 0x20, // firmware: MACs of the layers that ran
  CYCLES: 0x24, // firmware: mcycle delta around the inference
  INSTRET: 0x28, // firmware: minstret delta around the inference
  SCORE_COUNT: 0x2c, // firmware: classCount
  ERROR_DETAIL: 0x30, // firmware: detail of an ERROR status (e.g. the failing layer index)
  SCORES: 0x40, // firmware: int32[MAX_SCORES]
  WINDOW: 0x100, // host: int8[WINDOW_BYTES], time-major [t][c]
} as const;

export const MAILBOX_MAX_SCORES = 48;
export const MAILBOX_MAX_WINDOW_BYTES = REGIONS.mailbox.bytes - MAILBOX.WINDOW;

export const MAILBOX_COMMAND = { IDLE: 0, RUN: 1 } as const;

export const MAILBOX_STATUS = {
  BOOTING: 0,
  READY: 1, // model validated, waiting for a command
  DONE: 2, // results written
  ERROR_MODEL: 0x10, // the artifact in the model region is invalid (detail: which check)
  ERROR_WINDOW: 0x11, // WINDOW_BYTES does not match the model's input
  ERROR_ARENA: 0x12, // the model needs more arena than the firmware has
} as const;
