"""Issue 22: test-day BatchNorm statistics (AdaBN) for leave-day-out (harness, helper adabn).

Variants (bench/notes/adabn.txt, fixed before any score): ``src`` source only, ``A`` AdaBN
on the test day's unlabelled slid windows, ``B`` AdaBN + the `--adapt` self-training,
``C`` the input normalisation refitted on those windows, ``P`` plain `--adapt` (reference);
``A0`` (a diagnostic after the DEV result, no variant) AdaBN on the TRAINING day's slid
windows: what re-estimating on slid windows costs with no change of day.
Every model is trained as `silkpipe evaluate --cv` exports it (arch.load, whole_samples.
trainable, cross_day_adapt.fit) with the default noise bias added (model.add_class_bias).

- ``run``: per protocol and seed, trains and scores the variants asked for (cached per
  variant in CACHE: truth and prediction of every test window);
- ``table``: per variant, mean of per-seed macro-F1, per seed, [min-max], punch F1,
  punch->noise and noise->gesture counts.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/adabn.py run --proto ldo14 --seed 1337 --variant src A C
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/adabn.py table --proto ldo14 --seed 1337 1338 1339 1340
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from arch import load  # noqa: E402
from cross_day_adapt import fit  # noqa: E402

from silkpipe.adapt import AdaptConfig, probabilities, pseudo_labels  # noqa: E402
from silkpipe.dataset import Windows, concat_windows, unlabelled_windows  # noqa: E402
from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.model import GestureNet, add_class_bias  # noqa: E402
from silkpipe.training import TrainConfig  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

CACHE = Path("/tmp/adabn/cache")
VARIANTS = ("src", "A", "B", "C", "P", "A0")
PUNCH, NOISE = CLASSES.index("punch"), CLASSES.index("noise")
GESTURES = [CLASSES.index(c) for c in ("jump", "punch", "turn")]


def adabn(model: GestureNet, pool: Windows) -> GestureNet:
    """A copy of the model whose BatchNorm running statistics are those of the pool's
    windows (one batch: exact mean and unbiased variance); all else unchanged."""
    model = copy.deepcopy(model).eval()
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average: one batch gives its exact statistics
        bn.train()
    with torch.no_grad():
        model(torch.from_numpy(np.ascontiguousarray(pool.core(), dtype=np.float32)))
    return model.eval()


def instd(model: GestureNet, pool: Windows) -> GestureNet:
    """A copy of the model with its input normalisation refitted on the pool's windows."""
    model = copy.deepcopy(model).eval()
    model.fit_normalisation(np.ascontiguousarray(pool.core(), dtype=np.float32))
    return model


def trained(windows: Windows, cfg: TrainConfig) -> GestureNet:
    """The model `evaluate --cv` writes for these windows (noise bias included)."""
    model = fit(windows, cfg)
    add_class_bias(model, NOISE, cfg.noise_bias)
    return model.eval()


def self_trained(src: GestureNet, train: Windows, pool: Windows, cfg, bn: bool) -> GestureNet:
    """silkpipe.adapt.self_train's rounds (share 0.3, 2 rounds) on this harness's fit; with
    ``bn`` every model is AdaBN'd on the pool before it labels the pool or the test."""
    adapt = AdaptConfig()
    classes = sorted(set(train.y.tolist()))
    model = src
    for _ in range(adapt.rounds):
        labeller = adabn(model, pool) if bn else model
        keep, labels = pseudo_labels(probabilities(labeller, pool), adapt.share, classes)
        added = pool.subset(keep)
        added.y = labels
        model = trained(concat_windows([train, added]), cfg)
    return adabn(model, pool) if bn else model


def cache_path(key: dict) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{digest}.json"


def run(proto: str, seed: int, variants: list[str]) -> None:
    cfg = replace(TrainConfig(), seed=seed)
    w, streams, folds = load(proto, cfg)
    (fold,) = folds
    held = set(w.streams[fold.test])
    pool = unlabelled_windows([st for st in streams if st.name in held], cfg.window)
    seen = set(w.streams[fold.train])
    source_pool = unlabelled_windows([st for st in streams if st.name in seen], cfg.window)
    train_mask, _ = trainable(w, streams, fold.train)
    train = w.subset(train_mask)
    test = w.subset(fold.test).primaries()
    todo = [v for v in variants if not cache_path(_key(proto, seed, v)).is_file()]
    if not todo:
        return
    t0 = time.time()
    src = trained(train, cfg)
    print(f"{proto} seed {seed}: source model {time.time() - t0:.0f} s, pool {len(pool)}")
    for v in todo:
        t0 = time.time()
        model = {
            "src": lambda: src,
            "A": lambda: adabn(src, pool),
            "A0": lambda: adabn(src, source_pool),
            "C": lambda: instd(src, pool),
            "B": lambda: self_trained(src, train, pool, cfg, bn=True),
            "P": lambda: self_trained(src, train, pool, cfg, bn=False),
        }[v]()
        pred = probabilities(model, test).argmax(1)
        row = {"key": _key(proto, seed, v), "y": test.y.tolist(), "pred": pred.tolist()}
        row["seconds"] = round(time.time() - t0, 1)
        cache_path(row["key"]).write_text(json.dumps(row))
        f1 = scores(test.y, pred, CLASSES)["macro_f1"]
        print(f"{proto} seed {seed} {v}: {f1:.3f} ({row['seconds']} s)", flush=True)


def _key(proto: str, seed: int, variant: str) -> dict:
    return {"proto": proto, "seed": seed, "variant": variant, "base": "7de5739"}


def table(proto: str, seeds: list[int], variants: list[str]) -> None:
    print(
        f"{proto}, seeds {seeds[0]}-{seeds[-1]}: variant | mean [min-max] (per seed) | diff vs src"
        " | punch F1 | punch->noise | noise->gesture | gesture->noise"
    )
    base = None
    for v in variants:
        rows = [cache_path(_key(proto, s, v)) for s in seeds]
        if not all(p.is_file() for p in rows):
            print(f"  {v}: not run for every seed")
            continue
        rs = [json.loads(p.read_text()) for p in rows]
        f1s = [scores(np.array(r["y"]), np.array(r["pred"]), CLASSES)["macro_f1"] for r in rs]
        y = np.concatenate([r["y"] for r in rs])
        p = np.concatenate([r["pred"] for r in rs])
        punch = scores(y, p, CLASSES)["per_class"]["punch"]["f1"]
        mean = float(np.mean(f1s))
        base = mean if v == "src" else base
        diff = f"{mean - base:+.4f}" if base is not None else "-"
        is_g, is_n = np.isin(y, GESTURES), y == NOISE
        print(
            f"  {v:3s} {mean:.4f} [{min(f1s):.3f}-{max(f1s):.3f}] "
            f"({' '.join(f'{f:.3f}' for f in f1s)}) {diff} | {punch:.2f} | "
            f"{int(((y == PUNCH) & (p == NOISE)).sum())}/{int((y == PUNCH).sum())} | "
            f"{int((is_n & np.isin(p, GESTURES)).sum())}/{int(is_n.sum())} | "
            f"{int((is_g & (p == NOISE)).sum())}/{int(is_g.sum())}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["run", "table"])
    ap.add_argument("--proto", choices=["ldo14", "ldo19"], required=True)
    ap.add_argument("--seed", type=int, nargs="+", required=True)
    ap.add_argument("--variant", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.cmd == "run":
        for s in a.seed:
            run(a.proto, s, a.variant)
    else:
        table(a.proto, a.seed, a.variant)


if __name__ == "__main__":
    main()
