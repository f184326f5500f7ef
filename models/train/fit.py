"""Training loops: float training with batch norm, then quantization-aware fine-tuning after
folding (net.HarNet.fold_and_quantize). Seeded and single-process, so one seed gives one result."""
from __future__ import annotations

import copy
import random
import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from net import ArchSpec, HarNet

# One intra-op thread: on a shared 2-core machine two OpenMP threads ran 8x slower (spin waits);
# one thread also keeps the floating-point summation order, hence the artifact, reproducible.
EXIT_LOSS_WEIGHT = 0.5   # early exit: loss = final CE + EXIT_LOSS_WEIGHT * exit CE
CALIBRATION_WINDOWS = 512


@dataclass(frozen=True)
class FitConfig:
    float_epochs: int = 30
    qat_epochs: int = 15
    batch: int = 64
    lr: float = 3e-3
    qat_lr: float = 1e-3
    weight_decay: float = 1e-4
    augment: str = "shift"   # "none" | "shift" (circular time shift) | "shift+gain" (and per-channel gain jitter)
    balanced: bool = False   # class-weighted loss (hapt12)


class Progress:
    """One line per step on stderr with the share done and an ETA over the whole run."""

    def __init__(self, total_units: float, label: str = "train", stream=sys.stderr, clock: Callable[[], float] = time.monotonic):
        self.total = max(total_units, 1e-9)
        self.done = 0.0
        self.label = label
        self.stream = stream
        self.clock = clock
        self.start = clock()

    def add_total(self, units: float) -> None:
        self.total += units

    def step(self, units: float, message: str) -> None:
        self.done += units
        elapsed = self.clock() - self.start
        share = min(self.done / self.total, 1.0)
        eta = elapsed / share * (1 - share) if share > 0 else float("nan")
        self.stream.write(f"[{self.label}] {share * 100:5.1f}%  elapsed {fmt_seconds(elapsed)}  ETA {fmt_seconds(eta)}  {message}\n")
        self.stream.flush()

    def log(self, message: str) -> None:
        self.stream.write(f"[{self.label}] {message}\n")
        self.stream.flush()


def fmt_seconds(s: float) -> str:
    if s != s:  # NaN
        return "--:--"
    s = int(round(s))
    return f"{s // 60:02d}:{s % 60:02d}" if s < 3600 else f"{s // 3600}h{(s % 3600) // 60:02d}m"


def seed_everything(seed: int, threads: int = 1) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def to_tensor(q: np.ndarray) -> torch.Tensor:
    """int8 windows [N][T][C] -> float [N][C][T] for Conv1d."""
    return torch.from_numpy(np.ascontiguousarray(q.transpose(0, 2, 1)).astype(np.float32))


def augment(xb: torch.Tensor, gen: torch.Generator, mode: str) -> torch.Tensor:
    """A random circular time shift of up to 8 samples; with "shift+gain" also a +-5 % gain per
    window and channel (it blurs the gravity direction that tells sitting from standing), then
    back on the int8 grid (the model only ever sees integers)."""
    if mode == "none":
        return xb
    shift = int(torch.randint(-8, 9, (1,), generator=gen))
    out = torch.roll(xb, shifts=shift, dims=2)
    if mode == "shift+gain":
        out = out * (1.0 + 0.1 * (torch.rand(xb.shape[0], xb.shape[1], 1, generator=gen) - 0.5))
        out = torch.clamp(torch.floor(out + 0.5), -128, 127)
    return out


def evaluate_logits(model: HarNet, x: torch.Tensor, batch: int = 512) -> list[torch.Tensor]:
    model.eval()
    outs: list[list[torch.Tensor]] = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            for h, l in enumerate(model(x[i: i + batch])):
                if len(outs) <= h:
                    outs.append([])
                outs[h].append(l)
    return [torch.cat(o) for o in outs]


def head_accuracies(model: HarNet, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    return [float((l.argmax(1) == y).float().mean()) for l in evaluate_logits(model, x)]


def _epochs(model: HarNet, params, lr: float, epochs: int, x: torch.Tensor, y: torch.Tensor,
            xv: torch.Tensor, yv: torch.Tensor, cfg: FitConfig, gen: torch.Generator,
            progress: Optional[Progress], unit: float, phase: str) -> None:
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(epochs, 1) * ((x.shape[0] + cfg.batch - 1) // cfg.batch))
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(y.numpy(), int(model.head.fc.out_features)) if cfg.balanced else None)
    best_score, best_state = -1.0, None
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(x.shape[0], generator=gen)
        total, count = 0.0, 0
        for i in range(0, x.shape[0], cfg.batch):
            idx = perm[i: i + cfg.batch]
            xb = augment(x[idx], gen, cfg.augment)
            logits = model(xb)
            loss = loss_fn(logits[-1], y[idx])
            if len(logits) > 1:
                loss = loss + EXIT_LOSS_WEIGHT * sum(loss_fn(l, y[idx]) for l in logits[:-1])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * idx.shape[0]
            count += idx.shape[0]
        accs = head_accuracies(model, xv, yv)
        score = accs[-1] + 0.25 * sum(accs[:-1])
        if score > best_score:
            best_score, best_state = score, copy.deepcopy(model.state_dict())
        if progress is not None:
            progress.step(unit, f"{phase} epoch {epoch + 1}/{epochs} loss {total / max(count, 1):.4f} val acc " + "/".join(f"{a:.4f}" for a in accs))
    if best_state is not None:
        model.load_state_dict(best_state)


def class_weights(y: np.ndarray, classes: int) -> torch.Tensor:
    """Inverse square-root frequency, normalised to mean 1 (helps the rare transition classes of
    hapt12 without drowning the common ones)."""
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    w = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    return torch.tensor(w / w.mean(), dtype=torch.float32)


def train_float(arch: ArchSpec, xq: np.ndarray, y: np.ndarray, xvq: np.ndarray, yv: np.ndarray, classes: int,
                seed: int, cfg: FitConfig, progress: Optional[Progress] = None, unit: float = 1.0) -> HarNet:
    """Float phase (batch norm, ReLU); the result is bit-width agnostic."""
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    model = HarNet(arch, xq.shape[2], classes)
    _epochs(model, model.parameters(), cfg.lr, cfg.float_epochs, to_tensor(xq), torch.from_numpy(y),
            to_tensor(xvq), torch.from_numpy(yv), cfg, gen, progress, unit, "float")
    model.eval()
    return model


def quantize_copy(float_net: HarNet, arch: ArchSpec, xq: np.ndarray, seed: int) -> HarNet:
    """A copy of a float-trained network with the bit-widths of `arch` (same layers), folded and
    calibrated (post-training quantization, before any QAT epoch)."""
    net = copy.deepcopy(float_net)
    net.arch = arch
    for b, spec in zip(net.blocks, arch.blocks):
        b.spec = spec
        b.act.bits = spec.abits
    net.head.wbits = arch.head_wbits
    if net.exit_head is not None:
        net.exit_head.wbits = arch.exit_wbits
    gen = torch.Generator().manual_seed(seed)
    x = to_tensor(xq)
    net.fold_and_quantize(x[torch.randperm(x.shape[0], generator=gen)[:CALIBRATION_WINDOWS]])
    return net


def train_qat(float_net: HarNet, arch: ArchSpec, xq: np.ndarray, y: np.ndarray, xvq: np.ndarray, yv: np.ndarray,
              seed: int, cfg: FitConfig, progress: Optional[Progress] = None, unit: float = 1.0) -> HarNet:
    """QAT phase from a float-trained network, at the bit-widths of `arch`."""
    seed_everything(seed + 1)
    gen = torch.Generator().manual_seed(seed + 1)
    net = quantize_copy(float_net, arch, xq, seed)
    _epochs(net, net.parameters(), cfg.qat_lr, cfg.qat_epochs, to_tensor(xq), torch.from_numpy(y),
            to_tensor(xvq), torch.from_numpy(yv), cfg, gen, progress, unit, "qat")
    net.eval()
    return net


def train_model(arch: ArchSpec, xq: np.ndarray, y: np.ndarray, xvq: np.ndarray, yv: np.ndarray, classes: int,
                seed: int, cfg: FitConfig, progress: Optional[Progress] = None, unit: float = 1.0) -> HarNet:
    """Float training, fold, QAT. Keeps the epoch with the best validation accuracy in each phase."""
    float_net = train_float(arch, xq, y, xvq, yv, classes, seed, cfg, progress, unit)
    return train_qat(float_net, arch, xq, y, xvq, yv, seed, cfg, progress, unit)
