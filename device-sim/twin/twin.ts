// The digital twin of one wearable's MCU (issue 4 section 4): the firmware image and one model
// loaded into an emulated core, answering one window at a time over the mailbox protocol of
// device-sim/memory-map.ts. A runaway or trapping firmware is stopped by the cycle budget or the
// trap, reported as a TwinError, and the twin rebuilds its core (reload, reboot) so the next
// window is served normally.
import { MAILBOX_COMMAND, MAILBOX_MAX_WINDOW_BYTES, MAILBOX_STATUS, REGIONS } from '../memory-map.ts';
import type { CoreFactory, CoreStop, McuCore } from './core.ts';
import { TwinError } from './errors.ts';
import { mailboxAddress, readMailboxResult } from './mailbox.ts';
import { describeModelDetail } from './model-errors.ts';
import { energyUjOf, latencyUsOf, type TwinProfile } from './profile.ts';

/** Kernel set of the firmware (MAILBOX KERNEL_SET): SIMD-optimized (0) or plain reference (1). */
export type KernelSet = 'simd' | 'ref';
const KERNEL_SET_CODE: Record<KernelSet, number> = { simd: 0, ref: 1 };

/** Exit code base of the firmware's trap handler (FW_EXIT_TRAP_BASE in include/fw.h). */
export const FIRMWARE_EXIT_TRAP_BASE = 0x100;

/** Generous for the zoo (every model < 16 ms = 7.2 M cycles at 450 MHz), small enough to stop a loop fast. */
export const DEFAULT_MAX_CYCLES_PER_WINDOW = 50_000_000;
/** Boot validates the artifact (CRC, accumulator bound over every weight): linear in its size. */
export const DEFAULT_BOOT_MAX_CYCLES = 100_000_000;

export interface TwinOptions {
  readonly firmwareElf: Uint8Array;
  readonly modelBytes: Uint8Array;
  readonly profile: TwinProfile;
  readonly maxCyclesPerWindow?: number;
  readonly bootMaxCycles?: number;
  /** Builds the emulated core (the real ISS by default: see createIssCore). */
  readonly coreFactory: CoreFactory;
  /** Lines the firmware prints on the debug UART. */
  readonly onConsole?: (line: string) => void;
}

export interface TwinRunResult {
  readonly scores: number[];
  readonly classIndex: number;
  readonly margin: number;
  readonly exitTaken: number;
  readonly macs: number;
  /** mcycle delta measured by the firmware around the inference. */
  readonly cycles: number;
  readonly instret: number;
  readonly energyUj: number;
  readonly latencyUs: number;
}

export interface Twin {
  run(window: Int8Array, threshold: number, kernelSet?: KernelSet): TwinRunResult;
  readonly profile: TwinProfile;
  /** windowSamples * inChannels of the loaded model. */
  readonly windowBytes: number;
  /** Times the core was rebuilt after a fault. */
  readonly resets: number;
}

function stopText(stop: CoreStop): string {
  const hex = (v: number | undefined): string => (v === undefined ? '?' : `0x${(v >>> 0).toString(16)}`);
  switch (stop.reason) {
    case 'trap':
      return `trap mcause=${hex(stop.mcause)} mepc=${hex(stop.mepc)} mtval=${hex(stop.mtval)}`;
    case 'halt':
      // device-sim/firmware/include/fw.h: the firmware's trap handler exits with 0x100 | mcause.
      if (stop.exitCode !== undefined && (stop.exitCode & ~0xff) === FIRMWARE_EXIT_TRAP_BASE) {
        return `firmware trap handler: mcause=${stop.exitCode & 0xff}`;
      }
      return `halt with code ${hex(stop.exitCode)}`;
    case 'tohost':
      return `${stop.reason} with code ${hex(stop.exitCode)}`;
    default:
      return stop.reason;
  }
}

/** inChannels * windowSamples from the artifact's net header (FORMAT.md), or null if too short. */
function windowBytesOf(model: Uint8Array): number | null {
  if (model.length < 36) return null;
  const view = new DataView(model.buffer, model.byteOffset, model.byteLength);
  return view.getUint16(32, true) * view.getUint16(34, true);
}

export function createTwin(options: TwinOptions): Twin {
  const maxCyclesPerWindow = options.maxCyclesPerWindow ?? DEFAULT_MAX_CYCLES_PER_WINDOW;
  const bootMaxCycles = options.bootMaxCycles ?? DEFAULT_BOOT_MAX_CYCLES;
  const profile = options.profile;
  if (options.modelBytes.length > REGIONS.model.bytes) {
    throw new TwinError('TWIN_ARGUMENT', `model of ${options.modelBytes.length} bytes does not fit the ${REGIONS.model.bytes}-byte model region`);
  }
  let pendingConsole = '';
  const drainConsole = (core: McuCore): void => {
    pendingConsole += core.takeConsole();
    let nl = pendingConsole.indexOf('\n');
    while (nl >= 0) {
      options.onConsole?.(pendingConsole.slice(0, nl));
      pendingConsole = pendingConsole.slice(nl + 1);
      nl = pendingConsole.indexOf('\n');
    }
  };

  const boot = (): McuCore => {
    let core: McuCore;
    try {
      core = options.coreFactory(options.firmwareElf);
    } catch (cause) {
      throw new TwinError('TWIN_FIRMWARE', `firmware image not loadable: ${(cause as Error).message}`, { cause });
    }
    core.writeBytes(REGIONS.model.base, options.modelBytes);
    const stop = core.run(bootMaxCycles);
    drainConsole(core);
    if (stop.reason !== 'wfi') {
      throw new TwinError(stop.reason === 'budget' ? 'TWIN_BUDGET' : 'TWIN_FAULT', `firmware did not boot: ${stopText(stop)}`, { stop });
    }
    const status = core.readU32(mailboxAddress('STATUS'));
    const detail = core.readU32(mailboxAddress('ERROR_DETAIL'));
    if (status === MAILBOX_STATUS.ERROR_MODEL) {
      throw new TwinError('TWIN_MODEL', `firmware rejected the model: ${describeModelDetail(detail).text}`, { detail });
    }
    if (status === MAILBOX_STATUS.ERROR_ARENA) {
      throw new TwinError('TWIN_ARENA', `model needs an arena of ${detail} bytes, more than the firmware has`, { detail });
    }
    if (status !== MAILBOX_STATUS.READY) {
      throw new TwinError('TWIN_FAULT', `firmware reported status ${status} at boot instead of READY`);
    }
    return core;
  };

  let core = boot();
  const windowBytes = windowBytesOf(options.modelBytes) ?? 0;
  let resets = 0;

  const fault = (stop: CoreStop | null, what: string): never => {
    const code = stop?.reason === 'budget' ? 'TWIN_BUDGET' : 'TWIN_FAULT';
    core = boot();
    resets++;
    throw new TwinError(code, `firmware fault: ${what}; the twin was reset`, stop === null ? {} : { stop });
  };

  return {
    profile,
    windowBytes,
    get resets() {
      return resets;
    },
    run(window: Int8Array, threshold: number, kernelSet: KernelSet = 'simd'): TwinRunResult {
      if (window.length !== windowBytes || window.length > MAILBOX_MAX_WINDOW_BYTES) {
        throw new TwinError('TWIN_WINDOW', `window of ${window.length} bytes, the model takes ${windowBytes}`);
      }
      if (!Number.isInteger(threshold) || threshold < 0 || threshold > 0xffff_ffff) {
        throw new TwinError('TWIN_ARGUMENT', `threshold ${threshold} is not an unsigned 32-bit integer`);
      }
      const kernelCode = KERNEL_SET_CODE[kernelSet];
      if (kernelCode === undefined) throw new TwinError('TWIN_ARGUMENT', `unknown kernel set "${String(kernelSet)}"`);
      core.writeU32(mailboxAddress('WINDOW_BYTES'), window.length);
      core.writeBytes(mailboxAddress('WINDOW'), new Uint8Array(window.buffer, window.byteOffset, window.length));
      core.writeU32(mailboxAddress('THRESHOLD'), threshold);
      core.writeU32(mailboxAddress('KERNEL_SET'), kernelCode);
      core.writeU32(mailboxAddress('STATUS'), MAILBOX_STATUS.READY);
      core.writeU32(mailboxAddress('COMMAND'), MAILBOX_COMMAND.RUN);
      const stop = core.run(maxCyclesPerWindow);
      drainConsole(core);
      if (stop.reason === 'budget') return fault(stop, `exceeded its budget of ${maxCyclesPerWindow} cycles`);
      if (stop.reason !== 'wfi') return fault(stop, stopText(stop));
      const status = core.readU32(mailboxAddress('STATUS'));
      if (status === MAILBOX_STATUS.ERROR_WINDOW) {
        const expected = core.readU32(mailboxAddress('ERROR_DETAIL'));
        throw new TwinError('TWIN_WINDOW', `firmware rejected a window of ${window.length} bytes (expects ${expected})`, { detail: expected });
      }
      if (status !== MAILBOX_STATUS.DONE || core.readU32(mailboxAddress('COMMAND')) !== MAILBOX_COMMAND.IDLE) {
        return fault(null, `stopped without an answer (status ${status})`);
      }
      const r = readMailboxResult(core);
      return { ...r, energyUj: energyUjOf(r.cycles, profile), latencyUs: latencyUsOf(r.cycles, profile) };
    },
  };
}
