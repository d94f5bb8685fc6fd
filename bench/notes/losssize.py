"""How well the count clock sizes each true loss, and which rule sized it (issue 24, helper
losssize). Not shipped.

    python bench/notes/losssize.py measure OUT.jsonl SESSION_PARENT_DIR...
        # one row per true loss window (truth.json) of every session: the rule(s) that
        # inserted watch time there, the size inserted and the clock's error across it
    python bench/notes/losssize.py table OUT.jsonl [KIND=count]
        # per rule: losses, sized off by > 0.3 s, > 0.5 s, worst
    python bench/notes/losssize.py digests OUT.jsonl SESSION_PARENT_DIR...
        # per session (truth or not): time model and a digest of the rebuilt clock
    python bench/notes/losssize.py diff A.jsonl B.jsonl   # sessions whose clock moved

The size error of a true loss [a, b] (production seconds) is how far the rebuilt clock's
offset from production (rebuilt - truth) moves across it: median over the rows produced in
the 3 s after b minus the median over the 3 s before a (> 0: sized too large). Only count
clocks rebuild time from the losses; arrival clocks are listed apart.
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

TAGS: list = []  # (arrival of the row before, rule) of the current session


def patch():
    """Tag every loss with the rule that inserted it."""
    import silkpipe.clock_envelope as ce
    import silkpipe.watch_clock as wc

    plain_place, plain_unseen, plain_insert = ce._place, wc.unseen_gap_losses, wc._insert_losses

    def place(t, n0, b, c, first, step, ramp, pairs, rate, cfg):
        out = plain_place(t, n0, b, c, first, step, ramp, pairs, rate, cfg)
        jumps = np.diff(ramp)
        if len(jumps) and jumps.max() >= step / 2:
            rule = "env_rt_split" if len(out) == 2 else "env_rt_gap"
        elif out:
            turn = ce._turn_jump(pairs, n0 + first, n0 + c, cfg)
            rule = "env_turn" if turn is not None else "env_lag_match"
        else:
            rule = "env_half"
            TAGS.append((None, rule, round(float(step), 3)))
        for k, _ in out:
            TAGS.append((round(float(t[k - 1]), 3), rule, None))
        return out

    def unseen(*a, **k):
        out = plain_unseen(*a, **k)
        TAGS.extend((at, "unseen_gap_lag", None) for at, *_ in out)
        return out

    def insert(*a, **k):
        inserted, out = plain_insert(*a, **k)
        TAGS.extend((at, "insert_losses", None) for at, _ in out)
        return inserted, out

    ce._place, wc.unseen_gap_losses, wc._insert_losses = place, unseen, insert


def _rule(at, size):
    for a, rule, step in TAGS:
        if a == at or (a is None and step == round(float(size), 3)):
            return rule
    return "?"


def _sessions(dirs):
    for d in dirs:
        for f in sorted(Path(d).glob("*/sensor_data.csv")):
            yield f.parent


def _load(sess):
    from silkpipe.sessions import read_sensor_csv

    TAGS.clear()
    s = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
    return s.time_model, s.clock_rows


def measure(args):
    patch()
    out = open(args[0], "w")
    for sess in _sessions(args[1:]):
        truth_f = sess / "truth.json"
        if not truth_f.exists():
            continue
        truth = json.loads(truth_f.read_text())
        if "row_clock" not in truth:  # not a realistic session: no production times
            continue
        tm, rows = _load(sess)
        arr, reb = rows[:, 0], rows[:, 1]
        rc = np.asarray(truth["row_clock"], dtype=float)
        prod = np.interp(np.arange(len(arr)), rc[:, 0], rc[:, 1])
        off = reb - prod
        found = []
        for at, size in tm["losses"]:
            k = int(np.searchsorted(arr, at - 1e-3))  # the row before the loss
            found.append(
                dict(
                    at=at,
                    size=round(float(size), 3),
                    prod=round(float(prod[k]), 3),
                    rule=_rule(at, size),
                )
            )
        for a, b in truth["delivery"]["losses"]:
            pre = off[(prod >= a - 3) & (prod < a)]
            post = off[(prod > b) & (prod <= b + 3)]
            near = [f for f in found if a - 2 <= f["prod"] <= b + 2]
            err = float(np.median(post) - np.median(pre)) if len(pre) and len(post) else None
            row = dict(
                session=sess.name,
                dir=str(sess.parent),
                kind=tm["kind"],
                delivery=truth["delivery"]["kind"],
                src=tm["rate_source"],
                qr=tm["queue_ratio"],
                true=round(b - a, 3),
                inserted=round(sum(f["size"] for f in near), 3),
                err=None if err is None else round(err, 3),
                rules=sorted({f["rule"] for f in near}) or ["none"],
                found=near,
            )
            out.write(json.dumps(row) + "\n")
            out.flush()
        for f in found:  # losses inserted where nothing was lost
            if not any(a - 2 <= f["prod"] <= b + 2 for a, b in truth["delivery"]["losses"]):
                out.write(
                    json.dumps(
                        dict(
                            session=sess.name,
                            dir=str(sess.parent),
                            kind=tm["kind"],
                            delivery=truth["delivery"]["kind"],
                            true=0.0,
                            inserted=f["size"],
                            err=None,
                            rules=[f["rule"]],
                            found=[f],
                            spurious=True,
                        )
                    )
                    + "\n"
                )


def table(args):
    kind = dict(a.split("=") for a in args[1:]).get("KIND", "count")
    rows = [json.loads(x) for x in open(args[0])]
    rows = [r for r in rows if r["kind"] == kind and not r.get("spurious")]
    by: dict = {}
    for r in rows:
        by.setdefault("+".join(r["rules"]), []).append(r)
    print(f"{kind} clocks: {len(rows)} true losses")
    print("rule(s)                       n  |err|>0.3  >0.5  worst")
    for k, rs in sorted(by.items()):
        errs = [abs(r["err"]) for r in rs if r["err"] is not None]
        big = [r for r in rs if r["err"] is not None and abs(r["err"]) > 0.3]
        print(
            f"{k:28s} {len(rs):3d}  {len(big):7d}  {sum(e > 0.5 for e in errs):4d}  "
            f"{max(errs, default=0):.2f}"
        )
        for r in big:
            print(
                "    ",
                r["session"],
                Path(r["dir"]).name,
                r["delivery"],
                "true",
                r["true"],
                "ins",
                r["inserted"],
                "err",
                r["err"],
                "qr",
                r["qr"],
            )


def digests(args):
    out = open(args[0], "w")
    for sess in _sessions(args[1:]):
        tm, rows = _load(sess)
        h = hashlib.sha1(np.round(rows[:, 1], 6).tobytes()).hexdigest()[:12]
        out.write(
            json.dumps(
                dict(
                    session=str(sess),
                    kind=tm["kind"],
                    clock=h,
                    losses=[[a, round(float(s), 3)] for a, s in tm["losses"]],
                ),
                default=float,
            )
            + "\n"
        )
        out.flush()


def diff(args):
    a, b = ({json.loads(x)["session"]: json.loads(x) for x in open(p)} for p in args[:2])
    moved = [s for s in a if a[s]["clock"] != b[s]["clock"] or a[s]["kind"] != b[s]["kind"]]
    for s in moved:
        print(s, a[s]["kind"], "->", b[s]["kind"], a[s]["losses"], "->", b[s]["losses"])
    print(f"{len(moved)} of {len(a)} clocks moved")


if __name__ == "__main__":
    {"measure": measure, "table": table, "digests": digests, "diff": diff}[sys.argv[1]](
        sys.argv[2:]
    )
