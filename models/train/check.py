"""Re-reads an artifact (harm.read_artifact validates it) and replays its conformance vectors
through the integer simulation: every layer output, scores, class, margin, exit and MACs."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import harm
from intsim import decide, run_stages


def check_vectors(model: harm.IntModel, vectors: dict) -> tuple[bool, str]:
    for ci, case in enumerate(vectors["cases"]):
        x = np.array(case["input"], dtype=np.int64).reshape(1, model.window_samples, model.in_channels)
        runs = run_stages(model, x, trace=True)
        d = decide(runs, case["threshold"])
        taken = int(d.exit_taken[0])
        outs = []
        for s in range(taken + 1):
            first = model.stages[s].first_layer
            outs += [(first + j, o[0].reshape(-1)) for j, o in enumerate(runs[s].layer_outputs)]
        if [i for i, _ in outs] != [l["index"] for l in case["layers"]]:
            return False, f"case {ci}: executed layers differ"
        for (i, actual), exp in zip(outs, case["layers"]):
            expected = np.array(exp["output"], dtype=np.int64)
            if actual.shape != expected.shape or (actual != expected).any():
                pos = int(np.argmax(actual != expected)) if actual.shape == expected.shape else -1
                return False, f"case {ci} layer {i}: first difference at {pos}"
        got = (runs[taken].scores[0].tolist(), int(d.class_index[0]), int(d.margin[0]), taken, int(d.macs[0]))
        exp = (case["scores"], case["classIndex"], case["margin"], case["exitTaken"], case["macs"])
        if got != exp:
            return False, f"case {ci}: result {got[1:]} != {exp[1:]}"
    return True, f"{len(vectors['cases'])} cases agree"


def check_artifact(path: Path) -> tuple[bool, str]:
    try:
        model = harm.read_artifact(path.read_bytes())
    except harm.ArtifactError as err:
        return False, str(err)
    vec_path = path.parent / "vectors" / f"{path.stem}.json"
    if not vec_path.is_file():
        return False, f"no vectors at {vec_path}"
    return check_vectors(model, json.loads(vec_path.read_text()))
