// Issue 4 section 5, bad input on the real firmware image: a malformed artifact in the model
// region gives ERROR_MODEL naming the failed check; a model too large for the arena gives
// ERROR_ARENA; a window of the wrong size is refused (by the twin, and by the firmware when
// asked directly); a firmware that loops or traps is stopped (cycle budget / trap handler), the
// twin is reset and serves the next window. Never a hang.
import { describe, expect, it } from 'vitest';
import { MAILBOX_COMMAND, MAILBOX_STATUS, REGIONS } from '../../device-sim/memory-map.ts';
import { L2_BASE, L2_BYTES } from '../../device-sim/memory-map.ts';
import { parseElf } from '../../device-sim/iss/elf.ts';
import { withRecomputedCrc, writeArtifact } from '../../models/format/index.ts';
import type { McuCore } from '../../device-sim/twin/core.ts';
import { TwinError } from '../../device-sim/twin/errors.ts';
import { loadFirmwareImage } from '../../device-sim/twin/firmware-image.ts';
import { createIssCore } from '../../device-sim/twin/iss-core.ts';
import { mailboxAddress } from '../../device-sim/twin/mailbox.ts';
import { comboModel, randomConv, randomLinear, randomMetadata, randomWindow, seededRandom } from '../../device-sim/twin/random-models.ts';
import { createTwin } from '../../device-sim/twin/twin.ts';

const profile = { name: 'faults', clockHz: 100e6, activeEnergyPerCyclePj: 10 };
const firmwareElf = loadFirmwareImage();
const symbols = parseElf(firmwareElf, [{ base: L2_BASE, bytes: L2_BYTES }]).symbols;
const model = comboModel(42, 4, 4, 4, 1);

function twinError(fn: () => unknown): TwinError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TwinError) return e;
    throw e;
  }
  throw new Error('expected a TwinError');
}

/** The model with one byte changed and the CRC recomputed (so the structural check is reached). */
function patched(offset: number, value: number, fixCrc = true): Uint8Array {
  const bytes = model.bytes.slice();
  bytes[offset] = value;
  return fixCrc ? withRecomputedCrc(bytes) : bytes;
}

const boot = (modelBytes: Uint8Array) => createTwin({ firmwareElf, modelBytes, profile, coreFactory: createIssCore });

describe('malformed artifacts in the model region', () => {
  const layerTable = new DataView(model.bytes.buffer).getUint32(32 + 12, true);
  it.each([
    ['magic', () => patched(0, 0x58, false), 'magic', null],
    ['version', () => patched(4, 2), 'version', null],
    ['CRC', () => patched(model.bytes.length - 1, 0x7f, false), 'crc', null],
    ['file size beyond the header', () => patched(8, (model.bytes[8] ?? 0) + 4), 'fileBytes', null],
    ['stage count', () => patched(32 + 6, 9), 'netHeader', null],
    ['layer kind', () => patched(layerTable + 48, 7), 'layerKind', 1],
    ['weight bits', () => patched(layerTable + 5, 3), 'layerBits', 0],
    ['kernel size (outLen formula)', () => patched(layerTable + 6, 40), 'layerShape', 0],
    ['macs field', () => patched(layerTable + 40, 1), 'layerMacs', 0],
    ['weights offset', () => patched(layerTable + 20, 2), 'tensor', 0],
  ] as const)('%s', (_what, bytes, check, layer) => {
    const e = twinError(() => boot(bytes()));
    expect(e.code).toBe('TWIN_MODEL');
    expect(e.message).toContain(`check "${check}"`);
    expect((e.detail ?? 0) & 0xffff).toBe(layer ?? 0xffff);
  });

  it('an all-zero model region', () => {
    expect(twinError(() => boot(new Uint8Array(64))).message).toContain('check "magic"');
  });

  it('the accumulator bound (ARITHMETIC.md 3)', () => {
    const rand = seededRandom(5);
    const conv = randomConv(rand, { inCh: 4, inBits: 8, inSigned: true, outCh: 4, kernel: 3, weightBits: 8, outBits: 8 });
    const head = randomLinear(rand, { inFeatures: 4, inBits: 8, inSigned: false, outCh: 3, weightBits: 8, outBits: 16 });
    const bytes = writeArtifact({ inChannels: 4, windowSamples: 16, classCount: 3, stages: [{ backbone: [conv, { kind: 'globalavgpool' }], head: [head] }], metadata: randomMetadata('bound', 4, 16, 3, 'none', 1) });
    // Bias of channel 0 of layer 0 -> 2^31 - 1: any weight makes the bound overflow.
    const table = new DataView(bytes.buffer).getUint32(32 + 12, true);
    const biasOffset = new DataView(bytes.buffer).getUint32(table + 28, true);
    new DataView(bytes.buffer).setInt32(biasOffset, 0x7fffffff, true);
    const e = twinError(() => boot(withRecomputedCrc(bytes)));
    expect(e.message).toContain('check "accBound" at layer 0');
  });
});

describe('arena', () => {
  it('a model needing more arena than the firmware has gives ERROR_ARENA with the bytes needed', () => {
    const rand = seededRandom(9);
    const wide = randomConv(rand, { inCh: 6, inBits: 8, inSigned: true, outCh: 1024, kernel: 1, weightBits: 2, outBits: 2 });
    const head = randomLinear(rand, { inFeatures: 1024, inBits: 2, inSigned: false, outCh: 2, weightBits: 2, outBits: 16 });
    const bytes = writeArtifact({ inChannels: 6, windowSamples: 128, classCount: 2, stages: [{ backbone: [wide, { kind: 'globalavgpool' }], head: [head] }], metadata: randomMetadata('wide', 6, 128, 2, 'none', 1) });
    const e = twinError(() => boot(bytes));
    expect(e.code).toBe('TWIN_ARENA');
    expect(e.detail).toBeGreaterThan(3 * 1024 * 128);
  });
});

describe('windows', () => {
  it('the twin refuses a window of the wrong size and stays usable', () => {
    const twin = boot(model.bytes);
    expect(twinError(() => twin.run(new Int8Array(model.windowBytes + 1), 0)).code).toBe('TWIN_WINDOW');
    expect(twin.run(new Int8Array(model.windowBytes), 0).scores.length).toBeGreaterThan(0);
  });

  it('the firmware itself answers ERROR_WINDOW with the expected size', () => {
    const core = createIssCore(firmwareElf);
    core.writeBytes(REGIONS.model.base, model.bytes);
    expect(core.run(100_000_000).reason).toBe('wfi');
    expect(core.readU32(mailboxAddress('STATUS'))).toBe(MAILBOX_STATUS.READY);
    core.writeU32(mailboxAddress('WINDOW_BYTES'), model.windowBytes - 1);
    core.writeU32(mailboxAddress('COMMAND'), MAILBOX_COMMAND.RUN);
    expect(core.run(10_000_000).reason).toBe('wfi');
    expect(core.readU32(mailboxAddress('STATUS'))).toBe(MAILBOX_STATUS.ERROR_WINDOW);
    expect(core.readU32(mailboxAddress('ERROR_DETAIL'))).toBe(model.windowBytes);
    expect(core.readU32(mailboxAddress('COMMAND'))).toBe(MAILBOX_COMMAND.IDLE);
  });
});

describe('runaway and trapping firmware', () => {
  /** Cores whose net_run entry is overwritten (after boot) on the first core only. */
  function sabotaged(instruction: number): { factory: (elf: Uint8Array) => McuCore; cores: number } {
    const state = { cores: 0 };
    const netRun = symbols.get('net_run');
    if (netRun === undefined) throw new Error('net_run not in the firmware symbols');
    return {
      factory: (elf) => {
        const core = createIssCore(elf);
        if (state.cores++ === 0) {
          const word = new Uint8Array(4);
          new DataView(word.buffer).setUint32(0, instruction, true);
          core.writeBytes(netRun, word);
        }
        return core;
      },
      get cores() {
        return state.cores;
      },
    };
  }

  it('an endless loop is stopped by the cycle budget, the twin resets and answers the next window', () => {
    const s = sabotaged(0x0000006f); // jal x0, 0: jump to itself
    const twin = createTwin({ firmwareElf, modelBytes: model.bytes, profile, coreFactory: s.factory, maxCyclesPerWindow: 2_000_000 });
    const window = randomWindow(seededRandom(1), model.windowBytes);
    const e = twinError(() => twin.run(window, 0));
    expect(e.code).toBe('TWIN_BUDGET');
    expect(e.message).toContain('2000000 cycles');
    expect(twin.resets).toBe(1);
    expect(twin.run(window, 0).cycles).toBeGreaterThan(0);
  });

  it('an illegal instruction traps into the firmware handler, reported with mcause; the twin resets', () => {
    const s = sabotaged(0x00000000); // the all-zero word is an illegal instruction
    const lines: string[] = [];
    const twin = createTwin({ firmwareElf, modelBytes: model.bytes, profile, coreFactory: s.factory, onConsole: (l) => lines.push(l) });
    const window = randomWindow(seededRandom(2), model.windowBytes);
    const e = twinError(() => twin.run(window, 0));
    expect(e.code).toBe('TWIN_FAULT');
    expect(e.message).toContain('mcause=2');
    expect(lines.some((l) => l.startsWith('har-fw: trap mcause=0x00000002'))).toBe(true);
    expect(twin.run(window, 0).scores.length).toBeGreaterThan(0);
    expect(s.cores).toBe(2);
  });

  it('a malformed firmware image is refused', () => {
    const e = twinError(() => createTwin({ firmwareElf: firmwareElf.slice(0, 100), modelBytes: model.bytes, profile, coreFactory: createIssCore }));
    expect(e.code).toBe('TWIN_FIRMWARE');
  });
});
