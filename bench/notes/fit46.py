"""Offsets that miss on a right clock (issue 24, helper fit46). Rule and results:
bench/notes/fit46.txt. Not shipped.

    python bench/notes/fit46.py census OUT.json SET:DELIVERY:ROWS.json...
        # per session (final row of ROWS): the offset error, the clock error at each spoken
        # word (rebuilt - production, against truth.json), the word-to-peak lead of its
        # event words (each word's true gesture's motion peak less the word's true IMU time),
        # gate, route and word counts; sessions under /tmp/h44/SET/DELIVERY/sS/NAME
    python bench/notes/fit46.py peaks OUT.json SESSION_DIR...
        # the event-word profile's local peak near the truth per search (energy, channels)
    python bench/notes/fit46.py sim OUT.json CENSUS.json SET...
        # the final offsets moved toward the energy-only event peak as S1 would (offline)

Summaries: bench/notes/fit46/{summ,pk,far,simsum,probe}.py (paths under /tmp/fit46).
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def _clock_at_words(sess, truth):
    from ndmiss import _error_curve, _median_in

    _, _, prod, err = _error_curve(sess)
    spoken = [g for g in truth["gestures"] if g["spoken"]]
    at = [_median_in(prod, err, g["start"], g["end"]) for g in spoken]
    return [round(x, 3) for x in at if np.isfinite(x)]


def _leads(sess, truth, cfg):
    """(event-word peak leads on the stream, their classes): peak of the smoothed energy
    inside the word's gesture (true span, rebuilt clock) less the word's IMU time."""
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.vocabulary import EVENT_CLASSES

    _, motion, _ = load(sess)
    sig = al.motion_signal(motion, cfg.smooth_s)
    spans = [g for g in truth["gestures"] if g["spoken"] and g["class"] in EVENT_CLASSES]
    out = []
    for w in (c for c in truth["commands"] if c["class"] in EVENT_CLASSES):
        g = min(spans, key=lambda g: abs(g["start"] - w["imu_time"]), default=None)
        if g is None or g["start"] > motion.t[-1]:
            continue
        inside = (motion.t >= g["start"]) & (motion.t <= g["end"])
        if inside.any():
            out.append(
                (
                    round(float(motion.t[inside][np.argmax(sig[inside])] - w["imu_time"]), 3),
                    w["class"],
                )
            )
    return out


def census(args):
    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    out = []
    for spec in args[1:]:
        st, dl, path = spec.split(":")
        for run, data in json.loads(Path(path).read_text()).items():
            for name, rs in data["sessions"].items():
                r = rs[-1]
                sess = Path(f"/tmp/h44/{st}/{dl}/{run}/{name}")
                truth = json.loads((sess / "truth.json").read_text())
                out.append(
                    dict(
                        set=st,
                        delivery=dl,
                        run=run,
                        name=name,
                        err=r["err"],
                        excluded=r["excluded"],
                        gate=r["gate"],
                        quality=r["quality"],
                        sig_words=r.get("sig_words"),
                        cls_words=r.get("cls_words"),
                        cls_model=r.get("cls_model"),
                        scale=r.get("scale"),
                        rounds=len(rs),
                        first_err=rs[0]["err"],
                        clock=_clock_at_words(sess, truth),
                        leads=_leads(sess, truth, cfg),
                    )
                )
            print(spec, run, len(out), flush=True)
    Path(args[0]).write_text(json.dumps(out))


def _local_peak(offsets, scores, lag0, reach=1.0):
    near = np.flatnonzero(np.abs(offsets - lag0) <= reach)
    import silkpipe.alignment as al

    return al._refine(offsets, scores, int(near[np.argmax(scores[near])]))


def peaks(args):
    """OUT.json SESSION_DIR...: per session, the event-word profile's local peak within 1 s
    of the true lag (truth picks the neighbourhood only), less the true lag: on the energy
    signal, on the class-channel stack (as the search), and per class channel alone."""
    from dataclasses import replace

    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.vocabulary import EVENT_CLASSES

    cfg = al.AlignConfig()
    energy_cfg = replace(cfg, class_channel_weight=0.0)
    out = {}
    for d in args[1:]:
        sess = Path(d)
        truth, motion, cmds = load(sess)
        lag0 = truth["offset_s"] + cfg.word_to_peak_s
        kept, _ = al.reachable_words(motion, cmds, cfg)
        ev = [c for c in kept if c.cls in EVENT_CLASSES]
        if len(ev) < 2:
            continue
        times, classes = np.array([c.start for c in ev]), [c.cls for c in ev]
        stack = al.search_signal(motion, cfg)
        row = {"n": len(ev), "classes": classes}
        for tag, sig, c in (("energy", stack[:, 0], energy_cfg), ("chan", stack, cfg)):
            st, prof = al.predicted_profile(times, classes, motion.rate, c)
            offs, sc = al.lag_scores(sig, motion.t[0], motion.rate, st, prof, cfg.search_s)
            row[tag] = round(_local_peak(offs, sc, lag0) - lag0, 3)
        for k, cls in ((1, "jump"), (2, "turn"), (3, "punch")):
            sel = [i for i, x in enumerate(classes) if x == cls]
            if not sel:
                continue
            st, prof = al.predicted_profile(times[sel], [cls] * len(sel), motion.rate, energy_cfg)
            offs, sc = al.lag_scores(stack[:, k], motion.t[0], motion.rate, st, prof, cfg.search_s)
            row[cls] = round(_local_peak(offs, sc, lag0) - lag0, 3)
            offs, sc = al.lag_scores(stack[:, 0], motion.t[0], motion.rate, st, prof, cfg.search_s)
            row[cls + "_e"] = round(_local_peak(offs, sc, lag0) - lag0, 3)
        out[str(sess)] = row
    Path(args[0]).write_text(json.dumps(out))


def sim(args):
    """OUT.json CENSUS.json SET...: per session of the census in SETs, the final offset moved
    to the energy-only event profile's interior local maximum within w of it (w in WINDOWS),
    as the rule in fit46.txt would; the new error (truth only to score)."""
    from dataclasses import replace

    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.vocabulary import EVENT_CLASSES

    cfg = replace(al.AlignConfig(), class_channel_weight=0.0)
    out = []
    for r in json.loads(Path(args[1]).read_text()):
        if r["set"] not in args[2:] or r["err"] is None:
            continue
        sess = Path(f"/tmp/h44/{r['set']}/{r['delivery']}/{r['run']}/{r['name']}")
        truth, motion, cmds = load(sess)
        kept, _ = al.reachable_words(motion, cmds, cfg)
        ev = [c for c in kept if c.cls in EVENT_CLASSES]
        lag = truth["offset_s"] + r["err"] + cfg.word_to_peak_s
        new = {}
        if len(ev) >= 2:
            times = np.array([c.start * (r["scale"] or 1.0) for c in ev])
            sig = al.motion_signal(motion, cfg.smooth_s)
            st, prof = al.predicted_profile(times, [c.cls for c in ev], motion.rate, cfg)
            offs, sc = al.lag_scores(sig, motion.t[0], motion.rate, st, prof, cfg.search_s)
            for w in WINDOWS:
                near = np.flatnonzero(np.abs(offs - lag) <= w)
                k = int(near[np.argmax(sc[near])])
                if k in (near[0], near[-1]):
                    continue
                new[w] = round(al._refine(offs, sc, k) - lag + r["err"], 3)
        out.append(dict(r, n_ev=len(ev), new=new))
    Path(args[0]).write_text(json.dumps(out))


WINDOWS = (0.2, 0.3, 0.4, 0.5, 0.7)


if __name__ == "__main__":
    {"census": census, "peaks": peaks, "sim": sim}[sys.argv[1]](sys.argv[2:])
