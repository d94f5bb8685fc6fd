"""The first pass's self-trained class contradiction carried into the session-class rounds
(issue 24, review38d L1, helper l1carry39). Rule and results: bench/notes/l1carry.txt.

    python bench/notes/l1carry.py collect OUT.json [--carry] -- RUN_DIR...
        # fresh38.py collect (first pass, veto, rounds, four controls per session, exact
        # words, 40 shuffles); --carry: every alignment with a class model gets
        # contradicted=True where the same session's (or control's) alignment without one
        # was refused "class evidence contradicts", as the align step carries it
    python bench/notes/l1carry.py dev ROWS.json...
        # offline: sessions refused by the self-trained contradiction in the first pass
        # whose final round passes, re-decided with alignment._confirms_contradicted
    python bench/notes/l1carry.py report ROWS.json... / diff BEFORE.json AFTER.json
        # fresh38.py report / diff
"""

import collections
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

CONTRADICTS = "class evidence contradicts"


def carry():
    """Patch alignment.align_session: remember each name's verdict without a class model,
    and pass contradicted=True to its next alignments with one (harness names: a session's
    own, "<name>-ctl" for its shuffled control, "<name>-shifted" for each shifted control,
    re-tested right after its own first alignment)."""
    import silkpipe.alignment as al

    plain = al.align_session
    first: dict[str, str] = {}

    def align_session(name, motion, commands, cfg=None, **kw):
        if kw.get("clip_model") is None:
            out = plain(name, motion, commands, cfg, **kw)
            first[name] = out[1].gate
            return out
        kw["contradicted"] = kw.get("contradicted") or first.get(name) == CONTRADICTS
        return plain(name, motion, commands, cfg, **kw)

    al.align_session = align_session


def collect(args):
    import fresh38
    import gate_dev

    if "--carry" in args:
        carry()
        plain = gate_dev._row

        def row(kind, ev, rep, err, seconds):
            return dict(plain(kind, ev, rep, err, seconds), contradicted=ev.contradicted)

        gate_dev._row = row
    fresh38.collect([a for a in args if a != "--carry"])


def _sessions(data):
    """(set, run, name, rounds) of a rows file, whatever its layout (session lists or
    d14_dev_rows' per-session "rounds")."""
    for tag, sets in data.items():
        if not isinstance(sets, dict):
            continue
        if "sessions" in sets:  # one run
            sets = {"": sets}
        for run, v in sets.items():
            if isinstance(v, dict) and "sessions" in v:
                for n, rs in v["sessions"].items():
                    yield tag, run, n, rs
            elif isinstance(v, dict) and "rounds" in v:
                yield tag, v.get("run", ""), run, v["rounds"]


def _evidence(r):
    """alignment.Evidence from a row's recorded fields (missing ones: None / defaults)."""
    import silkpipe.alignment as al
    from silkpipe.class_evidence import ClassTest
    from silkpipe.signature import SignatureTest

    cls = None
    in_round = r.get("round") not in (0, None)  # older rows name no model: a round's is "sessions"
    if r.get("cls_p") is not None:
        cls = ClassTest(
            0.0,
            r["cls_p"],
            r.get("cls_words") or 0,
            r.get("cls_classes") or 2,
            bool(r.get("cls_testable", True)),
            r.get("cls_model") or ("sessions" if in_round else "self"),
        )
    sig = SignatureTest(0.0, r.get("sig_p", 1.0), 0, 0, False)
    return al.Evidence(
        r["quality"],
        r["p"],
        sig,
        cls,
        rate_fitted=bool(r.get("rate_fitted")),
        lag_margin=r.get("lag_margin"),
        rate_edge=r.get("rate_edge"),
        contradicted=True,
    )


def dev(args):
    import silkpipe.alignment as al
    import silkpipe.gate as gt

    cfg = al.AlignConfig()
    for path in args:
        c: collections.Counter = collections.Counter()
        for tag, run, n, rs in _sessions(json.loads(Path(path).read_text())):
            if not rs or not isinstance(rs[0], dict):
                continue
            last = rs[-1]
            ok = last["err"] is not None and abs(last["err"]) <= 0.3
            c[f"{tag} sessions"] += 1
            c[f"{tag} right before"] += bool(not last["excluded"] and ok)
            if rs[0].get("gate") != CONTRADICTS:
                continue
            c[f"{tag} contradicted first"] += 1
            if len(rs) == 1 or last["excluded"]:
                continue
            c[f"{tag} contradicted, passed later"] += 1
            keeps = gt._confirms_contradicted(_evidence(last), cfg)
            lost = "" if keeps else "  LOST"
            c[f"{tag} right lost"] += bool(ok and not keeps)
            c[f"{tag} false refused"] += bool(not keeps and not ok)
            print(
                f"   {Path(path).name} {tag} {run} {n}: {last['gate']} err {last['err']:+.2f} "
                f"q {last['quality']:.2f} cls_p {last.get('cls_p')} margin "
                f"{last.get('lag_margin')}{lost}"
            )
        tags = sorted({k.rsplit(" ", 1)[0].split(" ")[0] for k in c})
        for tag in tags:
            print(
                f"== {Path(path).name} {tag}: "
                + ", ".join(
                    f"{k[len(tag) + 1 :]} {v}"
                    for k, v in sorted(c.items())
                    if k.split(" ")[0] == tag
                )
            )


if __name__ == "__main__":
    import fresh38

    commands = {"collect": collect, "dev": dev, "report": fresh38.report, "diff": fresh38.diff}
    commands[sys.argv[1]](sys.argv[2:])
