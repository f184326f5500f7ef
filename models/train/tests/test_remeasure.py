"""The integer simulation measures on the float64 windows (ARITHMETIC.md §1), and `remeasure`
rewrites only the simulation-measured metadata of an artifact. Generated windows only.
Run: /usr/bin/python3 -m unittest discover -s models/train/tests -t models/train"""
from __future__ import annotations

import json
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harm  # noqa: E402
from data import SPLITS, CacheError, input_scale, load_cache, write_synthetic_cache  # noqa: E402
from intsim import THRESHOLD_FULL, decide, quantize_input, simulate_batched, stage_runs_from_scores  # noqa: E402
from metrics import accuracy  # noqa: E402
from pipeline import prepare  # noqa: E402
from remeasure import network_section, remeasure_artifact, remeasure_zoo  # noqa: E402
from test_arithmetic import early_exit_model  # noqa: E402

WINDOW, CHANNELS, CLASSES = 32, 6, 5
SCALE = np.array([0.011, 0.013, 0.017, 0.019, 0.023, 0.029])


def float32_crossing(scale: float, level: int) -> float:
    """A float64 sample just below the rounding boundary (level + 0.5) * scale whose float32 copy
    lies on or above it: the float64 path gives `level`, the float32 path `level + 1`."""
    v = (level + 0.5) * scale
    for _ in range(100000):
        v = np.nextafter(v, -np.inf)
        q64 = np.floor(v / scale + 0.5)
        q32 = np.floor(float(np.float32(v)) / scale + 0.5)
        if q64 == level and q32 == level + 1:
            return float(v)
    raise AssertionError("no float32 crossing found")


def write_cache(root: Path, task: str, seed: int, sizes: dict[str, int]) -> Path:
    """A cache in the export-cache.ts layout, of generated float64 windows."""
    rng = np.random.default_rng(seed)
    folder = root / task
    folder.mkdir(parents=True)
    for split, n in sizes.items():
        x64 = rng.normal(0, 1.2, size=(n, WINDOW, CHANNELS)) * SCALE * 60
        np.save(folder / f"{split}.x64.npy", x64)
        np.save(folder / f"{split}.x.npy", x64.astype(np.float32))
        np.save(folder / f"{split}.y.npy", rng.integers(0, CLASSES, size=n).astype(np.int64))
        np.save(folder / f"{split}.subject.npy", np.ones(n, dtype=np.int64))
        np.save(folder / f"{split}.experiment.npy", np.ones(n, dtype=np.int64))
    meta = {"task": task, "classes": [f"C{i}" for i in range(CLASSES)], "windowSamples": WINDOW, "strideSamples": WINDOW // 2,
            "rateHz": 50, "channels": [f"ch{i}" for i in range(CHANNELS)], "units": ["g"] * CHANNELS, "splits": sizes}
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


class CacheFloat64Test(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_loads_x64_beside_x(self):
        write_synthetic_cache("hapt6", self.root, seed=3, sizes={"train": 20, "validation": 10, "test": 10})
        data = load_cache("hapt6", self.root)
        for split in SPLITS:
            s = data.splits[split]
            self.assertEqual(s.x64.dtype, np.float64)
            self.assertEqual(s.x.dtype, np.float32)
            self.assertTrue(np.array_equal(s.x64.astype(np.float32), s.x))
            self.assertFalse(np.array_equal(s.x64, s.x.astype(np.float64)))  # generated in float64, not widened float32

    def test_missing_x64_is_a_missing_cache(self):
        folder = write_synthetic_cache("hapt6", self.root, seed=3, sizes={"train": 20, "validation": 10, "test": 10})
        (folder / "test.x64.npy").unlink()
        with self.assertRaises(CacheError) as ctx:
            load_cache("hapt6", self.root)
        self.assertEqual(ctx.exception.code, "cache_missing")  # so ensure_cache re-runs the exporter

    def test_x_that_is_not_the_float32_copy_is_rejected(self):
        folder = write_synthetic_cache("hapt6", self.root, seed=3, sizes={"train": 20, "validation": 10, "test": 10})
        x64 = np.load(folder / "validation.x64.npy")
        x64[0, 0, 0] += 0.5
        np.save(folder / "validation.x64.npy", x64)
        with self.assertRaises(CacheError) as ctx:
            load_cache("hapt6", self.root)
        self.assertEqual(ctx.exception.code, "cache_mismatch")

    def test_measured_windows_quantize_float64_and_training_windows_float32(self):
        folder = write_cache(self.root, "t", seed=5, sizes={"train": 40, "validation": 8, "test": 8})
        train = np.load(folder / "train.x.npy")
        scale = input_scale(train)
        x64 = np.load(folder / "validation.x64.npy")
        x64[2, 7, 4] = float32_crossing(float(scale[4]), 37)
        np.save(folder / "validation.x64.npy", x64)
        np.save(folder / "validation.x.npy", x64.astype(np.float32))
        prep = prepare("t", load_cache("t", self.root))
        self.assertTrue(np.array_equal(prep.scale, scale))  # the scale still comes from the float32 training windows
        self.assertEqual(int(prep.q_exact["validation"][2, 7, 4]), 37)
        self.assertEqual(int(prep.q["validation"][2, 7, 4]), 38)
        self.assertTrue(np.array_equal(prep.q_exact["validation"], quantize_input(x64, scale)))


def metadata_for(model: harm.IntModel, dataset: str) -> dict:
    """Metadata with wrong simulation figures and device-sim columns that must survive."""
    modes = [{"threshold": t, "accuracy": 0.5, "macroF1": 0.5, "continueShare": 0.5, "avgMacs": 1,
              "cycles": 1000 + i, "latencyUs": 2.5 + i, "energyUj": 0.125 + i} for i, t in enumerate((0, 7, 40, THRESHOLD_FULL))]
    return {"id": "m", "task": "t", "classes": [f"C{i}" for i in range(CLASSES)], "architecture": "test",
            "input": {"scale": [float(s) for s in SCALE]}, "modes": modes,
            "metrics": {"test": {"accuracy": 0.5, "macroF1": 0.5, "windows": 30}, "validation": {"accuracy": 0.5, "macroF1": 0.5, "windows": 30}},
            "provenance": {"commit": "abc1234", "dataset": dataset}}


class RemeasureTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        write_cache(self.root / "cache", "t", seed=9, sizes={"train": 10, "validation": 30, "test": 30})
        self.data = load_cache("t", self.root / "cache")
        self.model = early_exit_model(1)
        self.zoo = self.root / "zoo"
        self.zoo.mkdir()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, dataset: str = "recorded") -> Path:
        p = self.zoo / "m.harm"
        p.write_bytes(harm.write_artifact(self.model, metadata_for(self.model, dataset)))
        return p

    def expected(self, split: str, threshold: int):
        s = self.data.splits[split]
        runs = stage_runs_from_scores(self.model, simulate_batched(self.model, quantize_input(s.x64, SCALE)))
        return decide(runs, threshold), s.y

    def test_rewrites_only_the_measured_columns(self):
        p = self.write()
        before = p.read_bytes()
        outcome = remeasure_artifact(p, lambda task: self.data)
        self.assertEqual(outcome.status, "updated")
        self.assertEqual(network_section(outcome.artifact), network_section(before))
        md = harm.read_artifact(outcome.artifact).metadata  # CRC and structure valid
        old = metadata_for(self.model, "recorded")
        self.assertEqual([m["threshold"] for m in md["modes"]], [m["threshold"] for m in old["modes"]])
        for m, o in zip(md["modes"], old["modes"]):
            self.assertEqual((m["cycles"], m["latencyUs"], m["energyUj"]), (o["cycles"], o["latencyUs"], o["energyUj"]))
            d, y = self.expected("validation", m["threshold"])
            self.assertAlmostEqual(m["accuracy"], accuracy(y, d.class_index), places=6)
            self.assertAlmostEqual(m["continueShare"], float((d.exit_taken > 0).mean()), places=6)
            self.assertAlmostEqual(m["avgMacs"], float(d.macs.mean()), places=2)
        self.assertEqual(md["modes"][0]["continueShare"], 0)  # threshold 0: nothing continues
        self.assertEqual(md["modes"][-1]["continueShare"], 1)
        d, y = self.expected("test", THRESHOLD_FULL)
        self.assertAlmostEqual(md["metrics"]["test"]["accuracy"], accuracy(y, d.class_index), places=6)
        self.assertEqual(md["metrics"]["test"]["windows"], 30)
        self.assertEqual({k: md[k] for k in ("id", "task", "architecture", "input", "provenance")},
                         {k: old[k] for k in ("id", "task", "architecture", "input", "provenance")})
        self.assertFalse(outcome.same_thresholds)  # 0, 7, 40 are not the sweep's picks
        self.assertFalse(outcome.same_scale)  # SCALE is not the cache's input_scale

    def test_reports_whether_the_cache_gives_the_stored_scale(self):
        p = self.zoo / "m.harm"
        md = metadata_for(self.model, "recorded")
        md["input"]["scale"] = [float(v) for v in input_scale(self.data.splits["train"].x)]
        p.write_bytes(harm.write_artifact(self.model, md))
        self.assertTrue(remeasure_artifact(p, lambda task: self.data).same_scale)

    def test_second_run_is_a_byte_identical_no_op(self):
        self.write()
        first = remeasure_zoo(self.zoo, self.root / "cache", write=True, log=lambda _: None)
        self.assertEqual([o.status for o in first], ["updated"])
        after = (self.zoo / "m.harm").read_bytes()
        second = remeasure_zoo(self.zoo, self.root / "cache", write=True, log=lambda _: None)
        self.assertEqual([o.status for o in second], ["unchanged"])
        self.assertEqual((self.zoo / "m.harm").read_bytes(), after)

    def test_check_mode_writes_nothing(self):
        p = self.write()
        before = p.read_bytes()
        out = remeasure_zoo(self.zoo, self.root / "cache", write=False, log=lambda _: None)
        self.assertEqual(out[0].status, "updated")
        self.assertEqual(p.read_bytes(), before)

    def test_models_trained_on_generated_windows_are_skipped(self):
        p = self.write("synthetic (generated)")
        before = p.read_bytes()
        out = remeasure_zoo(self.zoo, self.root / "cache", write=True, log=lambda _: None)
        self.assertEqual(out[0].status, "skipped")
        self.assertEqual(p.read_bytes(), before)


if __name__ == "__main__":
    unittest.main()
