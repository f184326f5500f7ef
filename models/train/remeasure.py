"""`npm run train -- remeasure [--zoo models/zoo] [--check]`: re-measures the figures the integer
simulation writes into shipped artifacts, without retraining.

For every artifact: its windows are quantized from the float64 window cache with the artifact's
own input scale (ARITHMETIC.md §1), the integer simulation runs the validation and test splits, and

- each mode keeps its threshold and its device-sim columns (cycles, latencyUs, energyUj) and gets
  accuracy, macroF1, continueShare and avgMacs re-measured on the validation windows
  (export.measure_mode, the exporter's own function);
- `metrics.test` and `metrics.validation` are re-measured (export.split_metrics, full network).

Everything else in the metadata is kept as it is. Only the metadata JSON and the CRC are rewritten
(harm.with_metadata, FORMAT.md "Metadata"); the network section is checked to be byte-identical.
It also reports whether the exporter's threshold sweep on the same windows would pick the same
thresholds, and whether the cache gives the same input scale (what a rebuild from scratch would
write); the stored thresholds and scale are kept either way.
"""
from __future__ import annotations

import copy
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

import harm
from data import CacheError, TaskData, ensure_cache, input_scale
from export import measure_mode, split_metrics, sweep_thresholds
from intsim import quantize_input, simulate_batched, stage_runs_from_scores

MEASURED_MODE_KEYS = ("accuracy", "macroF1", "continueShare", "avgMacs")


class RemeasureError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Outcome:
    model_id: str
    status: str                                   # "unchanged" | "updated" | "skipped"
    changes: list[str] = field(default_factory=list)
    same_thresholds: bool = True                  # the exporter's sweep would pick the stored thresholds
    same_scale: bool = True                       # data.input_scale of the cache gives the stored input scale
    artifact: bytes = b""


def network_section(data: bytes) -> bytes:
    """FORMAT.md "File layout": the header stores the network section's offset and length."""
    net_off, net_bytes = struct.unpack_from("<II", data, 16)
    return data[net_off: net_off + net_bytes]


def _kept_or_new(old: Any, value: Any) -> Any:
    """The stored value when it is equal (so an up-to-date artifact stays byte-identical, whoever
    wrote its JSON); otherwise the new one, integral floats written as integers the way the
    device-sim filler (JSON.stringify) writes them."""
    if old is not None and old == value:
        return old
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def remeasured_metadata(model: harm.IntModel, data: TaskData) -> tuple[dict[str, Any], bool]:
    """The artifact's metadata with the simulation-measured columns recomputed from x64."""
    md = model.metadata
    scale = np.array(md["input"]["scale"], dtype=np.float64)
    classes = len(md["classes"])
    val, test = data.splits["validation"], data.splits["test"]
    val_scores = simulate_batched(model, quantize_input(val.x64, scale))
    test_scores = simulate_batched(model, quantize_input(test.x64, scale))
    runs = stage_runs_from_scores(model, val_scores)
    new = copy.deepcopy(md)
    for mode in new["modes"]:
        measured = measure_mode(runs, mode["threshold"], val.y, classes)
        for key in MEASURED_MODE_KEYS:
            mode[key] = _kept_or_new(mode[key], measured[key])
    for split, scores, y in (("test", test_scores, test.y), ("validation", val_scores, val.y)):
        measured = split_metrics(model, scores, y, classes)
        old = new["metrics"].setdefault(split, {})
        for key, value in measured.items():
            old[key] = _kept_or_new(old.get(key), value)
    same_thresholds = sweep_thresholds(model, val_scores) == [m["threshold"] for m in md["modes"]]
    return new, same_thresholds


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for i, (a, b) in enumerate(zip(old["modes"], new["modes"])):
        for key in MEASURED_MODE_KEYS:
            if a[key] != b[key]:
                out.append(f"mode {i} (threshold {a['threshold']}) {key} {a[key]} -> {b[key]}")
    for split in ("test", "validation"):
        for key, va in old["metrics"][split].items():
            vb = new["metrics"][split].get(key)
            if va != vb:
                out.append(f"metrics.{split}.{key} {va} -> {vb}")
    return out


def remeasure_artifact(path: Path, load: Callable[[str], TaskData],
                       train_scale: Callable[[TaskData], np.ndarray] = lambda d: input_scale(d.splits["train"].x)) -> Outcome:
    data = path.read_bytes()
    model = harm.read_artifact(data)
    md = model.metadata
    if str(md["provenance"].get("dataset", "")).startswith("synthetic"):
        return Outcome(md["id"], "skipped", ["trained on generated windows: nothing to re-measure"], artifact=data)
    data_task = load(md["task"])
    new_md, same_thresholds = remeasured_metadata(model, data_task)
    same_scale = [float(v) for v in train_scale(data_task)] == list(md["input"]["scale"])
    changes = describe_changes(md, new_md)
    out = harm.with_metadata(data, new_md)
    if network_section(out) != network_section(data):
        raise RemeasureError("network_changed", f"{path}: the rewrite changed the network section")
    if not changes and out != data:
        raise RemeasureError("not_reproducible", f"{path}: unchanged metadata but different bytes")
    return Outcome(md["id"], "updated" if changes else "unchanged", changes, same_thresholds, same_scale, out)


def remeasure_zoo(zoo_dir: Path, cache_dir: Path, write: bool, log: Callable[[str], None],
                  data_dir: str | None = None) -> list[Outcome]:
    """Every artifact of zoo_dir; a task's cache is exported first when it is missing (or lacks x64)."""
    paths = sorted(zoo_dir.glob("*.harm"))
    if not paths:
        raise RemeasureError("no_artifacts", f"no *.harm in {zoo_dir}")
    caches: dict[str, TaskData] = {}

    def load(task: str) -> TaskData:
        if task not in caches:
            caches[task] = ensure_cache(task, cache_dir, data_dir, log)
        return caches[task]

    scales: dict[int, np.ndarray] = {}

    def train_scale(data: TaskData) -> np.ndarray:
        key = id(data)  # one TaskData per task in `caches`, alive for the whole run
        if key not in scales:
            scales[key] = input_scale(data.splits["train"].x)
        return scales[key]

    outcomes = []
    for p in paths:
        o = remeasure_artifact(p, load, train_scale)
        if o.status == "updated" and write:
            p.write_bytes(o.artifact)
        notes = ([] if o.same_thresholds else ["the exporter's sweep on these windows would pick other thresholds"]) + \
                ([] if o.same_scale else ["the cache's training windows give another input scale (kept the stored one)"])
        log(f"{o.status:9} {p.name}" + "".join(f" ({n})" for n in notes))
        for c in o.changes:
            log(f"          {c}")
        outcomes.append(o)
    return outcomes


__all__ = ["CacheError", "Outcome", "RemeasureError", "network_section", "remeasure_artifact", "remeasure_zoo"]
