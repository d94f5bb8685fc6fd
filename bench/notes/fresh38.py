"""A fresh check of stop 38's align changes on sessions nobody has seen (issue 24, helper
fresh38). Measurement only: nothing is chosen on these rows.

    python bench/notes/fresh38.py collect OUT.json -- RUN_DIR...
        # gaterecall.py collect (rate.py collect: d14_dev runs, exact words, 40 shuffles,
        # four controls per session), rows with the gate's evidence; the code measured is
        # the silkpipe next to this file (run a copy of it inside a git archive for a base)
    python bench/notes/fresh38.py report ROWS.json...
        # per rows file: within 0.3 s, right passes, false passes (> 0.5 s off), passes
        # between, controls passed by kind, and the quality of every refused wrong
        # candidate (final session rows > 0.5 s off, controls not corrected)
    python bench/notes/fresh38.py diff BEFORE.json AFTER.json
        # every session or control whose verdict, offset or gate differs
    python bench/notes/fresh38.py compact OUT.json ROWS.json...
        # each session's final row and every control, gate fields only (fresh38_rows.json)
    python bench/notes/fresh38.py levels ROWS.json...
        # gaterecall.py levels under this checkout's AlignConfig: per false candidate, the
        # highest energy level at which the gate would pass it (the margin of the level)
"""

import collections
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

RIGHT_S, WRONG_S = 0.3, 0.5


def collect(args):
    """rate.py collect, each row with the evidence the gate weighed (gaterecall's fields)."""
    import gate_dev
    import rate

    rate.patch()
    plain = gate_dev._row

    def row(kind, ev, rep, err, seconds):
        return dict(
            plain(kind, ev, rep, err, seconds),
            lag_margin=ev.lag_margin,
            common_margin=getattr(ev, "common_margin", None),
            rate_margin=getattr(ev, "rate_margin", None),
            rate_edge=ev.rate_edge,
            class_channels=ev.class_channels,
            cls_classes=None if ev.cls is None else ev.cls.classes,
            offset_confidence=getattr(rep, "offset_confidence", None),
        )

    gate_dev._row = row
    rate.collect(args)


def finals(path):
    """(run, name, kind, row): each session's final round and every control."""
    for run, d in json.loads(Path(path).read_text()).items():
        for n, rs in d["sessions"].items():
            yield run, n, "session", rs[-1]
        for n, rs in d["controls"].items():
            for i, r in enumerate(rs):
                yield run, f"{n}#{i}", r["kind"], r


def verdict(kind, r):
    """right / FALSE / between / refused for a session; CTL-PASS / corrected / refused for a
    control (a period or far control the aligner moved back within 0.3 s of the truth is
    corrected, not passed, as rate.verdict)."""
    ok = r["err"] is not None and abs(r["err"]) <= RIGHT_S
    if kind != "session":
        if r["excluded"]:
            return "refused"
        return "corrected" if ok and kind != "shuffled" else "CTL-PASS"
    if r["excluded"]:
        return "refused"
    if ok:
        return "right"
    return "FALSE" if r["err"] is None or abs(r["err"]) > WRONG_S else "between"


def wrong(kind, r):
    """A false candidate: a session > 0.5 s off, a control not corrected."""
    if kind == "session":
        return r["err"] is None or abs(r["err"]) > WRONG_S
    return verdict(kind, r) != "corrected"


def report(args):
    for path in args:
        c: collections.Counter = collections.Counter()
        refused, loud = [], []
        for run, n, kind, r in finals(path):
            v = verdict(kind, r)
            c[f"{kind} n"] += 1
            c[f"{kind} {v}"] += 1
            if kind == "session":
                c["within"] += r["err"] is not None and abs(r["err"]) <= RIGHT_S
            if v in ("FALSE", "CTL-PASS", "between"):
                loud.append((run, n, kind, v, r))
            if r["excluded"] and wrong(kind, r) and "quality" in r:
                refused.append((r["quality"], run, n, kind, r))
        _counts(path, c)
        for run, n, kind, v, r in loud:
            print(f"   !! {v} {run} {n[4:]} {kind} err {_f(r['err'])} {row_text(r)}")
        _margin(refused)


def _counts(path, c):
    s = c["session n"]
    print(f"== {Path(path).name}: sessions {s}")
    print(
        f"   within 0.3 s {c['within']}/{s}  right passes {c['session right']}  "
        f"false passes {c['session FALSE']}  passes 0.3-0.5 s {c['session between']}"
    )
    for k in ("period", "far", "shuffled"):
        print(
            f"   control {k:8s} passed {c[k + ' CTL-PASS']}/{c[k + ' n']}  "
            f"corrected {c[k + ' corrected']}  refused {c[k + ' refused']}"
        )


def _margin(refused):
    """Quality of the refused false candidates: all, and those neither at the offset
    search's edge nor rate-fitted (the ones the energy level alone can let through)."""
    for tag, keep in (
        ("all refused", lambda r: True),
        ("not at edge, no rate fit", lambda r: not r["at_edge"] and not r.get("rate_fitted")),
    ):
        v = sorted((x for x in refused if keep(x[4])), key=lambda x: -x[0])
        q = [x[0] for x in v]
        print(
            f"   refused false candidates, {tag}: n {len(v)}  max {max(q, default=0):.2f}  "
            f">=5.0: {sum(x >= 5.0 for x in q)}  >=5.5: {sum(x >= 5.5 for x in q)}"
        )
        for qq, run, n, kind, r in v[:5]:
            print(f"      q {qq:5.2f} {run} {n[4:]} {kind:8s} err {_f(r['err'])} [{r['gate']}]")


def row_text(r):
    cp = r.get("cls_p")
    m = r.get("lag_margin")
    return (
        f"[{r['gate']}] q {r['quality']:.2f} p {r['p']:.3f} cls {r.get('cls_model')} "
        f"cls_p {_f(cp, 4)} w {r.get('cls_words')} sig_p {r['sig_p']:.3f} {r['sig_words']} "
        f"rf {int(bool(r.get('rate_fitted')))} edge {int(bool(r['at_edge']))} "
        f"margin {_f(m)}"
    )


def diff(args):
    """Rows of BEFORE and AFTER (the same runs) whose final verdict, offset or gate differ."""
    before, after = ({(run, n): (k, r) for run, n, k, r in finals(p)} for p in args[:2])
    n_diff = 0
    for key, (kind, r) in before.items():
        if key not in after:
            print("   missing after:", key)
            continue
        q = after[key][1]
        if (r["err"], r["gate"], r["excluded"]) == (q["err"], q["gate"], q["excluded"]):
            continue
        n_diff += 1
        print(
            f"   {key[0]} {key[1][4:]} {kind}: {verdict(kind, r)} err {_f(r['err'])} "
            f"-> {verdict(kind, q)} err {_f(q['err'])}\n      before {row_text(r)}\n"
            f"      after  {row_text(q)}"
        )
    for run, n, x, y in _rounds(*args[:2]):
        print(f"   {run} {n[4:10]} rounds {x} -> {y}")
    print(f"   rows differing: {n_diff}")


def _rounds(before, after):
    """(run, session, rounds before, rounds after) where the number of rounds differs."""
    b, a = (json.loads(Path(p).read_text()) for p in (before, after))
    for run, d in b.items():
        for n, rs in d["sessions"].items():
            if len(rs) != len(a[run]["sessions"][n]):
                yield run, n, len(rs), len(a[run]["sessions"][n])


def _f(x, k=2):
    return "-" if x is None else f"{x:+.{k}f}"


def compact(args):
    keep = ("err", "excluded", "gate", "quality", "p", "cls_model", "cls_p", "cls_words")
    keep += ("sig_p", "sig_words", "at_edge", "moved", "disagree", "rate_fitted", "lag_margin")
    out = {
        Path(path).stem: [
            dict(
                run=run, name=n, kind=kind, verdict=verdict(kind, r), **{k: r.get(k) for k in keep}
            )
            for run, n, kind, r in finals(path)
        ]
        for path in args[1:]
    }
    Path(args[0]).write_text(json.dumps(out, indent=0))


def levels(args):
    import gaterecall

    gaterecall.levels(args)


if __name__ == "__main__":
    {"collect": collect, "report": report, "diff": diff, "compact": compact, "levels": levels}[
        sys.argv[1]
    ](sys.argv[2:])
