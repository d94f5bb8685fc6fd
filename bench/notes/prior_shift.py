"""Issue 22: EM re-estimation of a new day's class priors (Saerens et al. 2002), label-free,
on the fold logits bench/notes/noisebias.py cached (lead, stop 36; bench/notes/prior_shift.txt).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python bench/notes/prior_shift.py --proto ldo14 --seed 1337 1338
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from arch import load  # noqa: E402
from noisebias import rows  # noqa: E402

from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.training import preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

BIAS, POWER, ROUNDS = 1.5, 0.5, 200
NOISE = CLASSES.index("noise")


def train_counts(proto: str, seed: int) -> dict[str, np.ndarray]:
    """Class counts of each fold's training windows (what the loss weighs)."""
    w, streams, folds = load(proto, replace(preset("default"), seed=seed))
    out = {}
    for fold in folds:
        mask, _ = trainable(w, streams, fold.train)
        out[fold.name] = np.bincount(w.y[mask], minlength=len(CLASSES)).astype(float)
    return out


def posteriors(logits: np.ndarray, trained: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64).copy()
    z[:, NOISE] += BIAS
    z[:, ~trained] = -np.inf
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(1, keepdims=True)


def em_priors(p: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Posteriors re-weighted to the priors EM finds on these windows."""
    target = source.copy()
    for _ in range(ROUNDS):
        q = p * np.divide(target, source, out=np.zeros_like(source), where=source > 0)
        q /= q.sum(1, keepdims=True)
        target = q.mean(0)
    return q


def run(proto: str, seeds: list[int]) -> None:
    rs = rows(proto, seeds)
    base_f1, em_f1 = [], []
    for seed in seeds:
        counts = train_counts(proto, seed)
        ys, base, em = [], [], []
        for r in [r for r in rs if r["key"]["seed"] == seed]:
            n = counts[r["key"]["fold"]]
            trained = n > 0
            source = np.where(trained, n**POWER, 0.0)
            source[NOISE] *= np.exp(BIAS)
            source /= source.sum()
            p = posteriors(np.asarray(r["logits"]), trained)
            q = em_priors(p, source)
            ys.append(np.asarray(r["y"]))
            base.append(p.argmax(1))
            em.append(q.argmax(1))
            print(
                f"  {proto} {seed} {r['key']['fold']}: source prior "
                f"{np.round(source, 3).tolist()} -> EM {np.round(q.mean(0), 3).tolist()}"
            )
        y = np.concatenate(ys)
        base_f1.append(scores(y, np.concatenate(base), CLASSES)["macro_f1"])
        em_f1.append(scores(y, np.concatenate(em), CLASSES)["macro_f1"])
        print(f"{proto} seed {seed}: product {base_f1[-1]:.3f}  EM priors {em_f1[-1]:.3f}")
    print(
        f"{proto} mean over seeds {seeds}: product {np.mean(base_f1):.4f}  EM {np.mean(em_f1):.4f}"
        f"  diff {np.mean(em_f1) - np.mean(base_f1):+.4f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", required=True)
    ap.add_argument("--seed", type=int, nargs="+", required=True)
    a = ap.parse_args()
    run(a.proto, a.seed)


if __name__ == "__main__":
    main()
