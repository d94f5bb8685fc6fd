"""Row figures for the class test of the clock rate (issue 24, helper rate48; rule and
results: bench/notes/rate48.txt). Reads the row files of fresh38.py / l1carry.py collect.

    python bench/notes/rate48/rows.py screen ROWS.json...
        # every row (any round, session or control) that passed on a fitted clock rate at a
        # scale != 1 through a route (gate not "energy"): the only rows on which
        # class_rate_margin can first act; a run without one is identical with it
    python bench/notes/rate48/rows.py margins ROWS.json...
        # every row carrying rate_margin (a fixed class model, scale != 1)
"""

import json
import sys
from pathlib import Path


def _rows(path):
    """(run, name, kind, row) of every round of every session and control."""
    for run, d in json.loads(Path(path).read_text()).items():
        for name, rs in d["sessions"].items():
            for r in rs:
                yield run, name, "session", r
        for name, rs in d["controls"].items():
            for r in rs:
                yield run, name, r["kind"], r


def _text(run, name, kind, r):
    err = "-" if r["err"] is None else f"{r['err']:+.2f}"
    verdict = "ex" if r["excluded"] else "PASS"
    return (
        f"{run} {name[4:10]} {kind:8s} round {r.get('round', '-')} scale {r['scale']} "
        f"err {err} {verdict} [{r['gate']}] q {r['quality']:.2f} "
        f"model {r.get('cls_model')} rate margin {r.get('rate_margin')}"
    )


def screen(paths):
    for path in paths:
        hits, n = [], 0
        for run, name, kind, r in _rows(path):
            n += 1
            fitted = r.get("rate_fitted") and r.get("scale") not in (None, 1.0)
            if fitted and not r["excluded"] and r["gate"] != "energy":
                hits.append(_text(run, name, kind, r))
        print(f"{Path(path).name}: rows {n}, route passes on a fitted scale != 1: {len(hits)}")
        for h in hits:
            print("   " + h)


def margins(paths):
    for path in paths:
        for run, name, kind, r in _rows(path):
            if r.get("rate_margin") is not None:
                print(f"{Path(path).name} " + _text(run, name, kind, r))


if __name__ == "__main__":
    {"screen": screen, "margins": margins}[sys.argv[1]](sys.argv[2:])
