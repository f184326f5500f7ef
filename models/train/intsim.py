"""Integer-only simulation of a model artifact, following models/ARITHMETIC.md.

This is what measures every accuracy written into an artifact's metadata, and what produces the
conformance vectors the TypeScript reference executor and the firmware must match bit for bit.

Widths: activations, weights, accumulators and the requantization product are numpy int64
(ARITHMETIC.md §2-3). The multiply-accumulate of conv1d/linear runs as a float64 matrix product
and is converted back to int64: that is exact, because every product and every partial sum is an
integer whose magnitude is below the accumulator bound (< 2^31, checked by harm.check_layer_params)
and float64 represents every integer below 2^53 exactly, whatever the summation order
(ARITHMETIC.md §3: "the order of accumulation does not matter").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from harm import AVGPOOL1D, CONV1D, GLOBALAVGPOOL, LINEAR, MAXPOOL1D, IntLayer, IntModel

THRESHOLD_FULL = 0xFFFFFFFF
BATCH_WINDOWS = 256  # bounded working set: 256 windows x 128 steps x 64 channels x 8 bytes = 16 MiB


def quantize_input(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """ARITHMETIC.md §1: q = clamp(floor(x / scale + 0.5), -128, 127) in float64."""
    q = np.floor(x.astype(np.float64) / scale.astype(np.float64) + 0.5)
    return np.clip(q, -128, 127).astype(np.int64)


def requantize(acc: np.ndarray, mul: np.ndarray, shift: np.ndarray, out_bits: int, out_signed: int) -> np.ndarray:
    """ARITHMETIC.md §3: r = (acc * M + R) >> S, R = 2^(S-1) if S > 0; then clamp (half-up rounding)."""
    rnd = np.where(shift > 0, np.left_shift(np.int64(1), np.maximum(shift - 1, 0)), 0).astype(np.int64)
    r = np.right_shift(acc * mul + rnd, shift)
    if out_signed:
        return np.clip(r, -(1 << (out_bits - 1)), (1 << (out_bits - 1)) - 1)
    return np.clip(r, 0, (1 << out_bits) - 1)


def _accumulate(cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Exact integer dot products (see the module comment)."""
    return np.rint(cols.astype(np.float64) @ weights.astype(np.float64).T).astype(np.int64)


def run_layer(layer: IntLayer, x: np.ndarray) -> np.ndarray:
    """One layer on a batch: x int64 [N][inLen][inCh] -> int64 [N][outLen][outCh]."""
    n = x.shape[0]
    if layer.kind == CONV1D:
        assert layer.weights is not None and layer.bias is not None and layer.mul is not None and layer.shift is not None
        xp = np.zeros((n, layer.in_len + layer.pad_left + layer.pad_right, layer.in_ch), dtype=np.int64)
        xp[:, layer.pad_left: layer.pad_left + layer.in_len, :] = x
        idx = (np.arange(layer.out_len)[:, None] * layer.stride + np.arange(layer.kernel)[None, :] * layer.dilation)
        cols = xp[:, idx, :].reshape(n * layer.out_len, layer.kernel * layer.in_ch)
        acc = _accumulate(cols, layer.weights) + layer.bias[None, :]
        out = requantize(acc, layer.mul[None, :], layer.shift[None, :], layer.out_bits, layer.out_signed)
        return out.reshape(n, layer.out_len, layer.out_ch)
    if layer.kind == LINEAR:
        assert layer.weights is not None and layer.bias is not None and layer.mul is not None and layer.shift is not None
        flat = x.reshape(n, layer.in_len * layer.in_ch)  # time-major flattening, FORMAT.md "Shapes"
        acc = _accumulate(flat, layer.weights) + layer.bias[None, :]
        out = requantize(acc, layer.mul[None, :], layer.shift[None, :], layer.out_bits, layer.out_signed)
        return out.reshape(n, 1, layer.out_ch)
    if layer.kind in (MAXPOOL1D, AVGPOOL1D):
        idx = np.arange(layer.out_len)[:, None] * layer.stride + np.arange(layer.kernel)[None, :]
        win = x[:, idx, :]  # [N][outLen][K][C]
        if layer.kind == MAXPOOL1D:
            return win.max(axis=2)
        return (win.sum(axis=2) + layer.kernel // 2) // layer.kernel  # ARITHMETIC.md §4, s >= 0
    if layer.kind == GLOBALAVGPOOL:
        return ((x.sum(axis=1) + layer.in_len // 2) // layer.in_len)[:, None, :]
    raise ValueError(f"unknown layer kind {layer.kind}")


@dataclass
class StageRun:
    scores: np.ndarray               # int64 [N][classes]
    macs: int                        # backbone + head of this stage
    layer_outputs: list[np.ndarray] = field(default_factory=list)  # only with trace


def run_stages(model: IntModel, xq: np.ndarray, trace: bool = False, stages: Optional[int] = None) -> list[StageRun]:
    """Runs every stage (or the first `stages`) on every window; the adaptive choice is made later."""
    runs: list[StageRun] = []
    prev_backbone: Optional[np.ndarray] = None
    count = len(model.stages) if stages is None else stages
    for s in range(count):
        st = model.stages[s]
        h = xq.astype(np.int64) if st.input_source == 0 else prev_backbone
        assert h is not None
        outs: list[np.ndarray] = []
        stage_in = h
        for j, layer in enumerate(model.stage_layers(s)):
            h = run_layer(layer, h)
            if trace:
                outs.append(h)
            if j == st.backbone_layers - 1:
                prev_backbone = h
        if st.backbone_layers == 0 and st.input_source == 0:
            prev_backbone = stage_in
        runs.append(StageRun(scores=h.reshape(h.shape[0], -1), macs=sum(l.macs for l in model.stage_layers(s)), layer_outputs=outs))
    return runs


def class_and_margin(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ARITHMETIC.md §5: first index of the max; margin = top-1 minus the best other score."""
    cls = scores.argmax(axis=1)
    if scores.shape[1] == 1:
        return cls, np.zeros(scores.shape[0], dtype=np.int64)
    top = scores[np.arange(scores.shape[0]), cls]
    others = scores.copy()
    others[np.arange(scores.shape[0]), cls] = np.iinfo(np.int64).min
    return cls, top - others.max(axis=1)


@dataclass
class Decision:
    class_index: np.ndarray
    margin: np.ndarray
    exit_taken: np.ndarray
    macs: np.ndarray


def decide(runs: list[StageRun], threshold: int) -> Decision:
    """ARITHMETIC.md §6-7: continue after stage s iff margin_s < T (unsigned); MACs of what ran."""
    n = runs[0].scores.shape[0]
    cls, margin = class_and_margin(runs[0].scores)
    exit_taken = np.zeros(n, dtype=np.int64)
    macs = np.full(n, runs[0].macs, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    for s in range(1, len(runs)):
        active &= margin < threshold
        c, m = class_and_margin(runs[s].scores)
        cls = np.where(active, c, cls)
        margin = np.where(active, m, margin)
        exit_taken = np.where(active, s, exit_taken)
        macs = macs + np.where(active, runs[s].macs, 0)
    return Decision(cls, margin, exit_taken, macs)


def simulate_batched(model: IntModel, xq: np.ndarray) -> list[np.ndarray]:
    """Scores of every stage for every window, in bounded batches: list over stages of [N][classes]."""
    parts: list[list[np.ndarray]] = [[] for _ in model.stages]
    for start in range(0, xq.shape[0], BATCH_WINDOWS):
        for s, run in enumerate(run_stages(model, xq[start: start + BATCH_WINDOWS])):
            parts[s].append(run.scores)
    return [np.concatenate(p, axis=0) for p in parts]


def stage_runs_from_scores(model: IntModel, scores: list[np.ndarray]) -> list[StageRun]:
    return [StageRun(scores=sc, macs=sum(l.macs for l in model.stage_layers(s))) for s, sc in enumerate(scores)]
