"""gate43's opt-in route (class_peak_unlifts) on DEV rows (issue 24, helper route44). Rule
and results: bench/notes/route44.txt. Not shipped.

    python bench/notes/route44.py rows [KEY=VALUE...] -- ROWS.json...
        # every row (each round of each session, every control) the route passes or would
        # pass: recorded gate "energy, class lag profile confirms", or this checkout's
        # gate_verdict under the AlignConfig variant (KEY=VALUE) naming it; by group (right /
        # between / wrong / control kind) with the gate's evidence (gate43.line)
    python bench/notes/route44.py ranges -- ROWS.json...
        # per group, the figures of the rows open to the route (quality from min_quality to
        # the lifted level less energy_allowance, nothing else refusing, a fixed model):
        # lag margin, class p, energy p, quality
"""

import collections
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def _cfg(kv):
    import silkpipe.alignment as al

    typed = {k: (v == "True") if v in ("True", "False") else float(v) for k, v in kv.items()}
    return replace(al.AlignConfig(), **typed)


def _split(args):
    i = args.index("--")
    return dict(a.split("=", 1) for a in args[:i]), args[i + 1 :]


def every_row(paths):
    """(file stem, name, kind, row) for each round of each session and every control."""
    import json

    for path in paths:
        for _run, d in json.loads(Path(path).read_text()).items():
            for grp in ("sessions", "controls"):
                for n, rows in d[grp].items():
                    for i, r in enumerate(rows):
                        kind = r.get("kind", "session")
                        name = n if kind == "session" else f"{n}#{i}"
                        if "quality" in r:
                            yield Path(path).stem, name, kind, r


def rows(args):
    import gate43

    import silkpipe.gate as gt

    kv, paths = _split(args)
    cfg = _cfg(kv) if kv else None
    seen = collections.Counter()
    for stem, n, kind, r in every_row(paths):
        gate = r["gate"] if cfg is None else gate43.verdict_of(r, cfg)[1]
        if gate != gt.PROFILE_UNLIFTS:
            continue
        g = gate43.group(kind, r)
        seen[g] += 1
        rnd = r.get("round", "")
        print(
            f"   {g:16s} {stem[:22]:22s} {n[4:]:12s} r{rnd!s:4s} err {gate43._f(r['err'])} "
            f"{gate43.line(r)}"
        )
    print("route passes by group:", dict(seen))


def open_to_route(r, cfg):
    """The row reaches the route's test: energy between min_quality and the lifted level
    less energy_allowance, no other refusal before it, a fixed class model's lag margin."""
    import gate43

    import silkpipe.gate as gt

    if r.get("lag_margin") is None:
        return False
    on = replace(cfg, class_peak_unlifts=True, class_peak_margin=-1e9)
    return gate43.verdict_of(dict(r, lag_margin=abs(r["lag_margin"]) + 1e-6), on)[1] == (
        gt.PROFILE_UNLIFTS
    )


def ranges(args):
    import gate43

    kv, paths = _split(args)
    cfg = _cfg(kv)
    groups = collections.defaultdict(list)
    for stem, n, kind, r in every_row(paths):
        if open_to_route(r, cfg):
            groups[gate43.group(kind, r)].append((stem, n, r))
    for g, rs in sorted(groups.items()):
        print(f"== {g}: {len(rs)} rows open to the route")
        for stem, n, r in sorted(rs, key=lambda x: -x[2]["lag_margin"]):
            rnd = r.get("round", "")
            print(
                f"   {stem[:22]:22s} {n[4:]:12s} r{rnd!s:4s} err {gate43._f(r['err'])} "
                f"{gate43.line(r)}"
            )


def margins(args):
    """Per group, the lag margins of every row the route could see at some quality: a fixed
    model's margin, not at the search edge, not moved, not disagreeing, no fitted rate (any
    quality, since quality is the route's other, separate test). Positive ones listed."""
    import gate43
    import numpy as np

    _, paths = _split(args)
    groups = collections.defaultdict(list)
    for stem, n, kind, r in every_row(paths):
        if r.get("lag_margin") is None or r["at_edge"] or not gate43._open(r):
            continue
        groups[gate43.group(kind, r)].append((r["lag_margin"], stem, n, r))
    for g, rs in sorted(groups.items()):
        m = np.array([x[0] for x in rs])
        pos = sorted((x for x in rs if x[0] > 0), key=lambda x: -x[0])
        q = np.percentile(m, [50, 90]).round(2).tolist() if len(m) else []
        print(f"== {g}: n {len(m)} margin > 0: {len(pos)}  p50/p90 {q}  max {m.max():+.2f}")
        if not g.startswith("right"):
            for mm, stem, n, r in pos:
                print(
                    f"   {stem[:22]:22s} {n[4:]:18s} r{r.get('round', '')!s:4s} m {mm:+.2f} "
                    f"q {r['quality']:5.2f} cp {gate43._f(r.get('cls_p'), 3)} "
                    f"err {gate43._f(r['err'])} [{r['gate']}]"
                )


if __name__ == "__main__":
    {"rows": rows, "ranges": ranges, "margins": margins}[sys.argv[1]](sys.argv[2:])
