// Coverage of the optimized kernels' fast paths by the random conformance artifacts (which
// firmware-random.test.ts checks bit for bit against the TS reference): the firmware's boot
// message names each layer's requantization form (device-sim/firmware/src/prepare.c), and the
// layer shapes decide which blocks of the SIMD inner loop run (include/simd.h: 8-word trips,
// then 4-, 2- and 1-word tails). Every form and every block must occur, so a wrong fast path
// cannot hide behind shapes the tests never build. Outputs here are also compared with the
// reference on one window per model. Last, a model too large for the prepared layers to fit in
// the arena runs the fallback (per-call widening, general requantization) on the emulated core.
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../models/format/index.ts';
import { runReference } from '../../models/reference/index.ts';
import { loadFirmwareImage } from '../../device-sim/twin/firmware-image.ts';
import { createIssCore } from '../../device-sim/twin/iss-core.ts';
import { writeArtifact } from '../../models/format/index.ts';
import { allComboModels, randomConv, randomLinear, randomMetadata, randomWindow, seededRandom, wideModels } from '../../device-sim/twin/random-models.ts';
import { createTwin } from '../../device-sim/twin/twin.ts';

const profile = { name: 'conformance', clockHz: 100e6, activeEnergyPerCyclePj: 10 };
const FORMS_LINE = /^har-fw: requantization forms ([.tmhg]*)$/;

describe('optimized kernel paths exercised by the random artifacts', () => {
  it('every requantization form and every inner-loop block occurs, answers equal the reference', () => {
    const firmwareElf = loadFirmwareImage();
    const forms = new Map<string, number>();
    const blocks = new Set<string>();
    for (const m of [...allComboModels(11), ...wideModels(3)]) {
      const artifact = readArtifact(m.bytes);
      const lines: string[] = [];
      const twin = createTwin({ firmwareElf, modelBytes: m.bytes, profile, coreFactory: createIssCore, onConsole: (l) => lines.push(l) });
      const formsOfModel = lines.map((l) => FORMS_LINE.exec(l)?.[1]).find((f) => f !== undefined);
      expect(formsOfModel, `${m.name}: boot message ${JSON.stringify(lines)}`).toBeDefined();
      expect(formsOfModel?.length).toBe(artifact.layers.length);
      artifact.layers.forEach((layer, i) => {
        const form = formsOfModel?.[i] ?? '?';
        const weighted = layer.kind === 'conv1d' || layer.kind === 'linear';
        expect(form === '.', `${m.name} layer ${i} (${layer.kind}) form ${form}`).toBe(!weighted);
        if (!weighted) return;
        forms.set(form, (forms.get(form) ?? 0) + 1);
        if (form === 't') expect(layer.outBits).toBe(2);
        if (layer.outSigned) expect(form).toBe('g');
        const lane = Math.max(layer.inBits, layer.weightBits);
        const rowElems = layer.kind === 'conv1d' ? layer.kernel * layer.inCh : layer.inCh * layer.inLen;
        const rowWords = Math.ceil((rowElems * lane) / 32);
        if (layer.outCh >= 4) {
          if (rowWords >= 8) blocks.add('8-word trips');
          for (const tail of [4, 2, 1]) if ((rowWords & tail) !== 0) blocks.add(`${tail}-word tail`);
        }
      });
      const window = randomWindow(seededRandom(m.bytes.length), m.windowBytes);
      const ref = runReference(artifact, window, 4294967295);
      const got = twin.run(window, 4294967295, 'simd');
      expect({ scores: got.scores, classIndex: got.classIndex }, m.name).toEqual({ scores: [...ref.scores], classIndex: ref.classIndex });
    }
    for (const form of ['t', 'm', 'h', 'g']) expect(forms.get(form) ?? 0, `form ${form}`).toBeGreaterThan(0);
    expect([...blocks].sort()).toEqual(['1-word tail', '2-word tail', '4-word tail', '8-word trips']);
  });
});

describe('optimized kernels without room for the prepared layers', () => {
  it('fall back to per-call widening and the general requantization, still equal to the reference', () => {
    // 400 x 400 8-bit weights (160 kB) fit the model region but not twice into the arena.
    const rand = seededRandom(77);
    const F = 400;
    const stem = [randomConv(rand, { inCh: 6, inBits: 8, inSigned: true, outCh: F, kernel: 1, weightBits: 8, outBits: 4 }), { kind: 'globalavgpool' } as const];
    const layer = randomLinear(rand, { inFeatures: F, inBits: 4, inSigned: false, outCh: F, weightBits: 8, outBits: 4, outSigned: false });
    const head = [randomLinear(rand, { inFeatures: F, inBits: 4, inSigned: false, outCh: 6, weightBits: 2, outBits: 16 })];
    const bytes = writeArtifact({ inChannels: 6, windowSamples: 8, classCount: 6, stages: [{ backbone: [...stem, layer], head }], metadata: randomMetadata('no-room', 6, 8, 6, 'none', 1) });
    const artifact = readArtifact(bytes);
    const lines: string[] = [];
    const twin = createTwin({ firmwareElf: loadFirmwareImage(), modelBytes: bytes, profile, coreFactory: createIssCore, onConsole: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain('no room for prepared layers');
    expect(lines.join('\n')).toContain('requantization forms ....');
    for (let w = 0; w < 3; w++) {
      const window = randomWindow(rand, 6 * 8);
      const ref = runReference(artifact, window, 4294967295);
      for (const kernelSet of ['simd', 'ref'] as const) {
        const got = twin.run(window, 4294967295, kernelSet);
        expect({ scores: got.scores, classIndex: got.classIndex }, `window ${w} ${kernelSet}`).toEqual({ scores: [...ref.scores], classIndex: ref.classIndex });
      }
    }
  });
});
