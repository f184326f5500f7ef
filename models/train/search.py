"""Seeded hyper-parameter search space, per-layer precision search and Pareto fronts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from net import ArchSpec, BlockSpec

CHANNELS = (4, 6, 8, 12, 16, 24, 32, 48, 64)
KERNELS = (3, 5, 7, 9)
POOLS = ("max2", "max4", "avg2", "")
MIN_LENGTH = 4            # the last block keeps at least 4 time steps for the global pooling
MAX_MACS = 1_500_000      # keep well under the ~3 M MAC latency budget (16 ms at 450 MHz)
MAX_WEIGHT_PARAMS = 24_000  # 8-bit weights: <= ~23 kB, the top of the paper's range


def arch_cost(arch: ArchSpec, in_ch: int = 6, window: int = 128) -> tuple[int, int]:
    """(MACs, weight parameters) of an architecture, without building it."""
    macs = params = 0
    ch, length = in_ch, window
    for b in arch.blocks:
        length = (length - 1) // b.stride + 1  # same padding
        macs += length * b.ch * b.k * ch
        params += b.ch * b.k * ch
        ch = b.ch
        if b.pool:
            length //= b.pool_kernel()
    return macs, params


def final_length(arch: ArchSpec, window: int = 128) -> int:
    length = window
    for b in arch.blocks:
        length = (length - 1) // b.stride + 1
        if b.pool:
            length //= b.pool_kernel()
    return length


def sample_arch(rng: np.random.Generator) -> ArchSpec:
    """Depth 2-5, non-decreasing channels, kernels 3-9, pooling, dilation 2 in deep blocks."""
    while True:
        depth = int(rng.integers(2, 6))
        start = int(rng.integers(0, 6))
        chans = []
        ci = start
        for _ in range(depth):
            chans.append(CHANNELS[min(ci, len(CHANNELS) - 1)])
            ci += int(rng.integers(0, 3))
        blocks = []
        for i, ch in enumerate(chans):
            k = int(rng.choice(KERNELS))
            pool = str(rng.choice(POOLS)) if i < depth - 1 else ""
            if i == 0 and pool == "":
                pool = "max2"
            dil = 2 if (i >= 2 and rng.random() < 0.4) else 1
            blocks.append(BlockSpec(ch, k, dil=dil, pool=pool))
        arch = ArchSpec(blocks=tuple(blocks))
        macs, params = arch_cost(arch)
        if final_length(arch) >= MIN_LENGTH and macs <= MAX_MACS and params <= MAX_WEIGHT_PARAMS:
            return arch


def pareto_front(points: Sequence[dict[str, Any]], keys_max: Sequence[str], keys_min: Sequence[str]) -> list[dict[str, Any]]:
    """Points not dominated (>= on every maximised key, <= on every minimised key, one strict)."""
    front = []
    for p in points:
        dominated = False
        for q in points:
            if q is p:
                continue
            ge = all(q[k] >= p[k] for k in keys_max) and all(q[k] <= p[k] for k in keys_min)
            gt = any(q[k] > p[k] for k in keys_max) or any(q[k] < p[k] for k in keys_min)
            if ge and gt:
                dominated = True
                break
        if not dominated:
            front.append(p)
    return front


@dataclass
class PrecisionStep:
    wbits: list[int]
    head_wbits: int
    weight_bytes: int
    val_accuracy: float


def layer_weight_bytes(arch: ArchSpec, wbits: Sequence[int], head_wbits: int, classes: int, in_ch: int = 6) -> int:
    """Packed weight bytes (rows padded to 4 bytes, FORMAT.md "Weight packing")."""
    total = 0
    ch = in_ch
    for b, w in zip(arch.blocks, wbits):
        total += b.ch * (-(-b.k * ch * w // 32) * 4)
        ch = b.ch
    total += classes * (-(-ch * head_wbits // 32) * 4)
    return total


def greedy_precision_path(arch: ArchSpec, classes: int, evaluate: Callable[[list[int], int], float],
                          max_drop: float = 0.03) -> list[PrecisionStep]:
    """Sensitivity-driven per-layer precision search: start with 8-bit everywhere; at each step
    lower by one notch (8 -> 4 -> 2) the layer whose lowering loses the least validation
    accuracy per byte saved (`evaluate` = accuracy after post-training quantization at those
    widths); stop when the accuracy falls more than `max_drop` below the 8-bit start.
    Activations follow their layer's weight width (at least 4 bits: 2-bit activations after a
    mixed layer cost much accuracy and no weight memory)."""
    nxt = {8: 4, 4: 2}
    wbits = [8] * len(arch.blocks)
    head = 8
    base = evaluate(wbits, head)
    path = [PrecisionStep(list(wbits), head, layer_weight_bytes(arch, wbits, head, classes), base)]
    while True:
        best = None
        cur_bytes = layer_weight_bytes(arch, wbits, head, classes)
        for i in range(len(wbits) + 1):
            w = wbits[i] if i < len(wbits) else head
            if w not in nxt:
                continue
            trial = list(wbits)
            th = head
            if i < len(wbits):
                trial[i] = nxt[w]
            else:
                th = nxt[w]
            saved = cur_bytes - layer_weight_bytes(arch, trial, th, classes)
            if saved <= 0:
                continue
            acc = evaluate(trial, th)
            score = (path[-1].val_accuracy - acc) / saved
            if best is None or score < best[0]:
                best = (score, trial, th, acc)
        if best is None or best[3] < base - max_drop:
            return path
        _, wbits, head, acc = best
        path.append(PrecisionStep(list(wbits), head, layer_weight_bytes(arch, wbits, head, classes), acc))
