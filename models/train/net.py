"""The 1D-CNN template: conv blocks (conv1d -> batch norm -> ReLU/PACT -> optional pooling), global
average pooling, a linear classifier, optionally an early-exit head after one of the blocks.

Training runs in two phases: float (with batch norm), then `fold()` merges batch norm into the
convolutions and switches to quantization-aware training (fake-quantized per-channel weights,
PACT activations). The QAT forward is layer for layer what models/train/export.py writes out.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Optional

import torch
from torch import nn

from quant import Pact, fake_quant_bias, fake_quant_weight, round_ste

INPUT_SCALE = 1.0 / 128.0  # the network sees q / 128 for the int8 window q (ARITHMETIC.md §1)
SCORE_SCALE = 1.0 / 256.0  # logit = score * SCORE_SCALE, scores are int16 (adaptive.scoreScale)


@dataclass(frozen=True)
class BlockSpec:
    ch: int
    k: int
    dil: int = 1
    stride: int = 1
    pool: str = ""        # "", "max2", "avg2", "max4", "avg4"
    wbits: int = 8
    abits: int = 8

    def pool_kernel(self) -> int:
        return int(self.pool[3:]) if self.pool else 0


@dataclass(frozen=True)
class ArchSpec:
    blocks: tuple[BlockSpec, ...]
    head_wbits: int = 8
    exit_after: Optional[int] = None   # index of the block whose output feeds the early-exit head
    exit_wbits: int = 8

    def to_json(self) -> dict[str, Any]:
        return {"blocks": [asdict(b) for b in self.blocks], "head_wbits": self.head_wbits,
                "exit_after": self.exit_after, "exit_wbits": self.exit_wbits}

    @staticmethod
    def from_json(d: dict[str, Any]) -> "ArchSpec":
        return ArchSpec(blocks=tuple(BlockSpec(**b) for b in d["blocks"]), head_wbits=d.get("head_wbits", 8),
                        exit_after=d.get("exit_after"), exit_wbits=d.get("exit_wbits", 8))

    def with_bits(self, wbits: list[int], abits: list[int], head_wbits: int, exit_wbits: Optional[int] = None) -> "ArchSpec":
        blocks = tuple(replace(b, wbits=w, abits=a) for b, w, a in zip(self.blocks, wbits, abits))
        return replace(self, blocks=blocks, head_wbits=head_wbits,
                       exit_wbits=self.exit_wbits if exit_wbits is None else exit_wbits)

    def summary(self) -> str:
        parts = []
        prev = 6
        for i, b in enumerate(self.blocks):
            d = f",d{b.dil}" if b.dil > 1 else ""
            s = f",s{b.stride}" if b.stride > 1 else ""
            parts.append(f"conv({prev}>{b.ch},k{b.k}{d}{s})" + (f" {b.pool[:3]}pool{b.pool_kernel()}" if b.pool else ""))
            prev = b.ch
            if self.exit_after == i:
                parts.append("| exit: gap linear |")
        return " ".join(parts) + " gap linear"


def same_padding(k: int, dil: int) -> tuple[int, int]:
    total = dil * (k - 1)
    return total // 2, total - total // 2


class ConvBlock(nn.Module):
    def __init__(self, in_ch: int, spec: BlockSpec):
        super().__init__()
        self.spec = spec
        self.pad = same_padding(spec.k, spec.dil)
        self.conv = nn.Conv1d(in_ch, spec.ch, spec.k, stride=spec.stride, dilation=spec.dil, bias=False)
        self.bn: Optional[nn.BatchNorm1d] = nn.BatchNorm1d(spec.ch)
        self.bias: Optional[nn.Parameter] = None
        self.act = Pact(spec.abits)
        self.in_scale: float | torch.Tensor = INPUT_SCALE

    @property
    def folded(self) -> bool:
        return self.bn is None

    def quantized_conv_params(self, in_scale: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(fake-quantized weights, fake-quantized bias, per-channel weight scale) after folding."""
        assert self.bias is not None
        wq, ws = fake_quant_weight(self.conv.weight, self.spec.wbits)
        bq = fake_quant_bias(self.bias, ws * in_scale)
        return wq, bq, ws

    def forward(self, x: torch.Tensor, in_scale: torch.Tensor) -> torch.Tensor:
        x = nn.functional.pad(x, self.pad)
        if self.bn is not None:
            y = self.bn(nn.functional.conv1d(x, self.conv.weight, None, self.spec.stride, 0, self.spec.dil))
        else:
            wq, bq, _ = self.quantized_conv_params(in_scale)
            y = nn.functional.conv1d(x, wq, bq, self.spec.stride, 0, self.spec.dil)
        y = self.act(y)
        k = self.spec.pool_kernel()
        if self.spec.pool.startswith("max"):
            y = nn.functional.max_pool1d(y, k)
        elif self.spec.pool.startswith("avg"):
            y = nn.functional.avg_pool1d(y, k)
            if self.act.quantize:  # ARITHMETIC.md §4: the integer average rounds half up
                s = self.act.scale()
                y = round_ste(y / s) * s
        return y

    @torch.no_grad()
    def fold(self) -> None:
        """Merges batch norm into the convolution: w' = w * g / sqrt(v + eps), b' = beta - mean * g / sqrt(v + eps)."""
        assert self.bn is not None
        bn = self.bn
        g = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        self.conv.weight.mul_(g[:, None, None])
        self.bias = nn.Parameter(bn.bias - bn.running_mean * g)
        self.bn = None


class Head(nn.Module):
    """Global average pooling then a linear classifier with int16 scores."""

    def __init__(self, in_ch: int, classes: int, wbits: int):
        super().__init__()
        self.fc = nn.Linear(in_ch, classes)
        self.wbits = wbits
        self.quantize = False

    def quantized_params(self, in_scale: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        wq, ws = fake_quant_weight(self.fc.weight, self.wbits)
        bq = fake_quant_bias(self.fc.bias, ws * in_scale)
        return wq, bq, ws

    def forward(self, x: torch.Tensor, in_scale: torch.Tensor) -> torch.Tensor:
        g = x.mean(dim=2)
        if not self.quantize:
            return self.fc(g)
        g = round_ste(g / in_scale) * in_scale  # ARITHMETIC.md §4: globalavgpool rounds half up
        wq, bq, _ = self.quantized_params(in_scale)
        return nn.functional.linear(g, wq, bq)


class HarNet(nn.Module):
    def __init__(self, arch: ArchSpec, in_ch: int, classes: int):
        super().__init__()
        self.arch = arch
        blocks = []
        prev = in_ch
        for b in arch.blocks:
            blocks.append(ConvBlock(prev, b))
            prev = b.ch
        self.blocks = nn.ModuleList(blocks)
        self.head = Head(prev, classes, arch.head_wbits)
        self.exit_head: Optional[Head] = None
        if arch.exit_after is not None:
            self.exit_head = Head(arch.blocks[arch.exit_after].ch, classes, arch.exit_wbits)
        self.quantized = False

    def scales(self) -> list[torch.Tensor]:
        """Activation scale of the input of each block, then of the last block's output."""
        out = [torch.tensor(INPUT_SCALE)]
        for b in self.blocks:
            out.append(b.act.scale() if self.quantized else torch.tensor(1.0))
        return out

    def forward(self, q: torch.Tensor) -> list[torch.Tensor]:
        """q: [N][C][T] int8 window values (as float). Returns the logits of each head, exit first."""
        scales = self.scales()
        h = q * INPUT_SCALE
        logits = []
        for i, b in enumerate(self.blocks):
            h = b(h, scales[i])
            if self.exit_head is not None and i == self.arch.exit_after:
                logits.append(self.exit_head(h, scales[i + 1]))
        logits.append(self.head(h, scales[-1]))
        return logits

    @torch.no_grad()
    def fold_and_quantize(self, calib: torch.Tensor) -> None:
        """Folds batch norm, sets each PACT alpha from the calibration batch (99.9th percentile of
        the block's pre-activation), then switches every layer to fake quantization."""
        self.eval()
        for b in self.blocks:
            b.fold()
        h = calib * INPUT_SCALE
        scales = self.scales()
        for i, b in enumerate(self.blocks):
            x = nn.functional.pad(h, b.pad)
            pre = nn.functional.conv1d(x, b.conv.weight, b.bias, b.spec.stride, 0, b.spec.dil)
            pos = pre[pre > 0]
            alpha = float(torch.quantile(pos[:200_000], 0.999)) if pos.numel() else 1.0
            b.act.alpha.fill_(max(alpha, 1e-3))
            b.act.quantize = True
            self.quantized = True
            scales = self.scales()
            h = b(h, scales[i])
        self.head.quantize = True
        if self.exit_head is not None:
            self.exit_head.quantize = True
