"""Far shifted control passing the session-class route (issue 24, helper far43). Not shipped.

python bench/notes/far43.py probe RUN_DIR SESSION
    # re-runs session_classes_dev's rounds on the run, then the session's far control
    # with the model of the run's other passed sessions; prints the class model's lag
    # profile around the fitted lag out to +-25 s (where the true lag lies) and
    # lag_margin at reach 10 s (the gate's) and wider reaches
"""

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import session_classes_dev as scd  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
from silkpipe import session_classes as sc  # noqa: E402
from silkpipe.clip_evidence import FLOOR, bind, lag_margin  # noqa: E402
from silkpipe.voice_score import SHIFTS, shifted_control  # noqa: E402


def probe(run_dir, name):
    cfg = replace(al.AlignConfig(), shuffles=40)
    data = {f.parent.name: scd.load(f.parent) for f in sorted(Path(run_dir).glob("*/truth.json"))}
    names = sorted(data)
    i = names.index(name)
    _, passed = scd._rounds(data, cfg)
    trainers = sorted(m for m in passed if m != name)
    model = sc.fit_session_model([(data[m][1], passed[m]) for m in trainers])
    truth, motion, cmds = data[name]
    rng = np.random.default_rng([0, i])
    shifts = [float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi)) for _, lo, hi in SHIFTS]
    shift = shifts[1]
    r = shifted_control(name, motion, cmds, truth["offset_s"], shift, cfg, clip_model=model)
    print(
        "far shift",
        round(shift, 3),
        {k: r[k] for k in ("offset_error", "gate", "quality", "class_p_value")},
    )
    centre = truth["offset_s"] + shift + cfg.word_to_peak_s
    fit_lag = centre + (r["offset_error"] - shift)
    kept, _ = al.reachable_words(motion, cmds, cfg)
    e_t, labels = al._said_events(kept)
    clips = bind(model, motion)
    true_lag = truth["offset_s"] + cfg.word_to_peak_s
    print(
        "fit lag",
        round(fit_lag, 2),
        "true lag",
        round(true_lag, 2),
        "imu",
        motion.t[0],
        motion.t[-1],
    )
    print("event words", len(labels), "at fit:", np.round(e_t + fit_lag, 1).tolist())
    d = np.round(np.arange(-25, 25.01, 0.05), 3)
    prof = clips.scores(e_t + fit_lag, labels, d, missing=FLOOR)
    for a in np.arange(-25, 25.1, 1.0):
        k = int(np.argmin(np.abs(d - a)))
        print(f"  d {a:+5.1f} score {prof[k]:+.3f}")
    k0 = int(np.argmin(np.abs(d - (true_lag - fit_lag))))
    print(
        "at true lag (d",
        round(true_lag - fit_lag, 2),
        "):",
        round(float(prof[max(k0 - 4, 0) : k0 + 5].max()), 3),
        "here",
        round(float(prof[int(np.argmin(np.abs(d)))]), 3),
        "best",
        round(float(prof.max()), 3),
        "at",
        d[int(np.argmax(prof))],
    )
    for reach in (10.0, 15.0, 20.0, 25.0):
        print("reach", reach, "margin", lag_margin(clips, e_t + fit_lag, labels, 1.2, reach))
    # words on the motion at the fit and at the truth
    on = lambda lag: int(((e_t + lag >= motion.t[0]) & (e_t + lag <= motion.t[-1])).sum())  # noqa: E731
    print("event words on motion: at fit", on(fit_lag), "at truth", on(true_lag))


def replay(args):
    """OUT.json -- RUN_DIR...: nd40 collect on main's code, each row also carrying the lag
    margin at the wide reach (max(class_peak_reach_s, 2 x search_s)) and the gate replayed
    with it (alignment.decide; wide_excluded, wide_gate). Decisions stay main's."""
    import fresh38
    import gate_dev

    plain_lag, plain_decide, plain_collect = al._lag_margin, gate_dev._decide, scd.collect
    wide: dict = {}

    def lag_margin_both(commands, lag, clips, cfg):
        e_times, labels = al._said_events(commands)
        reach = max(cfg.class_peak_reach_s, 2 * cfg.search_s)
        if len(labels):
            wide["m"] = lag_margin(clips, e_times + lag, labels, cfg.class_peak_away_s, reach)[0]
        return plain_lag(commands, lag, clips, cfg)

    def decide(ev, cfg, keep, commands):
        w = None if ev.lag_margin is None else wide.get("m")
        ev.wide = (w,) + plain_decide(replace(ev, lag_margin=w), cfg, False, commands)[::2]
        return gate_dev._capture(ev, cfg, keep, commands)

    def collect(out, dirs, opts=None):
        row = gate_dev._row

        def with_wide(kind, ev, rep, err, seconds):
            w = getattr(ev, "wide", (None, None, None))
            extra = dict(wide_margin=w[0], wide_excluded=w[1], wide_gate=w[2])
            return dict(row(kind, ev, rep, err, seconds), **extra)

        gate_dev._row = with_wide
        plain_collect(out, dirs, opts)

    al._lag_margin, al.decide, scd.collect = lag_margin_both, decide, collect
    fresh38.collect(args)


if __name__ == "__main__":
    {"probe": lambda a: probe(*a), "replay": replay}[sys.argv[1]](sys.argv[2:])
