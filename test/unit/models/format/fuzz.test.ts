// Seeded fuzzing of the reader (issue 3 §3: "a truncated, corrupted or hostile file is rejected
// with a clear error and never read out of bounds"). Valid artifacts are mutated thousands of
// times — bit flips, truncation, extension, random and extreme values in header and table
// fields, huge offsets and counts — with and without a recomputed CRC (so the mutation reaches
// the checks behind the CRC). The reader must accept or throw ArtifactError; any other exception
// fails. An accepted file must also run on the reference executor without throwing.
import { describe, expect, it } from 'vitest';
import { THRESHOLD_FULL } from '../../../../models/engine.ts';
import { ArtifactError } from '../../../../models/format/errors.ts';
import { readArtifact } from '../../../../models/format/read.ts';
import { withRecomputedCrc, writeArtifact } from '../../../../models/format/write.ts';
import { LAYER_RECORD_BYTES } from '../../../../models/format/constants.ts';
import { runReference } from '../../../../models/reference/executor.ts';
import { pick, randomInt, randomSpec, seededRandom } from './fixtures.ts';

/** The artifact with its metadata JSON replaced by `text` (sizes and CRC fixed). */
function withMetadataText(bytes: Uint8Array, text: string): Uint8Array {
  const metaOffset = new DataView(bytes.buffer, bytes.byteOffset).getUint32(24, true);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(metaOffset + Math.ceil(json.length / 4) * 4);
  out.set(bytes.subarray(0, metaOffset));
  out.set(json, metaOffset);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, out.length, true);
  dv.setUint32(28, json.length, true);
  return withRecomputedCrc(out);
}

const JSON_VALUES: readonly unknown[] = [null, true, 0, -1, 1.5, 4294967296, '', 'x', [], {}, [1, 2], { a: 1 }, 'Bad Id', Number.MAX_SAFE_INTEGER];

/** Replaces, deletes or adds one value somewhere in a JSON tree (in place). */
function mutateJson(rng: () => number, node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  const container = node as Record<string | number, unknown>;
  if (keys.length === 0 || rng() < 0.15) {
    if (Array.isArray(node)) node.push(structuredClone(pick(rng, JSON_VALUES)));
    else container[pick(rng, ['extra', 'id', 'modes', 'zz'])] = structuredClone(pick(rng, JSON_VALUES));
    return;
  }
  const key = pick(rng, keys);
  const child = container[key];
  if (child !== null && typeof child === 'object' && rng() < 0.6) {
    mutateJson(rng, child);
  } else if (rng() < 0.3) {
    if (Array.isArray(node)) node.splice(Number(key), 1);
    else delete container[key];
  } else {
    container[key] = structuredClone(pick(rng, JSON_VALUES));
  }
}

const ITERATIONS = 6000;
const EXTREMES = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];

type Width = 1 | 2 | 4;

function writeField(dv: DataView, offset: number, width: Width, value: number): void {
  if (offset + width > dv.byteLength) return;
  if (width === 1) dv.setUint8(offset, value & 0xff);
  else if (width === 2) dv.setUint16(offset, value & 0xffff, true);
  else dv.setUint32(offset, value >>> 0, true);
}

/** Offsets and widths of the header, net header, stage and layer table fields of `bytes`. */
function fieldMap(bytes: Uint8Array): [number, Width][] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: [number, Width][] = [[4, 2], [6, 2], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [28, 4]];
  fields.push([32, 2], [34, 2], [36, 2], [38, 1], [39, 1], [40, 2], [42, 2], [44, 4]);
  const stageCount = dv.getUint8(38);
  for (let s = 0; s < stageCount; s++) {
    const o = 48 + 8 * s;
    fields.push([o, 1], [o + 1, 1], [o + 2, 2], [o + 4, 2], [o + 6, 2]);
  }
  const layerTable = dv.getUint32(44, true);
  const layerCount = dv.getUint16(40, true);
  for (let l = 0; l < layerCount; l++) {
    const o = layerTable + l * LAYER_RECORD_BYTES;
    for (let b = 0; b < 12; b++) fields.push([o + b, 1]);
    for (let b = 12; b < 20; b += 2) fields.push([o + b, 2]);
    for (let b = 20; b < 48; b += 4) fields.push([o + b, 4]);
  }
  return fields;
}

function mutate(rng: () => number, base: Uint8Array, fields: [number, Width][]): Uint8Array {
  let bytes = base.slice();
  const kind = randomInt(rng, 0, 5);
  switch (kind) {
    case 0: { // bit flips anywhere
      const flips = randomInt(rng, 1, 8);
      for (let i = 0; i < flips; i++) {
        const at = randomInt(rng, 0, bytes.length - 1);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << randomInt(rng, 0, 7));
      }
      break;
    }
    case 1: // truncation
      bytes = bytes.slice(0, randomInt(rng, 0, bytes.length - 1));
      break;
    case 2: { // extension with random bytes (and sometimes a matching fileBytes)
      const extra = Uint8Array.from({ length: randomInt(rng, 1, 64) }, () => randomInt(rng, 0, 255));
      const grown = new Uint8Array(bytes.length + extra.length);
      grown.set(bytes);
      grown.set(extra, bytes.length);
      bytes = grown;
      if (rng() < 0.5) new DataView(bytes.buffer).setUint32(8, bytes.length, true);
      break;
    }
    default: { // field values: random or extreme, one to three fields
      const dv = new DataView(bytes.buffer);
      const count = randomInt(rng, 1, 3);
      for (let i = 0; i < count; i++) {
        const [offset, width] = pick(rng, fields);
        const value = rng() < 0.5 ? pick(rng, EXTREMES) : Math.floor(rng() * 2 ** (8 * width));
        writeField(dv, offset, width, value);
      }
      break;
    }
  }
  // Most mutations get a valid CRC so they reach the structural checks behind it.
  if (bytes.length >= 16 && rng() < 0.85) withRecomputedCrc(bytes);
  return bytes;
}

describe('artifact reader fuzzing', () => {
  const bases = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => writeArtifact(randomSpec(seed * 7919, (['plain', 'early-exit', 'cascade'] as const)[seed % 3])));

  it(`accepts or throws ArtifactError on ${ITERATIONS} mutated files, never anything else`, () => {
    const rng = seededRandom(20260124);
    const byCode = new Map<string, number>();
    let accepted = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const base = bases[i % bases.length]!;
      const bytes = mutate(rng, base, fieldMap(base));
      let artifact;
      try {
        artifact = readArtifact(bytes);
      } catch (err) {
        if (!(err instanceof ArtifactError)) {
          throw new Error(`iteration ${i}: reader threw a non-ArtifactError: ${err instanceof Error ? err.stack : String(err)}`);
        }
        expect(err.field.length).toBeGreaterThan(0);
        byCode.set(err.code, (byCode.get(err.code) ?? 0) + 1);
        continue;
      }
      accepted++;
      const window = new Int8Array(artifact.net.windowSamples * artifact.net.inChannels).fill(-7);
      const run = runReference(artifact, window, THRESHOLD_FULL);
      expect(run.scores.length).toBe(artifact.net.classCount);
    }
    // The mutations must reach many different checks, not just the CRC.
    expect(byCode.size).toBeGreaterThanOrEqual(12);
    expect(accepted).toBeLessThan(ITERATIONS);
  });

  it('accepts or rejects 1500 mutated metadata documents with METADATA_* errors only', () => {
    const rng = seededRandom(77);
    const codes = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      const base = bases[i % bases.length]!;
      const meta = readArtifact(base).metadata;
      const doc = JSON.parse(JSON.stringify(meta)) as unknown;
      const edits = randomInt(rng, 1, 3);
      for (let e = 0; e < edits; e++) mutateJson(rng, doc);
      const text = rng() < 0.1 ? JSON.stringify(doc).slice(0, randomInt(rng, 0, 40)) : JSON.stringify(doc);
      try {
        readArtifact(withMetadataText(base, text));
      } catch (err) {
        if (!(err instanceof ArtifactError)) throw new Error(`iteration ${i}: non-ArtifactError ${String(err)}`);
        expect(err.code).toMatch(/^METADATA_/);
        codes.add(err.code);
      }
    }
    expect([...codes].sort()).toEqual(['METADATA_JSON', 'METADATA_MISMATCH', 'METADATA_SCHEMA']);
  });
});
