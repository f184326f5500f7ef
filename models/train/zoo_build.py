"""`npm run train -- zoo`: rebuilds the shipped zoo from the window cache.

hapt6: a seeded architecture search (8-bit QAT) -> Pareto front on validation accuracy, weight
bytes and MACs -> for front members, uniform 4- and 2-bit QAT and a per-layer mixed-precision
search -> the front over everything is kept; an early-exit model with its threshold sweep; a
two-model cascade built from two front models. hapt12: class-balanced models.
Every figure in the artifacts comes from the integer simulation."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from data import ensure_cache, env_data_dir, load_cache, write_synthetic_cache
from fit import FitConfig, Progress, head_accuracies, quantize_copy, to_tensor, train_float, train_qat
from net import ArchSpec, BlockSpec
from pipeline import Built, Prepared, cascade, measure_and_package, prepare, save
from export import harnet_stages
from search import arch_cost, greedy_precision_path, pareto_front, sample_arch
import presets
import zoo_index
import zoo_readme

import torch


@dataclass(frozen=True)
class Budget:
    search_archs: int
    float_epochs: int
    qat_epochs: int
    precision_archs: int
    ee_epochs: tuple[int, int]
    hapt12_epochs: tuple[int, int]


BUDGETS = {
    "full": Budget(search_archs=8, float_epochs=20, qat_epochs=8, precision_archs=2, ee_epochs=(30, 10), hapt12_epochs=(30, 10)),
    "quick": Budget(search_archs=1, float_epochs=2, qat_epochs=1, precision_archs=1, ee_epochs=(2, 1), hapt12_epochs=(2, 1)),
}

# Hand-picked starting points, always part of the search (small, medium, large).
ANCHORS: dict[str, ArchSpec] = {
    "tiny": presets.PRESETS["tiny"],
    "micro": ArchSpec(blocks=(BlockSpec(6, 5, pool="max4"), BlockSpec(8, 5, pool="max2"), BlockSpec(12, 3))),
    "base": presets.PRESETS["base"],
    "wide": ArchSpec(blocks=(BlockSpec(16, 9, pool="max2"), BlockSpec(32, 7, pool="max2"), BlockSpec(48, 5, pool="max2"),
                             BlockSpec(48, 3, dil=2))),
}
EARLY_EXIT = presets.PRESETS["ee"]
HAPT12 = ArchSpec(blocks=(BlockSpec(16, 7, pool="max2"), BlockSpec(32, 5, pool="max2"),
                          BlockSpec(48, 5, pool="max2"), BlockSpec(64, 3)))


def cost_units(arch: ArchSpec) -> float:
    """Relative cost of one epoch (for the ETA): fixed overhead plus MACs."""
    return 0.4 + arch_cost(arch)[0] / 500_000


def bits_tag(arch: ArchSpec) -> str:
    """w8 / w4 / w2 when every conv block has that weight width (heads keep 8 bits), else mx."""
    ws = {b.wbits for b in arch.blocks}
    return f"w{ws.pop()}" if len(ws) == 1 else "mx"


def act_bits_for(w: int) -> int:
    return max(w, 4)


def point(b: Built, name: str) -> dict[str, Any]:
    return {"id": b.model_id, "name": name, "valAccuracy": b.stats["valAccuracy"], "weightBytes": b.stats["weightBytes"],
            "macs": b.stats["macs"], "testAccuracy": b.stats["testAccuracy"], "built": b}


def load_prepared(task: str, args, progress: Progress) -> Prepared:
    if args.synthetic:
        import tempfile
        tmp = Path(tempfile.mkdtemp(prefix="har-synth-"))
        write_synthetic_cache(task, tmp, args.seed)
        data = load_cache(task, tmp)
        data.source = "synthetic"
    else:
        data = ensure_cache(task, Path(args.cache), args.data or env_data_dir(), progress.log)
    return prepare(task, data)


def build_hapt6(prep: Prepared, budget: Budget, seed: int, progress: Progress, log: list[str]) -> tuple[list[Built], Built | None]:
    rng = np.random.default_rng(seed)
    cands: list[tuple[str, ArchSpec]] = list(ANCHORS.items())
    seen = {a for _, a in cands}
    while len(cands) < len(ANCHORS) + budget.search_archs:
        a = sample_arch(rng)
        if a not in seen:
            seen.add(a)
            cands.append((f"s{len(cands) - len(ANCHORS):02d}", a))
    cfg = FitConfig(float_epochs=budget.float_epochs, qat_epochs=budget.qat_epochs)
    for _, a in cands:
        progress.add_total(cost_units(a) * (cfg.float_epochs + cfg.qat_epochs))
    progress.add_total(cost_units(EARLY_EXIT) * sum(budget.ee_epochs))
    progress.add_total(budget.precision_archs * 4 * budget.qat_epochs * 1.5)

    points: list[dict[str, Any]] = []
    floats = {}
    for i, (name, arch) in enumerate(cands):
        s = seed * 1000 + i
        fnet = train_float(arch, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], prep.classes,
                           s, cfg, progress, cost_units(arch))
        floats[name] = (arch, fnet, s)
        qnet = train_qat(fnet, arch, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], s, cfg, progress, cost_units(arch))
        built = package(prep, qnet, arch, f"hapt6-{name}-w8", s)
        points.append(point(built, name))
        log.append(f"| {name} | {arch.summary()} | w8 | {built.stats['weightBytes']} | {built.stats['macs']} | {built.stats['valAccuracy']:.4f} |")

    front8 = pareto_front(points, ["valAccuracy"], ["weightBytes", "macs"])
    # precision variants for the most accurate front members
    for p in sorted(front8, key=lambda p: -p["valAccuracy"])[: budget.precision_archs]:
        arch, fnet, s = floats[p["name"]]
        variants = [arch.with_bits([4] * len(arch.blocks), [4] * len(arch.blocks), 8),
                    arch.with_bits([2] * len(arch.blocks), [2] * len(arch.blocks), 8)]
        xv, yv = to_tensor(prep.q["validation"]), torch.from_numpy(prep.y["validation"])

        def ptq_accuracy(wbits: list[int], head: int) -> float:
            trial = arch.with_bits(wbits, [act_bits_for(w) for w in wbits], head)
            return head_accuracies(quantize_copy(fnet, trial, prep.q["train"], s), xv, yv)[-1]

        path = greedy_precision_path(arch, prep.classes, ptq_accuracy, max_drop=0.05)
        mixed = [st for st in path if len(set(st.wbits) | {st.head_wbits}) > 1]
        picks = []
        if mixed:
            picks.append(mixed[-1])
            if len(mixed) > 2:
                picks.append(mixed[len(mixed) // 2])
        for st in picks:
            variants.append(arch.with_bits(st.wbits, [act_bits_for(w) for w in st.wbits], st.head_wbits))
        log.append(f"precision path of {p['name']}: " + "; ".join(f"{st.wbits}+{st.head_wbits}: {st.weight_bytes} B ptq {st.val_accuracy:.3f}" for st in path))
        for k, va in enumerate(variants):
            tag = bits_tag(va) if bits_tag(va) != "mx" else f"mx{k - 1}"  # k >= 2 for the mixed picks
            qnet = train_qat(fnet, va, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], s + 100 + k, cfg, progress, 1.5)
            built = package(prep, qnet, va, f"hapt6-{p['name']}-{tag}", s)
            points.append(point(built, p["name"]))
            log.append(f"| {p['name']} | {va.summary()} | {bit_list(va)} | {built.stats['weightBytes']} | {built.stats['macs']} | {built.stats['valAccuracy']:.4f} |")

    front = pareto_front(points, ["valAccuracy"], ["weightBytes", "macs"])
    front_built = [p["built"] for p in sorted(front, key=lambda p: p["weightBytes"])]
    log.append("front (validation accuracy vs weight bytes vs MACs): " + ", ".join(b.model_id for b in front_built))

    # early exit
    ee_cfg = FitConfig(float_epochs=budget.ee_epochs[0], qat_epochs=budget.ee_epochs[1])
    s = seed * 1000 + 900
    fnet = train_float(EARLY_EXIT, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], prep.classes, s, ee_cfg, progress, cost_units(EARLY_EXIT))
    qnet = train_qat(fnet, EARLY_EXIT, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], s, ee_cfg, progress, cost_units(EARLY_EXIT))
    ee = package(prep, qnet, EARLY_EXIT, "hapt6-ee-w8", s)

    # cascade: the smallest front model with >= 90 % validation accuracy, then the most accurate one
    little_c = [b for b in front_built if b.stats["valAccuracy"] >= 0.90] or front_built
    little = little_c[0]
    big = max(front_built, key=lambda b: (b.stats["valAccuracy"], -b.stats["weightBytes"]))
    models = list(front_built) + [ee]
    if little is not big:
        models.append(cascade(prep, little, big, model_id="hapt6-cascade", seed=seed))
    return models, ee


def bit_list(arch: ArchSpec) -> str:
    return ",".join(f"{b.wbits}/{b.abits}" for b in arch.blocks) + f";{arch.head_wbits}"


def package(prep: Prepared, qnet, arch: ArchSpec, model_id: str, seed: int) -> Built:
    parts = harnet_stages(qnet, prep.q["train"].shape[2], prep.q["train"].shape[1], prep.classes)
    kind = "early-exit" if arch.exit_after is not None else "none"
    b = measure_and_package(prep, parts, model_id=model_id, architecture=arch.summary() + f" [w/a {bit_list(arch)}]", kind=kind,
                            stage_names=["exit0", "final"] if kind == "early-exit" else ["main"], seed=seed)
    b.stats["arch"] = arch.to_json()
    return b


def hapt12_units(budget: Budget) -> float:
    """ETA units of build_hapt12: one float run, two QAT runs."""
    return cost_units(HAPT12) * (budget.hapt12_epochs[0] + 2 * budget.hapt12_epochs[1])


def build_hapt12(prep: Prepared, budget: Budget, seed: int, progress: Progress, log: list[str]) -> list[Built]:
    cfg = FitConfig(float_epochs=budget.hapt12_epochs[0], qat_epochs=budget.hapt12_epochs[1], balanced=True)
    s = seed * 1000 + 500
    fnet = train_float(HAPT12, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], prep.classes, s, cfg, progress, cost_units(HAPT12))
    out = []
    mixed = HAPT12.with_bits([8, 4, 4, 4], [8, 4, 4, 4], 8)
    for k, arch in enumerate((HAPT12, mixed)):
        qnet = train_qat(fnet, arch, prep.q["train"], prep.y["train"], prep.q["validation"], prep.y["validation"], s + k, cfg, progress, cost_units(HAPT12))
        b = package(prep, qnet, arch, f"hapt12-base-{bits_tag(arch)}", s)
        log.append(f"| hapt12 | {arch.summary()} | {bit_list(arch)} | {b.stats['weightBytes']} | {b.stats['macs']} | {b.stats['valAccuracy']:.4f} |")
        out.append(b)
    return out


def rebuild(args) -> int:
    budget = BUDGETS[args.budget]
    out = Path(args.out)
    progress = Progress(0, "zoo")
    started = time.monotonic()
    log: list[str] = ["| arch | architecture | w/a bits | weight bytes | MACs | val acc |", "|---|---|---|---|---|---|"]
    models: list[Built] = []
    default_id = None
    tasks = [t for t in args.tasks.split(",") if t]
    if "hapt12" in tasks:  # known up front, so the ETA covers it from the start
        progress.add_total(hapt12_units(budget))
    for task in tasks:
        prep = load_prepared(task, args, progress)
        progress.log(f"{task}: {prep.data.source}, windows " + ", ".join(f"{k} {v.shape[0]}" for k, v in prep.q.items()))
        if task == "hapt6":
            ms, ee = build_hapt6(prep, budget, args.seed, progress, log)
            models += ms
            default_id = ee.model_id if ee is not None else None
        elif task == "hapt12":
            models += build_hapt12(prep, budget, args.seed, progress, log)
    if out.exists():
        for old in list(out.glob("*.harm")) + list((out / "vectors").glob("*.json")):
            old.unlink()
    for b in models:
        save(b, out)
    if default_id is None and models:
        default_id = models[0].model_id
    if default_id:
        zoo_index.set_default(out, default_id)
    minutes = (time.monotonic() - started) / 60
    search_text = "\n".join(log) + f"\n\nRebuilt with `npm run train -- zoo --budget {args.budget} --tasks {args.tasks} --seed {args.seed}` in {minutes:.1f} min."
    zoo_readme.write_readme(out, search_text)
    progress.log(f"zoo rebuilt in {minutes:.1f} min: {len(models)} models in {out}, default {default_id}")
    return 0
