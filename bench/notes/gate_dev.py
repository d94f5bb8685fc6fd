"""Dev harness of the alignment gate (issue 24, helper g24). Not shipped.

Protocol: dev sessions from R12's training side of clips-dev (bench.voice_path.split_clips,
via `clip_align_dev.py split OUT`), `silkpipe synth --from-clips OUT/r12/train --out DIR/sS
--realistic --seed S --gestures 30`, seeds 71-78 dev, 79-82 held out. Oracle words. For
each session: the alignment, two one-period shifted controls, one 5-20 s shifted control
and one shuffled control (the next session's words). The gate's evidence of every row is
cached as JSON (per shuffles setting), so gate variants are scored without re-aligning.

    python bench/notes/gate_dev.py collect OUT.json DIR... [--shuffles=N] [--clips=DIR]
    python bench/notes/gate_dev.py score OUT.json
"""

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from align_dev import load  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
from silkpipe.voice_score import SHIFTS, shifted_control  # noqa: E402

CAPTURED: list = []
_decide = al.decide


def _capture(ev, cfg, force, commands):
    CAPTURED.append(ev)
    return _decide(ev, cfg, force, commands)


al.decide = _capture


def _row(kind, ev, rep, err, seconds):
    cls = ev.cls
    return dict(
        kind=kind,
        err=err,
        excluded=rep.excluded,
        gate=rep.gate,
        quality=ev.quality,
        p=ev.p_value,
        sig_p=ev.sig.p_value,
        sig_words=[ev.sig.jumps, ev.sig.turns],
        sig_testable=ev.sig.testable,
        cls_p=None if cls is None else cls.p_value,
        cls_words=None if cls is None else cls.words,
        cls_testable=None if cls is None else cls.testable,
        cls_model=None if cls is None else cls.model,
        at_edge=ev.at_edge,
        moved=ev.moved,
        disagree=ev.disagree,
        time_model=rep.time_model,
        seconds=round(seconds, 1),
    )


def collect(out, dirs, shuffles=40, clips=None, perms=None):
    import functools

    from silkpipe.clip_evidence import clip_model_from_folder

    if perms:  # the self-trained class test's label permutations
        al.class_test = functools.partial(al.class_test, permutations=perms)

    model = clip_model_from_folder(clips) if clips else None
    data = {
        f.parent.name: load(f.parent) for d in dirs for f in sorted(Path(d).glob("*/truth.json"))
    }
    names = sorted(data)
    cfg = replace(al.AlignConfig(), shuffles=shuffles)
    rows = json.loads(Path(out).read_text()) if Path(out).exists() else {}
    for i, n in enumerate(names):
        if n in rows:
            continue
        truth, motion, cmds = data[n]
        CAPTURED.clear()
        t = time.time()
        _, rep = al.align_session(n, motion, cmds, cfg, clip_model=model)
        err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
        if not CAPTURED:  # too few words: no evidence
            rows[n] = [dict(kind="session", err=None, excluded=True, gate="too few")]
            continue
        out_rows = [_row("session", CAPTURED[-1], rep, err, time.time() - t)]
        rng = np.random.default_rng([0, i])
        for kind, lo, hi in SHIFTS + (("period", 1.5, 3.0),):
            shift = float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))
            CAPTURED.clear()
            t = time.time()
            r = shifted_control(n, motion, cmds, truth["offset_s"], shift, cfg, clip_model=model)
            ev = CAPTURED[-1] if CAPTURED else None
            row = dict(kind=kind, err=r["offset_error"], excluded=r["excluded"], gate=r["gate"])
            if ev is not None:
                fake = type("R", (), dict(excluded=r["excluded"], gate=r["gate"], time_model=""))
                row = _row(kind, ev, fake, r["offset_error"], time.time() - t)
            row["outcome"] = r["outcome"]
            out_rows.append(row)
        donor = names[(i + 1) % len(names)]
        CAPTURED.clear()
        t = time.time()
        _, crep = al.align_session(n + "-ctl", motion, data[donor][2], cfg, clip_model=model)
        if CAPTURED:
            out_rows.append(_row("shuffled", CAPTURED[-1], crep, None, time.time() - t))
        rows[n] = out_rows
        s = out_rows[0]
        print(
            f"{n} err={s['err']} q={s.get('quality', 0):.2f} p={s.get('p', 1):.3f} "
            f"cp={s.get('cls_p')} sig={s.get('sig_p')} ex={s['excluded']} {s.get('seconds')}s",
            flush=True,
        )
        Path(out).write_text(json.dumps(rows, indent=1))


def score(path, gate=None):
    """Passes of sessions (right / wrong) and controls under ``gate`` (None: as recorded)."""
    rows = json.loads(Path(path).read_text())
    res = dict(sessions=0, within=0, right=0, wrong=0, controls=0, ctl_pass=0)
    for _, rs in sorted(rows.items()):
        for r in rs:
            passed = (not r["excluded"]) if gate is None or "quality" not in r else gate(r)
            if r["kind"] == "session":
                res["sessions"] += 1
                ok = r["err"] is not None and abs(r["err"]) <= 0.3
                res["within"] += ok
                res["right"] += passed and ok
                res["wrong"] += bool(passed and r["err"] is not None and abs(r["err"]) > 0.5)
            else:
                res["controls"] += 1
                corrected = (
                    r["err"] is not None and abs(r["err"]) <= 0.3 and r["kind"] != "shuffled"
                )
                res["ctl_pass"] += bool(passed and not corrected)
    return res


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(a[2:].split("=", 1) for a in args if a.startswith("--"))
    rest = [a for a in args if not a.startswith("--")]
    if rest[0] == "collect":
        collect(
            rest[1],
            rest[2:],
            int(opts.get("shuffles", 40)),
            opts.get("clips"),
            int(opts.get("perms", 0)) or None,
        )
    else:
        print(score(rest[1]))
