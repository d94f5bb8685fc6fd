"""Why right-offset sessions are refused by the gate, and candidate gate changes (issue 24,
helper gaterecall). Not shipped.

    python bench/notes/gaterecall.py collect OUT.json KEY=VALUE... -- RUN_DIR...
        # rate.py collect (d14_dev runs: first pass, veto, session-class rounds, four
        # controls per session), rows also carry lag margin, rate edge and class channels
    python bench/notes/gaterecall.py table ROWS.json...
        # right-but-refused sessions beside every false candidate (wrong offsets, controls)
    python bench/notes/gaterecall.py regate ROWS.json... [KEY=VALUE...]
        # every row's gate re-decided offline from its evidence (alignment.gate_verdict)
        # under an AlignConfig variant: right / false / controls passed
"""

import collections
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

RIGHT_S, WRONG_S = 0.3, 0.5


def collect(args):
    """rate.py collect, each row with the evidence the gate weighed beyond gate_dev's."""
    import gate_dev
    import rate

    rate.patch()
    plain = gate_dev._row

    def row(kind, ev, rep, err, seconds):
        return dict(
            plain(kind, ev, rep, err, seconds),
            lag_margin=ev.lag_margin,
            rate_edge=ev.rate_edge,
            class_channels=ev.class_channels,
            cls_classes=None if ev.cls is None else ev.cls.classes,
            offset_confidence=getattr(rep, "offset_confidence", None),
        )

    gate_dev._row = row
    rate.collect(args)


def rows(paths):
    """(set, run, name, kind, row) of every session's FINAL round and every control."""
    for path in paths:
        data = json.loads(Path(path).read_text())
        for run, d in data.items():
            if not isinstance(d, dict) or "sessions" not in d:
                continue
            for n, rs in d["sessions"].items():
                yield Path(path).name, run, n, _kind("sessions", rs[-1]), rs[-1]
            for n, rs in d["controls"].items():
                for r in rs:
                    yield Path(path).name, run, n, _kind("controls", r), r


def _kind(grp, r):
    if grp == "controls":
        return "ctl:" + str(r.get("kind"))
    e = abs(r["err"]) if r.get("err") is not None else None
    if e is None:
        return "sess:?"
    return "right" if e <= RIGHT_S else ("wrong" if e > WRONG_S else "mid")


def counted_pass(kind, r, excluded):
    """'right', 'false', 'ctl' or '' for a row's verdict (a control corrected to within
    0.3 s of the truth is not counted as passed, as gate4.py)."""
    if excluded:
        return ""
    if kind == "right":
        return "right"
    if kind == "wrong":
        return "false"
    if kind.startswith("ctl:"):
        e = r.get("err")
        return "" if e is not None and abs(e) <= RIGHT_S else "ctl"
    return ""


def fmt(r):
    cp = -1.0 if r.get("cls_p") is None else r["cls_p"]
    m = r.get("lag_margin")
    return (
        f"q {r['quality']:5.2f} p {r['p']:.3f} {str(r.get('cls_model')):8s} cls_p {cp:.4f} "
        f"w {r.get('cls_words')} sig_p {r['sig_p']:.3f} {r['sig_words']} "
        f"rf {int(bool(r.get('rate_fitted')))} mv {int(r['moved'])} "
        f"margin {'-' if m is None else f'{m:+.2f}'}"
    )


def table(paths):
    """Right-but-refused sessions by refusing rule, and the false candidates by rule."""
    by = collections.defaultdict(list)
    for s, _run, n, k, r in rows(paths):
        if k == "right" and not r["excluded"]:
            by[("right passed", "")].append((s, n, r))
        elif r["excluded"]:
            by[(k, r["gate"])].append((s, n, r))
        else:
            by[(k, "PASS " + r["gate"])].append((s, n, r))
    for key in sorted(by):
        v = sorted(by[key], key=lambda x: -x[2]["quality"])
        qs = [x[2]["quality"] for x in v]
        print(f"== {key[0]:14s} {key[1]:34s} n {len(v):4d}  quality max {max(qs):.2f}")
        if key[0] in ("right", "wrong") or key[1].startswith("PASS") and key[0] != "right passed":
            for s, n, r in v:
                print(f"     {s[:22]:22s} {n[4:10]} err {r.get('err')!s:.6} {fmt(r)}")


def summary(paths):
    """Right-but-refused sessions by refusing rule (quality spread, and how far below the
    energy level 6.0), and the false candidates (not at the search edge) by kind."""
    import numpy as np

    right, false = collections.defaultdict(list), collections.defaultdict(list)
    for *_, k, r in rows(paths):
        if k == "right" and r["excluded"]:
            right[r["gate"]].append(r)
        elif (k == "wrong" or k.startswith("ctl:")) and not r["at_edge"]:
            if k.startswith("ctl:") and counted_pass(k, r, False) == "":
                continue
            false[k].append(r)
    print("right but refused, by rule: n  quality q10/q50/max  q>=5.5  q>=5.0  fixed cls_p<=.05")
    for g, v in sorted(right.items(), key=lambda x: -len(x[1])):
        q = np.array([r["quality"] for r in v])
        fixed = sum(
            r.get("cls_model") in ("clips", "sessions") and (r["cls_p"] or 1) <= 0.05 for r in v
        )
        print(
            f"  {g:34s} {len(v):3d}  {np.quantile(q, 0.1):5.2f} {np.median(q):5.2f} "
            f"{q.max():5.2f}  {int((q >= 5.5).sum()):3d}  {int((q >= 5.0).sum()):3d}  {fixed:3d}"
        )
    print("false candidates (not at the search edge), by kind: n  top qualities (rule)")
    for k, v in sorted(false.items()):
        v.sort(key=lambda r: -r["quality"])
        top = ", ".join(
            f"{r['quality']:.2f} ({r['gate'] if r['excluded'] else 'PASS'})" for r in v[:4]
        )
        print(f"  {k:14s} {len(v):4d}  {top}")


def verdict(r, cfg):
    """alignment.gate_verdict on a row's evidence (rows without a lag margin: the recorded
    PEAKS_AWAY verdict kept as a margin of -1)."""
    import silkpipe.gate as gt
    from silkpipe.class_evidence import ClassTest
    from silkpipe.signature import SignatureTest

    sig = SignatureTest(0.0, r["sig_p"], *r["sig_words"], testable=r["sig_testable"])
    cls = None
    if r.get("cls_model") is not None:
        cls = ClassTest(
            0.0,
            r["cls_p"],
            r["cls_words"],
            r.get("cls_classes") or 2,
            r["cls_testable"],
            r["cls_model"],
        )
    margin = r.get("lag_margin", r.get("margin", -1.0 if r["gate"] == gt.PEAKS_AWAY else None))
    edge = r.get("rate_edge", 1.0 if r["gate"] == gt.RATE_AT_EDGE else None)
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
        r.get("class_channels", True),
        margin,
        edge,
    )


def regate(args):
    import silkpipe.alignment as al

    paths = [a for a in args if "=" not in a]
    kv = {k: _typed(v) for k, v in (a.split("=", 1) for a in args if "=" in a)}
    base, cand = al.AlignConfig(), replace(al.AlignConfig(), **kv)
    tot = collections.Counter()
    for s, _run, n, k, r in rows(paths):
        b_ex, b_gate = verdict(r, base)
        c_ex, c_gate = verdict(r, cand)
        tot["rows"] += 1
        tot["agree_recorded"] += b_ex == r["excluded"]
        for tag, ex in (("before", b_ex), ("after", c_ex)):
            c = counted_pass(k, r, ex)
            if c:
                tot[f"{tag} {c}"] += 1
        if b_ex != c_ex:
            print(f"  {s[:22]:22s} {n[4:10]} {k:12s} {b_gate} -> {c_gate}  {fmt(r)}")
    print(" ".join(f"{k}={v}" for k, v in sorted(tot.items())))


def levels(args):
    """Per row, the highest energy level (gate_levels' min_quality, lift included) at which
    it would pass, other settings as AlignConfig (or KEY=VALUE); right rows and false
    candidates (sessions > 0.5 s off, controls not corrected) listed by that level."""
    import numpy as np

    import silkpipe.alignment as al

    paths = [a for a in args if "=" not in a]
    kv = {k: _typed(v) for k, v in (a.split("=", 1) for a in args if "=" in a)}
    base = replace(al.AlignConfig(), **kv)
    lift = al.gate_levels(base).min_quality - base.min_quality
    steps = np.round(np.arange(8.0, 2.0, -0.05), 2)
    found = collections.defaultdict(list)
    for s, _run, n, k, r in rows(paths):
        if k not in ("right", "wrong") and not k.startswith("ctl:"):
            continue
        at = next(
            (lv for lv in steps if not verdict(r, replace(base, min_quality=lv - lift))[0]), None
        )
        if at is None or (k.startswith("ctl:") and not counted_pass(k, r, False)):
            continue
        found["right" if k == "right" else "false"].append((at, s, n, k, r))
    for k in ("false", "right"):
        v = sorted(found[k], key=lambda x: -x[0])
        print(f"== {k}: rows passing at some level >= 2.0: {len(v)}")
        for at, s, n, kind, r in v[: 12 if k == "false" else 0]:
            print(
                f"   level {at:5.2f} {s[:22]:22s} {n[4:10]} {kind:12s} err {r.get('err')!s:.6} {fmt(r)}"
            )
        for lv in (6.0, 5.75, 5.5, 5.25, 5.0, 4.5):
            print(f"   pass at level {lv}: {sum(a >= lv for a, *_ in v)}")


def real(args):
    """The 4 real sessions (first pass, the clips-dev class model) under each AlignConfig
    variant given as KEY=VALUE,KEY=VALUE (one argument per variant; "main": defaults):
    offset, quality, pass or refusal, gate. A session without whisperx_output.json takes
    the transcribe step's transcript from $TRANSCRIPTS/<session>.json."""
    from silkpipe.alignment import AlignConfig, align_session
    from silkpipe.clip_evidence import clip_model_from_folder
    from silkpipe.sessions import load_session
    from silkpipe.transcripts import extract_commands, load_transcript
    from silkpipe.validation import usable_commands

    data = REPO.parent / "shared" / "data"
    model = clip_model_from_folder(data / "clips-dev")
    for folder in sorted((data / "sessions").iterdir()):
        session = load_session(folder)
        motion = session.motion()
        own = folder / "whisperx_output.json"  # else the transcribe step's (TRANSCRIPTS)
        path = own if own.is_file() else Path(os.environ["TRANSCRIPTS"]) / f"{folder.name}.json"
        ext = extract_commands(load_transcript(path))
        for variant in args:
            kv = {} if variant == "main" else dict(a.split("=", 1) for a in variant.split(","))
            cfg = replace(AlignConfig(), **{k: _typed(v) for k, v in kv.items()})
            span = (float(motion.t[0]), float(motion.t[-1]))
            commands, glitches = usable_commands(ext.commands, span, cfg.search_s)
            _, rep = align_session(
                session.name,
                motion,
                commands,
                cfg,
                rejected_words=ext.rejected + glitches,
                clip_model=model,
            )
            print(
                f"{folder.name[9:15]} {variant:55s} offset {rep.offset_s} q "
                f"{rep.quality:5.2f} excluded {rep.excluded!s:5s} gate {rep.gate}",
                flush=True,
            )


def _typed(v):
    if v in ("True", "False"):
        return v == "True"
    return None if v == "None" else float(v)


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "collect":
        collect(rest)
    elif cmd == "table":
        table(rest)
    elif cmd == "real":
        real(rest)
    elif cmd == "summary":
        summary(rest)
    elif cmd == "levels":
        levels(rest)
    elif cmd == "regate":
        regate(rest)
