// The firmware's C sources (model loader, executor, reference and SIMD kernels — the SIMD dot
// products through host/simd.h's C model) compiled natively with the host compiler and checked
// against the TypeScript reference executor, tolerance zero, on random artifacts of every
// bit-width combination. Complements the conformance tests on the emulated core (which run the
// RISC-V image, including the assembly inner loop).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../../models/format/index.ts';
import { runReference } from '../../models/reference/index.ts';
import { allComboModels, randomInt, randomWindow, seededRandom } from '../../device-sim/twin/random-models.ts';

let dir = '';
let harness = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'har-fw-host-'));
  harness = join(dir, 'harness');
  execFileSync('bash', ['device-sim/firmware/host/build-host.sh', harness]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runHost(model: string, window: Int8Array, threshold: number, kernelSet: 0 | 1, widenPerCall = false): unknown {
  const windowPath = join(dir, 'window.bin');
  writeFileSync(windowPath, window);
  const env = widenPerCall ? { ...process.env, HAR_WIDEN_PER_CALL: '1' } : process.env;
  return JSON.parse(execFileSync(harness, [model, windowPath, String(threshold), String(kernelSet)], { encoding: 'utf8', env }));
}

describe('firmware C sources on the host = TS reference', () => {
  const models = allComboModels(7);
  it.each(models.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const modelPath = join(dir, 'model.harm');
    writeFileSync(modelPath, m.bytes);
    const artifact = readArtifact(m.bytes);
    const rand = seededRandom(m.bytes.length);
    for (let w = 0; w < 3; w++) {
      const window = randomWindow(rand, m.windowBytes);
      for (const threshold of [0, randomInt(rand, 1, 300), 4294967295]) {
        const ref = runReference(artifact, window, threshold);
        const expected = { classIndex: ref.classIndex, margin: ref.margin, exitTaken: ref.exitTaken, macs: ref.macs, scores: [...ref.scores] };
        for (const kernelSet of [0, 1] as const) {
          const got = runHost(modelPath, window, threshold, kernelSet) as Record<string, unknown>;
          delete got.arenaBytes;
          expect(got, `window ${w}, threshold ${threshold}, kernel set ${kernelSet}`).toEqual(expected);
        }
        // The optimized kernels' fallback: narrow weights widened on every call.
        const perCall = runHost(modelPath, window, threshold, 0, true) as Record<string, unknown>;
        delete perCall.arenaBytes;
        expect(perCall, `window ${w}, threshold ${threshold}, widening per call`).toEqual(expected);
      }
    }
  });

  it('rejects a corrupted artifact with the CRC check', () => {
    const bytes = allComboModels(3)[0]?.bytes.slice() ?? new Uint8Array();
    bytes[bytes.length - 8] = (bytes[bytes.length - 8] ?? 0) ^ 0xff;
    const modelPath = join(dir, 'bad.harm');
    writeFileSync(modelPath, bytes);
    expect(runHost(modelPath, new Int8Array(4), 0, 0)).toEqual({ detail: (5 << 16) | 0xffff });
  });
});
