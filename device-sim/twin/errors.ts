// Errors of the twin (issue 4 section 4). Every failure is a TwinError with a stable `code`;
// faults of the emulated core (runaway loop, trap, unexpected halt) also carry the core's stop
// record so the daemon can log what the firmware did.

export type TwinErrorCode =
  /** The firmware image is not a loadable ELF32 RISC-V executable. */
  | 'TWIN_FIRMWARE'
  /** The firmware rejected the model at boot (MAILBOX STATUS = ERROR_MODEL); `detail` says which check. */
  | 'TWIN_MODEL'
  /** The model needs a larger arena than the firmware has (STATUS = ERROR_ARENA). */
  | 'TWIN_ARENA'
  /** The window has the wrong number of bytes for the model (checked before the core runs, and by the firmware). */
  | 'TWIN_WINDOW'
  /** A bad argument: threshold outside u32, unknown kernel set, model larger than the model region. */
  | 'TWIN_ARGUMENT'
  /** The firmware exceeded its cycle budget (a runaway loop); the twin was reset. */
  | 'TWIN_BUDGET'
  /** The firmware trapped or halted instead of answering; the twin was reset. */
  | 'TWIN_FAULT';

export interface CoreStopInfo {
  readonly reason: string;
  readonly cycles?: number;
  readonly exitCode?: number;
  readonly mcause?: number;
  readonly mepc?: number;
  readonly mtval?: number;
}

export class TwinError extends Error {
  readonly code: TwinErrorCode;
  /** Firmware-reported detail (MAILBOX ERROR_DETAIL) or the core's stop record. */
  readonly detail: number | undefined;
  readonly stop: CoreStopInfo | undefined;

  constructor(code: TwinErrorCode, message: string, options: { detail?: number; stop?: CoreStopInfo; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TwinError';
    this.code = code;
    this.detail = options.detail;
    this.stop = options.stop;
  }
}
