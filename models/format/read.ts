// The validating artifact reader: models/FORMAT.md "Validation", every item, in file order, and
// the accumulator bound of models/ARITHMETIC.md §3. It reports the first violation as an
// ArtifactError (code, field, offset) and never reads outside the given bytes: every table is
// checked against the section it lives in before a field of it is read, and every loop is
// bounded by counts already checked against the file length.
import {
  activationMax,
  CRC_START,
  FORMAT_VERSION,
  HEADER_BYTES,
  INPUT_BITS,
  INT32_MAX,
  LAYER_KIND_NAMES,
  LAYER_RECORD_BYTES,
  MAGIC,
  MAX_STAGES,
  MUL_MAX,
  NET_HEADER_BYTES,
  SHIFT_MAX,
  SIGNED_OUT_BITS,
  STAGE_RECORD_BYTES,
  UINT32_MAX,
  UNSIGNED_ACT_BITS,
  WEIGHT_BITS,
} from './constants.ts';
import { crc32 } from './crc32.ts';
import { ArtifactError } from './errors.ts';
import { describeSchemaIssues, metadataSchema, type ModelMetadata } from './metadata.ts';
import { rowPaddingIsZero, unpackElement } from './packing.ts';
import { align4, conv1dOutLen, layerMacs, poolOutLen, rowBytes as rowBytesOf } from './shapes.ts';
import type { ArtifactHeader, LayerRecord, LayerTensors, ModelArtifact, NetHeader, StageRecord } from './types.ts';

/** Bounds-checked little-endian reads; a read past the end is a TRUNCATED error, never undefined. */
class Fields {
  private readonly view: DataView;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(offset: number, size: number, field: string): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw new ArtifactError('TRUNCATED', field, offset, `needs bytes [${offset}, ${offset + size}) but the file has ${this.bytes.length}`);
    }
  }
  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.view.getUint8(offset);
  }
  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }
  i32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getInt32(offset, true);
  }
}

/** What a layer reads: the window, or the output of an earlier layer. */
interface ActivationShape {
  readonly ch: number;
  readonly len: number;
  readonly bits: number;
  readonly signed: boolean;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly what: string;
}

function fail(code: ConstructorParameters<typeof ArtifactError>[0], field: string, offset: number, message: string): never {
  throw new ArtifactError(code, field, offset, message);
}

function readHeader(f: Fields): ArtifactHeader {
  const length = f.bytes.length;
  if (length < HEADER_BYTES) fail('TRUNCATED', 'header', 0, `${length} bytes, the header alone needs ${HEADER_BYTES}`);
  for (let i = 0; i < 4; i++) {
    if (f.u8(i, 'header.magic') !== MAGIC[i]) fail('MAGIC', 'header.magic', 0, 'not a model artifact (magic is not "HARM")');
  }
  const version = f.u16(4, 'header.version');
  if (version !== FORMAT_VERSION) fail('VERSION', 'header.version', 4, `version ${version}, this reader knows ${FORMAT_VERSION}`);
  const headerBytes = f.u16(6, 'header.headerBytes');
  if (headerBytes !== HEADER_BYTES) fail('HEADER_BYTES', 'header.headerBytes', 6, `${headerBytes}, must be ${HEADER_BYTES}`);
  const fileBytes = f.u32(8, 'header.fileBytes');
  if (fileBytes !== length) fail('FILE_BYTES', 'header.fileBytes', 8, `says ${fileBytes} bytes, the file has ${length}`);
  const crc = f.u32(12, 'header.crc32');
  const actualCrc = crc32(f.bytes.subarray(CRC_START, fileBytes));
  if (actualCrc !== crc) fail('CRC', 'header.crc32', 12, `stored 0x${crc.toString(16).padStart(8, '0')}, computed 0x${actualCrc.toString(16).padStart(8, '0')}`);
  const netOffset = f.u32(16, 'header.netOffset');
  if (netOffset !== HEADER_BYTES) fail('HEADER_BYTES', 'header.netOffset', 16, `${netOffset}, must be ${HEADER_BYTES}`);
  const netBytes = f.u32(20, 'header.netBytes');
  if (netBytes % 4 !== 0) fail('SECTIONS', 'header.netBytes', 20, `${netBytes} is not a multiple of 4`);
  if (netBytes < NET_HEADER_BYTES) fail('SECTIONS', 'header.netBytes', 20, `${netBytes} bytes cannot hold the ${NET_HEADER_BYTES}-byte net header`);
  const metaOffset = f.u32(24, 'header.metaOffset');
  if (metaOffset !== netOffset + netBytes) fail('SECTIONS', 'header.metaOffset', 24, `${metaOffset}, must be netOffset + netBytes = ${netOffset + netBytes}`);
  const metaBytes = f.u32(28, 'header.metaBytes');
  if (metaOffset + align4(metaBytes) !== fileBytes) {
    fail('SECTIONS', 'header.metaBytes', 28, `metaOffset ${metaOffset} + padded metaBytes ${align4(metaBytes)} != fileBytes ${fileBytes}`);
  }
  for (let i = metaOffset + metaBytes; i < fileBytes; i++) {
    if (f.u8(i, 'metadata.padding') !== 0) fail('SECTIONS', 'metadata.padding', i, 'the metadata padding must be zero bytes');
  }
  return { version, headerBytes, fileBytes, crc32: crc, netOffset, netBytes, metaOffset, metaBytes };
}

function readNetHeader(f: Fields, h: ArtifactHeader): NetHeader {
  const o = h.netOffset;
  const inChannels = f.u16(o, 'net.inChannels');
  if (inChannels < 1) fail('NET_HEADER', 'net.inChannels', o, 'must be >= 1');
  const windowSamples = f.u16(o + 2, 'net.windowSamples');
  if (windowSamples < 1) fail('NET_HEADER', 'net.windowSamples', o + 2, 'must be >= 1');
  const classCount = f.u16(o + 4, 'net.classCount');
  if (classCount < 1) fail('NET_HEADER', 'net.classCount', o + 4, 'must be >= 1');
  const stageCount = f.u8(o + 6, 'net.stageCount');
  if (stageCount < 1 || stageCount > MAX_STAGES) fail('NET_HEADER', 'net.stageCount', o + 6, `${stageCount}, must be 1..${MAX_STAGES}`);
  const inputBits = f.u8(o + 7, 'net.inputBits');
  if (inputBits !== INPUT_BITS) fail('NET_HEADER', 'net.inputBits', o + 7, `${inputBits}, must be ${INPUT_BITS}`);
  const layerCount = f.u16(o + 8, 'net.layerCount');
  if (layerCount < 1) fail('NET_HEADER', 'net.layerCount', o + 8, 'must be >= 1');
  if (f.u16(o + 10, 'net.reserved') !== 0) fail('NET_HEADER', 'net.reserved', o + 10, 'reserved field must be 0');
  const layerTableOffset = f.u32(o + 12, 'net.layerTableOffset');
  const stageTableEnd = o + NET_HEADER_BYTES + stageCount * STAGE_RECORD_BYTES;
  if (layerTableOffset % 4 !== 0) fail('NET_HEADER', 'net.layerTableOffset', o + 12, `${layerTableOffset} is not 4-byte aligned`);
  if (layerTableOffset < stageTableEnd) fail('NET_HEADER', 'net.layerTableOffset', o + 12, `${layerTableOffset} overlaps the stage table (ends at ${stageTableEnd})`);
  if (stageTableEnd > h.metaOffset) fail('TRUNCATED', 'stages', o + NET_HEADER_BYTES, 'the stage table runs past the network section');
  if (layerTableOffset + layerCount * LAYER_RECORD_BYTES > h.metaOffset) {
    fail('NET_HEADER', 'net.layerTableOffset', o + 12, `a ${layerCount}-layer table at ${layerTableOffset} runs past the network section (ends at ${h.metaOffset})`);
  }
  return { inChannels, windowSamples, classCount, stageCount, inputBits, layerCount, layerTableOffset };
}

function readStages(f: Fields, h: ArtifactHeader, net: NetHeader): StageRecord[] {
  const stages: StageRecord[] = [];
  let expectedFirst = 0;
  for (let s = 0; s < net.stageCount; s++) {
    const o = h.netOffset + NET_HEADER_BYTES + s * STAGE_RECORD_BYTES;
    const name = `stages[${s}]`;
    const inputSource = f.u8(o, `${name}.inputSource`);
    if (inputSource !== 0 && inputSource !== 1) fail('STAGES', `${name}.inputSource`, o, `${inputSource}, must be 0 or 1`);
    if (s === 0 && inputSource !== 0) fail('STAGES', `${name}.inputSource`, o, 'the first stage reads the input window (0)');
    if (f.u8(o + 1, `${name}.reserved`) !== 0) fail('STAGES', `${name}.reserved`, o + 1, 'reserved field must be 0');
    const firstLayer = f.u16(o + 2, `${name}.firstLayer`);
    if (firstLayer !== expectedFirst) fail('STAGES', `${name}.firstLayer`, o + 2, `${firstLayer}, stages must be contiguous: expected ${expectedFirst}`);
    const backboneLayers = f.u16(o + 4, `${name}.backboneLayers`);
    const headLayers = f.u16(o + 6, `${name}.headLayers`);
    if (headLayers < 1) fail('STAGES', `${name}.headLayers`, o + 6, 'every stage has a head of at least one layer');
    expectedFirst = firstLayer + backboneLayers + headLayers;
    if (expectedFirst > net.layerCount) fail('STAGES', `${name}.headLayers`, o + 6, `stage ends at layer ${expectedFirst}, past layerCount ${net.layerCount}`);
    stages.push({ index: s, inputSource, firstLayer, backboneLayers, headLayers });
  }
  if (expectedFirst !== net.layerCount) {
    fail('STAGES', 'net.layerCount', h.netOffset + 8, `the stages cover ${expectedFirst} layers, layerCount is ${net.layerCount}`);
  }
  return stages;
}

/** FORMAT.md "Layer table" field offsets. */
const FIELD = {
  kind: 0, inBits: 1, inSigned: 2, outBits: 3, outSigned: 4, weightBits: 5, kernel: 6, stride: 7, dilation: 8,
  padLeft: 9, padRight: 10, reserved0: 11, inCh: 12, inLen: 14, outCh: 16, outLen: 18, weightsOffset: 20,
  weightsBytes: 24, biasOffset: 28, mulOffset: 32, shiftOffset: 36, macs: 40, reserved1: 44,
} as const;

interface LayerContext {
  readonly f: Fields;
  readonly h: ArtifactHeader;
  readonly net: NetHeader;
  readonly tables: readonly Span[];
}

function readLayer(ctx: LayerContext, index: number, stage: StageRecord, role: 'backbone' | 'head', isHeadLast: boolean, input: ActivationShape): LayerRecord {
  const { f } = ctx;
  const rec = ctx.net.layerTableOffset + index * LAYER_RECORD_BYTES;
  const name = `layers[${index}]`;
  const at = (k: keyof typeof FIELD): number => rec + FIELD[k];
  const u8 = (k: keyof typeof FIELD): number => f.u8(at(k), `${name}.${k}`);
  const u16 = (k: keyof typeof FIELD): number => f.u16(at(k), `${name}.${k}`);
  const u32 = (k: keyof typeof FIELD): number => f.u32(at(k), `${name}.${k}`);
  const bad = (code: ConstructorParameters<typeof ArtifactError>[0], k: keyof typeof FIELD, message: string): never => fail(code, `${name}.${k}`, at(k), message);

  const kindCode = u8('kind');
  const kind = LAYER_KIND_NAMES[kindCode];
  if (kind === undefined) return bad('LAYER_KIND', 'kind', `unknown layer kind ${kindCode} (known: 1 conv1d, 2 maxpool1d, 3 avgpool1d, 4 globalavgpool, 5 linear)`);
  if (u8('reserved0') !== 0) bad('LAYER_SHAPE', 'reserved0', 'reserved field must be 0');
  if (u32('reserved1') !== 0) bad('LAYER_SHAPE', 'reserved1', 'reserved field must be 0');

  const inBits = u8('inBits');
  const inSignedRaw = u8('inSigned');
  const outBits = u8('outBits');
  const outSignedRaw = u8('outSigned');
  const weightBits = u8('weightBits');
  if (inSignedRaw > 1) bad('LAYER_BITS', 'inSigned', `${inSignedRaw}, must be 0 or 1`);
  if (outSignedRaw > 1) bad('LAYER_BITS', 'outSigned', `${outSignedRaw}, must be 0 or 1`);
  const inSigned = inSignedRaw === 1;
  const outSigned = outSignedRaw === 1;
  if (inSigned ? inBits !== INPUT_BITS : !UNSIGNED_ACT_BITS.includes(inBits)) {
    bad('LAYER_BITS', 'inBits', `${inBits} bits ${inSigned ? 'signed (only the 8-bit input window is signed)' : 'unsigned (allowed: 2, 4, 8)'}`);
  }
  if (outSigned ? !SIGNED_OUT_BITS.includes(outBits) : !UNSIGNED_ACT_BITS.includes(outBits)) {
    bad('LAYER_BITS', 'outBits', `${outBits} bits ${outSigned ? 'signed (allowed: 8, 16)' : 'unsigned (allowed: 2, 4, 8)'}`);
  }
  const weighted = kind === 'conv1d' || kind === 'linear';
  if (weighted ? !WEIGHT_BITS.includes(weightBits) : weightBits !== 0) {
    bad('LAYER_BITS', 'weightBits', `${weightBits} for ${kind} (allowed: ${weighted ? '2, 4, 8' : '0'})`);
  }
  if (!weighted && inSigned) bad('LAYER_BITS', 'inSigned', `${kind} reads unsigned activations only (ARITHMETIC.md §4)`);
  if (!weighted && (outBits !== inBits || outSigned)) bad('LAYER_BITS', 'outBits', `${kind} keeps the unsigned input bit-width (${inBits})`);

  const kernel = u8('kernel');
  const stride = u8('stride');
  const dilation = u8('dilation');
  const padLeft = u8('padLeft');
  const padRight = u8('padRight');
  const inCh = u16('inCh');
  const inLen = u16('inLen');
  const outCh = u16('outCh');
  const outLen = u16('outLen');

  // Shape chain: (inCh, inLen, inBits, inSigned) = what this layer reads (FORMAT.md "Shapes").
  if (inCh !== input.ch) bad('LAYER_SHAPE', 'inCh', `${inCh}, the layer's input has ${input.ch} channels`);
  if (inLen !== input.len) bad('LAYER_SHAPE', 'inLen', `${inLen}, the layer's input has ${input.len} samples`);
  if (inBits !== input.bits || inSigned !== input.signed) {
    bad('LAYER_BITS', 'inBits', `${inSigned ? 'signed' : 'unsigned'} ${inBits} bits, the layer's input is ${input.signed ? 'signed' : 'unsigned'} ${input.bits} bits`);
  }
  if (outCh < 1) bad('LAYER_SHAPE', 'outCh', 'must be >= 1');

  switch (kind) {
    case 'conv1d': {
      if (kernel < 1) bad('LAYER_SHAPE', 'kernel', 'must be >= 1');
      if (stride < 1) bad('LAYER_SHAPE', 'stride', 'must be >= 1');
      if (dilation < 1) bad('LAYER_SHAPE', 'dilation', 'must be >= 1');
      const expected = conv1dOutLen(inLen, kernel, stride, dilation, padLeft, padRight);
      if (expected < 1) bad('LAYER_SHAPE', 'kernel', `the receptive field ${dilation * (kernel - 1) + 1} exceeds the padded input ${inLen + padLeft + padRight}`);
      if (outLen !== expected) bad('LAYER_SHAPE', 'outLen', `${outLen}, the conv1d formula gives ${expected}`);
      break;
    }
    case 'linear':
      if (kernel !== 1) bad('LAYER_SHAPE', 'kernel', `${kernel}, must be 1 for linear`);
      if (stride !== 1) bad('LAYER_SHAPE', 'stride', `${stride}, must be 1 for linear`);
      if (dilation !== 1) bad('LAYER_SHAPE', 'dilation', `${dilation}, must be 1 for linear`);
      if (padLeft !== 0 || padRight !== 0) bad('LAYER_SHAPE', padLeft !== 0 ? 'padLeft' : 'padRight', 'linear has no padding');
      if (outLen !== 1) bad('LAYER_SHAPE', 'outLen', `${outLen}, must be 1 for linear`);
      break;
    case 'maxpool1d':
    case 'avgpool1d': {
      if (kernel < 1) bad('LAYER_SHAPE', 'kernel', 'must be >= 1');
      if (stride < 1) bad('LAYER_SHAPE', 'stride', 'must be >= 1');
      if (dilation !== 1) bad('LAYER_SHAPE', 'dilation', `${dilation}, must be 1 for pooling`);
      if (padLeft !== 0 || padRight !== 0) bad('LAYER_SHAPE', padLeft !== 0 ? 'padLeft' : 'padRight', 'pooling has no padding');
      if (kernel > inLen) bad('LAYER_SHAPE', 'kernel', `${kernel} exceeds the input length ${inLen}`);
      if (outCh !== inCh) bad('LAYER_SHAPE', 'outCh', `${outCh}, pooling keeps the ${inCh} channels`);
      const expected = poolOutLen(inLen, kernel, stride);
      if (outLen !== expected) bad('LAYER_SHAPE', 'outLen', `${outLen}, the pooling formula gives ${expected}`);
      break;
    }
    case 'globalavgpool':
      if (kernel !== 0) bad('LAYER_SHAPE', 'kernel', `${kernel}, must be 0 for globalavgpool`);
      if (stride !== 1) bad('LAYER_SHAPE', 'stride', `${stride}, must be 1 for globalavgpool`);
      if (dilation !== 1) bad('LAYER_SHAPE', 'dilation', `${dilation}, must be 1 for globalavgpool`);
      if (padLeft !== 0 || padRight !== 0) bad('LAYER_SHAPE', padLeft !== 0 ? 'padLeft' : 'padRight', 'globalavgpool has no padding');
      if (outCh !== inCh) bad('LAYER_SHAPE', 'outCh', `${outCh}, pooling keeps the ${inCh} channels`);
      if (outLen !== 1) bad('LAYER_SHAPE', 'outLen', `${outLen}, must be 1 for globalavgpool`);
      break;
  }

  // Heads: the last layer outputs classCount signed scores; nothing else is signed.
  if (isHeadLast) {
    if (!weighted) bad('HEAD', 'kind', `the last layer of stage ${stage.index}'s head must be conv1d or linear, not ${kind}`);
    if (outCh !== ctx.net.classCount) bad('HEAD', 'outCh', `${outCh}, the last layer of a head outputs classCount = ${ctx.net.classCount} scores`);
    if (outLen !== 1) bad('HEAD', 'outLen', `${outLen}, the last layer of a head outputs one step`);
    if (!outSigned) bad('HEAD', 'outSigned', 'the last layer of a head outputs signed scores');
  } else if (outSigned) {
    bad('HEAD', 'outSigned', 'only the last layer of a head has a signed output');
  }

  const macs = u32('macs');
  const expectedMacs = layerMacs(kind, outCh, outLen, kernel, inCh, inLen);
  if (macs !== expectedMacs) bad('LAYER_MACS', 'macs', `${macs}, the formula gives ${expectedMacs}`);

  const weightsOffset = u32('weightsOffset');
  const weightsBytes = u32('weightsBytes');
  const biasOffset = u32('biasOffset');
  const mulOffset = u32('mulOffset');
  const shiftOffset = u32('shiftOffset');
  if (!weighted) {
    for (const k of ['weightsOffset', 'weightsBytes', 'biasOffset', 'mulOffset', 'shiftOffset'] as const) {
      if (u32(k) !== 0) bad('TENSOR', k, `${kind} has no tensors: must be 0`);
    }
    return {
      index, stage: stage.index, role, kind, inBits, inSigned, outBits, outSigned, weightBits, kernel, stride, dilation,
      padLeft, padRight, inCh, inLen, outCh, outLen, weightsOffset, weightsBytes, biasOffset, mulOffset, shiftOffset,
      macs, rowElems: 0, rowBytes: 0, tensors: null,
    };
  }

  const elems = kind === 'conv1d' ? kernel * inCh : inLen * inCh;
  const rb = rowBytesOf(elems, weightBits);
  if (weightsBytes !== outCh * rb) bad('TENSOR', 'weightsBytes', `${weightsBytes}, the packing rule gives outCh * rowBytes = ${outCh} * ${rb} = ${outCh * rb}`);
  const checkTensor = (k: 'weightsOffset' | 'biasOffset' | 'mulOffset' | 'shiftOffset', offset: number, bytes: number): void => {
    if (offset === 0) bad('TENSOR', k, `${kind} needs this tensor (offset 0 means none)`);
    if (offset % 4 !== 0) bad('TENSOR', k, `${offset} is not 4-byte aligned`);
    if (offset < ctx.h.netOffset || offset + bytes > ctx.h.metaOffset) {
      bad('TENSOR', k, `[${offset}, ${offset + bytes}) is outside the network section [${ctx.h.netOffset}, ${ctx.h.metaOffset})`);
    }
    for (const t of ctx.tables) {
      if (offset < t.end && offset + bytes > t.start) bad('TENSOR', k, `[${offset}, ${offset + bytes}) overlaps the ${t.what} [${t.start}, ${t.end})`);
    }
  };
  checkTensor('weightsOffset', weightsOffset, weightsBytes);
  checkTensor('biasOffset', biasOffset, 4 * outCh);
  checkTensor('mulOffset', mulOffset, 4 * outCh);
  checkTensor('shiftOffset', shiftOffset, align4(outCh));

  const packedWeights = f.bytes.subarray(weightsOffset, weightsOffset + weightsBytes);
  if (!rowPaddingIsZero(packedWeights, outCh, elems, weightBits)) {
    bad('WEIGHT_PADDING', 'weightsOffset', 'padding bits at the end of a packed row must be 0 (FORMAT.md "Weight packing")');
  }
  const bias = new Int32Array(outCh);
  const mul = new Int32Array(outCh);
  const shift = new Uint8Array(outCh);
  const xmax = activationMax(inBits, inSigned);
  for (let o = 0; o < outCh; o++) {
    bias[o] = f.i32(biasOffset + 4 * o, `${name}.bias[${o}]`);
    const m = f.i32(mulOffset + 4 * o, `${name}.mul[${o}]`);
    if (m < 0 || m > MUL_MAX) fail('REQUANT', `${name}.mul[${o}]`, mulOffset + 4 * o, `${m}, must be in [0, ${MUL_MAX}]`);
    mul[o] = m;
    const s = f.u8(shiftOffset + o, `${name}.shift[${o}]`);
    if (s > SHIFT_MAX) fail('REQUANT', `${name}.shift[${o}]`, shiftOffset + o, `${s}, must be in [0, ${SHIFT_MAX}]`);
    shift[o] = s;
    // ARITHMETIC.md §3 accumulator bound: |bias| + sum |w| * xmax <= 2^31 - 1 for every o.
    let absWeights = 0;
    const rowStart = o * rb;
    for (let i = 0; i < elems; i++) absWeights += Math.abs(unpackElement(packedWeights, rowStart, i, weightBits));
    const bound = Math.abs(bias[o] ?? 0) + absWeights * xmax;
    if (bound > INT32_MAX) {
      fail('ACC_BOUND', `${name}.weightsOffset`, weightsOffset + rowStart, `output channel ${o}: |bias| + sum|w| * ${xmax} = ${bound} > 2^31 - 1 (ARITHMETIC.md §3)`);
    }
  }
  const tensors: LayerTensors = { packedWeights, bias, mul, shift };
  return {
    index, stage: stage.index, role, kind, inBits, inSigned, outBits, outSigned, weightBits, kernel, stride, dilation,
    padLeft, padRight, inCh, inLen, outCh, outLen, weightsOffset, weightsBytes, biasOffset, mulOffset, shiftOffset,
    macs, rowElems: elems, rowBytes: rb, tensors,
  };
}

function readLayers(f: Fields, h: ArtifactHeader, net: NetHeader, stages: readonly StageRecord[]): LayerRecord[] {
  const tables: Span[] = [
    { start: 0, end: h.netOffset + NET_HEADER_BYTES + net.stageCount * STAGE_RECORD_BYTES, what: 'header, net header and stage table' },
    { start: net.layerTableOffset, end: net.layerTableOffset + net.layerCount * LAYER_RECORD_BYTES, what: 'layer table' },
  ];
  const ctx: LayerContext = { f, h, net, tables };
  const window: ActivationShape = { ch: net.inChannels, len: net.windowSamples, bits: net.inputBits, signed: true };
  const layers: LayerRecord[] = [];
  // The "backbone output" a following inputSource = 1 stage reads (null: there is none).
  let previousBackbone: ActivationShape | null = null;
  for (const stage of stages) {
    let input: ActivationShape;
    if (stage.inputSource === 1) {
      if (!previousBackbone) {
        const o = h.netOffset + NET_HEADER_BYTES + stage.index * STAGE_RECORD_BYTES;
        fail('STAGES', `stages[${stage.index}].inputSource`, o, 'reads the previous stage\'s backbone output, but that stage has no backbone');
      }
      input = previousBackbone;
    } else {
      input = window;
    }
    const stageInput = input;
    let backboneOut: ActivationShape | null = stage.backboneLayers === 0 ? (stage.inputSource === 1 ? stageInput : null) : null;
    const total = stage.backboneLayers + stage.headLayers;
    for (let j = 0; j < total; j++) {
      const role = j < stage.backboneLayers ? 'backbone' : 'head';
      const layer = readLayer(ctx, stage.firstLayer + j, stage, role, j === total - 1, input);
      layers.push(layer);
      input = { ch: layer.outCh, len: layer.outLen, bits: layer.outBits, signed: layer.outSigned };
      if (j === stage.backboneLayers - 1) backboneOut = input;
    }
    previousBackbone = backboneOut;
  }
  return layers;
}

function readMetadata(f: Fields, h: ArtifactHeader): ModelMetadata {
  const text = f.bytes.subarray(h.metaOffset, h.metaOffset + h.metaBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(text));
  } catch (err) {
    throw new ArtifactError('METADATA_JSON', 'metadata', h.metaOffset, `not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const result = metadataSchema.safeParse(parsed);
  if (!result.success) fail('METADATA_SCHEMA', 'metadata', h.metaOffset, describeSchemaIssues(result.error));
  return result.data;
}

/** Metadata facts the network section also states must agree (FORMAT.md "Metadata"). */
function checkMetadataAgainstNetwork(meta: ModelMetadata, h: ArtifactHeader, net: NetHeader, stages: readonly StageRecord[], layers: readonly LayerRecord[]): void {
  const mismatch = (field: string, message: string): never => fail('METADATA_MISMATCH', `metadata.${field}`, h.metaOffset, message);
  if (meta.classes.length !== net.classCount) mismatch('classes', `${meta.classes.length} class names, classCount is ${net.classCount}`);
  const inp = meta.input;
  for (const key of ['channels', 'units', 'scale'] as const) {
    if (inp[key].length !== net.inChannels) mismatch(`input.${key}`, `${inp[key].length} entries, inChannels is ${net.inChannels}`);
  }
  if (inp.windowSamples !== net.windowSamples) mismatch('input.windowSamples', `${inp.windowSamples}, the network reads ${net.windowSamples}`);
  if (meta.stages.length !== net.stageCount) mismatch('stages', `${meta.stages.length} entries, stageCount is ${net.stageCount}`);
  meta.stages.forEach((s, i) => {
    const stageMacs = layers.filter((l) => l.stage === i).reduce((sum, l) => sum + l.macs, 0);
    if (s.macs !== stageMacs) mismatch(`stages.${i}.macs`, `${s.macs}, the stage's layers sum to ${stageMacs}`);
  });
  const kind = meta.adaptive.kind;
  if ((kind === 'none') !== (net.stageCount === 1)) mismatch('adaptive.kind', `"${kind}" with ${net.stageCount} stage(s)`);
  if (kind === 'early-exit' && stages.slice(1).some((s) => s.inputSource !== 1)) mismatch('adaptive.kind', 'early-exit stages after the first read the backbone (inputSource 1)');
  if (kind === 'cascade' && stages.some((s) => s.inputSource !== 0)) mismatch('adaptive.kind', 'cascade stages read the window (inputSource 0)');
  const last = meta.modes[meta.modes.length - 1];
  if (net.stageCount === 1) {
    if (meta.modes.length !== 1 || meta.modes[0]?.threshold !== 0) mismatch('modes', 'a plain network has the single mode threshold 0');
  } else if (last?.threshold !== UINT32_MAX) {
    mismatch('modes', `the table of an adaptive model ends with the full-network mode (threshold ${UINT32_MAX})`);
  }
}

/**
 * Parses and validates a model artifact (models/FORMAT.md). Throws ArtifactError on the first
 * violation. The returned tensors' packed weights are views into `bytes`.
 */
export function readArtifact(bytes: Uint8Array): ModelArtifact {
  const f = new Fields(bytes);
  const header = readHeader(f);
  const net = readNetHeader(f, header);
  const stages = readStages(f, header, net);
  const layers = readLayers(f, header, net, stages);
  const metadata = readMetadata(f, header);
  checkMetadataAgainstNetwork(metadata, header, net, stages, layers);
  return { bytes, header, net, stages, layers, metadata };
}
