"""From a quantization-aware trained HarNet to the integer model of models/FORMAT.md: per-channel
integer weights, biases in accumulator units and requantization M / 2^S (ARITHMETIC.md §3);
then the operating-mode sweep, the metadata, the artifact and the conformance vectors."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

import harm
from harm import AVGPOOL1D, CONV1D, GLOBALAVGPOOL, LINEAR, MAXPOOL1D, IntLayer, IntModel, Stage
from intsim import THRESHOLD_FULL, StageRun, decide, run_stages, stage_runs_from_scores
from metrics import accuracy, macro_f1, rounded
from net import INPUT_SCALE, SCORE_SCALE, ConvBlock, HarNet, Head
from quant import choose_mul_shift, qmax_signed, round_half_up, weight_scale

TOOL = "models/train 1"
VECTOR_GENERATOR_VERSION = 1
MIN_MODES = 20


def _int_params(w: torch.Tensor, b: torch.Tensor, wbits: int, in_scale: float, out_scale: float,
                in_signed: int, in_bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Same float32 operations as the QAT forward (quant.fake_quant_weight / fake_quant_bias)."""
    with torch.no_grad():
        ws = weight_scale(w, wbits)
        shape = (-1,) + (1,) * (w.dim() - 1)
        qmax = qmax_signed(wbits)
        w_int = torch.clamp(round_half_up(w / ws.view(shape)), -qmax, qmax).to(torch.int64).numpy()
        in_scale_t = torch.tensor(in_scale, dtype=torch.float32)
        b_int = round_half_up(b / (ws * in_scale_t)).to(torch.int64).numpy()
    ws64 = ws.double().numpy()
    xmax = 128 if in_signed else (1 << in_bits) - 1
    w_rows = w_int.reshape(w_int.shape[0], -1)
    bounds = np.abs(b_int) + np.abs(w_rows).sum(axis=1) * xmax
    muls, shifts = [], []
    for o in range(w_int.shape[0]):
        m = float(ws64[o]) * float(np.float32(in_scale)) / out_scale
        mul, shift = choose_mul_shift(m, int(bounds[o]))
        muls.append(mul)
        shifts.append(shift)
    return w_rows, b_int, np.array(muls, dtype=np.int64), np.array(shifts, dtype=np.int64)


def _conv_layer(block: ConvBlock, in_ch: int, in_len: int, in_bits: int, in_signed: int, in_scale: float) -> IntLayer:
    assert block.bias is not None
    spec = block.spec
    out_scale = float(block.act.scale())
    # conv weight [out][in][k] -> FORMAT.md row order [out][k][in]
    w = block.conv.weight.detach().permute(0, 2, 1).contiguous()
    w_rows, b_int, mul, shift = _int_params(w, block.bias.detach(), spec.wbits, in_scale, out_scale, in_signed, in_bits)
    pl, pr = block.pad
    out_len = harm.conv_out_len(in_len, spec.k, spec.stride, spec.dil, pl, pr)
    return IntLayer(kind=CONV1D, in_bits=in_bits, in_signed=in_signed, out_bits=spec.abits, out_signed=0,
                    weight_bits=spec.wbits, kernel=spec.k, stride=spec.stride, dilation=spec.dil, pad_left=pl, pad_right=pr,
                    in_ch=in_ch, in_len=in_len, out_ch=spec.ch, out_len=out_len,
                    weights=w_rows, bias=b_int, mul=mul, shift=shift)


def _pool_layer(block: ConvBlock, ch: int, in_len: int, bits: int) -> IntLayer:
    k = block.spec.pool_kernel()
    kind = MAXPOOL1D if block.spec.pool.startswith("max") else AVGPOOL1D
    return IntLayer(kind=kind, in_bits=bits, in_signed=0, out_bits=bits, out_signed=0, weight_bits=0,
                    kernel=k, stride=k, dilation=1, pad_left=0, pad_right=0,
                    in_ch=ch, in_len=in_len, out_ch=ch, out_len=(in_len - k) // k + 1)


def _head_layers(head: Head, ch: int, in_len: int, bits: int, in_scale: float, classes: int) -> list[IntLayer]:
    gap = IntLayer(kind=GLOBALAVGPOOL, in_bits=bits, in_signed=0, out_bits=bits, out_signed=0, weight_bits=0,
                   kernel=0, stride=1, dilation=1, pad_left=0, pad_right=0, in_ch=ch, in_len=in_len, out_ch=ch, out_len=1)
    w_rows, b_int, mul, shift = _int_params(head.fc.weight.detach(), head.fc.bias.detach(), head.wbits, in_scale,
                                            SCORE_SCALE, 0, bits)
    fc = IntLayer(kind=LINEAR, in_bits=bits, in_signed=0, out_bits=16, out_signed=1, weight_bits=head.wbits,
                  kernel=1, stride=1, dilation=1, pad_left=0, pad_right=0, in_ch=ch, in_len=1, out_ch=classes, out_len=1,
                  weights=w_rows, bias=b_int, mul=mul, shift=shift)
    return [gap, fc]


@dataclass
class StagePart:
    """Layers of one stage, as produced from a HarNet."""
    input_source: int
    backbone: list[IntLayer]
    head: list[IntLayer]


def harnet_stages(model: HarNet, in_ch: int, window: int, classes: int) -> list[StagePart]:
    """One stage for a plain network; two (exit, then the rest with inputSource=1) with an exit head."""
    assert model.quantized
    stages: list[StagePart] = []
    cur: list[IntLayer] = []
    ch, length, bits, signed = in_ch, window, 8, 1
    scale = INPUT_SCALE
    for i, block in enumerate(model.blocks):
        conv = _conv_layer(block, ch, length, bits, signed, scale)
        cur.append(conv)
        ch, length, bits, signed = conv.out_ch, conv.out_len, conv.out_bits, 0
        scale = float(block.act.scale())
        if block.spec.pool:
            pool = _pool_layer(block, ch, length, bits)
            cur.append(pool)
            length = pool.out_len
        if model.exit_head is not None and i == model.arch.exit_after:
            stages.append(StagePart(0, cur, _head_layers(model.exit_head, ch, length, bits, scale, classes)))
            cur = []
    stages.append(StagePart(1 if stages else 0, cur, _head_layers(model.head, ch, length, bits, scale, classes)))
    return stages


def assemble(parts: list[StagePart], in_ch: int, window: int, classes: int) -> IntModel:
    layers: list[IntLayer] = []
    stages: list[Stage] = []
    for p in parts:
        stages.append(Stage(p.input_source, len(layers), len(p.backbone), len(p.head)))
        layers += p.backbone + p.head
    model = IntModel(in_channels=in_ch, window_samples=window, class_count=classes, stages=stages, layers=layers)
    harm.validate_structure(model)
    for i, l in enumerate(layers):
        if l.has_params:
            harm.check_layer_params(l, i)
    return model


# ---- measurements --------------------------------------------------------------------------

def weight_bytes(layers: list[IntLayer]) -> int:
    """Packed weight bytes (FORMAT.md weightsBytes), the memory figure of the zoo targets."""
    return sum(l.weights_bytes for l in layers)


def param_bytes(layers: list[IntLayer]) -> int:
    """Weights plus bias, mul and (padded) shift arrays."""
    return sum(l.weights_bytes + 8 * l.out_ch + ((l.out_ch + 3) & ~3) for l in layers if l.has_params)


def peak_activation_bytes(model: IntModel) -> int:
    """The rule of models/format/footprint.ts (the firmware's arena is at least this): one byte per
    activation element (int8 window, uint8 hidden activations), int32 per score; a layer's input
    and output are live, and while a head layer after the first of stage s runs and stage s+1
    reads stage s's backbone output (inputSource = 1), that backbone output is live too."""
    window_bytes = model.in_channels * model.window_samples
    peak = 0
    prev_backbone = 0
    for s, st in enumerate(model.stages):
        keeps = s + 1 < len(model.stages) and model.stages[s + 1].input_source == 1
        in_bytes = prev_backbone if st.input_source == 1 else window_bytes
        backbone = (prev_backbone if st.input_source == 1 else 0) if st.backbone_layers == 0 else 0
        for j, l in enumerate(model.stage_layers(s)):
            out_bytes = l.out_ch * l.out_len * (4 if l.out_signed else 1)
            kept = backbone if keeps and j > st.backbone_layers else 0
            peak = max(peak, in_bytes + out_bytes + kept)
            in_bytes = out_bytes
            if j == st.backbone_layers - 1:
                backbone = out_bytes
        prev_backbone = backbone
    return peak


def sweep_thresholds(model: IntModel, scores: list[np.ndarray]) -> list[int]:
    """The mode thresholds (FORMAT.md "Metadata"): a plain network has threshold 0 only; an adaptive
    one gets thresholds at every 2.5 % of the stage-0 margin distribution (so the continue share
    walks from 0 to 1), deduplicated, plus 0, max margin + 1 and THRESHOLD_FULL; ascending."""
    if len(model.stages) == 1:
        return [0]
    from intsim import class_and_margin
    _, margin = class_and_margin(scores[0])
    sorted_m = np.sort(margin)
    cand = {0, THRESHOLD_FULL}
    for i in range(1, 40):
        p = i / 40
        cand.add(int(sorted_m[min(int(p * len(sorted_m)), len(sorted_m) - 1)]))
    cand.add(int(sorted_m[-1]) + 1)  # every window continues, the full network's result
    return sorted(cand)


def measure_mode(runs: list[StageRun], threshold: int, y: np.ndarray, classes: int) -> dict[str, Any]:
    """The columns of one mode that the integer simulation measures (the device-sim columns stay null)."""
    d = decide(runs, threshold)
    return {"threshold": int(threshold), "accuracy": rounded(accuracy(y, d.class_index)),
            "macroF1": rounded(macro_f1(y, d.class_index, classes)),
            "continueShare": rounded(float((d.exit_taken > 0).mean())),
            "avgMacs": rounded(float(d.macs.mean()), 2),
            "cycles": None, "latencyUs": None, "energyUj": None}


def sweep_modes(model: IntModel, scores: list[np.ndarray], y: np.ndarray, classes: int) -> list[dict[str, Any]]:
    """Operating modes (FORMAT.md "Metadata") at sweep_thresholds, cheapest first."""
    runs = stage_runs_from_scores(model, scores)
    return [measure_mode(runs, t, y, classes) for t in sweep_thresholds(model, scores)]


def split_metrics(model: IntModel, scores: list[np.ndarray], y: np.ndarray, classes: int, threshold: int = THRESHOLD_FULL) -> dict[str, Any]:
    d = decide(stage_runs_from_scores(model, scores), threshold)
    return {"accuracy": rounded(accuracy(y, d.class_index)), "macroF1": rounded(macro_f1(y, d.class_index, classes)),
            "windows": int(y.shape[0])}


def git_commit() -> str:
    """The last commit that changed the training toolkit (models/train), with "-dirty" when it has
    uncommitted changes: the provenance of the code that made the artifact. (HEAD would change
    with every unrelated commit and break "same seed => byte-identical artifact".)"""
    cwd = harm.__file__.rsplit("/", 1)[0]
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%h", "--abbrev=7", "--", "."], capture_output=True, text=True,
                             check=True, cwd=cwd).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], capture_output=True, text=True,
                               check=True, cwd=cwd).stdout.strip()
        return (out or "unknown") + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build_metadata(model: IntModel, *, model_id: str, task: str, meta: dict[str, Any], architecture: str,
                   scale: np.ndarray, kind: str, stage_names: list[str], modes: list[dict[str, Any]],
                   metrics: dict[str, Any], seed: int, dataset: str, protocol: str) -> dict[str, Any]:
    return {
        "id": model_id,
        "task": task,
        "classes": list(meta["classes"]),
        "architecture": architecture,
        "input": {"channels": list(meta["channels"]), "units": list(meta["units"]), "rateHz": meta["rateHz"],
                  "windowSamples": meta["windowSamples"], "strideSamples": meta["strideSamples"],
                  "scale": [float(s) for s in scale], "zeroPoint": 0, "bits": 8},
        "adaptive": {"kind": kind, "scoreScale": SCORE_SCALE},
        "stages": [{"name": stage_names[s], "macs": sum(l.macs for l in model.stage_layers(s)),
                    "weightBytes": weight_bytes(model.stage_layers(s))} for s in range(len(model.stages))],
        "modes": modes,
        "metrics": metrics,
        "provenance": {"task": task, "seed": seed, "commit": git_commit(), "tool": TOOL,
                       "dataset": dataset, "protocol": protocol},
    }


# ---- conformance vectors ----------------------------------------------------------------------

def generated_inputs(seed: int, window: int, channels: int) -> list[tuple[str, np.ndarray]]:
    """Seeded random int8 windows and synthetic signals — never dataset windows."""
    rng = np.random.default_rng(seed)
    t = np.arange(window)[:, None]
    c = np.arange(channels)[None, :]
    sine = np.clip(np.floor(100 * np.sin(2 * np.pi * t * (c + 1) / 50.0) + 0.5), -128, 127)
    chirp = np.clip(np.floor(127 * np.sin(2 * np.pi * (t ** 2) / 4000.0 + c) + 0.5), -128, 127)
    steps = np.where((t // 16 + c) % 2 == 0, 90, -60) * np.ones((window, channels))
    return [
        ("random-uniform", rng.integers(-128, 128, size=(window, channels))),
        ("random-small", rng.integers(-12, 13, size=(window, channels))),
        ("sine", sine),
        ("chirp", chirp),
        ("steps", steps),
        ("extremes", np.where(rng.random((window, channels)) < 0.5, -128, 127)),
        ("zeros", np.zeros((window, channels))),
    ]


def conformance_vectors(model: IntModel, model_id: str, seed: int, thresholds: list[int]) -> dict[str, Any]:
    inputs = generated_inputs(seed, model.window_samples, model.in_channels)
    cases = []
    for ci, (name, x) in enumerate(inputs):
        xq = x.astype(np.int64)[None]
        runs = run_stages(model, xq, trace=True)
        # several thresholds per input for adaptive models, cycling through the list
        ts = thresholds if len(model.stages) > 1 else [thresholds[ci % len(thresholds)]]
        for t in ts:
            d = decide(runs, t)
            taken = int(d.exit_taken[0])
            layers = []
            for s in range(taken + 1):
                first = model.stages[s].first_layer
                for j, out in enumerate(runs[s].layer_outputs):
                    layers.append({"index": first + j, "output": [int(v) for v in out[0].reshape(-1)]})
            scores = runs[taken].scores[0]
            cases.append({"name": name, "threshold": int(t), "input": [int(v) for v in x.reshape(-1)],
                          "layers": layers, "scores": [int(v) for v in scores],
                          "classIndex": int(d.class_index[0]), "margin": int(d.margin[0]),
                          "exitTaken": taken, "macs": int(d.macs[0])})
    return {"model": model_id, "generator": f"models/train export v{VECTOR_GENERATOR_VERSION}, seed {seed}", "cases": cases}


def vector_thresholds(model: IntModel, modes: list[dict[str, Any]]) -> list[int]:
    if len(model.stages) == 1:
        return [0, THRESHOLD_FULL]
    mids = [m["threshold"] for m in modes if 0 < m["threshold"] < THRESHOLD_FULL]
    picks = [0, THRESHOLD_FULL]
    if mids:
        picks.insert(1, mids[len(mids) // 2])
        picks.insert(1, mids[0])
    return sorted(set(picks))


def dump_json(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":")) + "\n"
