"""Issue 22: an additive bias on the noise class's logit at prediction time (helper
noisebias, stop 35).

Folds are trained exactly as `silkpipe evaluate --cv` exports them, by arch.py's harness
(arch.load builds the protocol's windows and folds; cross_day_adapt.fit is the fold's
refit, default body). Each test window's logits are kept, so a bias b on the noise logit
is swept offline: one training per (protocol, seed, fold), none per b.

- ``run``: train the folds and store truth and logits per fold (cache /tmp/noisebias);
- ``sweep``: per b of the grid, mean of the per-seed pooled macro-F1 [min-max fold]
  (per seed), punch and noise confusion.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/noisebias.py run --proto trdev --seed 1337 1338
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/noisebias.py sweep --proto trdev --seed 1337 1338
"""

from __future__ import annotations

import argparse
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

from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.training import preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

CACHE = Path("/tmp/noisebias/cache")
GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
PUNCH, NOISE = CLASSES.index("punch"), CLASSES.index("noise")


def run(proto: str, seed: int) -> None:
    """Train each fold of the protocol once (default body) and keep its test logits."""
    cfg = replace(preset("default"), seed=seed)
    w, streams, folds = load(proto, cfg)
    for fold in folds:
        key = {"proto": proto, "seed": seed, "fold": fold.name}
        path = cache_path(key)
        if path.is_file():
            continue
        t0 = time.time()
        train_mask, _ = trainable(w, streams, fold.train)
        model = fit(w.subset(train_mask), cfg)
        test = w.subset(fold.test).primaries()
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(test.core(), dtype=np.float32))
            logits = model(x).numpy()
        row = {"key": key, "y": test.y.tolist(), "logits": logits.round(5).tolist()}
        row["seconds"] = round(time.time() - t0, 1)
        path.write_text(json.dumps(row))
        f1 = scores(test.y, logits.argmax(1), CLASSES)["macro_f1"]
        print(f"{proto} seed {seed} {fold.name}: b=0 {f1:.3f} ({row['seconds']} s)", flush=True)


def cache_path(key: dict) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{digest}.json"


def rows(proto: str, seeds: list[int]) -> list[dict]:
    out = []
    for path in sorted(CACHE.glob("*.json")):
        r = json.loads(path.read_text())
        if r["key"]["proto"] == proto and r["key"]["seed"] in seeds:
            out.append(r)
    return sorted(out, key=lambda r: (r["key"]["seed"], r["key"]["fold"]))


def predict(r: dict, b: float) -> np.ndarray:
    """argmax of the logits with b added to the noise class's."""
    logits = np.asarray(r["logits"], dtype=np.float64)
    logits[:, NOISE] += b
    return logits.argmax(1)


def f1_of(rs: list[dict], b: float) -> float:
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([predict(r, b) for r in rs])
    return scores(y, p, CLASSES)["macro_f1"]


def sweep(proto: str, seeds: list[int], grid: tuple[float, ...]) -> None:
    """Per b: mean over seeds of the pooled macro-F1 [min-max fold] (per seed); confusion."""
    rs = rows(proto, seeds)
    have = sorted({r["key"]["seed"] for r in rs})
    print(f"{proto}: seeds {have}, {len(rs)} fold runs")
    for b in grid:
        per_seed = [f1_of([r for r in rs if r["key"]["seed"] == s], b) for s in have]
        folds = [f1_of([r], b) for r in rs]
        y = np.concatenate([np.asarray(r["y"]) for r in rs])
        p = np.concatenate([predict(r, b) for r in rs])
        per = scores(y, p, CLASSES)["per_class"]
        print(
            f"  b={b:4.2f} mean {np.mean(per_seed):.3f} [{min(folds):.3f}-{max(folds):.3f}] "
            f"(per seed {' '.join(f'{v:.3f}' for v in per_seed)}); "
            f"punch F1 {per['punch']['f1']:.2f}, punch called noise "
            f"{int(((y == PUNCH) & (p == NOISE)).sum())}/{int((y == PUNCH).sum())}, "
            f"noise called a gesture {int(((y == NOISE) & (p != NOISE)).sum())}/"
            f"{int((y == NOISE).sum())}, gestures called noise "
            f"{int(((y != NOISE) & (p == NOISE)).sum())}/{int((y != NOISE).sum())}"
        )
        print("      folds: " + " ".join(f"{v:.3f}" for v in folds))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("run", "sweep"))
    ap.add_argument("--proto", nargs="+", default=["trdev"])
    ap.add_argument("--seed", type=int, nargs="+", default=[1337])
    ap.add_argument("--b", type=float, nargs="+", default=list(GRID))
    a = ap.parse_args()
    for proto in a.proto:
        if a.what == "run":
            for s in a.seed:
                run(proto, s)
        else:
            sweep(proto, a.seed, tuple(a.b))


if __name__ == "__main__":
    main()
