"""Clock level of the rebuilt watch clock against truth.json (issue 24, clock44). Not shipped.

    python bench/notes/clock44.py digest OUT.json SESSION_DIR...
        # per session: time model (kind, rate, losses), per true loss on a count clock its
        # size error (rebuilt - production, median over the 3 s after the loss less the
        # 3 s before: losssize.py's measure), the clock error at each spoken word
    python bench/notes/clock44.py compare A.json B.json
        # which clocks move, and the counts: losses off > 0.3 / 0.5 s, words whose error
        # less the session's median error is off > 0.3 / 0.5 s (what one offset cannot fix)

The code measured is the one on PYTHONPATH.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))


def _digest(sess: Path) -> dict:
    from ndmiss import _error_curve, _median_in

    truth, tm, prod, err = _error_curve(sess)
    dl = truth["delivery"]
    spoken = [g for g in truth["gestures"] if g["spoken"]]
    words = [_median_in(prod, err, g["start"], g["end"]) for g in spoken]
    words = [round(float(x), 3) for x in words if np.isfinite(x)]
    losses = []
    for a, b in dl.get("losses", []):
        pre, post = err[(prod >= a - 3) & (prod < a)], err[(prod > b) & (prod <= b + 3)]
        if len(pre) and len(post):
            size = float(np.median(post) - np.median(pre))
            losses.append([round(a, 2), round(b - a, 2), round(size, 3)])
    return {
        "delivery": dl["kind"],
        "kind": tm["kind"],
        "rate": tm["rows_per_s"],
        "losses": tm["losses"],
        "true_losses": losses,
        "words": words,
    }


def digest(args):
    out = {}
    for d in args[1:]:
        for sess in sorted(Path(d).glob("*/truth.json")) or [Path(d) / "truth.json"]:
            row = _digest(sess.parent)
            out[f"{sess.parent.name[4:10]} {row['delivery'][:2]}"] = row
    Path(args[0]).write_text(json.dumps(out, default=float))


def _counts(rows: dict) -> dict:
    c = dict(sessions=0, losses=0, loss03=0, loss05=0, words=0, word03=0, word05=0)
    for r in rows.values():
        c["sessions"] += 1
        if r["kind"] == "count":
            for _a, _n, e in r["true_losses"]:
                c["losses"] += 1
                c["loss03"] += abs(e) > 0.3
                c["loss05"] += abs(e) > 0.5
        if r["words"]:
            dev = np.abs(np.asarray(r["words"]) - np.median(r["words"]))
            c["words"] += len(dev)
            c["word03"] += int((dev > 0.3).sum())
            c["word05"] += int((dev > 0.5).sum())
    return c


def _moved(x: dict, y: dict, tol: float = 0.05) -> bool:
    """Whether the clock moved by more than ``tol`` at a word or a true loss's size, or
    changed kind or the number of losses it found."""
    shape = [(r["kind"], len(r["losses"]), len(r["words"])) for r in (x, y)]
    if shape[0] != shape[1]:
        return True
    sizes = [(a[2], b[2]) for a, b in zip(x["true_losses"], y["true_losses"], strict=True)]
    words = list(zip(x["words"], y["words"], strict=True))
    return any(abs(a - b) > tol for a, b in sizes + words)


def compare(args):
    a, b = (json.loads(Path(p).read_text()) for p in args[:2])
    for name in sorted(a):
        x, y = a[name], b[name]
        if _moved(x, y):
            print(f"{name} {x['delivery']} {x['kind']}->{y['kind']}")
            print(f"   losses {x['losses']} -> {y['losses']}")
            print(f"   true [start, size, size err] {x['true_losses']} -> {y['true_losses']}")
            for tag, r in (("A", x), ("B", y)):
                w = r["words"]
                med = np.median(w) if w else float("nan")
                print(f"   {tag} words median {med:+.2f}: {w}")
    for d in ("never_drains", "drains"):
        for tag, rows in (("A", a), ("B", b)):
            sel = {k: v for k, v in rows.items() if v["delivery"] == d}
            print(d, tag, _counts(sel))


if __name__ == "__main__":
    {"digest": digest, "compare": compare}[sys.argv[1]](sys.argv[2:])
