"""Model artifact (.harm) writer and validating reader, format version 1 (models/FORMAT.md).

The integer model is plain data (IntModel / IntLayer / Stage); the writer lays it out exactly as
FORMAT.md "File layout" says and the reader checks what FORMAT.md "Validation" lists, so the
exporter can re-read every file it writes before it is committed.
"""
from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

MAGIC = b"HARM"
VERSION = 1
HEADER_BYTES = 32
NET_HEADER_BYTES = 16
STAGE_RECORD_BYTES = 8
LAYER_RECORD_BYTES = 48

# FORMAT.md "Layer table": kind
CONV1D, MAXPOOL1D, AVGPOOL1D, GLOBALAVGPOOL, LINEAR = 1, 2, 3, 4, 5
KIND_NAMES = {CONV1D: "conv1d", MAXPOOL1D: "maxpool1d", AVGPOOL1D: "avgpool1d",
              GLOBALAVGPOOL: "globalavgpool", LINEAR: "linear"}
WEIGHT_BITS = (2, 4, 8)
MUL_MAX = 32767          # ARITHMETIC.md §2
SHIFT_MAX = 46           # ARITHMETIC.md §2
INT32_MAX = 2**31 - 1
PRODUCT_LIMIT = 2**46    # ARITHMETIC.md §2: |acc * M| < 2^46


class ArtifactError(Exception):
    """A violation of FORMAT.md found while writing or reading an artifact."""

    def __init__(self, code: str, message: str, field_name: str = "", offset: int = -1):
        super().__init__(f"{code}: {message}" + (f" (field {field_name}" + (f", offset {offset})" if offset >= 0 else ")") if field_name else ""))
        self.code = code
        self.field = field_name
        self.offset = offset


@dataclass
class IntLayer:
    kind: int
    in_bits: int
    in_signed: int
    out_bits: int
    out_signed: int
    weight_bits: int
    kernel: int
    stride: int
    dilation: int
    pad_left: int
    pad_right: int
    in_ch: int
    in_len: int
    out_ch: int
    out_len: int
    weights: Optional[np.ndarray] = None   # int64 [outCh][rowElems]
    bias: Optional[np.ndarray] = None      # int64 [outCh], accumulator units
    mul: Optional[np.ndarray] = None       # int64 [outCh], [0, 32767]
    shift: Optional[np.ndarray] = None     # int64 [outCh], [0, 46]

    @property
    def has_params(self) -> bool:
        return self.kind in (CONV1D, LINEAR)

    @property
    def row_elems(self) -> int:
        if self.kind == CONV1D:
            return self.kernel * self.in_ch
        if self.kind == LINEAR:
            return self.in_len * self.in_ch
        return 0

    @property
    def row_bytes(self) -> int:
        return row_bytes(self.row_elems, self.weight_bits) if self.has_params else 0

    @property
    def weights_bytes(self) -> int:
        return self.out_ch * self.row_bytes

    @property
    def macs(self) -> int:
        if self.kind == CONV1D:
            return self.out_len * self.out_ch * self.kernel * self.in_ch
        if self.kind == LINEAR:
            return self.out_ch * self.in_len * self.in_ch
        return 0

    def describe(self) -> str:
        name = KIND_NAMES[self.kind]
        if self.kind == CONV1D:
            dil = f",d{self.dilation}" if self.dilation > 1 else ""
            st = f",s{self.stride}" if self.stride > 1 else ""
            return f"conv({self.in_ch}>{self.out_ch},k{self.kernel}{dil}{st},w{self.weight_bits}a{self.out_bits})"
        if self.kind == LINEAR:
            return f"linear({self.in_len * self.in_ch}>{self.out_ch},w{self.weight_bits})"
        if self.kind == GLOBALAVGPOOL:
            return "gap"
        return f"{'max' if self.kind == MAXPOOL1D else 'avg'}pool{self.kernel}" + (f"s{self.stride}" if self.stride != self.kernel else "")


@dataclass
class Stage:
    input_source: int
    first_layer: int
    backbone_layers: int
    head_layers: int


@dataclass
class IntModel:
    in_channels: int
    window_samples: int
    class_count: int
    stages: list[Stage]
    layers: list[IntLayer]
    input_bits: int = 8
    metadata: dict[str, Any] = field(default_factory=dict)

    def stage_layers(self, s: int) -> list[IntLayer]:
        st = self.stages[s]
        return self.layers[st.first_layer: st.first_layer + st.backbone_layers + st.head_layers]


def row_bytes(row_elems: int, bits: int) -> int:
    """FORMAT.md "Weight packing": rowBytes = ceil(rowElems * b / 32) * 4."""
    return -(-row_elems * bits // 32) * 4


def conv_out_len(in_len: int, kernel: int, stride: int, dilation: int, pad_left: int, pad_right: int) -> int:
    """FORMAT.md "Shapes", conv1d."""
    return (in_len + pad_left + pad_right - dilation * (kernel - 1) - 1) // stride + 1


def pack_rows(weights: np.ndarray, bits: int) -> bytes:
    """Packs int weights [outCh][rowElems], each row on a 4-byte boundary, element 0 in the low bits."""
    out_ch, elems = weights.shape
    rb = row_bytes(elems, bits)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if weights.size and (weights.min() < lo or weights.max() > hi):
        raise ArtifactError("weight_range", f"weights outside [{lo}, {hi}] for {bits} bits")
    buf = bytearray(out_ch * rb)
    mask = (1 << bits) - 1
    per_byte = 8 // bits
    for o in range(out_ch):
        u = (weights[o].astype(np.int64) & mask).astype(np.uint8)
        padded = np.zeros(-(-elems // per_byte) * per_byte, dtype=np.uint8)
        padded[:elems] = u
        grouped = padded.reshape(-1, per_byte).astype(np.uint32)
        packed = np.zeros(grouped.shape[0], dtype=np.uint32)
        for j in range(per_byte):
            packed |= grouped[:, j] << (j * bits)
        buf[o * rb: o * rb + packed.shape[0]] = packed.astype(np.uint8).tobytes()
    return bytes(buf)


def unpack_rows(data: bytes, out_ch: int, elems: int, bits: int) -> np.ndarray:
    rb = row_bytes(elems, bits)
    per_byte = 8 // bits
    mask = (1 << bits) - 1
    raw = np.frombuffer(data, dtype=np.uint8, count=out_ch * rb).reshape(out_ch, rb).astype(np.int64)
    vals = np.stack([(raw >> (j * bits)) & mask for j in range(per_byte)], axis=2).reshape(out_ch, rb * per_byte)
    vals = vals[:, :elems]
    return np.where(vals >= (1 << (bits - 1)), vals - (1 << bits), vals)


def _align4(n: int) -> int:
    return (n + 3) & ~3


def accumulator_bound(layer: IntLayer) -> int:
    """ARITHMETIC.md §3: max over o of |bias[o]| + sum |w[o]| * xmax."""
    assert layer.weights is not None and layer.bias is not None
    xmax = 128 if layer.in_signed else (1 << layer.in_bits) - 1
    per = np.abs(layer.bias) + np.abs(layer.weights).sum(axis=1) * xmax
    return int(per.max()) if per.size else 0


def check_layer_params(layer: IntLayer, index: int) -> None:
    """The parameter rules of FORMAT.md / ARITHMETIC.md §2-3 for one conv1d/linear layer."""
    assert layer.weights is not None and layer.bias is not None and layer.mul is not None and layer.shift is not None
    if layer.weights.shape != (layer.out_ch, layer.row_elems):
        raise ArtifactError("weight_shape", f"layer {index}: weights {layer.weights.shape}")
    if (layer.mul < 0).any() or (layer.mul > MUL_MAX).any():
        raise ArtifactError("mul_range", f"layer {index}: mul outside [0, {MUL_MAX}]")
    if (layer.shift < 0).any() or (layer.shift > SHIFT_MAX).any():
        raise ArtifactError("shift_range", f"layer {index}: shift outside [0, {SHIFT_MAX}]")
    if (np.abs(layer.bias) > INT32_MAX).any():
        raise ArtifactError("bias_range", f"layer {index}: bias outside int32")
    xmax = 128 if layer.in_signed else (1 << layer.in_bits) - 1
    per = np.abs(layer.bias) + np.abs(layer.weights).sum(axis=1) * xmax
    if (per > INT32_MAX).any():
        raise ArtifactError("accumulator_bound", f"layer {index}: accumulator bound {int(per.max())} > 2^31-1")
    if (per * layer.mul >= PRODUCT_LIMIT).any():
        raise ArtifactError("product_bound", f"layer {index}: |acc * M| can reach 2^46")


def write_artifact(model: IntModel, metadata: dict[str, Any]) -> bytes:
    """FORMAT.md "File layout": header, network section, metadata JSON (zero-padded)."""
    validate_structure(model)
    net_start = HEADER_BYTES
    stage_table = net_start + NET_HEADER_BYTES
    layer_table = _align4(stage_table + STAGE_RECORD_BYTES * len(model.stages))
    cursor = layer_table + LAYER_RECORD_BYTES * len(model.layers)
    blobs: list[tuple[int, bytes]] = []
    records = []
    for i, layer in enumerate(model.layers):
        w_off = b_off = m_off = s_off = 0
        w_bytes = 0
        if layer.has_params:
            check_layer_params(layer, i)
            assert layer.weights is not None and layer.bias is not None and layer.mul is not None and layer.shift is not None
            wdata = pack_rows(layer.weights, layer.weight_bits)
            w_off, w_bytes = cursor, len(wdata)
            blobs.append((cursor, wdata)); cursor = _align4(cursor + len(wdata))
            b_off = cursor
            blobs.append((cursor, layer.bias.astype("<i4").tobytes())); cursor += 4 * layer.out_ch
            m_off = cursor
            blobs.append((cursor, layer.mul.astype("<i4").tobytes())); cursor += 4 * layer.out_ch
            s_off = cursor
            sdata = layer.shift.astype(np.uint8).tobytes()
            blobs.append((cursor, sdata + bytes(_align4(len(sdata)) - len(sdata)))); cursor += _align4(len(sdata))
        records.append(struct.pack(
            "<BBBBBBBBBBBBHHHHIIIIIII",
            layer.kind, layer.in_bits, layer.in_signed, layer.out_bits, layer.out_signed, layer.weight_bits,
            layer.kernel, layer.stride, layer.dilation, layer.pad_left, layer.pad_right, 0,
            layer.in_ch, layer.in_len, layer.out_ch, layer.out_len,
            w_off, w_bytes, b_off, m_off, s_off, layer.macs, 0))
    net_bytes = cursor - net_start
    meta_text = json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    meta_offset = net_start + net_bytes
    file_bytes = meta_offset + _align4(len(meta_text))
    buf = bytearray(file_bytes)
    struct.pack_into("<HHHBBHHI", buf, net_start, model.in_channels, model.window_samples, model.class_count,
                     len(model.stages), model.input_bits, len(model.layers), 0, layer_table)
    for s, st in enumerate(model.stages):
        struct.pack_into("<BBHHH", buf, stage_table + s * STAGE_RECORD_BYTES, st.input_source, 0,
                         st.first_layer, st.backbone_layers, st.head_layers)
    for i, rec in enumerate(records):
        buf[layer_table + i * LAYER_RECORD_BYTES: layer_table + (i + 1) * LAYER_RECORD_BYTES] = rec
    for off, data in blobs:
        buf[off: off + len(data)] = data
    buf[meta_offset: meta_offset + len(meta_text)] = meta_text
    struct.pack_into("<4sHHIIIIII", buf, 0, MAGIC, VERSION, HEADER_BYTES, file_bytes, 0,
                     net_start, net_bytes, meta_offset, len(meta_text))
    crc = zlib.crc32(bytes(buf[16:])) & 0xFFFFFFFF
    struct.pack_into("<I", buf, 12, crc)
    return bytes(buf)


def validate_structure(model: IntModel) -> None:
    """Shape chain, stage layout, bit-widths, outLen formulas (FORMAT.md "Shapes")."""
    if not 1 <= len(model.stages) <= 4:
        raise ArtifactError("stage_count", f"{len(model.stages)} stages")
    expected_first = 0
    backbone_out: Optional[IntLayer] = None
    for s, st in enumerate(model.stages):
        if st.first_layer != expected_first:
            raise ArtifactError("stage_layout", f"stage {s} first layer {st.first_layer} != {expected_first}")
        if st.head_layers < 1:
            raise ArtifactError("stage_layout", f"stage {s} has no head")
        if st.input_source == 1 and (s == 0 or backbone_out is None):
            raise ArtifactError("stage_layout", f"stage {s} reads a previous backbone that does not exist")
        layers = model.stage_layers(s)
        if len(layers) != st.backbone_layers + st.head_layers:
            raise ArtifactError("stage_layout", f"stage {s} runs past the layer table")
        if st.input_source == 0:
            prev = (model.in_channels, model.window_samples, model.input_bits, 1)
        else:
            assert backbone_out is not None
            prev = (backbone_out.out_ch, backbone_out.out_len, backbone_out.out_bits, backbone_out.out_signed)
        stage_backbone_out: Optional[IntLayer] = None
        for j, layer in enumerate(layers):
            idx = st.first_layer + j
            if (layer.in_ch, layer.in_len, layer.in_bits, layer.in_signed) != prev:
                raise ArtifactError("shape_chain", f"layer {idx} input {(layer.in_ch, layer.in_len, layer.in_bits, layer.in_signed)} != {prev}")
            check_layer_shape(layer, idx)
            if j == st.backbone_layers - 1:
                stage_backbone_out = layer
            prev = (layer.out_ch, layer.out_len, layer.out_bits, layer.out_signed)
            if j < st.backbone_layers and layer.out_signed:
                raise ArtifactError("bits", f"layer {idx}: backbone outputs are unsigned")
        last = layers[-1]
        if last.kind not in (CONV1D, LINEAR) or last.out_ch != model.class_count or last.out_len != 1 or last.out_signed != 1:
            raise ArtifactError("head", f"stage {s}: last layer must output {model.class_count} signed scores")
        if st.backbone_layers == 0:
            # the head reads the stage's input; a following inputSource=1 stage reads that too
            stage_backbone_out = backbone_out if st.input_source == 1 else None
        backbone_out = stage_backbone_out
        expected_first += st.backbone_layers + st.head_layers
    if expected_first != len(model.layers):
        raise ArtifactError("stage_layout", "layers not covered by stages")


def check_layer_shape(layer: IntLayer, idx: int) -> None:
    if layer.kind not in KIND_NAMES:
        raise ArtifactError("kind", f"layer {idx}: kind {layer.kind}")
    if layer.in_signed:
        if layer.in_bits != 8:
            raise ArtifactError("bits", f"layer {idx}: signed input must be 8 bits")
    elif layer.in_bits not in (2, 4, 8):
        raise ArtifactError("bits", f"layer {idx}: inBits {layer.in_bits}")
    if layer.out_signed:
        if layer.out_bits not in (8, 16):
            raise ArtifactError("bits", f"layer {idx}: signed outBits {layer.out_bits}")
    elif layer.out_bits not in (2, 4, 8):
        raise ArtifactError("bits", f"layer {idx}: outBits {layer.out_bits}")
    if layer.kind == CONV1D:
        if layer.weight_bits not in WEIGHT_BITS or layer.kernel < 1 or layer.stride < 1 or layer.dilation < 1:
            raise ArtifactError("conv", f"layer {idx}: bad conv parameters")
        if layer.out_len != conv_out_len(layer.in_len, layer.kernel, layer.stride, layer.dilation, layer.pad_left, layer.pad_right) or layer.out_len < 1:
            raise ArtifactError("out_len", f"layer {idx}: outLen {layer.out_len}")
    elif layer.kind == LINEAR:
        if layer.weight_bits not in WEIGHT_BITS or layer.kernel != 1 or layer.stride != 1 or layer.out_len != 1:
            raise ArtifactError("linear", f"layer {idx}: bad linear parameters")
    else:
        if layer.weight_bits != 0 or layer.out_ch != layer.in_ch or layer.out_bits != layer.in_bits or layer.out_signed != layer.in_signed or layer.in_signed:
            raise ArtifactError("pool", f"layer {idx}: pools keep channels and bits, unsigned input")
        if layer.kind == GLOBALAVGPOOL:
            if layer.out_len != 1 or layer.kernel != 0:
                raise ArtifactError("pool", f"layer {idx}: globalavgpool shape")
        elif layer.kernel < 1 or layer.stride < 1 or layer.out_len != (layer.in_len - layer.kernel) // layer.stride + 1 or layer.out_len < 1:
            raise ArtifactError("pool", f"layer {idx}: pool shape")


def read_artifact(data: bytes) -> IntModel:
    """Parses and validates an artifact; raises ArtifactError on the first violation."""
    n = len(data)
    if n < HEADER_BYTES:
        raise ArtifactError("truncated", f"{n} bytes, header needs {HEADER_BYTES}", "header", 0)
    magic, version, header_bytes, file_bytes, crc, net_off, net_bytes, meta_off, meta_bytes = struct.unpack_from("<4sHHIIIIII", data, 0)
    if magic != MAGIC:
        raise ArtifactError("magic", "not a HARM file", "magic", 0)
    if version != VERSION:
        raise ArtifactError("version", f"version {version}", "version", 4)
    if header_bytes != HEADER_BYTES or net_off != HEADER_BYTES:
        raise ArtifactError("header", "header size / netOffset", "headerBytes", 6)
    if file_bytes != n:
        raise ArtifactError("file_bytes", f"fileBytes {file_bytes} != length {n}", "fileBytes", 8)
    if zlib.crc32(data[16:]) & 0xFFFFFFFF != crc:
        raise ArtifactError("crc", "CRC-32 mismatch", "crc32", 12)
    if net_bytes % 4 or meta_off != net_off + net_bytes or meta_off + _align4(meta_bytes) != n:
        raise ArtifactError("sections", "section offsets", "metaOffset", 24)
    if NET_HEADER_BYTES > net_bytes:
        raise ArtifactError("truncated", "net header", "netBytes", 20)
    in_ch, win, classes, stage_count, input_bits, layer_count, _res, lt_off = struct.unpack_from("<HHHBBHHI", data, net_off)
    if input_bits != 8:
        raise ArtifactError("input_bits", f"{input_bits}", "inputBits", net_off + 7)
    if not 1 <= stage_count <= 4:
        raise ArtifactError("stage_count", f"{stage_count}", "stageCount", net_off + 6)
    st_off = net_off + NET_HEADER_BYTES
    if st_off + stage_count * STAGE_RECORD_BYTES > lt_off or lt_off % 4 or lt_off + layer_count * LAYER_RECORD_BYTES > meta_off:
        raise ArtifactError("tables", "stage/layer table placement", "layerTableOffset", net_off + 12)
    stages = [Stage(*[v for k, v in enumerate(struct.unpack_from("<BBHHH", data, st_off + 8 * s)) if k != 1]) for s in range(stage_count)]
    table_end = lt_off + layer_count * LAYER_RECORD_BYTES
    layers: list[IntLayer] = []
    for i in range(layer_count):
        off = lt_off + i * LAYER_RECORD_BYTES
        f = struct.unpack_from("<BBBBBBBBBBBBHHHHIIIIIII", data, off)
        layer = IntLayer(kind=f[0], in_bits=f[1], in_signed=f[2], out_bits=f[3], out_signed=f[4], weight_bits=f[5],
                         kernel=f[6], stride=f[7], dilation=f[8], pad_left=f[9], pad_right=f[10],
                         in_ch=f[12], in_len=f[13], out_ch=f[14], out_len=f[15])
        w_off, w_bytes, b_off, m_off, s_off, macs = f[16:22]
        check_layer_shape(layer, i)
        if macs != layer.macs:
            raise ArtifactError("macs", f"layer {i}: macs {macs} != {layer.macs}", "macs", off + 40)
        if layer.has_params:
            if w_bytes != layer.weights_bytes:
                raise ArtifactError("weights_bytes", f"layer {i}", "weightsBytes", off + 24)
            for name, o, size in (("weightsOffset", w_off, w_bytes), ("biasOffset", b_off, 4 * layer.out_ch),
                                  ("mulOffset", m_off, 4 * layer.out_ch), ("shiftOffset", s_off, layer.out_ch)):
                if o % 4 or o < table_end or o + size > meta_off:
                    raise ArtifactError("tensor_bounds", f"layer {i}: {name} {o}", name, off)
            layer.weights = unpack_rows(data[w_off: w_off + w_bytes], layer.out_ch, layer.row_elems, layer.weight_bits)
            layer.bias = np.frombuffer(data, dtype="<i4", count=layer.out_ch, offset=b_off).astype(np.int64)
            layer.mul = np.frombuffer(data, dtype="<i4", count=layer.out_ch, offset=m_off).astype(np.int64)
            layer.shift = np.frombuffer(data, dtype=np.uint8, count=layer.out_ch, offset=s_off).astype(np.int64)
            check_layer_params(layer, i)
        elif w_off or w_bytes or b_off or m_off or s_off:
            raise ArtifactError("tensor_bounds", f"layer {i}: pool with tensors", "weightsOffset", off + 20)
        layers.append(layer)
    try:
        metadata = json.loads(data[meta_off: meta_off + meta_bytes].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ArtifactError("metadata", f"metadata JSON: {err}", "metadata", meta_off) from err
    model = IntModel(in_channels=in_ch, window_samples=win, class_count=classes, stages=stages, layers=layers,
                     input_bits=input_bits, metadata=metadata)
    validate_structure(model)
    return model


def with_metadata(data: bytes, metadata: dict[str, Any]) -> bytes:
    """FORMAT.md "Metadata": rewrites the JSON and the CRC; the network section stays byte-identical."""
    model = read_artifact(data)
    out = write_artifact(model, metadata)
    net_end = HEADER_BYTES + struct.unpack_from("<I", data, 20)[0]
    assert out[HEADER_BYTES:net_end] == data[HEADER_BYTES:net_end]
    return out
