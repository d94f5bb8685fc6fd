"""Review of the gaterecall merge (review38d): every held-out row (all rounds, sessions and
controls) with energy quality between 5.0 and the level 6.0, with what decided it. Not
shipped.

    python bench/notes/review38d.py [bench/notes/gaterecall_hold_rows.json]

The verdict counts before/after the review's gate change come from the gaterecall harness:
    python bench/notes/gaterecall.py regate ROWS.json energy_allowance=0.5
run once on main's merge and once on this branch (the totals must agree).
"""

import json
import sys


def window(path: str, lo: float = 5.0, hi: float = 6.0) -> None:
    arms = json.load(open(path))
    for arm, runs in arms.items():
        for seed, run in runs.items():
            for group, sessions in run.items():
                for name, rows in sessions.items():
                    for r in rows if isinstance(rows, list) else [rows]:
                        q = r.get("quality")
                        if q is None or not lo <= q < hi:
                            continue
                        print(
                            f"{arm:20s} {seed} {group:8s} {name[4:10]} {r.get('kind')!s:8s} "
                            f"round {r.get('round')!s:5s} err {r['err']:+.2f} q {q:.2f} "
                            f"{r['gate']:32s} cls {r['cls_model']} p {r['cls_p']:.4f} "
                            f"margin {r.get('lag_margin')} rate {r.get('rate_fitted')}"
                        )


if __name__ == "__main__":
    window(sys.argv[1] if len(sys.argv) > 1 else "bench/notes/gaterecall_hold_rows.json")
