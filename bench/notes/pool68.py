"""The fresh sets since stop 66 pooled (seeds 1914-2041, ho10-ho13), each set at its newest
rows: the adopted step 71 (s71d), else the first step-71 version (s71, rerun only where
its clocks equal the adopted step's), else step 70 (s70h), 69 (s66fb) or 67 (s65base),
the step each set was last run at where no later step changed its clocks
(bench/notes/pieces68.txt).

    python bench/notes/pool68.py [ROWS_DIR]   # default /tmp/held51/rows

Prints each rows file's counts (within 0.3 s, right passes, false passes, controls
passed) and the totals per run size and pace, as fresh38.py's verdicts count them.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh38 import finals, verdict  # noqa: E402

TAGS = ("s71d", "s71", "s70h", "s66fb", "s65base")


def newest(rows: str, name: str) -> tuple[str, str]:
    """(tag, path) of the newest rows file of set-and-delivery ``name``."""
    for tag in TAGS:
        path = f"{rows}/{name}_{tag}.json"
        if os.path.exists(path):
            return tag, path
    raise FileNotFoundError(name)


def counts(path: str) -> list[int]:
    """[within 0.3 s, sessions, right passes, false passes, controls passed, controls]."""
    c = [0] * 6
    for _, _, kind, r in finals(path):
        v = verdict(kind, r)
        if kind == "session":
            c[0] += r["err"] is not None and abs(r["err"]) <= 0.3
            c[1] += 1
            c[2] += v == "right"
            c[3] += v == "FALSE"
        else:
            c[4] += v == "CTL-PASS"
            c[5] += 1
    return c


def main(rows: str) -> None:
    totals: dict[str, list[int]] = {}
    for size in ("", "m_"):
        for sets in ("ho10", "ho11", "ho12", "ho13"):
            for pace in ("fast", "calm"):
                for delivery in ("never_drains", "drains"):
                    tag, path = newest(rows, f"{size}{sets}_{pace}_{delivery}")
                    c = counts(path)
                    run = "32" if size else "4"
                    print(
                        f"{run:2s} {sets} {pace} {delivery:13s} {tag:7s} within {c[0]}/{c[1]} "
                        f"right {c[2]} false {c[3]} controls passed {c[4]}/{c[5]}"
                    )
                    for key in (run, f"{run} {pace}"):
                        t = totals.setdefault(key, [0] * 6)
                        totals[key] = [a + b for a, b in zip(t, c, strict=True)]
    for key, t in totals.items():
        print(
            f"runs of {key}: within {t[0]}/{t[1]} ({100 * t[0] / t[1]:.1f} %) right {t[2]} "
            f"false {t[3]} controls passed {t[4]}/{t[5]}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/held51/rows")
