"""Issue 22: a lever on the rare gesture classes alone (helper punchonly, stop 39).

punch14.txt found that class-balanced batches fix part of 2025-10-14's punch->noise error but
cut noise's share of draws (and so its prior), losing within the day. The candidates here
(TrainConfig.gesture_balance, dataset.gesture_draw_weights) raise only the gesture classes'
draws, noise keeping its natural share:
  gbal: the gesture classes present share the non-noise draws equally;
  rare: gesture classes under the median gesture class's window count are raised to it.
Folds, training and scoring are punch14.py's (fold models exported as `evaluate --cv` does,
product call = noise logit + 1.5); its cache is moved to /tmp/punchonly/cache.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punchonly.py shares
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punchonly.py run --proto ldo14 trdev --cand base gbal rare --seed 1337 1338
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punchonly.py dev
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punchonly.py held --cand gbal
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punchonly.py held --cand rare --round 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import arch  # noqa: E402
import punch14  # noqa: E402
from arch import load  # noqa: E402

from silkpipe.dataset import gesture_draw_weights  # noqa: E402
from silkpipe.training import preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

punch14.CACHE = Path("/tmp/punchonly/cache")
# the shared data, wherever the worktree lies (arch.py and punch14.py look beside main)
arch.DATA = punch14.DATA = Path("/work/shared/data")
#: candidates: TrainConfig overrides (fixed in punchonly.txt before any score)
punch14.CANDIDATES.update(
    {"gbal": {"gesture_balance": "gbal"}, "rare": {"gesture_balance": "rare"}}
)
NOISE = CLASSES.index("noise")
DEV_SEEDS = [1337, 1338]
#: held-out checks (proto, sample part, seeds, largest loss allowed; None: must gain)
HELD = (
    ("ldo14", "held", [1363, 1364, 1365, 1366], None),
    ("ldo19", "all", [1363, 1364, 1365, 1366], 0.010),
    ("trdev", "all", [1367, 1368], 0.010),
)
#: round 2 (punchonly.txt, pre-registered after round 1's held-out result): fresh seeds
HELD2 = (
    ("ldo14", "held", [1369, 1370, 1371, 1372], None),
    ("ldo19", "all", [1369, 1370, 1371, 1372], 0.010),
    ("trdev", "all", [1373, 1374], 0.010),
)


def shares() -> None:
    """Per class: training windows and share of batch draws, off / gbal / rare / balanced."""
    cfg = preset("default")
    for proto in ("ldo14", "ldo19", "trdev"):
        w, streams, folds = load(proto, cfg)
        train_mask, _ = trainable(w, streams, folds[0].train)
        y = w.y[train_mask]
        counts = np.bincount(y, minlength=len(CLASSES))
        cols = {
            m: np.bincount(y, gesture_draw_weights(y, NOISE, m), len(CLASSES))
            for m in ("gbal", "rare")
        }
        print(f"{proto} {folds[0].name}: {len(y)} training windows")
        for c, name in enumerate(CLASSES):
            if counts[c]:
                bal = 1 / (counts > 0).sum()
                print(
                    f"  {name:6s} {counts[c]:5d}  off {counts[c] / len(y):.3f}  gbal "
                    f"{cols['gbal'][c]:.3f}  rare {cols['rare'][c]:.3f}  balanced {bal:.3f}"
                )


def mean_f1(proto: str, cand: str, seeds: list[int], part: str) -> float:
    return punch14.mean_f1(proto, cand, seeds, part, 1.5)


def dev(cands: list[str]) -> None:
    """The DEV table and the carry rule (punchonly.txt)."""
    for proto, part in (("ldo14", "dev"), ("trdev", "all"), ("ldo14", "all")):
        punch14.score(proto, ["base", *cands], DEV_SEEDS, part)
    b14, btr = (
        mean_f1("ldo14", "base", DEV_SEEDS, "dev"),
        mean_f1("trdev", "base", DEV_SEEDS, "all"),
    )
    ok = {}
    for cand in cands:
        v14, vtr = (
            mean_f1("ldo14", cand, DEV_SEEDS, "dev"),
            mean_f1("trdev", cand, DEV_SEEDS, "all"),
        )
        qualifies = v14 - b14 >= 0.020 and vtr - btr >= -0.010
        print(f"{cand}: ldo14 DEV {v14 - b14:+.4f}, trdev {vtr - btr:+.4f}: qualifies {qualifies}")
        if qualifies:
            ok[cand] = v14
    print("CARRY:", max(ok, key=ok.get) if ok else "nothing")


def to_noise(proto: str, cands: list[str], seeds: list[int], part: str) -> None:
    """Per gesture class, windows called noise (pooled over seeds), per candidate."""
    punch14.BIAS[0] = 1.5
    for cand in cands:
        y, p = punch14.yp(punch14.rows(proto, cand, seeds), part)
        calls = [
            f"{name}->noise {int(((y == c) & (p == NOISE)).sum())}/{int((y == c).sum())}"
            for c, name in enumerate(CLASSES)
            if c != NOISE and (y == c).any()
        ]
        print(f"  {proto} {part} {cand}: " + ", ".join(calls))


def held(cand: str, checks=HELD) -> None:
    """The candidate against base, once, on the held-out checks."""
    verdict = True
    for proto, part, seeds, loss in checks:
        punch14.score(proto, ["base", cand], seeds, part)
        to_noise(proto, ["base", cand], seeds, part)
        base, got = mean_f1(proto, "base", seeds, part), mean_f1(proto, cand, seeds, part)
        ok = got > base if loss is None else got >= base - loss
        verdict &= ok
        print(
            f"{proto} {part} {seeds}: base {base:.4f} {cand} {got:.4f} ({got - base:+.4f}) {'holds' if ok else 'FAILS'}"
        )
    print(f"ADOPT {cand}: {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("shares", "run", "dev", "held"))
    ap.add_argument("--proto", nargs="+", default=["ldo14"])
    ap.add_argument("--cand", nargs="+", default=["gbal", "rare"])
    ap.add_argument("--seed", type=int, nargs="+", default=DEV_SEEDS)
    ap.add_argument("--round", type=int, choices=(1, 2), default=1, help="held-out round")
    a = ap.parse_args()
    if a.what == "shares":
        shares()
    elif a.what == "run":
        for proto in a.proto:
            for cand in a.cand:
                for sd in a.seed:
                    punch14.run(proto, cand, sd)
    elif a.what == "dev":
        dev(a.cand)
    else:
        held(a.cand[0], HELD if a.round == 1 else HELD2)


if __name__ == "__main__":
    main()
