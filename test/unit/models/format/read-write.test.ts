import { describe, expect, it } from 'vitest';
import { ArtifactError, type ArtifactErrorCode } from '../../../../models/format/errors.ts';
import { modelFootprint } from '../../../../models/format/footprint.ts';
import { readArtifact } from '../../../../models/format/read.ts';
import { replaceMetadata, withRecomputedCrc, writeArtifact } from '../../../../models/format/write.ts';
import { LAYER_RECORD_BYTES } from '../../../../models/format/constants.ts';
import { randomSpec } from './fixtures.ts';
import { tinySpec } from './tiny-model.ts';

/** A copy of `bytes` changed by `edit`, with the CRC recomputed so later checks are reached. */
function mutated(bytes: Uint8Array, edit: (dv: DataView, b: Uint8Array) => void, fixCrc = true): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer), copy);
  return fixCrc ? withRecomputedCrc(copy) : copy;
}

function rejection(bytes: Uint8Array): ArtifactError {
  try {
    readArtifact(bytes);
  } catch (err) {
    if (err instanceof ArtifactError) return err;
    throw err;
  }
  throw new Error('expected readArtifact to reject the file');
}

function expectRejected(bytes: Uint8Array, code: ArtifactErrorCode, field?: string | RegExp): ArtifactError {
  const err = rejection(bytes);
  expect(err.code, err.message).toBe(code);
  if (typeof field === 'string') expect(err.field).toBe(field);
  else if (field) expect(err.field).toMatch(field);
  return err;
}

describe('writeArtifact + readArtifact', () => {
  const bytes = writeArtifact(tinySpec());
  const a = readArtifact(bytes);

  it('lays out the header as FORMAT.md says', () => {
    expect([...bytes.subarray(0, 4)]).toEqual([0x48, 0x41, 0x52, 0x4d]);
    expect(a.header).toMatchObject({ version: 1, headerBytes: 32, fileBytes: bytes.length, netOffset: 32 });
    expect(a.header.metaOffset).toBe(32 + a.header.netBytes);
    expect(a.header.netBytes % 4).toBe(0);
    expect(bytes.length % 4).toBe(0);
    expect(a.net).toMatchObject({ inChannels: 2, windowSamples: 4, classCount: 2, stageCount: 1, inputBits: 8, layerCount: 3 });
    expect(a.net.layerTableOffset % 4).toBe(0);
  });

  it('derives shapes, bits and MACs along the chain', () => {
    const [conv, gap, fc] = a.layers;
    expect(conv).toMatchObject({ kind: 'conv1d', inCh: 2, inLen: 4, outCh: 1, outLen: 3, inBits: 8, inSigned: true, outBits: 8, outSigned: false, macs: 12, rowElems: 4, rowBytes: 4, role: 'backbone' });
    expect(gap).toMatchObject({ kind: 'globalavgpool', inCh: 1, inLen: 3, outLen: 1, outBits: 8, kernel: 0, macs: 0, tensors: null, role: 'head' });
    expect(fc).toMatchObject({ kind: 'linear', inCh: 1, inLen: 1, outCh: 2, outLen: 1, outBits: 16, outSigned: true, macs: 2 });
    expect([...(fc?.tensors?.bias ?? [])]).toEqual([0, 10]);
    expect(a.metadata.stages).toEqual([{ name: 'stage0', macs: 14, weightBytes: 4 + 8 }]);
  });

  it('computes the footprint: weights, parameters, peak activations, MACs per stage', () => {
    const fp = modelFootprint(a);
    expect(fp.weightBytes).toBe(4 + 8);
    expect(fp.parameterBytes).toBe(16 + 28);
    // live bytes: conv 8 (window) + 3 = 11; gap 3 + 1 = 4; linear 1 + 2 * 4 = 9
    expect(fp.peakActivationBytes).toBe(11);
    expect(fp.fullMacs).toBe(14);
  });

  it('counts the kept backbone output of an early-exit stage in the peak', () => {
    const spec = randomSpec(11, 'early-exit');
    const art = readArtifact(writeArtifact(spec));
    const fp = modelFootprint(art);
    // recompute the rule independently from the layer list
    let peak = 0;
    for (const l of art.layers) {
      const stage = art.stages[l.stage];
      if (!stage) throw new Error('stage');
      const inBytes = l.inSigned ? l.inCh * l.inLen : l.inCh * l.inLen;
      const outBytes = (l.outSigned ? 4 : 1) * l.outCh * l.outLen;
      const j = l.index - stage.firstLayer;
      const keeps = art.stages[l.stage + 1]?.inputSource === 1 && j > stage.backboneLayers;
      const bb = keeps ? art.layers[stage.firstLayer + stage.backboneLayers - 1] : undefined;
      peak = Math.max(peak, inBytes + outBytes + (bb ? bb.outCh * bb.outLen : 0));
    }
    expect(fp.peakActivationBytes).toBe(peak);
    expect(fp.stages.map((s) => s.macs)).toEqual(art.metadata.stages.map((s) => s.macs));
  });

  it('round-trips hundreds of random networks (plain, early exit, cascade)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const spec = randomSpec(seed);
      const art = readArtifact(writeArtifact(spec));
      expect(art.stages.length).toBe(spec.stages.length);
      expect(art.layers.length).toBe(spec.stages.reduce((n, s) => n + s.backbone.length + s.head.length, 0));
    }
  });

  it('replaceMetadata keeps the network section byte-identical', () => {
    const meta = { ...a.metadata, modes: [{ ...a.metadata.modes[0]!, cycles: 1234, latencyUs: 12.5, energyUj: 0.75 }], architecture: 'a much longer architecture summary than before' };
    const updated = replaceMetadata(bytes, meta);
    const b = readArtifact(updated);
    expect(b.metadata.modes[0]?.cycles).toBe(1234);
    expect(Buffer.from(updated.subarray(32, b.header.metaOffset)).equals(Buffer.from(bytes.subarray(32, a.header.metaOffset)))).toBe(true);
    expect(b.header.crc32).not.toBe(a.header.crc32);
  });

  it('reads an artifact that sits at an odd offset inside a larger buffer (e.g. a pooled Buffer)', () => {
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const view = big.subarray(3, 3 + bytes.length);
    const b = readArtifact(view);
    expect(b.layers[2]?.tensors?.bias[1]).toBe(10);
    expect([...(b.layers[0]?.tensors?.packedWeights ?? [])]).toEqual([1, 0xff, 2, 0]);
  });

  it('replacing the metadata with itself gives the same bytes', () => {
    expect(Buffer.from(replaceMetadata(bytes, a.metadata)).equals(Buffer.from(bytes))).toBe(true);
    for (let seed = 300; seed < 310; seed++) {
      const b = writeArtifact(randomSpec(seed));
      expect(Buffer.from(replaceMetadata(b, readArtifact(b).metadata)).equals(Buffer.from(b))).toBe(true);
    }
  });

  it('writer rejects weights outside the bit-width and broken accumulator bounds', () => {
    const bad = tinySpec();
    const stage = bad.stages[0]!;
    const conv = { ...stage.backbone[0]!, weights: [1, -1, 2, 200] } as (typeof stage.backbone)[number];
    expect(() => writeArtifact({ ...bad, stages: [{ ...stage, backbone: [conv] }] })).toThrow(ArtifactError);
    const huge = { ...stage.backbone[0]!, bias: [2 ** 31 - 1] } as (typeof stage.backbone)[number];
    try {
      writeArtifact({ ...bad, stages: [{ ...stage, backbone: [huge] }] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ArtifactError);
      expect((err as ArtifactError).code).toBe('ACC_BOUND');
    }
  });
});

describe('readArtifact rejects what FORMAT.md "Validation" lists', () => {
  const bytes = writeArtifact(tinySpec());
  const a = readArtifact(bytes);
  const layer = (i: number, field: number): number => a.net.layerTableOffset + i * LAYER_RECORD_BYTES + field;

  it('short files, magic, version, header size, fileBytes, CRC', () => {
    expectRejected(bytes.subarray(0, 10), 'TRUNCATED', 'header');
    expectRejected(mutated(bytes, (_, b) => { b[0] = 0x58; }), 'MAGIC');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(4, 2, true)), 'VERSION');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(6, 36, true)), 'HEADER_BYTES');
    expectRejected(bytes.subarray(0, bytes.length - 4), 'FILE_BYTES');
    const err = expectRejected(mutated(bytes, (_, b) => { b[40] = (b[40] ?? 0) ^ 1; }, false), 'CRC', 'header.crc32');
    expect(err.offset).toBe(12);
  });

  it('section offsets and sizes', () => {
    expectRejected(mutated(bytes, (dv) => dv.setUint32(16, 36, true)), 'HEADER_BYTES', 'header.netOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(20, a.header.netBytes + 4, true)), 'SECTIONS');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(24, a.header.metaOffset + 4, true)), 'SECTIONS');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(28, a.header.metaBytes + 8, true)), 'SECTIONS');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(20, 0xfffffffc, true)), 'SECTIONS');
  });

  it('net header and stage table', () => {
    const net = a.header.netOffset;
    expectRejected(mutated(bytes, (dv) => dv.setUint8(net + 6, 0)), 'NET_HEADER', 'net.stageCount');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(net + 6, 5)), 'NET_HEADER', 'net.stageCount');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(net + 7, 4)), 'NET_HEADER', 'net.inputBits');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(net + 8, 60000, true)), 'NET_HEADER', 'net.layerTableOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(net + 12, a.net.layerTableOffset + 2, true)), 'NET_HEADER', 'net.layerTableOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(net + 12, 40, true)), 'NET_HEADER', 'net.layerTableOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(net + 12, 0xfffffff0, true)), 'NET_HEADER', 'net.layerTableOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(net + 16, 1)), 'STAGES', 'stages[0].inputSource');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(net + 16 + 6, 0, true)), 'STAGES', 'stages[0].headLayers');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(net + 16 + 6, 9, true)), 'STAGES');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(net + 16 + 2, 1, true)), 'STAGES', 'stages[0].firstLayer');
  });

  it('layer kinds, bits, shapes and MACs', () => {
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 0), 9)), 'LAYER_KIND', 'layers[0].kind');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 1), 4)), 'LAYER_BITS', 'layers[0].inBits');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 3), 3)), 'LAYER_BITS', 'layers[0].outBits');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 5), 1)), 'LAYER_BITS', 'layers[0].weightBits');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(1, 5), 8)), 'LAYER_BITS', 'layers[1].weightBits');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 7), 0)), 'LAYER_SHAPE', 'layers[0].stride');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(layer(0, 18), 4, true)), 'LAYER_SHAPE', 'layers[0].outLen');
    expectRejected(mutated(bytes, (dv) => dv.setUint16(layer(0, 12), 3, true)), 'LAYER_SHAPE', 'layers[0].inCh');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 6), 9)), 'LAYER_SHAPE', 'layers[0].kernel');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 11), 1)), 'LAYER_SHAPE', 'layers[0].reserved0');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 40), 13, true)), 'LAYER_MACS', 'layers[0].macs');
    expectRejected(mutated(bytes, (dv) => { dv.setUint8(layer(2, 4), 0); dv.setUint8(layer(2, 3), 8); }), 'HEAD', 'layers[2].outSigned');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(2, 3), 16 + 8)), 'LAYER_BITS', 'layers[2].outBits');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(layer(0, 4), 1)), 'HEAD', 'layers[0].outSigned');
  });

  it('tensors: placement, alignment, sizes, padding bits', () => {
    const conv = a.layers[0]!;
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 20), conv.weightsOffset + 2, true)), 'TENSOR', 'layers[0].weightsOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 20), a.net.layerTableOffset, true)), 'TENSOR', 'layers[0].weightsOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 20), 0, true)), 'TENSOR', 'layers[0].weightsOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 28), 0xfffffffc, true)), 'TENSOR', 'layers[0].biasOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 32), a.header.metaOffset, true)), 'TENSOR', 'layers[0].mulOffset');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(0, 24), 8, true)), 'TENSOR', 'layers[0].weightsBytes');
    expectRejected(mutated(bytes, (dv) => dv.setUint32(layer(1, 28), conv.biasOffset, true)), 'TENSOR', 'layers[1].biasOffset');
    // the 4-element 8-bit row fills its 4 bytes; the linear's 1-element rows have 3 padding bytes
    const fc = a.layers[2]!;
    expectRejected(mutated(bytes, (_, b) => { b[fc.weightsOffset + 3] = 1; }), 'WEIGHT_PADDING', 'layers[2].weightsOffset');
  });

  it('requantization ranges and the accumulator bound', () => {
    const conv = a.layers[0]!;
    expectRejected(mutated(bytes, (dv) => dv.setInt32(conv.mulOffset, 32768, true)), 'REQUANT', 'layers[0].mul[0]');
    expectRejected(mutated(bytes, (dv) => dv.setInt32(conv.mulOffset, -1, true)), 'REQUANT', 'layers[0].mul[0]');
    expectRejected(mutated(bytes, (dv) => dv.setUint8(conv.shiftOffset, 47)), 'REQUANT', 'layers[0].shift[0]');
    // |bias| + (1 + 1 + 2 + 0) * 128 must stay <= 2^31 - 1
    readArtifact(mutated(bytes, (dv) => dv.setInt32(conv.biasOffset, -(2 ** 31 - 1 - 4 * 128), true)));
    expectRejected(mutated(bytes, (dv) => dv.setInt32(conv.biasOffset, -(2 ** 31 - 4 * 128), true)), 'ACC_BOUND');
  });

  it('metadata: JSON, schema (strict), agreement with the network', () => {
    const withMeta = (meta: unknown): Uint8Array => {
      const text = new TextEncoder().encode(JSON.stringify(meta));
      const out = new Uint8Array(a.header.metaOffset + Math.ceil(text.length / 4) * 4);
      out.set(bytes.subarray(0, a.header.metaOffset));
      out.set(text, a.header.metaOffset);
      const dv = new DataView(out.buffer);
      dv.setUint32(8, out.length, true);
      dv.setUint32(28, text.length, true);
      return withRecomputedCrc(out);
    };
    readArtifact(withMeta(a.metadata));
    expectRejected(withMeta({ ...a.metadata, extra: 1 }), 'METADATA_SCHEMA');
    expectRejected(withMeta({ ...a.metadata, id: 'Bad Id' }), 'METADATA_SCHEMA');
    expectRejected(withMeta({ ...a.metadata, input: { ...a.metadata.input, scale: [0.1, -1] } }), 'METADATA_SCHEMA');
    expectRejected(withMeta({ ...a.metadata, classes: ['only-one'] }), 'METADATA_MISMATCH', 'metadata.classes');
    expectRejected(withMeta({ ...a.metadata, input: { ...a.metadata.input, windowSamples: 5 } }), 'METADATA_MISMATCH');
    expectRejected(withMeta({ ...a.metadata, stages: [{ name: 's', macs: 15, weightBytes: 0 }] }), 'METADATA_MISMATCH', 'metadata.stages.0.macs');
    expectRejected(withMeta({ ...a.metadata, adaptive: { kind: 'early-exit', scoreScale: 1 } }), 'METADATA_MISMATCH', 'metadata.adaptive.kind');
    expectRejected(withMeta({ ...a.metadata, modes: [{ ...a.metadata.modes[0]!, threshold: 3 }] }), 'METADATA_MISMATCH', 'metadata.modes');
    const notJson = mutated(bytes, (_, b) => { b[a.header.metaOffset] = 0x7b + 1; });
    expectRejected(notJson, 'METADATA_JSON');
    const badUtf8 = mutated(bytes, (_, b) => { b[a.header.metaOffset + 8] = 0xff; });
    expectRejected(badUtf8, 'METADATA_JSON');
  });

  it('an adaptive model must end its mode table with the full-network mode', () => {
    const spec = randomSpec(5, 'cascade');
    const meta = { ...spec.metadata, modes: spec.metadata.modes.slice(0, -1) };
    expect(() => writeArtifact({ ...spec, metadata: meta })).toThrow(/METADATA_MISMATCH/);
  });

  it('inputSource 1 after a stage without backbone is rejected', () => {
    const spec = randomSpec(3, 'cascade');
    const bad = { ...spec, stages: [{ backbone: [], head: [{ kind: 'linear', outCh: spec.classCount, weightBits: 8, outBits: 16, weights: new Array<number>(spec.classCount * spec.windowSamples * spec.inChannels).fill(0), bias: new Array<number>(spec.classCount).fill(0), mul: new Array<number>(spec.classCount).fill(1), shift: new Array<number>(spec.classCount).fill(0) } as const] }, { ...spec.stages[1]!, inputSource: 1 as const }] };
    expect(() => writeArtifact(bad)).toThrow(/SPEC|STAGES/);
  });
});
