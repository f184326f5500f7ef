// The artifact writer (models/FORMAT.md "File layout"): builds a valid artifact from plain
// integer layer specs — it derives every input shape from the chain, computes outLen, MACs,
// row sizes, offsets, the packing and the CRC — and re-reads what it wrote with readArtifact,
// so it never returns a file the reader would reject. Also: replacing the metadata while the
// network section stays byte-identical (mode-table updates).
import {
  CRC_START,
  FORMAT_VERSION,
  HEADER_BYTES,
  INPUT_BITS,
  LAYER_KIND,
  LAYER_RECORD_BYTES,
  MAGIC,
  NET_HEADER_BYTES,
  STAGE_RECORD_BYTES,
  type LayerKindName,
} from './constants.ts';
import { crc32 } from './crc32.ts';
import { ArtifactError } from './errors.ts';
import { describeSchemaIssues, metadataSchema, type ModelMetadata, type StageMetadata } from './metadata.ts';
import { packWeights } from './packing.ts';
import { readArtifact } from './read.ts';
import { align4, conv1dOutLen, layerMacs, poolOutLen, rowBytes, rowElems } from './shapes.ts';
import type { ModelArtifact } from './types.ts';

interface WeightedSpecBase {
  readonly outCh: number;
  readonly weightBits: 2 | 4 | 8;
  /** Output bits: 2/4/8 unsigned (hidden) or 8/16 signed (the last layer of a head). */
  readonly outBits: number;
  /** Default: true for the last layer of a head, false elsewhere. */
  readonly outSigned?: boolean;
  /** [outCh][rowElems] row-major (conv1d rows are [kernel][inCh]). */
  readonly weights: ArrayLike<number>;
  readonly bias: ArrayLike<number>;
  readonly mul: ArrayLike<number>;
  readonly shift: ArrayLike<number>;
}

export interface Conv1dSpec extends WeightedSpecBase {
  readonly kind: 'conv1d';
  readonly kernel: number;
  readonly stride?: number;
  readonly dilation?: number;
  readonly padLeft?: number;
  readonly padRight?: number;
}

export interface LinearSpec extends WeightedSpecBase {
  readonly kind: 'linear';
}

export interface PoolSpec {
  readonly kind: 'maxpool1d' | 'avgpool1d';
  readonly kernel: number;
  /** Default: the kernel size. */
  readonly stride?: number;
}

export interface GlobalAvgPoolSpec {
  readonly kind: 'globalavgpool';
}

export type LayerSpec = Conv1dSpec | LinearSpec | PoolSpec | GlobalAvgPoolSpec;

export interface StageSpec {
  /** 0 = the window (default); 1 = the previous stage's backbone output. */
  readonly inputSource?: 0 | 1;
  readonly name?: string;
  readonly backbone: readonly LayerSpec[];
  readonly head: readonly LayerSpec[];
}

/** Metadata whose `stages` entries (name, macs, weightBytes) the writer computes. */
export type MetadataSpec = Omit<ModelMetadata, 'stages'> & { readonly stages?: readonly StageMetadata[] };

export interface ArtifactSpec {
  readonly inChannels: number;
  readonly windowSamples: number;
  readonly classCount: number;
  readonly stages: readonly StageSpec[];
  readonly metadata: MetadataSpec;
}

/** One laid-out layer record (FORMAT.md "Layer table"). */
interface LayerPlan {
  kind: LayerKindName;
  inBits: number;
  inSigned: boolean;
  outBits: number;
  outSigned: boolean;
  weightBits: number;
  kernel: number;
  stride: number;
  dilation: number;
  padLeft: number;
  padRight: number;
  inCh: number;
  inLen: number;
  outCh: number;
  outLen: number;
  macs: number;
  weightsOffset: number;
  weightsBytes: number;
  biasOffset: number;
  mulOffset: number;
  shiftOffset: number;
  spec: LayerSpec;
}

interface Shape {
  ch: number;
  len: number;
  bits: number;
  signed: boolean;
}

function specError(field: string, message: string, cause?: unknown): ArtifactError {
  return new ArtifactError('SPEC', field, -1, message, cause === undefined ? undefined : { cause });
}

function planLayer(spec: LayerSpec, input: Shape, isHeadLast: boolean, field: string): LayerPlan {
  const base = {
    kind: spec.kind, inBits: input.bits, inSigned: input.signed, inCh: input.ch, inLen: input.len,
    weightsOffset: 0, weightsBytes: 0, biasOffset: 0, mulOffset: 0, shiftOffset: 0, spec,
  };
  switch (spec.kind) {
    case 'conv1d': {
      const stride = spec.stride ?? 1;
      const dilation = spec.dilation ?? 1;
      const padLeft = spec.padLeft ?? 0;
      const padRight = spec.padRight ?? 0;
      const outLen = conv1dOutLen(input.len, spec.kernel, stride, dilation, padLeft, padRight);
      if (!(outLen >= 1)) throw specError(field, `conv1d kernel ${spec.kernel} (dilation ${dilation}) does not fit the input length ${input.len}`);
      return {
        ...base, outBits: spec.outBits, outSigned: spec.outSigned ?? isHeadLast, weightBits: spec.weightBits,
        kernel: spec.kernel, stride, dilation, padLeft, padRight, outCh: spec.outCh, outLen,
        macs: layerMacs('conv1d', spec.outCh, outLen, spec.kernel, input.ch, input.len),
      };
    }
    case 'linear':
      return {
        ...base, outBits: spec.outBits, outSigned: spec.outSigned ?? isHeadLast, weightBits: spec.weightBits,
        kernel: 1, stride: 1, dilation: 1, padLeft: 0, padRight: 0, outCh: spec.outCh, outLen: 1,
        macs: layerMacs('linear', spec.outCh, 1, 1, input.ch, input.len),
      };
    case 'maxpool1d':
    case 'avgpool1d': {
      const stride = spec.stride ?? spec.kernel;
      return {
        ...base, outBits: input.bits, outSigned: false, weightBits: 0, kernel: spec.kernel, stride, dilation: 1,
        padLeft: 0, padRight: 0, outCh: input.ch, outLen: poolOutLen(input.len, spec.kernel, stride), macs: 0,
      };
    }
    case 'globalavgpool':
      return {
        ...base, outBits: input.bits, outSigned: false, weightBits: 0, kernel: 0, stride: 1, dilation: 1,
        padLeft: 0, padRight: 0, outCh: input.ch, outLen: 1, macs: 0,
      };
  }
}

function toInt32Array(values: ArrayLike<number>, count: number, field: string): Int32Array {
  if (values.length !== count) throw specError(field, `expected ${count} values, got ${values.length}`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i] ?? 0;
    if (!Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31 - 1) throw specError(field, `[${i}] = ${v} is not an int32`);
    out[i] = v;
  }
  return out;
}

function toShiftBytes(values: ArrayLike<number>, count: number, field: string): Uint8Array {
  if (values.length !== count) throw specError(field, `expected ${count} values, got ${values.length}`);
  const out = new Uint8Array(align4(count));
  for (let i = 0; i < count; i++) {
    const v = values[i] ?? 0;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw specError(field, `[${i}] = ${v} is not a u8`);
    out[i] = v;
  }
  return out;
}

/** Writes the CRC of [16, length) into bytes 12..15 (in place) and returns the same array. */
export function withRecomputedCrc(bytes: Uint8Array): Uint8Array {
  const crc = crc32(bytes.subarray(CRC_START));
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(12, crc, true);
  return bytes;
}

/** Metadata JSON in the schema's key order, so the same metadata always gives the same bytes. */
function canonicalMetadataText(metadata: unknown): string {
  const parsed = metadataSchema.safeParse(metadata);
  if (!parsed.success) throw new ArtifactError('METADATA_SCHEMA', 'metadata', -1, describeSchemaIssues(parsed.error));
  return JSON.stringify(parsed.data);
}

function assembleFile(network: Uint8Array, metadata: unknown): Uint8Array {
  const metaText = new TextEncoder().encode(canonicalMetadataText(metadata));
  const metaOffset = HEADER_BYTES + network.length;
  const fileBytes = metaOffset + align4(metaText.length);
  const out = new Uint8Array(fileBytes);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint16(4, FORMAT_VERSION, true);
  dv.setUint16(6, HEADER_BYTES, true);
  dv.setUint32(8, fileBytes, true);
  dv.setUint32(16, HEADER_BYTES, true);
  dv.setUint32(20, network.length, true);
  dv.setUint32(24, metaOffset, true);
  dv.setUint32(28, metaText.length, true);
  out.set(network, HEADER_BYTES);
  out.set(metaText, metaOffset);
  return withRecomputedCrc(out);
}

/** Builds the network section (net header, stage table, layer table, tensors) at file offset 32. */
function buildNetwork(spec: ArtifactSpec): { network: Uint8Array; plans: LayerPlan[] } {
  if (spec.stages.length < 1 || spec.stages.length > 4) throw specError('stages', `${spec.stages.length} stages, must be 1..4`);
  const window: Shape = { ch: spec.inChannels, len: spec.windowSamples, bits: INPUT_BITS, signed: true };
  const plans: LayerPlan[] = [];
  const stageRecords: { inputSource: number; firstLayer: number; backboneLayers: number; headLayers: number }[] = [];
  let previousBackbone: Shape | null = null;
  spec.stages.forEach((stage, s) => {
    const inputSource = stage.inputSource ?? 0;
    let input: Shape;
    if (inputSource === 1) {
      if (!previousBackbone) throw specError(`stages[${s}].inputSource`, 'the previous stage has no backbone output to read');
      input = previousBackbone;
    } else {
      input = window;
    }
    let backboneOut: Shape | null = stage.backbone.length === 0 && inputSource === 1 ? input : null;
    const all = [...stage.backbone, ...stage.head];
    if (stage.head.length < 1) throw specError(`stages[${s}].head`, 'a stage needs at least one head layer');
    stageRecords.push({ inputSource, firstLayer: plans.length, backboneLayers: stage.backbone.length, headLayers: stage.head.length });
    all.forEach((layerSpec, j) => {
      const plan = planLayer(layerSpec, input, j === all.length - 1, `stages[${s}].layers[${j}]`);
      plans.push(plan);
      input = { ch: plan.outCh, len: plan.outLen, bits: plan.outBits, signed: plan.outSigned };
      if (j === stage.backbone.length - 1) backboneOut = input;
    });
    previousBackbone = backboneOut;
  });

  const stageTable = HEADER_BYTES + NET_HEADER_BYTES;
  const layerTable = align4(stageTable + STAGE_RECORD_BYTES * stageRecords.length);
  let cursor = layerTable + LAYER_RECORD_BYTES * plans.length;
  const blobs: { offset: number; data: Uint8Array }[] = [];
  plans.forEach((p, i) => {
    const sp = p.spec;
    if (sp.kind !== 'conv1d' && sp.kind !== 'linear') return;
    const elems = rowElems(sp.kind, p.kernel, p.inCh, p.inLen);
    let packed: Uint8Array;
    try {
      packed = packWeights(sp.weights, p.outCh, elems, sp.weightBits);
    } catch (err) {
      throw specError(`layers[${i}].weights`, err instanceof Error ? err.message : String(err), err);
    }
    const bias = toInt32Array(sp.bias, p.outCh, `layers[${i}].bias`);
    const mul = toInt32Array(sp.mul, p.outCh, `layers[${i}].mul`);
    const shift = toShiftBytes(sp.shift, p.outCh, `layers[${i}].shift`);
    p.weightsOffset = cursor;
    p.weightsBytes = packed.length;
    blobs.push({ offset: cursor, data: packed });
    cursor = align4(cursor + packed.length);
    p.biasOffset = cursor;
    blobs.push({ offset: cursor, data: new Uint8Array(bias.buffer) });
    cursor += 4 * p.outCh;
    p.mulOffset = cursor;
    blobs.push({ offset: cursor, data: new Uint8Array(mul.buffer) });
    cursor += 4 * p.outCh;
    p.shiftOffset = cursor;
    blobs.push({ offset: cursor, data: shift });
    cursor += shift.length;
    if (p.weightsBytes !== p.outCh * rowBytes(elems, sp.weightBits)) throw specError(`layers[${i}]`, 'internal: packed size differs from the packing rule');
  });

  // Int32 tensors are written little-endian: typed arrays use the platform order, so check it.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw specError('platform', 'the writer needs a little-endian platform');

  const netBytes = cursor - HEADER_BYTES;
  const network = new Uint8Array(netBytes);
  const dv = new DataView(network.buffer);
  const at = (fileOffset: number): number => fileOffset - HEADER_BYTES;
  dv.setUint16(0, spec.inChannels, true);
  dv.setUint16(2, spec.windowSamples, true);
  dv.setUint16(4, spec.classCount, true);
  dv.setUint8(6, stageRecords.length);
  dv.setUint8(7, INPUT_BITS);
  dv.setUint16(8, plans.length, true);
  dv.setUint32(12, layerTable, true);
  stageRecords.forEach((s, i) => {
    const o = at(stageTable + i * STAGE_RECORD_BYTES);
    dv.setUint8(o, s.inputSource);
    dv.setUint16(o + 2, s.firstLayer, true);
    dv.setUint16(o + 4, s.backboneLayers, true);
    dv.setUint16(o + 6, s.headLayers, true);
  });
  const u16 = (v: number, field: string): number => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw specError(field, `${v} does not fit a u16`);
    return v;
  };
  const u8 = (v: number, field: string): number => {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw specError(field, `${v} does not fit a u8`);
    return v;
  };
  plans.forEach((p, i) => {
    const o = at(layerTable + i * LAYER_RECORD_BYTES);
    const f = `layers[${i}]`;
    dv.setUint8(o, LAYER_KIND[p.kind]);
    dv.setUint8(o + 1, p.inBits);
    dv.setUint8(o + 2, p.inSigned ? 1 : 0);
    dv.setUint8(o + 3, u8(p.outBits, `${f}.outBits`));
    dv.setUint8(o + 4, p.outSigned ? 1 : 0);
    dv.setUint8(o + 5, p.weightBits);
    dv.setUint8(o + 6, u8(p.kernel, `${f}.kernel`));
    dv.setUint8(o + 7, u8(p.stride, `${f}.stride`));
    dv.setUint8(o + 8, u8(p.dilation, `${f}.dilation`));
    dv.setUint8(o + 9, u8(p.padLeft, `${f}.padLeft`));
    dv.setUint8(o + 10, u8(p.padRight, `${f}.padRight`));
    dv.setUint16(o + 12, u16(p.inCh, `${f}.inCh`), true);
    dv.setUint16(o + 14, u16(p.inLen, `${f}.inLen`), true);
    dv.setUint16(o + 16, u16(p.outCh, `${f}.outCh`), true);
    dv.setUint16(o + 18, u16(Math.max(p.outLen, 0), `${f}.outLen`), true);
    dv.setUint32(o + 20, p.weightsOffset, true);
    dv.setUint32(o + 24, p.weightsBytes, true);
    dv.setUint32(o + 28, p.biasOffset, true);
    dv.setUint32(o + 32, p.mulOffset, true);
    dv.setUint32(o + 36, p.shiftOffset, true);
    if (p.macs > 0xffff_ffff) throw specError(`${f}.macs`, `${p.macs} MACs do not fit the u32 field`);
    dv.setUint32(o + 40, p.macs, true);
  });
  for (const b of blobs) network.set(b.data, at(b.offset));
  return { network, plans };
}

/**
 * Builds a valid artifact from plain integer layer specs. The metadata's `stages` entries are
 * computed (name from the stage spec or `stage<i>`, macs, weightBytes = packed weight bytes, as
 * the Python exporter writes them).
 * Throws ArtifactError (code SPEC, or the reader's code when the result would be invalid, e.g.
 * ACC_BOUND or METADATA_SCHEMA).
 */
export function writeArtifact(spec: ArtifactSpec): Uint8Array {
  const { network, plans } = buildNetwork(spec);
  let first = 0;
  const stages: StageMetadata[] = spec.stages.map((s, i) => {
    const mine = plans.slice(first, first + s.backbone.length + s.head.length);
    first += s.backbone.length + s.head.length;
    return {
      name: s.name ?? spec.metadata.stages?.[i]?.name ?? `stage${i}`,
      macs: mine.reduce((sum, p) => sum + p.macs, 0),
      weightBytes: mine.reduce((sum, p) => sum + p.weightsBytes, 0),
    };
  });
  const bytes = assembleFile(network, { ...spec.metadata, stages });
  readArtifact(bytes);
  return bytes;
}

/**
 * Replaces the metadata JSON (e.g. the filled-in mode table): header fields and CRC are
 * rewritten, the network section stays byte-identical. Validates the input and the result.
 */
export function replaceMetadata(bytes: Uint8Array, metadata: ModelMetadata): Uint8Array {
  const original: ModelArtifact = readArtifact(bytes);
  const network = bytes.subarray(original.header.netOffset, original.header.metaOffset);
  const out = assembleFile(network, metadata);
  readArtifact(out);
  return out;
}
