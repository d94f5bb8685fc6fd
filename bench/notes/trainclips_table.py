"""Issue 22 (helper trainclips, stop 37): the table of bench/notes/trainclips.sh's arms.

Reads /tmp/trainclips/<arm>/cv.json (`evaluate --cv time-range --report`) and prints, per
arm: pooled macro-F1 per seed, their mean, [min-max fold] over every (seed, fold), per-class
F1 (pooled over seeds), each fold's mean over seeds, the training-only windows per fold, and
the no-noise score: the
windows whose truth is not noise (what the issue's held-out blocks hold), macro-F1 over the
classes the truth holds, a prediction of noise counting as a miss; computed from the pooled
confusion matrix, so pooled over seeds (cv.json keeps no per-seed matrix).

    python bench/notes/trainclips_table.py a b c d
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path("/tmp/trainclips")
NAMES = {
    "a": "clips-dev alone",
    "b": "+ clips-20251014",
    "c": "+ voice run real37 (2025-10-17)",
    "d": "+ both",
}


def no_noise(confusion: dict) -> float:
    """Macro-F1 over the non-noise truth classes of the rows whose truth is not noise."""
    m, labels = np.asarray(confusion["matrix"], float), confusion["labels"]
    keep = [i for i, c in enumerate(labels) if c != "noise" and m[i].sum() > 0]
    rows = [i for i, c in enumerate(labels) if c != "noise"]
    f1s = []
    for c in keep:
        tp, fn, fp = m[c, c], m[c].sum() - m[c, c], m[rows, c].sum() - m[c, c]
        f1s.append(2 * tp / (2 * tp + fn + fp) if tp else 0.0)
    return float(np.mean(f1s))


def line(arm: str) -> str:
    (r,) = json.loads((ROOT / arm / "cv.json").read_text())
    seeds = r["pooled_macro_f1_per_seed"]
    per_class = " ".join(f"{c} {v['f1']:.3f}" for c, v in r["per_class"].items() if v["support"])
    extra = sorted({f["training_only_windows"] for f in r["folds"]})
    below = sum(f["macro_f1"] < 0.80 for f in r["folds"])
    by_fold: dict[str, list[float]] = {}
    for f in r["folds"]:
        by_fold.setdefault(f["fold"].split()[-1], []).append(f["macro_f1"])
    folds = " ".join(f"{k} {np.mean(v):.3f}" for k, v in by_fold.items())
    return (
        f"({arm}) {NAMES[arm]}: seeds {r['seeds'][0]}-{r['seeds'][-1]} per seed "
        f"{' '.join(f'{v:.3f}' for v in seeds)}; mean {np.mean(seeds):.3f} "
        f"[{r['fold_min']:.3f}-{r['fold_max']:.3f}]; folds < 0.80: {below} of "
        f"{len(r['folds'])}; no-noise {no_noise(r['confusion']):.3f}\n"
        f"    per class F1 {per_class}\n    fold mean over seeds {folds}\n"
        f"    training-only windows per fold {extra}"
    )


if __name__ == "__main__":
    for arm in sys.argv[1:] or list(NAMES):
        if (ROOT / arm / "cv.json").exists():
            print(line(arm))
