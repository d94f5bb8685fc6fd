"""Run-level harness of the cross-session class model (issue 24, helper gt). Not shipped.

Protocol: one seed folder of 4 realistic sessions = one run (`silkpipe synth --from-clips
/tmp/g24split/r12/train --out DIR/sS --realistic --seed S --gestures 30`, see gate_dev.py).
Oracle words, 40 shuffles. Per run, as silkpipe.steps.align does it: a first pass with no
class model; the veto (session_classes.VETO; --VETO=0 is main's behaviour before it): each
session passed on energy alone below sure_quality is re-aligned with the model of the other
first-pass passes, and that verdict stands; then, in rounds (session_classes.ROUNDS), each refused session is re-aligned with
the model of the sessions passed so far (never its own labels); a first pass refused
CHOICE_UNCONFIRMED carries its offset into those re-alignments as the step does
(``first_choice_s``, bigrun44; the step's CLASS_CONTRADICTS carry is not simulated here, as
before: l1carry.py measures it), and so does a control's re-test. Controls per session X (two
one-period shifts, one 5-20 s shift, one shuffled: the next session's words): first without a
model; when refused (or, with the veto, passed weakly on energy), again with the model of the run's finally passed sessions other than X
(fit_session_model); a control passes when either does. Gate evidence of every row is cached
as JSON.

    python bench/notes/session_classes_dev.py collect OUT.json SEED_DIR...
    python bench/notes/session_classes_dev.py score OUT.json
"""

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import gate_dev  # noqa: E402  (patches alignment.decide to capture the gate's evidence)
from align_dev import load  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
import silkpipe.gate as gt
from silkpipe import session_classes as sc  # noqa: E402
from silkpipe.voice_score import SHIFTS, shifted_control  # noqa: E402


def _align(name, motion, cmds, cfg, model, truth, choice=None):
    gate_dev.CAPTURED.clear()
    t = time.time()
    intervals, rep = al.align_session(
        name, motion, cmds, cfg, clip_model=model, first_choice_s=choice
    )
    err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
    if not gate_dev.CAPTURED:
        return intervals, dict(kind="session", err=None, excluded=True, gate="too few")
    return intervals, gate_dev._row("session", gate_dev.CAPTURED[-1], rep, err, time.time() - t)


def _weak(row, cfg):
    """The first-pass verdict is a pass on energy alone below sure_quality (the veto's)."""
    return sc.weak_energy_pass(
        row["excluded"], row["gate"], row.get("quality"), row.get("cls_model") or "", cfg
    )


def _veto(data, cfg, rows, passed, tried):
    """Each weak energy pass re-aligned with the model of the OTHER first-pass passes."""
    first = dict(passed)
    for n in sorted(first):
        if not _weak(rows[n][-1], cfg):
            continue
        trainers = sorted(m for m in first if m != n)
        model = sc.fit_session_model([(data[m][1], first[m]) for m in trainers])
        if model is None:
            continue
        tried[n] = trainers
        truth, motion, cmds = data[n]
        iv, row = _align(n, motion, cmds, cfg, model, truth)
        rows[n].append(dict(row, round="veto", trainers=trainers))
        if row["excluded"]:
            passed.pop(n)
        else:
            passed[n] = iv


def _rounds(data, cfg):
    """First pass, the veto (sc.VETO), then session-class rounds: {name: [rows...]},
    {passed name: intervals}."""
    rows, passed, tried = {}, {}, {}
    for n, (truth, motion, cmds) in data.items():
        iv, row = _align(n, motion, cmds, cfg, None, truth)
        rows[n] = [dict(row, round=0)]
        if not row["excluded"]:
            passed[n] = iv
    _veto(data, cfg, rows, passed, tried)
    for r in range(1, sc.ROUNDS + 1):
        start = dict(passed)
        for n, (truth, motion, cmds) in data.items():
            trainers = sorted(m for m in start if m != n)
            if n in passed or tried.get(n) == trainers:
                continue
            tried[n] = trainers
            model = sc.fit_session_model([(data[m][1], start[m]) for m in trainers])
            if model is None:
                continue
            iv, row = _align(n, motion, cmds, cfg, model, truth, _choice(rows[n][0], truth))
            rows[n].append(dict(row, round=r, trainers=trainers))
            if not row["excluded"]:
                passed[n] = iv
        if len(passed) == len(start):
            break
    return rows, passed


def _choice(first, truth):
    """The offset of a first pass refused CHOICE_UNCONFIRMED (None otherwise)."""
    if first["gate"] != gt.CHOICE_UNCONFIRMED or first["err"] is None:
        return None
    return first["err"] + truth["offset_s"]


def _control(kind, n, motion, cmds, truth, shift, cfg, model, choice=None):
    gate_dev.CAPTURED.clear()
    t = time.time()
    if kind == "shuffled":
        _, rep = al.align_session(
            n + "-ctl", motion, cmds, cfg, clip_model=model, first_choice_s=choice
        )
        r = dict(offset_error=None, excluded=rep.excluded, gate=rep.gate, outcome="")
        r["fit_offset_s"] = rep.offset_s
        r["outcome"] = "excluded" if rep.excluded else "false pass"
    else:
        r = shifted_control(
            n, motion, cmds, truth["offset_s"], shift, cfg, model, first_choice_s=choice
        )
    ev = gate_dev.CAPTURED[-1] if gate_dev.CAPTURED else None
    row = dict(kind=kind, err=r["offset_error"], excluded=r["excluded"], gate=r["gate"])
    if ev is not None:
        fake = type("R", (), dict(excluded=r["excluded"], gate=r["gate"], time_model=""))
        row = gate_dev._row(kind, ev, fake, r["offset_error"], time.time() - t)
    row.update(outcome=r["outcome"], model=None if model is None else model.source)
    row["fit_offset_s"] = r.get("fit_offset_s")
    return row


def _controls(data, passed, cfg, names, i, n):
    truth, motion, cmds = data[n]
    trainers = sorted(m for m in passed if m != n)
    model = sc.fit_session_model([(data[m][1], passed[m]) for m in trainers])
    rng = np.random.default_rng([0, i])
    out = []
    donor = names[(i + 1) % len(names)]
    plan = [(k, float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi)), cmds) for k, lo, hi in SHIFTS]
    plan += [("period", float(rng.choice([-1.0, 1.0]) * rng.uniform(1.5, 3.0)), cmds)]
    plan += [("shuffled", 0.0, data[donor][2])]
    for kind, shift, words in plan:
        row = _control(kind, n, motion, words, truth, shift, cfg, None)
        weak = _weak(row, cfg)
        if (row["excluded"] or weak) and model is not None:
            choice = row["fit_offset_s"] if row["gate"] == gt.CHOICE_UNCONFIRMED else None
            again = _control(kind, n, motion, words, truth, shift, cfg, model, choice)
            row = dict(again, weak=weak)
        out.append(dict(row, trainers=trainers if model is not None else []))
    return out


def collect(out, dirs, opts=None):
    for k, v in (opts or {}).items():  # e.g. --MIN_LABELS=2: a requirement variant
        setattr(sc, k, int(v))
    cfg = replace(al.AlignConfig(), shuffles=40)
    rows = json.loads(Path(out).read_text()) if Path(out).exists() else {}
    for d in dirs:
        if Path(d).name in rows:
            continue
        data = {f.parent.name: load(f.parent) for f in sorted(Path(d).glob("*/truth.json"))}
        names = sorted(data)
        t = time.time()
        sess, passed = _rounds(data, cfg)
        ctl = {n: _controls(data, passed, cfg, names, i, n) for i, n in enumerate(names)}
        rows[Path(d).name] = {"sessions": sess, "controls": ctl}
        Path(out).write_text(json.dumps(rows, indent=1))
        print(Path(d).name, f"{time.time() - t:.0f}s", _summary({Path(d).name: rows[Path(d).name]}))
        for n in names:
            print(
                "  ",
                n,
                [
                    (r["round"], _e(r["err"]), r["excluded"], r["gate"], r.get("cls_p"))
                    for r in sess[n]
                ],
            )
            print(
                "     ctl", [(c["kind"], c["excluded"], c["gate"], c.get("model")) for c in ctl[n]]
            )


def _e(err):
    return None if err is None else round(err, 2)


def _summary(runs):
    res = dict(
        sessions=0,
        within=0,
        right0=0,
        right=0,
        wrong=0,
        wrong0=0,
        by_sessions=0,
        weak0=0,
        vetoed=0,
        veto_moved=0,
        veto_cost=0,
        veto_saved=0,
        controls=0,
        ctl_pass=0,
        ctl_with_model=0,
        ctl_weak=0,
        ctl_vetoed=0,
    )
    for run in runs.values():
        for rs in run["sessions"].values():
            first, last = rs[0], rs[-1]
            ok = last["err"] is not None and abs(last["err"]) <= 0.3
            passed = not last["excluded"]
            res["sessions"] += 1
            res["within"] += bool(ok)
            res["right0"] += bool(
                not first["excluded"] and first["err"] is not None and abs(first["err"]) <= 0.3
            )
            res["right"] += bool(passed and ok)
            res["wrong"] += bool(passed and last["err"] is not None and abs(last["err"]) > 0.5)
            res["wrong0"] += bool(
                not first["excluded"] and first["err"] is not None and abs(first["err"]) > 0.5
            )
            res["by_sessions"] += bool(passed and last.get("gate") == "session classes")
            veto = [r for r in rs if r["round"] == "veto"]
            right0 = not first["excluded"] and first["err"] is not None and abs(first["err"]) <= 0.3
            res["weak0"] += bool(veto)
            res["vetoed"] += bool(veto and veto[0]["excluded"])
            res["veto_moved"] += bool(
                veto and not veto[0]["excluded"] and abs(veto[0]["err"] - first["err"]) > 0.1
            )
            res["veto_cost"] += bool(veto and right0 and not (passed and ok))
            res["veto_saved"] += bool(veto and not right0 and veto[0]["excluded"])
        for cs in run["controls"].values():
            for c in cs:
                res["controls"] += 1
                res["ctl_with_model"] += c.get("model") == "sessions"
                res["ctl_weak"] += bool(c.get("weak") and c.get("model") == "sessions")
                res["ctl_vetoed"] += bool(c.get("weak") and c["excluded"])
                corrected = (
                    c["err"] is not None and abs(c["err"]) <= 0.3 and c["kind"] != "shuffled"
                )
                res["ctl_pass"] += bool(not c["excluded"] and not corrected)
    return res


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    if args[0] == "collect":
        collect(args[1], args[2:], opts)
    else:
        print(_summary(json.loads(Path(args[1]).read_text())))
