"""Session-class passes, right vs off (issue 24, helper sc43). Not shipped.

python bench/notes/sc43.py probe RUN_DIR...
    # runs session_classes_dev's rounds (sessions only, no controls); for every pass by
    # the session-class route prints: err (truth, scoring only), where the energy fit's
    # own peak (scale 1, all words) and the class model's lag profile peak sit from the
    # chosen lag, the energy score at the chosen lag over its peak, and the class
    # profile's drop half a second either side.
python bench/notes/sc43.py labels PROBE_LOG
    # per pass printed by probe (truth used, scoring only): where its labels land on the
    # production clock at each spoken word, i.e. the offset error (with the fitted scale)
    # less the rebuilt clock's own error there (ndmiss._error_curve)
"""

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import session_classes_dev as scd  # noqa: E402
from align_dev import load  # noqa: E402
from nd40 import _energy_at  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
from silkpipe.clip_evidence import bind  # noqa: E402

ORIG = al.align_session
TRUTH = {}


def _features(name, motion, cmds, cfg, model, rep):
    lag = rep.offset_s + cfg.word_to_peak_s
    e_here, e_best, e_lag = _energy_at(motion, cmds, cfg, lag)
    kept, _ = al.reachable_words(motion, cmds, cfg)
    kept = [replace(c, start=c.start * rep.clock_scale) for c in kept]
    e_times, labels = al._said_events(kept)
    clips = bind(model, motion)
    shifts = np.round(np.arange(-2.0, 2.0 + 1e-9, 0.05), 3)
    prof = clips.scores(e_times, labels, lag + shifts)
    i0 = int(np.argmin(abs(shifts)))
    side = [int(np.argmin(abs(shifts - s))) for s in (-0.5, 0.5)]
    near = np.abs(shifts) <= 0.3
    sd = float(np.std(prof)) or 1.0
    err = rep.offset_s - TRUTH[name]
    print(
        f"{name[4:11]} err {err:+6.2f} scale {rep.clock_scale:.4f} q {rep.quality:5.2f} "
        f"margin {rep.class_lag_margin} | energy peak at {e_lag - lag:+6.2f} here/peak "
        f"{e_here / e_best:5.2f} | cls peak at {shifts[prof.argmax()]:+5.2f} "
        f"peak-in-0.3 {shifts[near][prof[near].argmax()]:+5.2f} "
        f"drop0.5 {(prof[i0] - max(prof[side])) / sd:5.2f} "
        f"l {(prof[i0] - prof[side[0]]) / sd:5.2f} r {(prof[i0] - prof[side[1]]) / sd:5.2f}",
        flush=True,
    )


def _align(name, motion, cmds, cfg=None, **kw):
    out = ORIG(name, motion, cmds, cfg, **kw)
    rep = out[1]
    model = kw.get("clip_model")
    if model is not None and not rep.excluded and "session classes" in (rep.gate or ""):
        _features(name, motion, cmds, cfg, model, rep)
    return out


def probe(dirs):
    al.align_session = _align
    cfg = replace(al.AlignConfig(), shuffles=40)
    for d in dirs:
        data = {f.parent.name: load(f.parent) for f in sorted(Path(d).glob("*/truth.json"))}
        TRUTH.update({n: v[0]["offset_s"] for n, v in data.items()})
        print("#", d, flush=True)
        scd._rounds(data, cfg)


def _label_errors(sess, err, scale):
    from ndmiss import _error_curve, _median_in

    truth, _, prod, clock_err = _error_curve(sess)
    out = []
    for g in (g for g in truth["gestures"] if g["spoken"]):
        c = _median_in(prod, clock_err, g["start"], g["end"])
        if np.isfinite(c):
            out.append(err + (scale - 1) * (g["start"] - truth["offset_s"]) - c)
    return np.array(out)


def labels(args):
    run, seen = None, set()
    for line in Path(args[0]).read_text().splitlines():
        if line.startswith("#"):
            run = line.split()[1]
            continue
        f = line.split()
        if " err " not in line or (run, f[0], f[2]) in seen:
            continue
        seen.add((run, f[0], f[2]))
        err, scale = float(f[2]), float(f[4])
        lab = _label_errors(Path(f"{run}/real{f[0]}session"), err, scale)
        print(
            f"{'OFF' if abs(err) > 0.3 else 'ok '} {f[0]} {run.split('/')[-2][:6]:6s} "
            f"offset err {err:+5.2f} | label err at {len(lab):2d} spoken words: median "
            f"{np.median(lab):+5.2f} share>0.3 {np.mean(abs(lab) > 0.3):.2f} share>0.5 "
            f"{np.mean(abs(lab) > 0.5):.2f} range {lab.min():+5.2f}..{lab.max():+5.2f}"
        )


if __name__ == "__main__":
    {"probe": probe, "labels": labels}[sys.argv[1]](sys.argv[2:])
