"""Evidence behind the gate's refusals (issue 24, helper gate43). Rule and results:
bench/notes/gate43.txt. Not shipped.

    python bench/notes/gate43.py table ROWS.json...
        # every session's final row and every control (nd40.py collect rows): right
        # refused / right passed / wrong / controls by kind, with the gate's evidence
        # (quality, energy p, class model, class p, classes, lag margin, signature p and
        # words, edge, moved, disagree, rate fitted), then per group the ranges
    python bench/notes/gate43.py replay ROWS.json...
        # gate_verdict of this checkout on each row's recorded evidence (every round and
        # every control): the rows whose verdict differs from the recorded one
"""

import collections
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def group(kind, r):
    """right-pass / right-refused / wrong (> 0.5 s) / between for sessions; controls by
    kind, corrected ones apart."""
    e = r["err"]
    ok = e is not None and abs(e) <= 0.3
    if kind == "session":
        if ok:
            return "right-refused" if r["excluded"] else "right-pass"
        return "wrong" if e is None or abs(e) > 0.5 else "between"
    return f"{kind}-corrected" if ok and kind != "shuffled" else f"ctl-{kind}"


def _f(x, k=2):
    return "    -" if x is None else f"{x:+5.{k}f}"


def line(r):
    return (
        f"q {r['quality']:5.2f} p {r['p']:.3f} {str(r.get('cls_model'))[:4]:4s} "
        f"cp {_f(r.get('cls_p'), 3)} w {r.get('cls_words')} nc {r.get('cls_classes')} "
        f"m {_f(r.get('lag_margin'))} sig {r['sig_p']:.3f} {r['sig_words']} "
        f"edge {int(r['at_edge'])} mv {int(r['moved'])} dis {int(r['disagree'])} "
        f"rf {int(bool(r.get('rate_fitted')))} [{r['gate']}]"
    )


def table(args):
    import fresh38

    groups = collections.defaultdict(list)
    for path in args:
        for _run, n, kind, r in fresh38.finals(path):
            groups[group(kind, r)].append((Path(path).stem, n, r))
    for g, rows in sorted(groups.items()):
        print(f"== {g}: {len(rows)}")
        for stem, n, r in sorted(rows, key=lambda x: -x[2]["quality"]):
            if g.startswith("ctl") and (r["at_edge"] or r["quality"] < 3.0):
                continue  # the edge refuses them whatever the rest says
            print(f"   {stem[:26]:26s} {n[4:]:12s} err {_f(r['err'])} {line(r)}")
    print("== ranges (controls and wrong: not at the search edge)")
    for g, rows in sorted(groups.items()):
        keep = [r for _, _, r in rows if g.startswith("right") or not r["at_edge"]]
        m = [r["lag_margin"] for r in keep if r.get("lag_margin") is not None]
        q = [r["quality"] for r in keep]
        pos = [r["quality"] for r in keep if (r.get("lag_margin") or -1) > 0 and _open(r)]
        print(
            f"   {g:18s} n {len(keep):3d} q {min(q, default=0):5.2f}..{max(q, default=0):5.2f} "
            f"margin {min(m, default=0):+.2f}..{max(m, default=0):+.2f} (n {len(m)}) "
            f"q where margin > 0, not moved/disagree/rate-fitted: max {max(pos, default=0):.2f} "
            f"(n {len(pos)})"
        )


def _open(r):
    """Nothing the gate checks before its energy level refuses the row (moved, disagree, a
    fitted rate)."""
    return not (r["moved"] or r["disagree"] or r.get("rate_fitted"))


def verdict_of(r, cfg):
    """gate_verdict of this checkout on a row's recorded evidence."""
    import silkpipe.gate as gt
    from silkpipe.class_evidence import ClassTest
    from silkpipe.signature import SignatureTest

    jumps, turns = r["sig_words"]
    sig = SignatureTest(0.0, r["sig_p"], jumps, turns, r["sig_testable"])
    cls = None
    if r.get("cls_model") is not None:
        cls = ClassTest(
            0.0,
            r["cls_p"],
            r["cls_words"],
            r.get("cls_classes") or 0,
            r["cls_testable"],
            r["cls_model"],
        )
    return gt.gate_verdict(
        r["quality"],
        r["p"],
        sig,
        cfg,
        cls,
        r["at_edge"],
        r["moved"],
        r["disagree"],
        bool(r.get("rate_fitted")),
        r.get("class_channels"),
        r.get("lag_margin"),
        r.get("rate_edge"),
    )


def replay(args):
    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    changed = collections.Counter()
    for path in args:
        for _run, d in json.loads(Path(path).read_text()).items():
            for grp in ("sessions", "controls"):
                for n, rows in d[grp].items():
                    for r in rows:
                        if "quality" not in r:
                            continue
                        excluded, gate = verdict_of(r, cfg)
                        if excluded == r["excluded"]:
                            continue
                        kind = r.get("kind", "session")
                        changed[(group(kind, r), gate)] += 1
                        print(
                            f"   {Path(path).stem} {n[4:]} {kind} r{r.get('round')} "
                            f"err {_f(r['err'])} -> {gate}: {line(r)}"
                        )
    print("changed:", dict(changed))


if __name__ == "__main__":
    {"table": table, "replay": replay}[sys.argv[1]](sys.argv[2:])
