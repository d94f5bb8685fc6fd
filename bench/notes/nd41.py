"""Never_drains misses with enough event words: where each one goes wrong (issue 24, helper
nd41). Rule and results: bench/notes/nd41.txt. Not shipped; truth used to diagnose only.

    python bench/notes/nd41.py trace ROWS.json SESSION_DIR...
        # per session, at the first pass (no class model) and, where the run's rows record
        # a session-class round, again with the session model of that round's trainers
        # (their first-pass labels): the chosen scale's all-command energy fit (score at
        # the true lag / best, where the best lies, how many of its peaks score above the
        # true lag), the event stage (event words, skipped or not, whether the true lag is
        # within refine_s of the all-command best, the event fit's score at the true lag /
        # its top, class_choice's candidates and the sum energy / top + class fit at the
        # chosen one and at the true lag), strong_keeps_peak, and the resulting error
The code measured is the silkpipe on PYTHONPATH.
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

CALLS: list[dict] = []  # one dict per _hypothesis_fit call of the current align_session


def _hook():
    """Record, per _hypothesis_fit call, its energy fit, event stage and class choice."""
    import silkpipe.alignment as al

    plain_fit, plain_energy, plain_stage, plain_choice = (
        al._hypothesis_fit,
        al._energy_fit,
        al._event_stage,
        al.class_choice,
    )

    def hyp(signal, motion, commands, cfg, traces=None, clips=None):
        CALLS.append(dict(times=np.array([c.start for c in commands]), clips=clips))
        out = plain_fit(signal, motion, commands, cfg, traces, clips)
        CALLS[-1]["fit"] = out
        return out

    def energy(signal, motion, times, classes, cfg):
        out = plain_energy(signal, motion, times, classes, cfg)
        CALLS[-1].update(offsets=out[2], scores=out[3], z_all=out[0])
        return out

    def stage(signal, motion, times, classes, cfg, lag, traces, clips, z_all=0.0, *more):
        ev = [i for i, c in enumerate(classes) if c in al.EVENT_CLASSES]
        CALLS[-1].update(n_events=len(ev), lag_in=lag, classes=classes)
        if len(ev) >= cfg.min_commands:
            e_start, e_prof = al.predicted_profile(
                times[ev], [classes[i] for i in ev], motion.rate, cfg
            )
            eo, es = al.lag_scores(signal, motion.t[0], motion.rate, e_start, e_prof, cfg.search_s)
            CALLS[-1].update(e_offsets=eo, e_scores=es)
        out = plain_stage(signal, motion, times, classes, cfg, lag, traces, clips, z_all, *more)
        CALLS[-1].update(lag_out=out[2], z_events=out[0])
        return out

    def choice(lag, offsets, scores, times, classes, motion, cfg, traces=None, clips=None):
        out = plain_choice(lag, offsets, scores, times, classes, motion, cfg, traces, clips)
        CALLS[-1].update(choice_in=lag, choice_out=out[0], cands=out[1], traces=traces)
        return out

    al._hypothesis_fit, al._energy_fit, al._event_stage, al.class_choice = (
        hyp,
        energy,
        stage,
        choice,
    )


def _class_fit(call, motion, cfg, lags):
    """class_choice's class term at ``lags`` (the clip/session model's, or self-trained)."""
    from silkpipe.class_evidence import class_scores, event_words, feature_traces

    e_times, labels = event_words(call["times"], call["classes"])
    if call["clips"] is not None:
        return cfg.clip_weight * call["clips"].scores(e_times, labels, np.asarray(lags))
    traces = call.get("traces")
    traces = feature_traces(motion) if traces is None else traces
    return cfg.class_weight * class_scores(
        traces, float(motion.t[0]), motion.rate, e_times, labels, np.asarray(lags)
    )


def _describe(call, motion, cfg, lag0):
    """One line: where this fit's stages put the lag against the true lag ``lag0``."""
    from scipy.signal import find_peaks

    o, s = call["offsets"], call["scores"]
    peaks, _ = find_peaks(s, distance=max(int(0.5 * motion.rate), 1))
    s_true = float(np.interp(lag0, o, s))
    above = int((s[peaks] > s_true + 1e-9).sum())
    best = float(o[np.argmax(s)])
    txt = (
        f"all: true {s_true / s.max():.2f} of best, best at {best - lag0:+6.2f} "
        f"({above} peaks above true) | ev {call['n_events']}"
    )
    if "e_scores" not in call:
        return txt + " SKIPPED (< min_commands)"
    eo, es = call["e_offsets"], call["e_scores"]
    reach = abs(best - lag0) <= cfg.refine_s
    e_true = float(np.interp(lag0, eo, es)) / es.max()
    epk, _ = find_peaks(es, distance=max(int(0.5 * motion.rate), 1))
    e_best = float(eo[np.argmax(es)])
    txt += (
        f" refine reaches true {'Y' if reach else 'n'} | ev fit true {e_true:.2f} of top, "
        f"top at {e_best - lag0:+6.2f}, stage in {call['lag_in'] - lag0:+6.2f}"
    )
    if "cands" not in call:
        return txt + f" | strong keeps peak -> {call['lag_out'] - lag0:+6.2f}"
    cands = np.array(call["cands"])
    tp = float(eo[epk[np.argmin(np.abs(eo[epk] - lag0))]]) if len(epk) else lag0
    kept = float(np.interp(tp, eo, es)) >= cfg.class_keep * es.max()
    lags = np.array([call["choice_out"], tp])
    en = np.interp(lags, eo, es) / es.max()
    fit = _class_fit(call, motion, cfg, lags) if len(cands) > 1 else np.zeros(2)
    return txt + (
        f" | cands {len(cands)}, nearest true {np.min(np.abs(cands - lag0)):.2f} | true peak at "
        f"{tp - lag0:+.2f} {'kept' if kept else '< class_keep'} | chosen "
        f"{call['choice_out'] - lag0:+6.2f} sum {en[0] + fit[0]:.2f} (e {en[0]:.2f} c "
        f"{fit[0]:+.2f}) true peak sum {en[1] + fit[1]:.2f} (e {en[1]:.2f} c {fit[1]:+.2f})"
    )


def _run(name, motion, cmds, cfg, model, off):
    import silkpipe.alignment as al

    CALLS.clear()
    iv, rep = al.align_session(name, motion, cmds, cfg, keep_refused=True, clip_model=model)
    if rep.offset_s is None:
        return iv, rep, None
    pick = [c for c in CALLS if "fit" in c and abs(c["fit"].offset_s - rep.offset_s) < 1e-9]
    return iv, rep, (pick or CALLS)[-1]


def _final_trainers(rows_files):
    """{session name: trainers of its last round} from the rows files."""
    out = {}
    for p in rows_files:
        for _run, d in json.loads(Path(p).read_text()).items():
            for n, rs in d["sessions"].items():
                out[n] = (rs[-1].get("trainers"), [r["err"] for r in rs])
    return out


def trace(args):
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe import session_classes as sc

    _hook()
    cfg = al.AlignConfig()
    rows = _final_trainers([args[0]])
    for d in args[1:]:
        sess = Path(d)
        truth, motion, cmds = load(sess)
        off = truth["offset_s"]
        lag0 = off + cfg.word_to_peak_s
        trainers, errs = rows.get(sess.name, (None, []))
        _, rep, call = _run(sess.name, motion, cmds, cfg, None, off)
        err = None if rep.offset_s is None else rep.offset_s - off
        print(f"{sess.name[4:10]} rows {[None if e is None else round(e, 2) for e in errs]}")
        print(f"   pass0 err {_f(err)} [{rep.gate}] scale {rep.clock_scale}")
        if call is not None and "offsets" in call:
            print("     ", _describe(call, motion, cfg, lag0), flush=True)
        if not trainers:
            continue
        got = []
        for m in trainers:
            _, mot, cm = load(sess.parent / m)
            iv, r, _ = _run(m, mot, cm, cfg, None, 0.0)
            if not r.excluded:
                got.append((mot, iv))
        model = sc.fit_session_model(got)
        if model is None:
            print("   round: no session model from the trainers' first-pass labels")
            continue
        _, rep, call = _run(sess.name, motion, cmds, cfg, model, off)
        err = None if rep.offset_s is None else rep.offset_s - off
        print(
            f"   round ({len(got)} trainers) err {_f(err)} [{rep.gate}] cls_p {rep.class_p_value}"
        )
        if call is not None and "offsets" in call:
            print("     ", _describe(call, motion, cfg, lag0), flush=True)


def first(args):
    """OUT.json RUN_DIR...: every session's first pass (no class model): error, verdict."""
    from align_dev import load

    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    out = {}
    for d in args[1:]:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            truth, motion, cmds = load(f.parent)
            _, rep = al.align_session(f.parent.name, motion, cmds, cfg, keep_refused=True)
            err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
            out[f"{Path(d).name}/{f.parent.name}"] = dict(err=err, gate=rep.gate)
            print(f.parent.name, _f(err), rep.gate, flush=True)
    Path(args[0]).write_text(json.dumps(out, indent=0))


def _true_clock_motion(sess):
    """The session's motion with every row put at its true production time (truth.json's
    row_clock): an oracle clock, to tell a clock miss from a fit miss."""
    from silkpipe.sessions import read_sensor_csv, resample

    truth = json.loads((sess / "truth.json").read_text())
    raw = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
    reb = raw.clock_rows[:, 1]
    rc = np.asarray(truth["row_clock"], dtype=float)
    prod = np.interp(np.arange(len(reb)), rc[:, 0], rc[:, 1])
    order = np.argsort(reb, kind="stable")
    for k, t in raw.times.items():
        raw.times[k] = np.interp(t, reb[order], prod[order])
    return resample(raw)


def oracle_clock(args):
    """SESSION_DIR...: first pass on the rebuilt clock and on the true clock (oracle)."""
    from align_dev import load

    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    for d in args:
        sess = Path(d)
        truth, motion, cmds = load(sess)
        out = []
        for m in (motion, _true_clock_motion(sess)):
            _, rep = al.align_session(sess.name, m, cmds, cfg, keep_refused=True)
            err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
            out.append(f"{_f(err)} [{rep.gate[:26]}]")
        print(f"{sess.name[4:10]} rebuilt clock {out[0]} | true clock {out[1]}", flush=True)


def _f(x):
    return "   -  " if x is None else f"{x:+6.2f}"


if __name__ == "__main__":
    {"trace": trace, "first": first, "oracle_clock": oracle_clock}[sys.argv[1]](sys.argv[2:])
