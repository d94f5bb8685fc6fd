"""Why wrong offsets pass the session-class route (issue 24, helper gate2). Not shipped.

Run-level harness = bench/notes/session_classes_dev.py (first pass, veto, session-class rounds,
four controls per session, exact words, 40 shuffles) through d14_dev.py's `runs` (AlignConfig
fields as KEY=VALUE). On top, every fixed-model class test (a session-class model) also
records, at the same words and lag:

  p_cand    the gate's p (each permutation at its best of the class-aware choice's candidates)
  p_refine  each permutation at its best lag within refine_s of the chosen one (0.05 s grid)
  p_window  each permutation at its best lag anywhere in the searched window (0.05 s grid)
  peak_w    where the class model's own score peaks in the window, relative to the chosen lag
  p_exact   (with exact=N) each permutation judged at the lag a simplified search picks
            for it (_exact)
  halves    where it peaks within refine_s for the earlier and the later half of the event
            words (a wrong clock rate drifts the words' error across the session)

    python bench/notes/gate2.py collect OUT.json [null=none] KEY=VALUE... -- RUN_DIR...
    python bench/notes/gate2.py table BEFORE.json AFTER.json   # totals, changed verdicts
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

STEP_S = 0.05
CFG: list = []  # the config of the align_session call under way
EXTRA: list = []  # the extra statistics of its fixed-model class test


def _extra(clips, times, labels, lag, around, cfg):
    from silkpipe.clip_evidence import clip_test

    window = np.arange(-cfg.search_s, cfg.search_s + 1e-9, STEP_S) - lag
    local = np.arange(-cfg.refine_s, cfg.refine_s + 1e-9, STEP_S)
    args = (clips.model, clips.traces, clips.t0, clips.rate, times, labels)
    scores = clips.scores(times, labels, window)
    half = len(times) // 2
    order = np.argsort(times)
    peaks = [
        float(local[np.argmax(clips.scores(times[part], labels[part], local))])
        for part in (order[:half], order[half:])
    ]
    return dict(
        halves=[round(x, 2) for x in peaks],
        p_refine=clip_test(*args, around=np.union1d(local, around)).p_value,
        p_window=clip_test(*args, around=np.union1d(window, around)).p_value,
        peak_w=round(float(window[int(np.argmax(scores))]), 2),
    )


#: Permutations of the search-picked null (gate2.py collect ... exact=N; 0: not computed).
EXACT = [0]


def _exact(clips, commands, lag, around, motion, cfg):
    """The class p against the lag the offset search itself picks for each permutation of
    the event words' classes (a simplified search: the all-command class-channel fit over
    the window, then the event-only fit within refine_s of it; no noise hypotheses, no
    class choice), each permutation's statistic at its picked lag (best of ``around``)."""
    import silkpipe.alignment as al
    from silkpipe.class_evidence import event_words, permutation_p
    from silkpipe.clip_evidence import EVENTS

    times = np.array([c.start for c in commands])
    classes = [c.cls for c in commands]
    e_times, labels = event_words(times, classes)
    idx = [i for i, c in enumerate(classes) if c in EVENTS]
    signal = al.search_signal(motion, cfg)
    observed = float(np.nanmean(clips.scores(e_times, labels, np.array([lag]))))
    rng = np.random.default_rng(1)
    null = []
    for _ in range(EXACT[0]):
        perm = rng.permutation(labels)
        names = list(classes)
        for i, k in zip(idx, perm, strict=True):
            names[i] = EVENTS[k]
        start, prof = al.predicted_profile(times, names, motion.rate, cfg)
        offs, sc = al.lag_scores(signal, motion.t[0], motion.rate, start, prof, cfg.search_s)
        first = offs[int(np.argmax(sc))]
        e_names = [names[i] for i in idx]
        start, prof = al.predicted_profile(e_times, e_names, motion.rate, cfg)
        offs, sc = al.lag_scores(signal, motion.t[0], motion.rate, start, prof, cfg.search_s)
        near = np.abs(offs - first) <= cfg.refine_s
        pick = offs[near][int(np.argmax(sc[near]))]
        null.append(np.max(clips.scores(e_times, perm, pick + np.asarray(around))))
    return permutation_p(np.array(null), observed)


def patch():
    """Record the extra statistics beside each gate row."""
    import gate_dev

    import silkpipe.alignment as al
    from silkpipe.class_evidence import event_words

    plain_align, plain_test, plain_row = al.align_session, al._class_test, gate_dev._row

    def align(*a, **k):
        cfg = a[3] if len(a) > 3 else k.get("cfg")
        CFG.append(cfg or al.AlignConfig())
        EXTRA.clear()
        try:
            return plain_align(*a, **k)
        finally:
            CFG.pop()

    def test(commands, lag, motion, around, clips=None, *search):
        out = plain_test(commands, lag, motion, around, clips, *search)
        if clips is not None and out.testable:
            times = np.array([c.start for c in commands])
            e_times, labels = event_words(times, [c.cls for c in commands])
            EXTRA.append(_extra(clips, e_times + lag, labels, lag, np.array(around), CFG[-1]))
            if EXACT[0]:
                args = (clips, commands, lag, np.array(around), motion, CFG[-1])
                EXTRA[-1]["p_exact"] = _exact(*args)
        return out

    def row(kind, ev, rep, err, seconds):
        return dict(plain_row(kind, ev, rep, err, seconds), **(EXTRA[-1] if EXTRA else {}))

    al.align_session, al._class_test, gate_dev._row = align, test, row


def collect(out, args):
    """d14_dev.runs with the extra statistics. The "after" rows were collected at commit
    ebbb830 of branch gate2 (search_null_models=("sessions",) by default); there "null=none"
    gives the parent's gate (search_null_models=()). On code without the field, the
    parent's gate is all there is and "null=none" is ignored."""
    import functools

    import d14_dev

    import silkpipe.alignment as al

    for a in [a for a in args if a.startswith("exact=")]:
        EXACT[0] = int(a.split("=")[1])
        args.remove(a)
    if "null=none" in args:
        args = [a for a in args if a != "null=none"]
        if "search_null_models" in al.AlignConfig.__dataclass_fields__:
            al.AlignConfig = functools.partial(al.AlignConfig, search_null_models=())
    patch()
    d14_dev.runs(out, args)


def _verdicts(path):
    """{session: (final err, passed)}, {(session, control #): passed and not corrected}."""
    runs = json.loads(Path(path).read_text())
    sess, ctl = {}, {}
    for run in runs.values():
        for n, rows in run["sessions"].items():
            last = rows[-1]
            sess[n] = (last["err"], not last["excluded"], last["gate"], last.get("cls_p"))
        for n, rows in run["controls"].items():
            for i, c in enumerate(rows):
                corrected = (
                    c["err"] is not None and abs(c["err"]) <= 0.3 and c["kind"] != "shuffled"
                )
                ctl[(n, i)] = (not c["excluded"] and not corrected, c["kind"], c["err"], c["gate"])
    return sess, ctl


def _counts(sess, ctl):
    ok = [e is not None and abs(e) <= 0.3 for e, *_ in sess.values()]
    right = sum(o and v[1] for o, v in zip(ok, sess.values(), strict=True))
    false = sum(v[1] and v[0] is not None and abs(v[0]) > 0.5 for v in sess.values())
    passed = sum(c[0] for c in ctl.values())
    return f"within {sum(ok)}/{len(sess)}  right {right}  false {false}  controls passed {passed}/{len(ctl)}"


def table(before, rest):
    """Totals of a before and an after rows file, and every verdict that differs."""
    after = rest[0]
    (sb, cb), (sa, ca) = _verdicts(before), _verdicts(after)
    print(f"before {_counts(sb, cb)}\nafter  {_counts(sa, ca)}")
    for n in sorted(set(sb) | set(sa)):
        if n in sb and n in sa and sb[n][1] != sa[n][1]:
            print(f"  session {n}: {_fmt(sb[n])} -> {_fmt(sa[n])}")
    for k in sorted(set(cb) & set(ca)):
        if cb[k][0] != ca[k][0]:
            print(f"  control {k}: {cb[k]} -> {ca[k]}")


def _fmt(v):
    err = "-" if v[0] is None else f"{v[0]:+.2f}"
    return f"{'PASS' if v[1] else 'refused'} {err} ({v[2]}, class p {v[3]})"


def calibration(first, rest):
    """Per rows file: the session-class p of controls whose best lag is not at the window
    edge (a fair p is uniform there) and of sessions within 0.3 s, at 0.005 and 0.05."""
    for path in [first, *rest]:
        runs = json.loads(Path(path).read_text())
        ctl = [
            c["cls_p"]
            for run in runs.values()
            for rows in run["controls"].values()
            for c in rows
            if c.get("cls_model") == "sessions" and c.get("cls_testable") and not c["at_edge"]
        ]
        right = [
            r["cls_p"]
            for run in runs.values()
            for rows in run["sessions"].values()
            for r in rows
            if r.get("cls_model") == "sessions"
            and r.get("cls_testable")
            and r["err"] is not None
            and abs(r["err"]) <= 0.3
        ]
        cells = [
            f"{name} n {len(ps)}: <=.005 {sum(p <= 0.005 for p in ps)}, <=.05 {sum(p <= 0.05 for p in ps)}"
            for name, ps in (("controls", ctl), ("right rows", right))
        ]
        print(Path(path).name, " | ".join(cells))


if __name__ == "__main__":
    {"collect": collect, "table": table, "calibration": calibration}[sys.argv[1]](
        sys.argv[2], sys.argv[3:]
    )
