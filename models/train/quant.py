"""Fake quantization for quantization-aware training, mirroring models/ARITHMETIC.md.

Every rounding here is half up (floor(v + 0.5)), like the integer requantization (§3) and the
pooling divisions (§4), so what QAT trains is what the integer simulation computes, up to the
15-bit approximation of each requantization factor by M / 2^S.
Gradients pass through the roundings unchanged (straight-through estimator).
"""
from __future__ import annotations

import torch
from torch import nn

# Clip ratios tried for the per-channel weight scale of 4- and 2-bit layers (a fraction of the
# channel's max |w|); 8-bit layers use the max itself. The ratio with the least squared error wins.
CLIP_RATIOS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)
EPS = 1e-8


def round_half_up(x: torch.Tensor) -> torch.Tensor:
    return torch.floor(x + 0.5)


def round_ste(x: torch.Tensor) -> torch.Tensor:
    return x + (round_half_up(x) - x).detach()


def qmax_signed(bits: int) -> int:
    """Symmetric signed range [-qmax, qmax] with qmax = 2^(b-1) - 1 (2 bits: ternary)."""
    return (1 << (bits - 1)) - 1


@torch.no_grad()
def weight_scale(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Per-output-channel scale of a weight tensor [out, ...] (symmetric, zero point 0)."""
    flat = w.reshape(w.shape[0], -1)
    wmax = flat.abs().amax(dim=1).clamp_min(EPS)
    qmax = qmax_signed(bits)
    if bits >= 8:
        return wmax / qmax
    best_err = torch.full_like(wmax, float("inf"))
    best = wmax / qmax
    for ratio in CLIP_RATIOS:
        s = wmax * ratio / qmax
        q = torch.clamp(round_half_up(flat / s[:, None]), -qmax, qmax) * s[:, None]
        err = ((q - flat) ** 2).sum(dim=1)
        better = err < best_err
        best_err = torch.where(better, err, best_err)
        best = torch.where(better, s, best)
    return best


def fake_quant_weight(w: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (fake-quantized weights, per-channel scale)."""
    s = weight_scale(w, bits)
    shape = (-1,) + (1,) * (w.dim() - 1)
    qmax = qmax_signed(bits)
    q = torch.clamp(round_ste(w / s.view(shape)), -qmax, qmax)
    return q * s.view(shape), s


def fake_quant_bias(b: torch.Tensor, acc_scale: torch.Tensor) -> torch.Tensor:
    """Bias in accumulator units (ARITHMETIC.md §3): round(b / (w_scale * a_in)) * that scale."""
    return round_ste(b / acc_scale) * acc_scale


class Pact(nn.Module):
    """PACT activation (Choi et al. 2018): learned clip alpha, unsigned b-bit grid of step alpha/(2^b-1)."""

    def __init__(self, bits: int, alpha: float = 4.0):
        super().__init__()
        self.bits = bits
        self.alpha = nn.Parameter(torch.tensor(float(alpha)))
        self.quantize = False

    @property
    def levels(self) -> int:
        return (1 << self.bits) - 1

    def scale(self) -> torch.Tensor:
        return self.alpha.abs() / self.levels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.quantize:
            return torch.relu(x)
        a = self.alpha.abs()
        y = 0.5 * (x.abs() - (x - a).abs() + a)  # clamp(x, 0, alpha), differentiable in alpha
        s = a / self.levels
        return round_ste(y / s) * s


def choose_mul_shift(m: float, acc_bound: int) -> tuple[int, int]:
    """Integer requantization factor M / 2^S ~= m with M in [0, 32767], S in [0, 46] and
    acc_bound * M < 2^46 (ARITHMETIC.md §2); the largest S that fits gives the most precision."""
    if m <= 0:
        return 0, 0
    mul_cap = min(32767, ((1 << 46) - 1) // max(acc_bound, 1))
    for shift in range(46, -1, -1):
        mul = int(m * (1 << shift) + 0.5)
        if mul <= mul_cap:
            return mul, shift
    raise ValueError(f"requantization factor {m} cannot be represented as M / 2^S with M <= {mul_cap} "
                     "(ARITHMETIC.md §2); the layer's output scale collapsed")
