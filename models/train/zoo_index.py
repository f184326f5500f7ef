"""models/zoo/zoo.json: {"default": "<id>"} (docs/ARCHITECTURE.md, models/zoo/index.ts)."""
from __future__ import annotations

import json
from pathlib import Path


def set_default(zoo_dir: Path, model_id: str) -> None:
    if not (zoo_dir / f"{model_id}.harm").is_file():
        raise FileNotFoundError(f"no artifact {model_id}.harm in {zoo_dir}")
    (zoo_dir / "zoo.json").write_text(json.dumps({"default": model_id}, indent=2) + "\n")
