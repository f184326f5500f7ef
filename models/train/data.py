"""The window cache written by models/datasets/export-cache.ts (docs/ARCHITECTURE.md "Window
cache"), the per-channel input scale, and a synthetic cache in the same format (for development
and the smoke run; it contains no recorded data)."""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO / ".cache" / "windows"
SPLITS = ("train", "validation", "test")
# Per-channel input scale: this quantile of |x| over the training windows maps to 127 (the rest
# saturates at the int8 range, ARITHMETIC.md §1).
INPUT_SCALE_QUANTILE = 0.9999


class CacheError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Split:
    x: np.ndarray          # float32 [n][T][C], g and rad/s: training inputs and the input scale only
    x64: np.ndarray        # float64 [n][T][C], the same windows exactly as read: what ARITHMETIC.md §1
                           # quantizes, so every integer-simulation measurement reads this one
    y: np.ndarray          # int64 [n]
    subject: np.ndarray    # int64 [n]
    experiment: np.ndarray # int64 [n]


@dataclass
class TaskData:
    meta: dict
    splits: dict[str, Split]
    source: str            # "cache <dir>" or "synthetic"

    @property
    def classes(self) -> list[str]:
        return list(self.meta["classes"])


def load_cache(task: str, cache_dir: Path) -> TaskData:
    folder = cache_dir / task
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise CacheError("cache_missing", f"no window cache at {folder} (expected {meta_path}); "
                         f"make it with: npx tsx models/datasets/export-cache.ts --task {task} --out {cache_dir}")
    meta = json.loads(meta_path.read_text())
    splits = {}
    for split in SPLITS:
        arrays = {}
        for part in ("x", "x64", "y", "subject", "experiment"):
            p = folder / f"{split}.{part}.npy"
            if not p.is_file():
                raise CacheError("cache_missing", f"window cache {folder} lacks {p.name}")
            arrays[part] = np.load(p, allow_pickle=False)
        n = arrays["x"].shape[0]
        if arrays["x"].ndim != 3 or any(arrays[k].shape != (n,) for k in ("y", "subject", "experiment")):
            raise CacheError("cache_shape", f"{folder}/{split}: inconsistent shapes")
        if meta.get("splits", {}).get(split, n) != n:
            raise CacheError("cache_shape", f"{folder}/{split}: meta.json says {meta['splits'][split]} windows, files hold {n}")
        x32 = arrays["x"].astype(np.float32)
        x64 = arrays["x64"]
        if x64.dtype != np.float64 or x64.shape != x32.shape:
            raise CacheError("cache_shape", f"{folder}/{split}: x64 is {x64.dtype} {x64.shape}, expected float64 {x32.shape}")
        if not np.array_equal(x64.astype(np.float32), x32):
            raise CacheError("cache_mismatch", f"{folder}/{split}: x.npy is not the float32 copy of x64.npy (stale cache?)")
        splits[split] = Split(x32, x64, arrays["y"].astype(np.int64),
                              arrays["subject"].astype(np.int64), arrays["experiment"].astype(np.int64))
    return TaskData(meta=meta, splits=splits, source=f"cache {folder}")


def ensure_cache(task: str, cache_dir: Path, data_dir: str | None, log) -> TaskData:
    """Loads the cache; if it is missing and the TypeScript exporter exists, runs it first."""
    try:
        return load_cache(task, cache_dir)
    except CacheError as err:
        exporter = REPO / "models" / "datasets" / "export-cache.ts"
        if err.code != "cache_missing" or not exporter.is_file():
            raise
        cmd = ["npx", "tsx", str(exporter), "--task", task, "--out", str(cache_dir)]
        if data_dir:
            cmd += ["--data", data_dir]
        log(f"window cache missing; running {' '.join(cmd)}")
        subprocess.run(cmd, cwd=REPO, check=True)
        return load_cache(task, cache_dir)


def input_scale(train_x: np.ndarray) -> np.ndarray:
    """Per-channel scale so that the INPUT_SCALE_QUANTILE of |x| maps to 127.

    Reads the float32 training windows (Split.x), as it always has: the quantile of the float64
    windows differs in the last bits (measured on hapt6 and hapt12), so switching would change the
    scale of every shipped artifact. The scale is a parameter stored in the artifact; only the
    quantization of windows with it must follow ARITHMETIC.md §1 (float64)."""
    flat = np.abs(train_x.reshape(-1, train_x.shape[-1]).astype(np.float64))
    q = np.quantile(flat, INPUT_SCALE_QUANTILE, axis=0)
    return np.maximum(q, 1e-6) / 127.0


SYNTH_CLASSES = ["WALKING", "WALKING_UPSTAIRS", "WALKING_DOWNSTAIRS", "SITTING", "STANDING", "LAYING"]


def synthetic_windows(n: int, classes: int, rng: np.random.Generator, window: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Generated windows (float64): per class a gravity direction, a gait frequency and amplitude, plus noise."""
    y = rng.integers(0, classes, size=n)
    t = np.arange(window) / 50.0
    x = np.zeros((n, window, 6), dtype=np.float64)
    for i in range(n):
        c = int(y[i])
        gravity = np.array([np.cos(c * 0.9), np.sin(c * 0.9), 0.3 * (c % 3 - 1)])
        dynamic = c < 3
        freq = 1.6 + 0.35 * c + rng.normal(0, 0.08)
        amp = (0.25 + 0.12 * c) if dynamic else 0.02
        phase = rng.uniform(0, 2 * np.pi)
        x[i, :, :3] = gravity + amp * np.sin(2 * np.pi * freq * t + phase)[:, None] * np.array([1.0, 0.5, 0.3])
        x[i, :, 3:] = (amp * 2.0) * np.cos(2 * np.pi * freq * t + phase)[:, None] * np.array([0.4, 1.0, 0.6])
        x[i] += rng.normal(0, 0.05 + 0.03 * (c == 4), size=(window, 6))
    return x, y.astype(np.int64)


def write_synthetic_cache(task: str, out_dir: Path, seed: int, sizes: dict[str, int] | None = None) -> Path:
    """A cache in the export-cache.ts format made of generated windows (never recorded data)."""
    sizes = sizes or {"train": 900, "validation": 300, "test": 300}
    rng = np.random.default_rng(seed)
    folder = out_dir / task
    folder.mkdir(parents=True, exist_ok=True)
    classes = SYNTH_CLASSES
    for split, n in sizes.items():
        x64, y = synthetic_windows(n, len(classes), rng)
        subj = rng.integers(1, 31, size=n).astype(np.int64)
        np.save(folder / f"{split}.x.npy", x64.astype(np.float32))
        np.save(folder / f"{split}.x64.npy", x64)
        np.save(folder / f"{split}.y.npy", y)
        np.save(folder / f"{split}.subject.npy", subj)
        np.save(folder / f"{split}.experiment.npy", subj * 2)
    meta = {"task": task, "protocol": "synthetic v1 (generated, not recorded)", "classes": classes,
            "windowSamples": 128, "strideSamples": 64, "rateHz": 50,
            "channels": ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"],
            "units": ["g", "g", "g", "rad/s", "rad/s", "rad/s"], "splits": sizes}
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))
    return folder


def env_data_dir() -> str | None:
    return os.environ.get("HAR_DATA_DIR")
