"""Issue 22: other model bodies for the gesture model (bench harness, helper arch, stop 35).

Candidates (TrainConfig presets, model.ARCHS): "default" (cnn-lstm), "tinier" (TinierHAR-
style: depthwise-separable residual conv blocks, bidirectional GRU, attention pooling),
"res-se" (the default with residual squeeze-excitation blocks after the first).

- ``run``: trains folds exactly as `silkpipe evaluate --cv` exports them (the refit on all
  of the fold's trainable windows, whole_samples.trainable, 30 epochs, seed + 1; the
  validated run only fixes that epoch count under select="last"; cross_day_adapt.fit) and
  keeps every test window's truth and prediction (no spotting: window macro-F1 only);
- ``table``: per seed pooled macro-F1, their mean, [min-max fold], per fold;
- ``budget``: parameters, and CPU inference per window through the product's export
  (model.export_model -> model.onnx, model.Predictor on ONNX Runtime, 1 thread; median of
  500 single-window calls), with the ONNX and torch outputs compared.

Protocols: ``trdev`` (time-range folds, 5, purge 2 s, of clips-dev alone), ``tr14`` (the
same of clips-20251014 alone), ``ldo14`` / ``ldo19`` (the leave-day-out fold testing
2025-10-14 / 2025-10-19, clips-dev + clips-20251014, shared classes, as run_protocol).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/arch.py run --proto trdev --arch tinier --seed 1337 1338
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/arch.py table --proto trdev --arch tinier --seed 1337 1338
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/arch.py budget
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cross_day_adapt import fit, probs  # noqa: E402

from silkpipe.clips import load_clip_streams  # noqa: E402
from silkpipe.crossval import (  # noqa: E402
    leave_day_out_folds,
    shared_classes,
    time_range_folds,
    window_days,
)
from silkpipe.dataset import make_windows  # noqa: E402
from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.model import GestureNet, Predictor, export_model  # noqa: E402
from silkpipe.training import _folder_config, preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

DATA = Path("../shared/data")
CACHE = Path("/tmp/arch/cache")
ARCHS = ("default", "tinier", "tinier-ch", "res-se")
PUNCH, NOISE = CLASSES.index("punch"), CLASSES.index("noise")


def load(proto: str, cfg):
    """(windows, streams, folds) of a protocol, as run_protocol builds them."""
    dev, d14 = DATA / "clips-dev", DATA / "clips-20251014"
    if proto.startswith("ldo"):
        streams = load_clip_streams(dev) + load_clip_streams(d14)
    else:
        streams = load_clip_streams(dev if proto == "trdev" else d14)
    w = make_windows(streams, cfg.window)
    if not proto.startswith("ldo"):
        return w, streams, time_range_folds(w, 5, cfg.purge_s)
    days = window_days(w, streams)
    classes = shared_classes(w, days)
    keep = np.isin(w.y, [CLASSES.index(c) for c in classes])
    w, days = w.subset(keep), days[keep]
    streams = [st for st in streams if st.intervals[0].label in classes or st.kind != "clip"]
    test_day = "2025-10-14" if proto == "ldo14" else "2025-10-19"
    folds = [f for f in leave_day_out_folds(days) if test_day in f.name]
    return w, streams, folds


def run(proto: str, seed: int, arch: str) -> None:
    cfg = replace(preset(arch), seed=seed)
    w, streams, folds = load(proto, cfg)
    for fold in folds:
        key = {"proto": proto, "seed": seed, "arch": arch, "fold": fold.name}
        path = cache_path(key)
        if path.is_file():
            continue
        t0 = time.time()
        train_mask, _ = trainable(w, streams, fold.train)
        model = fit(w.subset(train_mask), cfg)
        test = w.subset(fold.test).primaries()
        pred = probs(model, test).argmax(1)
        row = {
            "key": key,
            "train_windows": int(train_mask.sum()),
            "y": test.y.tolist(),
            "pred": pred.tolist(),
            "seconds": round(time.time() - t0, 1),
        }
        path.write_text(json.dumps(row))
        f1 = scores(test.y, pred, CLASSES)["macro_f1"]
        print(f"{proto} {arch} seed {seed} {fold.name}: {f1:.3f} ({row['seconds']} s)", flush=True)


def cache_path(key: dict) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{digest}.json"


def rows(proto: str, arch: str, seeds: list[int]) -> list[dict]:
    out = []
    for path in sorted(CACHE.glob("*.json")):
        r = json.loads(path.read_text())
        k = r["key"]
        if k["proto"] == proto and k["arch"] == arch and k["seed"] in seeds:
            out.append(r)
    return sorted(out, key=lambda r: (r["key"]["seed"], r["key"]["fold"]))


def f1_of(rs: list[dict]) -> float:
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([np.asarray(r["pred"]) for r in rs])
    return scores(y, p, CLASSES)["macro_f1"]


def table(proto: str, arch: str, seeds: list[int]) -> None:
    """mean over seeds of the per-seed pooled macro-F1 [min-max fold] (per seed); folds."""
    rs = rows(proto, arch, seeds)
    if not rs:
        print(f"{proto} {arch}: no rows")
        return
    have = sorted({r["key"]["seed"] for r in rs})
    per_seed = [f1_of([r for r in rs if r["key"]["seed"] == s]) for s in have]
    folds = [f1_of([r]) for r in rs]
    secs = np.median([r["seconds"] for r in rs])
    print(
        f"{proto:6s} {arch:8s} mean {np.mean(per_seed):.3f} [{min(folds):.3f}-{max(folds):.3f}] "
        f"(per seed {' '.join(f'{s} {v:.3f}' for s, v in zip(have, per_seed, strict=True))}; "
        f"pooled {f1_of(rs):.3f}; {len(rs)} fold runs, median {secs:.0f} s)"
    )
    print("    folds: " + " ".join(f"{v:.3f}" for v in folds))
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([np.asarray(r["pred"]) for r in rs])
    per = scores(y, p, CLASSES)["per_class"]
    print(
        "    class F1 (pooled): "
        + " ".join(f"{c} {v['f1']:.2f}" for c, v in per.items() if v["support"])
        + f"; punch called noise {int(((y == PUNCH) & (p == NOISE)).sum())}/{int((y == PUNCH).sum())}"
        + f", noise called a gesture {int(((y == NOISE) & (p != NOISE)).sum())}/{int((y == NOISE).sum())}"
    )


def budget() -> None:
    """Parameters and ONNX Runtime ms per window of each candidate, via the product export."""
    torch.set_num_threads(1)
    for arch in ARCHS:
        cfg = preset(arch)
        model = GestureNet(**cfg.model_kwargs()).eval()
        n = sum(p.numel() for p in model.parameters())
        mean = np.zeros(len(model.mean), np.float32)
        std = np.ones(len(model.std), np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            export_model(model, Path(tmp), _folder_config(cfg, mean, std, {}))
            pred = Predictor(tmp)
            x = np.random.default_rng(0).normal(size=(8, cfg.window.length, 9)).astype("f4")
            with torch.no_grad():
                diff = np.abs(pred.logits(x) - model(torch.from_numpy(x)).numpy()).max()
            one = x[:1]
            for _ in range(50):
                pred.logits(one)
            times = []
            for _ in range(500):
                t0 = time.perf_counter()
                pred.logits(one)
                times.append(time.perf_counter() - t0)
        ms = 1000 * float(np.median(times))
        print(
            f"{arch:8s} {n:6d} parameters; ONNX {ms:.3f} ms/window (median of 500); "
            f"max |onnx - torch| {diff:.1e}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("run", "table", "budget"))
    ap.add_argument("--proto", nargs="+", default=["trdev"])
    ap.add_argument("--arch", nargs="+", default=["default"])
    ap.add_argument("--seed", type=int, nargs="+", default=[1337])
    a = ap.parse_args()
    if a.what == "budget":
        budget()
        return
    for proto in a.proto:
        for arch in a.arch:
            if a.what == "run":
                for s in a.seed:
                    run(proto, s, arch)
            else:
                table(proto, arch, a.seed)


if __name__ == "__main__":
    main()
