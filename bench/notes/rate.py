"""Evidence about the clock RATE where the aligner fits it (issue 24, helper rate). Not shipped.

Run-level harness = d14_dev.py `runs` (session_classes_dev.py: first pass, veto,
session-class rounds, four controls per session, exact words, 40 shuffles). On top, every
row records the clock fit of its align_session call: the time model's rate source, rows/s
and bound (rate_uncertainty), the scale chosen and, where the scale was searched, each
searched scale's quality, offset and whether it lay at the offset search's edge (`scales`:
[a, quality, offset_s, at_edge]).

    python bench/notes/rate.py collect OUT.json KEY=VALUE... -- RUN_DIR...
    python bench/notes/rate.py measure ROWS.json... -- RUN_DIR...
        # every rate-fitted row: fitted scale, bound, true scale (truth.json), verdict
    python bench/notes/rate.py score ROWS.json... [rule=edge|prior] -- RUN_DIR...
        # right / false / controls passed, with a candidate rule applied offline
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

LAST: dict = {}  # the clock fit of the current align_session call


def patch():
    """Record each align_session call's clock fit beside its gate row."""
    import gate_dev

    import silkpipe.alignment as al
    import silkpipe.clock_fit as cf

    plain_fit, plain_offset, plain_scale, plain_row = (
        al._fit_clock,
        cf.offset_fit,
        cf.fit_scale_offset,
        gate_dev._row,
    )
    calls: list = []

    def fit_clock(motion, commands, cfg, clips=None):
        LAST.clear()
        tm = motion.time_model
        LAST.update(
            source=tm.get("rate_source"),
            rows_per_s=tm.get("rows_per_s"),
            bound=tm.get("rate_uncertainty"),
        )
        out = plain_fit(motion, commands, cfg, clips)
        LAST["scale"] = out.scale
        return out

    def offset_fit(*a, **k):
        out = plain_offset(*a, **k)
        calls.append([out.offset_s, out.quality, bool(out.at_edge)])
        return out

    def fit_scale(motion, commands, cfg, scales=cf.SCALES, clips=None):
        calls.clear()
        out = plain_scale(motion, commands, cfg, scales, clips)
        LAST["scales"] = [
            [float(a), round(float(q), 3), round(float(b), 3), e]
            for a, (b, q, e) in zip(scales, calls, strict=True)
        ]
        return out

    def row(kind, ev, rep, err, seconds):
        return dict(plain_row(kind, ev, rep, err, seconds), **LAST)

    al._fit_clock, cf.offset_fit, cf.fit_scale_offset, gate_dev._row = (
        fit_clock,
        offset_fit,
        fit_scale,
        row,
    )


def collect(args):
    import d14_dev

    patch()
    d14_dev.runs(args[0], args[1:])


# ---------------------------------------------------------------- offline


def truths(dirs):
    """{session name: its truth.json}."""
    out = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            out[f.parent.name] = json.loads(f.read_text())
    return out


def _split(args):
    i = args.index("--")
    kv = dict(a.split("=", 1) for a in args[:i] if "=" in a)
    return [a for a in args[:i] if "=" not in a], kv, args[i + 1 :]


def _rows(paths):
    """(set, run, name, kind, row) for every row of the rows files."""
    for path in paths:
        for run, data in json.loads(Path(path).read_text()).items():
            for grp in ("sessions", "controls"):
                for n, rows in data[grp].items():
                    for r in rows:
                        yield Path(path).stem, run, n, r.get("kind", "session"), r


def a_true(truth, rows_per_s):
    from clock_rate_dev import true_rate

    return true_rate(truth) / rows_per_s


def _class_route(r):
    return r["gate"] in ("clip classes", "session classes")


def verdict(r):
    """right / false / between / refused / ctl-pass / ctl-refused / ctl-corrected."""
    ok = r["err"] is not None and abs(r["err"]) <= 0.3
    if r["kind"] != "session":
        if r["excluded"]:
            return "ctl-refused"
        return "ctl-corrected" if ok and r["kind"] != "shuffled" else "CTL-PASS"
    if r["excluded"]:
        return "refused"
    if ok:
        return "right"
    return "FALSE" if abs(r["err"]) > 0.5 else "between"


def measure(args):
    paths, _, dirs = _split(args)
    tr = truths(dirs)
    print("set run name kind round verdict gate err q cls_p source bound a_true scale picked-true")
    for s, run, n, kind, r in _rows(paths):
        if not r.get("rate_fitted"):
            continue
        at = a_true(tr[n], r["rows_per_s"])
        sc = r["scale"]
        print(
            f"{s} {run} {n[4:10]} {kind} {r.get('round', '-')} {verdict(r)} [{r['gate']}] "
            f"err {_f(r['err'])} q {r['quality']:.2f} cls_p {_f(r['cls_p'], 4)} "
            f"{r['source']} bound {r['bound']:.4f} a_true {at:.4f} scale {sc:.4f} "
            f"d {sc - at:+.4f} range {r['scales'][0][0]:.4f}..{r['scales'][-1][0]:.4f}"
        )


def at_edge(r, rule):
    """Candidate rules (fixed before scoring, bench/notes/rate.txt): "best" = the searched
    scale with the best quality is the smallest or largest searched; "chosen" = the scale
    taken (after the tie rule) is."""
    scales = [a for a, *_ in r["scales"]]
    if rule == "best":
        a = scales[int(np.argmax([q for _, q, *_ in r["scales"]]))]
    else:
        a = r["scale"]
    return a in (scales[0], scales[-1])


def refused_by(r, rule):
    """A pass the rule refuses: rate fitted, below sure quality (not an energy pass), the
    scale at the edge."""
    return (
        rule != "none"
        and r.get("rate_fitted")
        and not r["excluded"]
        and not r["gate"].startswith("energy")
        and at_edge(r, rule)
    )


def score(args):
    """Final verdicts per rows file (sessions: the last round; controls: each), with the
    rule applied offline to each final row (effects on later rounds' models not simulated)."""
    paths, kv, _ = _split(args)
    for rule in ("none", "best", "chosen"):
        tot: dict = {}
        for path in paths:
            c = dict(right=0, false=0, between=0, ctl_pass=0, refused_now=[])
            for _s, _run, n, kind, r in _last(path):
                v = verdict(r)
                if refused_by(r, rule):
                    c["refused_now"].append(f"{n[4:10]} {kind} {v} err {_f(r['err'])}")
                    continue
                key = {"right": "right", "FALSE": "false", "between": "between"}.get(v)
                key = "ctl_pass" if v == "CTL-PASS" else key
                if key:
                    c[key] += 1
            tot[Path(path).stem] = c
        print(rule)
        for k, c in tot.items():
            print(" ", k, c)


def _last(path):
    """(set, run, name, kind, row): each session's final row and every control row."""
    for run, data in json.loads(Path(path).read_text()).items():
        for n, rows in data["sessions"].items():
            yield Path(path).stem, run, n, "session", rows[-1]
        for n, rows in data["controls"].items():
            for r in rows:
                yield Path(path).stem, run, n, r["kind"], r


def compare(args):
    """Rows of two rows files (the same runs, before/after) whose verdict or offset differ,
    and each file's run-level summary (session_classes_dev._summary)."""
    import session_classes_dev as scd

    before, after = (json.loads(Path(p).read_text()) for p in args[:2])
    changed = 0
    for run in before:
        for grp in ("sessions", "controls"):
            for n, rows in before[run][grp].items():
                later = after[run][grp][n]
                if len(later) != len(rows):
                    changed += 1
                    print(run, n, f"{len(rows)} rows -> {len(later)}", later[-1].get("gate"))
                for r, q in zip(rows, later, strict=False):
                    key = ("excluded", "gate", "err")
                    if any(r.get(k) != q.get(k) for k in key):
                        changed += 1
                        print(run, n, [r.get(k) for k in key], "->", [q.get(k) for k in key])
    print("rows changed:", changed)
    print("before", scd._summary(before))
    print("after ", scd._summary(after))


def compact(args):
    """OUT.json ROWS.json... -- RUN_DIR...: every rate-fitted row with its clock fit and
    a_true, without the rest (bench/notes/rate_rows.json). Rows files whose run folders
    share session names (the held-out deliveries) are given one call each."""
    out, paths, dirs = args[0], *_split(args[1:])[::2]
    tr = truths(dirs)
    keep = ("round", "err", "excluded", "gate", "quality", "cls_p", "source", "bound", "scale")
    rows = json.loads(Path(out).read_text()) if Path(out).exists() else []
    for s, run, n, kind, r in _rows(paths):
        if r.get("rate_fitted"):
            at = round(a_true(tr[n], r["rows_per_s"]), 5)
            row = dict(set=s, run=run, name=n, kind=kind, **{k: r.get(k) for k in keep})
            rows.append(dict(row, verdict=verdict(r), a_true=at, scales=r["scales"]))
    Path(out).write_text(json.dumps(rows, indent=0))


def census(args):
    """Per session, before any alignment: time model, rate source, bound, and whether the
    scale search runs (alignment._searched_scales with the oracle words): which held-out
    sessions are rate-fitted ones, from the inputs alone."""
    from align_dev import load

    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    fitted = 0
    for d in args:
        for f in sorted(Path(d).glob("*/truth.json")):
            _, motion, cmds = load(f.parent)
            cmds, _ = al.reachable_words(motion, cmds, cfg)
            scales = al._searched_scales(motion, cmds, cfg)
            tm = motion.time_model
            fitted += len(scales) > 1
            print(
                f.parent.name,
                tm.get("kind"),
                tm.get("rate_source"),
                tm.get("rate_uncertainty"),
                len(scales),
                flush=True,
            )
    print("rate-fitted sessions:", fitted)


def _f(x, k=2):
    return "-" if x is None else f"{x:+.{k}f}"


if __name__ == "__main__":
    {
        "collect": collect,
        "measure": measure,
        "census": census,
        "score": score,
        "compare": compare,
        "compact": compact,
    }[sys.argv[1]](sys.argv[2:])
