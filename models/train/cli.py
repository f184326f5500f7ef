#!/usr/bin/python3
"""har-gateway training toolkit: `npm run train -- [command] [options]`.

Commands (the default is `train`):
  train    train one model (a preset or an architecture JSON) and export it to the zoo
  zoo      rebuild the shipped zoo: search, precision search, early exit, cascade, README
  check    re-read artifacts and re-run their conformance vectors with the integer simulation
  readme   regenerate models/zoo/README.md from the artifacts
  remeasure  re-measure the zoo's simulation figures (modes, metrics) from the float64 windows,
           without retraining; only the metadata is rewritten
  synth    write a synthetic window cache (generated signals, for development)
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import DEFAULT_CACHE, REPO, CacheError, ensure_cache, env_data_dir, load_cache, write_synthetic_cache  # noqa: E402
from fit import FitConfig, Progress  # noqa: E402
from net import ArchSpec  # noqa: E402
import presets  # noqa: E402

COMMANDS = ("train", "zoo", "check", "readme", "remeasure", "synth")
ZOO_DIR = REPO / "models" / "zoo"
SMOKE = FitConfig(float_epochs=2, qat_epochs=1, batch=64)


def parse_epochs(text: str) -> tuple[int, int]:
    a, _, b = text.partition(",")
    return int(a), int(b or max(1, int(a) // 2))


def load_task(args, progress: Progress):
    if args.synthetic:
        tmp = Path(tempfile.mkdtemp(prefix="har-synth-"))
        write_synthetic_cache(args.task, tmp, args.seed)
        data = load_cache(args.task, tmp)
        data.source = "synthetic"
        return data
    return ensure_cache(args.task, Path(args.cache), args.data or env_data_dir(), progress.log)


def cmd_train(args) -> int:
    from pipeline import prepare, save, train_and_build
    import zoo_index
    progress = Progress(0, "train")
    data = load_task(args, progress)
    prep = prepare(args.task, data)
    if args.arch:
        arch = ArchSpec.from_json(json.loads(Path(args.arch).read_text() if Path(args.arch).is_file() else args.arch))
    else:
        arch = presets.PRESETS[args.preset]
    if args.bits:
        arch = presets.apply_bits(arch, args.bits)
    cfg = SMOKE if args.smoke else FitConfig()
    if args.epochs:
        f, q = parse_epochs(args.epochs)
        cfg = FitConfig(float_epochs=f, qat_epochs=q, batch=cfg.batch)
    if args.augment:
        cfg = FitConfig(**{**cfg.__dict__, "augment": args.augment})
    if args.task == "hapt12":  # the transition classes are rare: class-weighted loss (as the zoo build)
        cfg = FitConfig(**{**cfg.__dict__, "balanced": True})
    progress.add_total(cfg.float_epochs + cfg.qat_epochs)
    model_id = args.id or f"{args.task}-{args.preset}"
    progress.log(f"{model_id}: {arch.summary()} on {data.source}, seed {args.seed}, "
                 f"{cfg.float_epochs} float + {cfg.qat_epochs} QAT epochs")
    built = train_and_build(prep, arch, model_id=model_id, seed=args.seed, cfg=cfg, progress=progress)
    out = Path(args.out)
    path = save(built, out)
    s = built.stats
    progress.log(f"wrote {path} ({len(built.artifact)} bytes): test acc {s['testAccuracy']:.4f} macroF1 {s['testMacroF1']:.4f} "
                 f"weights {s['weightBytes']} B, MACs {s['macs']}, {s['modes']} modes, QAT/int agreement {s['qatAgreement']:.4f}")
    if args.default:
        zoo_index.set_default(out, model_id)
    return 0


def cmd_check(args) -> int:
    import check
    paths = [Path(p) for p in args.paths] or sorted(Path(args.out).glob("*.harm"))
    failures = 0
    for p in paths:
        ok, message = check.check_artifact(p)
        print(f"{'ok  ' if ok else 'FAIL'} {p.name}: {message}")
        failures += 0 if ok else 1
    return 1 if failures else 0


def cmd_readme(args) -> int:
    import zoo_readme
    path = zoo_readme.write_readme(Path(args.out))
    print(f"wrote {path}")
    return 0


def cmd_remeasure(args) -> int:
    import remeasure
    try:
        outcomes = remeasure.remeasure_zoo(Path(args.zoo), Path(args.cache), write=not args.check, log=print,
                                          data_dir=args.data or env_data_dir())
    except remeasure.RemeasureError as err:
        print(f"error ({err.code}): {err}", file=sys.stderr)
        return 1
    updated = [o.model_id for o in outcomes if o.status == "updated"]
    if args.check:
        print(f"{len(updated)} of {len(outcomes)} artifacts out of date" + (f": {', '.join(updated)}" if updated else ""))
        return 1 if updated else 0
    print(f"rewrote {len(updated)} of {len(outcomes)} artifacts (metadata only)"
          + ("; regenerate the README: npm run train -- readme" if updated else ""))
    return 0


def cmd_zoo(args) -> int:
    import zoo_build
    return zoo_build.rebuild(args)


def cmd_synth(args) -> int:
    folder = write_synthetic_cache(args.task, Path(args.cache), args.seed)
    print(f"wrote synthetic cache {folder}")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv = ["train"] + argv
    p = argparse.ArgumentParser(prog="npm run train --", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--task", default="hapt6", choices=["hapt6", "hapt12"])
        sp.add_argument("--seed", type=int, default=1)
        sp.add_argument("--cache", default=str(DEFAULT_CACHE), help="window cache folder (export-cache.ts --out)")
        sp.add_argument("--data", default=None, help="dataset folder for export-cache.ts (default HAR_DATA_DIR or ../shared/datasets)")
        sp.add_argument("--out", default=str(ZOO_DIR), help="where artifacts and vectors/ go")
        sp.add_argument("--synthetic", action="store_true", help="train on generated windows (no dataset)")
        sp.add_argument("--smoke", action="store_true", help="tiny epochs: the whole run within 2 minutes")

    t = sub.add_parser("train", help="train one model")
    common(t)
    t.add_argument("--preset", default="base", choices=sorted(presets.PRESETS))
    t.add_argument("--arch", default=None, help="architecture JSON (file or text), see net.ArchSpec.to_json")
    t.add_argument("--bits", default=None, help="8, 4, 2 or per-layer w/a list like '8/8,4/4,2/4;8' (blocks; head wbits)")
    t.add_argument("--epochs", default=None, help="FLOAT[,QAT] epochs")
    t.add_argument("--id", default=None)
    t.add_argument("--augment", default=None, choices=["none", "shift", "shift+gain"])
    t.add_argument("--default", action="store_true", help="make it the zoo's default model (zoo.json)")
    t.set_defaults(fn=cmd_train)

    z = sub.add_parser("zoo", help="rebuild the shipped zoo")
    common(z)
    z.add_argument("--tasks", default="hapt6,hapt12")
    z.add_argument("--budget", default="full", choices=["full", "quick"])
    z.set_defaults(fn=cmd_zoo)

    c = sub.add_parser("check", help="verify artifacts against their vectors")
    c.add_argument("paths", nargs="*")
    c.add_argument("--out", default=str(ZOO_DIR))
    c.set_defaults(fn=cmd_check)

    r = sub.add_parser("readme", help="regenerate the zoo README")
    r.add_argument("--out", default=str(ZOO_DIR))
    r.set_defaults(fn=cmd_readme)

    m = sub.add_parser("remeasure", help="re-measure the zoo's simulation figures from the float64 windows")
    m.add_argument("--zoo", default=str(ZOO_DIR), help="folder of the artifacts to rewrite")
    m.add_argument("--cache", default=str(DEFAULT_CACHE), help="window cache folder (export-cache.ts --out)")
    m.add_argument("--data", default=None, help="dataset folder for export-cache.ts when the cache is missing (default HAR_DATA_DIR or ../shared/datasets)")
    m.add_argument("--check", action="store_true", help="write nothing; exit 1 if an artifact would change")
    m.set_defaults(fn=cmd_remeasure)

    s = sub.add_parser("synth", help="write a synthetic window cache")
    s.add_argument("--task", default="hapt6")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--cache", default=str(DEFAULT_CACHE))
    s.set_defaults(fn=cmd_synth)

    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except CacheError as err:
        print(f"error ({err.code}): {err}", file=sys.stderr)
        return 1
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
