"""Train -> export -> measure with the integer simulation -> artifact + vectors, for one model, an
early-exit model, or a cascade of two trained models."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

import harm
from data import TaskData, input_scale
from export import (StagePart, assemble, build_metadata, conformance_vectors, dump_json, harnet_stages,
                    param_bytes, peak_activation_bytes, split_metrics, sweep_modes, vector_thresholds, weight_bytes)
from fit import FitConfig, Progress, evaluate_logits, to_tensor, train_model
from intsim import quantize_input, simulate_batched
from net import ArchSpec, HarNet

DATASET_NAME = "UCI HAPT v2.1 RawData"


@dataclass
class Prepared:
    """A task's windows quantized once with the training-set input scale (ARITHMETIC.md §1).

    `q` quantizes the float32 windows: the training inputs (float training, QAT, calibration, the
    float-model validation that picks epochs and precisions), kept as they were so a rebuild trains
    the same networks. `q_exact` quantizes the float64 windows exactly as ARITHMETIC.md §1 (and the
    gateway, the reference executor and `har-gateway eval`) does: every figure the integer
    simulation measures (modes, metrics, README test re-runs) reads `q_exact`."""
    task: str
    data: TaskData
    scale: np.ndarray
    q: dict[str, np.ndarray]
    q_exact: dict[str, np.ndarray]
    y: dict[str, np.ndarray]

    @property
    def classes(self) -> int:
        return len(self.data.classes)


def prepare(task: str, data: TaskData) -> Prepared:
    scale = input_scale(data.splits["train"].x)
    q = {k: quantize_input(s.x, scale) for k, s in data.splits.items()}
    q_exact = {k: quantize_input(s.x64, scale) for k, s in data.splits.items()}
    return Prepared(task=task, data=data, scale=scale, q=q, q_exact=q_exact, y={k: s.y for k, s in data.splits.items()})


@dataclass
class Built:
    model_id: str
    model: harm.IntModel
    parts: list[StagePart]
    metadata: dict[str, Any]
    artifact: bytes
    vectors: dict[str, Any]
    stats: dict[str, Any] = field(default_factory=dict)
    net: Optional[HarNet] = None


def measure_and_package(prep: Prepared, parts: list[StagePart], *, model_id: str, architecture: str, kind: str,
                        stage_names: list[str], seed: int) -> Built:
    model = assemble(parts, prep.q["train"].shape[2], prep.q["train"].shape[1], prep.classes)
    val_scores = simulate_batched(model, prep.q_exact["validation"])
    test_scores = simulate_batched(model, prep.q_exact["test"])
    modes = sweep_modes(model, val_scores, prep.y["validation"], prep.classes)
    metrics = {"test": split_metrics(model, test_scores, prep.y["test"], prep.classes),
               "validation": split_metrics(model, val_scores, prep.y["validation"], prep.classes)}
    meta = prep.data.meta
    metadata = build_metadata(model, model_id=model_id, task=prep.task, meta=meta, architecture=architecture,
                              scale=prep.scale, kind=kind, stage_names=stage_names, modes=modes, metrics=metrics,
                              seed=seed, dataset=DATASET_NAME if not prep.data.source.startswith("synthetic") else "synthetic (generated)",
                              protocol=str(meta.get("protocol", prep.task)))
    artifact = harm.write_artifact(model, metadata)
    reread = harm.read_artifact(artifact)  # the exporter reads back every file it writes
    assert len(reread.layers) == len(model.layers)
    vectors = conformance_vectors(model, model_id, seed, vector_thresholds(model, modes))
    all_layers = model.layers
    full_macs = sum(l.macs for l in all_layers)  # every stage runs (threshold 4294967295)
    stats = {
        "weightBytes": weight_bytes(all_layers), "paramBytes": param_bytes(all_layers),
        "peakActivationBytes": peak_activation_bytes(model), "macs": full_macs,
        "testAccuracy": metrics["test"]["accuracy"], "testMacroF1": metrics["test"]["macroF1"],
        "valAccuracy": metrics["validation"]["accuracy"], "modes": len(modes),
        "test_scores": test_scores, "val_scores": val_scores,
    }
    return Built(model_id=model_id, model=model, parts=parts, metadata=metadata, artifact=artifact, vectors=vectors, stats=stats)


def qat_agreement(net: HarNet, model: harm.IntModel, prep: Prepared, scores: list[np.ndarray]) -> float:
    """Share of validation windows where the QAT float model and the integer simulation pick the
    same class in the last head (a diagnostic: the exported numbers come from the simulation), both
    on the windows the simulation measured (float64 quantization, ARITHMETIC.md §1)."""
    logits = evaluate_logits(net, to_tensor(prep.q_exact["validation"]))
    return float((logits[-1].argmax(1).numpy() == scores[-1].argmax(1)).mean())


def train_and_build(prep: Prepared, arch: ArchSpec, *, model_id: str, seed: int, cfg: FitConfig,
                    progress: Optional[Progress] = None, unit: float = 1.0) -> Built:
    net = train_model(arch, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"],
                      prep.classes, seed, cfg, progress, unit)
    parts = harnet_stages(net, prep.q["train"].shape[2], prep.q["train"].shape[1], prep.classes)
    kind = "early-exit" if arch.exit_after is not None else "none"
    names = ["exit0", "final"] if kind == "early-exit" else ["main"]
    built = measure_and_package(prep, parts, model_id=model_id, architecture=arch.summary(), kind=kind,
                                stage_names=names, seed=seed)
    built.net = net
    built.stats["arch"] = arch.to_json()
    built.stats["qatAgreement"] = qat_agreement(net, built.model, prep, built.stats["val_scores"])
    return built


def cascade(prep: Prepared, little: Built, big: Built, *, model_id: str, seed: int) -> Built:
    """Two-model cascade (FORMAT.md "Stages"): stage 0 = the little model, stage 1 = the big model,
    both reading the window (inputSource = 0)."""
    assert len(little.parts) == 1 and len(big.parts) == 1
    parts = [StagePart(0, little.parts[0].backbone, little.parts[0].head),
             StagePart(0, big.parts[0].backbone, big.parts[0].head)]
    arch = f"cascade: [{little.metadata['architecture']}] then [{big.metadata['architecture']}]"
    built = measure_and_package(prep, parts, model_id=model_id, architecture=arch, kind="cascade",
                                stage_names=["little", "big"], seed=seed)
    built.stats["arch"] = {"cascade": [little.model_id, big.model_id]}
    return built


def save(built: Built, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vectors").mkdir(exist_ok=True)
    path = out_dir / f"{built.model_id}.harm"
    path.write_bytes(built.artifact)
    (out_dir / "vectors" / f"{built.model_id}.json").write_text(dump_json(built.vectors))
    return path
