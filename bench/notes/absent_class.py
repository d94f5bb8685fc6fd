"""Issue 22: what a block without noise recordings scores, under both macro-F1 averages
(lead, stop 36). Reads the fold logits bench/notes/noisebias.py cached (/tmp/noisebias):
time-range folds of clips-dev trained exactly as `silkpipe evaluate --cv` (default body).

For each seed: the windows whose truth is not noise (what the issue's held-out blocks hold:
idle, jump, punch, turn, walk), predicted with the noise-logit bias b, scored
- "truth classes": macro-F1 over the classes the truth holds (evaluation.scores now);
- "with absent":  noise, predicted but never true, averaged in at F1 0 (scores before).

    PYTHONPATH=$PWD python bench/notes/absent_class.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from noisebias import predict, rows  # noqa: E402

from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402

NOISE = CLASSES.index("noise")
SETS = {"DEV 1337-1338": [1337, 1338], "held-out 1345-1346": [1345, 1346]}


def no_noise(rs: list[dict], b: float) -> tuple[dict, int]:
    """scores of the windows whose truth is not noise, and how many were called noise."""
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([predict(r, b) for r in rs])
    keep = y != NOISE
    return scores(y[keep], p[keep], CLASSES), int((p[keep] == NOISE).sum())


def main() -> None:
    print(
        "set                 b    all windows | no-noise windows: truth classes [fold min-max]"
        "  with absent  called noise / windows"
    )
    for name, seeds in SETS.items():
        rs = rows("trdev", seeds)
        for b in (0.0, 1.5):
            every = [
                scores(*_yp([r for r in rs if r["key"]["seed"] == s], b), CLASSES) for s in seeds
            ]
            seed_rows = [no_noise([r for r in rs if r["key"]["seed"] == s], b) for s in seeds]
            folds = [no_noise([r], b)[0]["macro_f1"] for r in rs]
            held = np.mean([s["macro_f1"] for s, _ in seed_rows])
            absent = np.mean([s["macro_f1_with_absent"] for s, _ in seed_rows])
            noise = sum(n for _, n in seed_rows)
            windows = sum(s["windows"] for s, _ in seed_rows)
            print(
                f"{name:19s} {b:3.1f}  {np.mean([e['macro_f1'] for e in every]):.3f}      | "
                f"{held:.3f} [{min(folds):.3f}-{max(folds):.3f}]"
                f"{'':20s}{absent:.3f}        {noise} / {windows}"
            )


def _yp(rs: list[dict], b: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    return y, np.concatenate([predict(r, b) for r in rs])


if __name__ == "__main__":
    main()
