// The firmware's boot-time validation against the TS reader (models/format/read.ts) on mutated
// artifacts: random bytes of the network section changed and the CRC recomputed, so the
// structural checks are reached. Whatever the bytes, the firmware never traps or hangs at boot
// (it answers READY or ERROR_MODEL); when it accepts, the reader accepts too (or rejects only the
// metadata, which the firmware never reads) and every window's answer equals the reference;
// when the reader accepts the network, the firmware accepts it as well.
import { describe, expect, it } from 'vitest';
import { ArtifactError, readArtifact, withRecomputedCrc } from '../../models/format/index.ts';
import { runReference } from '../../models/reference/index.ts';
import { TwinError } from '../../device-sim/twin/errors.ts';
import { loadFirmwareImage } from '../../device-sim/twin/firmware-image.ts';
import { createIssCore } from '../../device-sim/twin/iss-core.ts';
import { comboModel, randomInt, randomWindow, seededRandom } from '../../device-sim/twin/random-models.ts';
import { createTwin, type Twin } from '../../device-sim/twin/twin.ts';

const profile = { name: 'fuzz', clockHz: 100e6, activeEnergyPerCyclePj: 10 };
const firmwareElf = loadFirmwareImage();
const METADATA_CODES = new Set(['METADATA_JSON', 'METADATA_SCHEMA', 'METADATA_MISMATCH']);

function readerVerdict(bytes: Uint8Array): 'ok' | 'metadata' | 'network' {
  try {
    readArtifact(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    return METADATA_CODES.has(e.code) ? 'metadata' : 'network';
  }
}

describe('mutated artifacts: firmware validation agrees with the TS reader', () => {
  const bases = [comboModel(71, 8, 4, 2, 0), comboModel(72, 2, 8, 4, 1), comboModel(73, 4, 2, 8, 2)];
  it.each(bases.map((m, i) => [m.name, m, i] as const))('%s', (_name, base, i) => {
    const rand = seededRandom(1000 + i);
    const view = new DataView(base.bytes.buffer, base.bytes.byteOffset);
    const metaOffset = view.getUint32(24, true);
    const tally = { firmwareRejected: 0, bothAccepted: 0 };
    for (let n = 0; n < 30; n++) {
      const bytes = base.bytes.slice();
      const flips = randomInt(rand, 1, 3);
      for (let f = 0; f < flips; f++) {
        const at = randomInt(rand, 32, metaOffset - 1); // the network section
        bytes[at] = rand() < 0.5 ? randomInt(rand, 0, 255) : (bytes[at] ?? 0) ^ (1 << randomInt(rand, 0, 7));
      }
      withRecomputedCrc(bytes);
      const reader = readerVerdict(bytes);
      let twin: Twin | null = null;
      try {
        twin = createTwin({ firmwareElf, modelBytes: bytes, profile, coreFactory: createIssCore, bootMaxCycles: 50_000_000 });
      } catch (e) {
        // Rejected at boot: must be the firmware's verdict on the model, never a fault or a hang.
        expect(e, `mutation ${n}`).toBeInstanceOf(TwinError);
        expect(['TWIN_MODEL', 'TWIN_ARENA'], `mutation ${n}: ${(e as Error).message}`).toContain((e as TwinError).code);
        expect(reader, `mutation ${n}: the reader accepted what the firmware rejected (${(e as Error).message})`).not.toBe('ok');
        tally.firmwareRejected++;
        continue;
      }
      expect(reader, `mutation ${n}: the firmware accepted a network the reader rejects`).not.toBe('network');
      if (reader === 'ok') {
        const artifact = readArtifact(bytes);
        const window = randomWindow(rand, twin.windowBytes);
        for (const threshold of [0, 4294967295]) {
          const r = twin.run(window, threshold);
          const e = runReference(artifact, window, threshold);
          expect({ scores: r.scores, classIndex: r.classIndex, margin: r.margin, macs: r.macs }, `mutation ${n}`).toEqual({ scores: [...e.scores], classIndex: e.classIndex, margin: e.margin, macs: e.macs });
        }
        tally.bothAccepted++;
      }
    }
    expect(tally.firmwareRejected + tally.bothAccepted).toBeGreaterThan(15);
  });
});
