"""The held-out sessions that end outside 0.3 s, and why (issue 24, helper ndmiss). Not shipped.

    python bench/notes/ndmiss.py misses ROWS.json...
        # every session whose final offset is outside 0.3 s: clock, gate, rounds
    python bench/notes/ndmiss.py clock SESSION_DIR...
        # the rebuilt clock against truth.json: its error (rebuilt - production time) at
        # the start, at each spoken gesture, where it steps (and what lies there: a loss,
        # a stall, the start burst, the slow phase's start) and what offset a right fit of
        # the spoken words would give (the median error at them)

The code measured is the one on PYTHONPATH.
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def misses(args):
    for path in args:
        rows = json.loads(Path(path).read_text())
        n = 0
        for _run, data in rows.items():
            for name, rs in data["sessions"].items():
                r, n = rs[-1], n + 1
                if r["err"] is not None and abs(r["err"]) <= 0.3:
                    continue
                errs = [None if x["err"] is None else round(x["err"], 2) for x in rs]
                print(
                    f"{name[4:10]} {r['time_model']} {r['source']} err {errs} "
                    f"[{r['gate']}] q {r['quality']:.2f} p {r['p']:.3f} "
                    f"sig {r.get('sig_words')} cls_words {r.get('cls_words')}"
                )
        print(path, "sessions", n)


def _error_curve(sess):
    """(production time, rebuilt - production) per row, and the time model."""
    from silkpipe.sessions import read_sensor_csv

    truth = json.loads((sess / "truth.json").read_text())
    s = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
    reb = s.clock_rows[:, 1]
    rc = np.asarray(truth["row_clock"], dtype=float)
    prod = np.interp(np.arange(len(reb)), rc[:, 0], rc[:, 1])
    return truth, s.time_model, prod, reb - prod


def _near(t, truth):
    """What lies at production time t: loss, stall, slow phase start, start burst."""
    dl = truth["delivery"]
    what = [f"loss{b - a:.1f}" for a, b in dl.get("losses", []) if a - 1.5 <= t <= b + 1.5]
    what += ["stall" for a, b in dl.get("stalls", []) if a - 1.0 <= t <= b + 1.0]
    what += ["slow" for a, _b, _r in dl.get("slow_phases", []) if abs(t - a) <= 2.0]
    return what or ["-"]


def _median_in(prod, err, lo, hi) -> float:
    inside = (prod >= lo) & (prod <= hi)
    return float(np.median(err[inside])) if inside.any() else float("nan")


def _steps(prod, err, step_s=0.15):
    """Production times where the error moves by more than step_s within 2 s."""
    out, k = [], 0
    grid = np.arange(prod[0], prod[-1], 1.0)
    med = np.array([_median_in(prod, err, g, g + 1) for g in grid])
    while k < len(grid) - 2:
        d = med[k + 2] - med[k]
        if np.isfinite(d) and abs(d) > step_s:
            out.append((float(grid[k] + 1), float(d)))
            k += 3
        else:
            k += 1
    return out


def clock(args):
    for d in args:
        sess = Path(d)
        truth, tm, prod, err = _error_curve(sess)
        spoken = [g for g in truth["gestures"] if g["spoken"]]
        at = [_median_in(prod, err, g["start"], g["end"]) for g in spoken]
        at = [x for x in at if np.isfinite(x)]
        dl = truth["delivery"]
        print(
            f"{sess.name[4:10]} {dl['kind']} {tm['kind']} src {tm['rate_source']} "
            f"rate {tm['rows_per_s']} qr {tm['queue_ratio']} losses {tm['losses']} "
            f"true losses {dl.get('losses')} arrived_until {dl.get('arrived_until_s')}"
        )
        print(
            f"   err start {np.median(err[:200]):+.2f} end {np.median(err[-200:]):+.2f} "
            f"spoken {len(spoken)} (in data {len(at)}) err at them: "
            f"{[round(x, 2) for x in at]} median {np.median(at) if at else float('nan'):+.2f}"
        )
        for t, dv in _steps(prod, err):
            print(f"   step at {t:7.1f} s {dv:+.2f} {_near(t, truth)}")
        for a, b in dl.get("losses", []):
            moved = _median_in(prod, err, b, b + 3) - _median_in(prod, err, a - 3, a)
            print(f"   true loss {a:.1f}-{b:.1f} s ({b - a:.2f}): clock moves {moved:+.2f} across")


def losses(args):
    """One line per true loss of a count clock: its size error across it (losssize.py's
    measure), and how long before the loss the queue began (truth: slow phase start)."""
    for d in args:
        for sess in sorted(Path(d).glob("*/truth.json")):
            truth, tm, prod, err = _error_curve(sess.parent)
            dl = truth["delivery"]
            if tm["kind"] != "count" or "row_clock" not in truth:
                continue
            slow = [a for a, _b, _r in dl.get("slow_phases", [])]
            for a, b in dl.get("losses", []):
                pre = err[(prod >= a - 3) & (prod < a)]
                post = err[(prod > b) & (prod <= b + 3)]
                if not len(pre) or not len(post):
                    continue
                q = [round(a - s, 2) for s in slow]
                print(
                    f"{sess.parent.name[4:10]} {Path(d).parent.name}/{Path(d).name} "
                    f"{dl['kind']} true {b - a:.2f} err {np.median(post) - np.median(pre):+.2f} "
                    f"queue began {q} s before"
                )


def finals(args):
    """BEFORE.json AFTER.json: per session whose final row differs, its verdict and offset
    before and after (rate.py verdict), and the within / right / false counts."""
    import rate

    rows = [json.loads(Path(p).read_text()) for p in args[:2]]
    tot = [dict(within=0, right=0, false=0, ctl_pass=0) for _ in rows]
    for run in rows[0]:
        for n in rows[0][run]["sessions"]:
            last = [r[run]["sessions"][n][-1] for r in rows]
            for t, r in zip(tot, last, strict=True):
                v = rate.verdict(r)
                t["within"] += r["err"] is not None and abs(r["err"]) <= 0.3
                t["right"] += v == "right"
                t["false"] += v == "FALSE"
            if [(r["err"], r["gate"]) for r in last] != [(last[0]["err"], last[0]["gate"])] * 2:
                print(
                    n[4:10], *(f"{rate.verdict(r)} {rate._f(r['err'])} [{r['gate']}]" for r in last)
                )
        for t, r in zip(tot, rows, strict=True):
            t["ctl_pass"] += sum(
                rate.verdict(c) == "CTL-PASS" for cs in r[run]["controls"].values() for c in cs
            )
    print("before", tot[0])
    print("after ", tot[1])


if __name__ == "__main__":
    {"misses": misses, "clock": clock, "losses": losses, "finals": finals}[sys.argv[1]](
        sys.argv[2:]
    )
