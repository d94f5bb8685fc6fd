"""Offline counts of the gate rules G1 / G2 of bench/notes/ctl46.txt over run-level rows
(issue 24, helper ctl46). Not shipped.

    python bench/notes/ctl46/count.py ROWS.json...
        # per file: final rows (each session's last round, every control) a rule would
        # refuse, by verdict (fresh38.verdict); knock-on through other sessions' models
        # is not seen offline
"""

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import fresh38  # noqa: E402

ROUTE = "session classes"
ENERGY_LEVEL, MAX_ENERGY_P, G2_FLOOR = 5.5, 0.05, 3.0


def g1(r):
    """A 'session classes' pass beside energy p over max_energy_p, not one the energy
    allowance would pass anyway (q at energy_level, lag profile not better away)."""
    if r["excluded"] or r["gate"] != ROUTE or r["p"] <= MAX_ENERGY_P:
        return False
    margin = r.get("lag_margin")
    return not (r["quality"] >= ENERGY_LEVEL and (margin is None or margin >= 0.0))


def g2(r):
    return not r["excluded"] and r["gate"] == ROUTE and r["quality"] < G2_FLOOR


def main(paths):
    total: dict = collections.defaultdict(collections.Counter)
    for path in paths:
        for tag, rule in (("G1", g1), ("G2", g2)):
            hit = collections.Counter()
            for run, n, kind, r in fresh38.finals(path):
                if rule(r):
                    v = fresh38.verdict(kind, r)
                    hit[v] += 1
                    total[tag][v] += 1
                    print(
                        f"   {tag} {Path(path).name} {run} {n} {kind} {v} q {r['quality']:.2f} "
                        f"p {r['p']:.3f} cls_p {r.get('cls_p')} margin {r.get('lag_margin')}"
                    )
            print(f"{tag} {Path(path).name}: {dict(hit)}")
    for tag, c in total.items():
        print(f"TOTAL {tag}: {dict(c)}")


if __name__ == "__main__":
    main(sys.argv[1:])
