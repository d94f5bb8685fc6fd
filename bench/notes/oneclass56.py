"""The one-class rule of align step 61 (AlignConfig.one_class_needs_profile) applied to
recorded held-out rows, to see what it would have refused there before any new set is run.

A pass is refused by the rule where its gate is "energy", its energy quality is under the
gate's sure level (10.0: sure_quality 8 lifted by class channels), its class words hold
fewer than two classes (``cls_classes``) and no fixed class model's lag margin reaches
class_peak_unlift_margin (1.0). Rows are fresh38.py collect files in /tmp/held51/rows.

    cd /tmp/held51/rows && python /work/main/bench/notes/oneclass56.py [PATTERN ...]

PATTERN: a rows file name with {} for the delivery (default: stop 53-55's four sets); the
runs-of-32 file is the same name with "m_" before it.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fresh38 import finals  # noqa: E402

SURE, UNLIFT = 10.0, 1.0
SEEN = [
    "fresh54_{}_head53b.json",
    "fresh55_{}_head54.json",
    "fresh56_{}_head54.json",
    "fresh57_{}_head55.json",
]


def refused_by_rule(row: dict) -> bool:
    """Whether align step 61's one-class rule refuses this recorded pass."""
    margin = row["lag_margin"]
    return (
        row["gate"] == "energy"
        and row["quality"] < SURE
        and (row["cls_classes"] or 0) < 2
        and (margin is None or margin < UNLIFT)
    )


def tally(patterns: list[str], prefix: str) -> collections.Counter:
    """(kind, right/wrong, kept/refused) over the passes of the files."""
    counts: collections.Counter = collections.Counter()
    for pattern in patterns:
        for delivery in ("never_drains", "drains"):
            for _, _, kind, row in finals(prefix + pattern.format(delivery)):
                if row["excluded"]:
                    continue
                session = kind == "session"
                err = row["err"]
                right = err is not None and abs(err) <= (0.5 if session else 0.3)
                what = "refused" if refused_by_rule(row) else "kept"
                counts[
                    ("session" if session else "control", "right" if right else "wrong", what)
                ] += 1
    return counts


if __name__ == "__main__":
    patterns = sys.argv[1:] or SEEN
    for prefix, size in (("", "4-session"), ("m_", "runs of 32")):
        print(size)
        for key, n in sorted(tally(patterns, prefix).items()):
            print("  ", *key, n)
