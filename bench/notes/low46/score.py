"""Score the bracket's candidate low ends offline (issue 24, helper low46): for every
loss _sized_lag sized with a bracket (probe.py's rows), the size each candidate "after"
pace gives against the true size. Diagnosis only, not shipped.

    python bench/notes/low46/score.py PROBE_DIR [--list CAND]
"""

import json
import sys
from pathlib import Path

import numpy as np

GROUPS = {
    "choose 641-730": ("big", "fresh45", "fresh45b"),
    "check 739-762": ("fresh45c",),
    "older DEV 531-638": ("dev", "dev2", "dev3", "fresh", "route", "last"),
}
CATS = ("before", "at", "inside", "after", "none")
PACES = ("S1", "S2", "S5", "P1", "P2", "P5", "M2", "M5")
PACE_DROP = 0.05
MIN_LOSS = 0.5


def category(x):
    """Where the queue began against the true loss [a, b]: x = (start - a) / (b - a)."""
    if x is None:
        return "none"
    return "before" if x < -0.2 else "at" if x < 0.25 else "inside" if x <= 1 else "after"


def in_bracket(r):
    """The loss took the bracket's middle (not the real-time lag, not unbracketed)."""
    return r["kind"] == "bracket" and not r["realtime"] and r["slower"] is not None


def size(r, cand):
    """The size the candidate gives (0 where it falls under min_loss_s: not inserted)."""
    if cand == "cur":
        s = r["size"]
    elif not in_bracket(r):
        s = r["size"]
    elif cand == "top":
        s = r["lag"]
    elif cand == "low":
        s = r["lag"] * r["slower"] / r["bu"]
    elif cand in ("lowP2", "harmP2"):
        low = r["lag"] * min(r["paces"]["P2"] or r["slower"], r["bu"]) / r["bu"]
        s = low if cand == "lowP2" else 2 * r["lag"] * low / (r["lag"] + low)
    else:
        pace = r["share"] * r["rate"] if cand == "oracle" else r["paces"][cand]
        if pace is None:
            return r["size"]
        low = r["lag"] * min(pace, r["bu"]) / r["bu"]
        s = (r["lag"] + low) / 2
    return s if s >= MIN_LOSS else 0.0


def spread(r, cand):
    """The bracket's half range the candidate records (the far part left out)."""
    if not in_bracket(r) or cand in ("cur", "top", "low", "lowP2", "harmP2"):
        pace = r["slower"]
    else:
        pace = r["share"] * r["rate"] if cand == "oracle" else r["paces"][cand] or r["slower"]
    if r["kind"] != "bracket" or pace is None:
        return 0.0
    return (r["lag"] - r["lag"] * min(pace, r["bu"]) / r["bu"]) / 2


def load(d, sets):
    rows = []
    for s in sets:
        for dl in ("never_drains", "drains"):
            rows += json.loads((Path(d) / f"probe_{s}_{dl}.json").read_text())
    return [r for r in rows if r["size"] >= MIN_LOSS]


def table(rows, cands):
    br = [r for r in rows if r["kind"] == "bracket"]
    ins = [r for r in br if in_bracket(r)]
    print(
        f"  kept losses {len(rows)}, sized by the bracket {len(br)} (middle taken {len(ins)},"
        f" real-time lag {len(br) - len(ins)})"
    )
    counts = {c: sum(category(r["x"]) == c for r in br) for c in CATS}
    head = "  ".join(f"{c} n{counts[c]:<3d}" for c in CATS)
    print(
        f"  {'cand':7s} all-within  br-within  br-MAE  half  | signed mean err (within) by queue start: {head}"
    )
    for c in cands:
        allw = sum(abs(size(r, c) - r["true"]) <= 0.3 for r in rows)
        err = np.array([size(r, c) - r["true"] for r in br])
        cells = []
        for k in CATS:
            e = np.array([size(r, c) - r["true"] for r in br if category(r["x"]) == k])
            cells.append(f"{e.mean():+.2f}({int((abs(e) <= 0.3).sum())})" if len(e) else "   -   ")
        print(
            f"  {c:7s} {allw:4d}/{len(rows):<4d}  {int((abs(err) <= 0.3).sum()):3d}/{len(br):<3d}"
            f"   {abs(err).mean():.3f} {np.mean([spread(r, c) for r in br]):.2f}  | "
            + "  ".join(f"{x:12s}" for x in cells)
        )


def listing(rows, cand):
    for r in sorted(rows, key=lambda r: (r["set"], r["session"])):
        if r["kind"] != "bracket":
            continue
        R, bu = r["rate"], r["bu"]
        p = {k: (v / bu if v else 0) for k, v in r["paces"].items()}
        x = r["x"]
        print(
            f"  {r['set']:8s} {r['session']} {r['delivery'][:5]} x {'-' if x is None else f'{x:+.2f}':>6s}"
            f" {category(x):6s} rt {int(r['realtime'])} true {r['true']:5.2f} lag {r['lag']:5.2f}"
            f" cur {size(r, 'cur') - r['true']:+5.2f} {cand} {size(r, cand) - r['true']:+5.2f}"
            f" share/bu {(r['share'] or 0) * R / bu:.2f} S1 {p['S1']:.2f} P1 {p['P1']:.2f}"
            f" S5 {p['S5']:.2f} M5 {p['M5']:.2f}"
        )


def main(d, args):
    cands = ["cur", "top", "low", *PACES, "oracle", "lowP2", "harmP2"]
    for name, sets in GROUPS.items():
        rows = load(d, sets)
        print(f"{name} ({', '.join(sets)}; never_drains + drains)")
        table(rows, cands)
        if args and args[0] == "--list":
            listing(rows, args[1])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
