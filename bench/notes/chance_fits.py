"""Why right-clock sessions fit at chance (issue 24, helper off3). Not shipped.

    python bench/notes/chance_fits.py truth OUT.json DIR...      # quality at the truth vs found
    python bench/notes/chance_fits.py salience OUT.json DIR...   # add salience to truth rows
    python bench/notes/chance_fits.py moves OUT.json DIR...      # the class choice's moves
    python bench/notes/chance_fits.py collect OUT.json 0|1 DIR... # gate_dev rows, rule off/on

``moves`` was run with strong_keeps_peak off (a session whose fits never call class_choice
is left out). ``collect``: max_hypothesis_dev.py collect --max=0 with the rule off or on.

Per session (oracle words, default AlignConfig, clock scale 1): the production alignment
(align_session: offset error, quality, gate, time model), then the search's two statistics
recomputed by hand for the class-channel search (production) and the energy-only search:
z_all / z_ev = the all-command / event-word score over the shuffles' best-lag scores (the
same null estimate_offset uses), at the best lag ("found") and at the best lag within
``TOL`` s of the true lag (truth offset + word_to_peak_s; "truth"). q = (z_all + z_ev)/sqrt 2
as the gate's quality. rank = how many energy peaks (>= 1 s apart) over the whole search
score above the truth's. Also the evidence available: words said, event words, the share
of gestures unsaid, filler motion seconds per minute, whether the truth lies in the search.
"""

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.signal import find_peaks

sys.path.insert(0, str(Path(__file__).parent))
from align_dev import load  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
from silkpipe.class_evidence import EVENT_CLASSES  # noqa: E402

TOL = 0.25


def _stat(signal, motion, times, classes, cfg, lag_true, events=False):
    """(z at the best lag, z at the truth, rank of the truth, best lag) of one statistic."""
    if events:
        keep = [i for i, c in enumerate(classes) if c in EVENT_CLASSES]
        if len(keep) < cfg.min_commands:
            return 0.0, 0.0, 0, None
        times, classes = times[keep], [classes[i] for i in keep]
    hyps = (False, True) if ("noise" in classes and not events) else (False,)
    fits = []
    for nb in hyps:
        p0, prof = al.predicted_profile(times, classes, motion.rate, cfg, noise_bump=nb)
        offs, sc = al.lag_scores(signal, motion.t[0], motion.rate, p0, prof, cfg.search_s)
        null = al._null_peaks(signal, motion, times, classes, cfg, nb)
        m, s = null.mean(), null.std() or 1.0
        near = np.abs(offs - lag_true) <= TOL
        at_truth = (sc[near].max() - m) / s if near.any() else np.nan
        fits.append(((sc.max() - m) / s, at_truth, (null - m) / s, offs, sc, m, s))
    nullmax = np.max([f[2] for f in fits], axis=0)
    best = max(fits, key=lambda f: f[0])
    z_found = al.z_over(best[0], nullmax)[0]
    t_obs = np.nanmax([f[1] for f in fits]) if any(np.isfinite(f[1]) for f in fits) else np.nan
    z_truth = al.z_over(t_obs, nullmax)[0] if np.isfinite(t_obs) else np.nan
    offs, sc, m, s = best[3], best[4], best[5], best[6]
    peaks, _ = find_peaks(sc, distance=max(int(1.0 * motion.rate), 1))
    far = np.abs(offs[peaks] - lag_true) > 1.0
    rank = int(((sc[peaks][far] - m) / s > t_obs).sum()) if np.isfinite(t_obs) else -1
    return z_found, z_truth, rank, float(offs[int(np.argmax(sc))])


def _fits(motion, cmds, cfg, lag_true):
    times = np.array([c.start for c in cmds])
    classes = [c.cls for c in cmds]
    out = {}
    for name, c in (("chan", cfg), ("energy", replace(cfg, class_channel_weight=0.0))):
        sig = al.search_signal(motion, c)
        za, ta, rank, lag = _stat(sig, motion, times, classes, c, lag_true)
        ze, te, rank_e, lag_e = _stat(sig, motion, times, classes, c, lag_true, events=True)
        out[name] = dict(
            q_found=round((za + ze) / np.sqrt(2), 2),
            q_truth=round((ta + te) / np.sqrt(2), 2),
            z_all=[round(za, 2), round(ta, 2)],
            z_ev=[round(ze, 2), round(te, 2)],
            rank=rank,
            rank_ev=rank_e,
            lag_err=round(lag - lag_true, 2),
            lag_ev_err=None if lag_e is None else round(lag_e - lag_true, 2),
        )
    return out


def row(folder: Path) -> dict:
    truth, motion, cmds = load(folder)
    cfg = al.AlignConfig()
    _, rep = al.align_session(folder.name, motion, cmds, cfg)
    err = None if rep.offset_s is None else round(rep.offset_s - truth["offset_s"], 3)
    said = [g for g in truth["gestures"] if g["said"] == "yes"]
    dur = float(motion.t[-1] - motion.t[0])
    filler_s = sum(b - a for a, b, _ in truth["filler_motion"])
    r = dict(
        delivery=truth["delivery"]["kind"],
        time_model=rep.time_model,
        err=err,
        quality=round(rep.quality, 2),
        excluded=rep.excluded,
        gate=rep.gate,
        words=len(cmds),
        events=sum(c.cls in EVENT_CLASSES for c in cmds),
        said=len(said),
        unsaid_share=truth["unsaid_share"],
        filler_per_min=round(60 * filler_s / max(dur, 1), 1),
        minutes=round(dur / 60, 2),
    )
    if len(cmds) >= cfg.min_commands:
        r.update(_fits(motion, cmds, cfg, truth["offset_s"] + cfg.word_to_peak_s))
    return r


def main(out: str, dirs: list[str]) -> None:
    rows = json.loads(Path(out).read_text()) if Path(out).exists() else {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            n = f.parent.name
            if n in rows:
                continue
            r = rows[n] = row(f.parent)
            c, e = r.get("chan", {}), r.get("energy", {})
            print(
                f"{n[4:10]} {r['time_model']:8s} err={r['err']} q={r['quality']:.2f} "
                f"ex={int(r['excluded'])} w={r['words']} ev={r['events']} "
                f"fill={r['filler_per_min']} | chan found {c.get('q_found')} truth "
                f"{c.get('q_truth')} rank {c.get('rank')}/{c.get('rank_ev')} | energy "
                f"{e.get('q_found')} / {e.get('q_truth')} rank {e.get('rank')}",
                flush=True,
            )
            Path(out).write_text(json.dumps(rows, indent=1))


def salience(folder: Path) -> dict:
    """How the said event gestures stand out of the motion: per gesture the energy signal's
    peak over its true span, as a percentile of the peaks of every window of that length
    (filler motion as loud as the gestures leaves the words nothing to line up with)."""
    truth, motion, _ = load(folder)
    sig = al.motion_signal(motion, al.AlignConfig().smooth_s)
    t = motion.t
    pct, classes = [], []
    for g in truth["gestures"]:
        if g["said"] != "yes" or g["class"] not in EVENT_CLASSES or g["arrived"] < 0.5:
            continue
        inside = (t >= g["start"]) & (t <= g["end"])
        if not inside.any():
            continue
        w = max(int(inside.sum()), 1)
        from scipy.ndimage import maximum_filter1d

        peaks = maximum_filter1d(sig, w)
        pct.append(float((peaks < sig[inside].max()).mean()))
        classes.append(g["class"])
    top = max(classes.count(c) for c in set(classes)) if classes else 0
    return dict(
        salience=round(float(np.median(pct)), 3) if pct else None,
        loud_share=round(float(np.mean(np.array(pct) >= 0.8)), 3) if pct else None,
        said_events=len(pct),
        one_class_share=round(top / max(len(classes), 1), 2),
    )


def add_salience(path: str, dirs: list[str]) -> None:
    rows = json.loads(Path(path).read_text())
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            if f.parent.name in rows:
                rows[f.parent.name].update(salience(f.parent))
    Path(path).write_text(json.dumps(rows, indent=1))


CHOICES: list = []
_choice = al.class_choice


def _record_choice(lag, *args, **kw):
    out = _choice(lag, *args, **kw)
    CHOICES.append((lag, out[0]))
    return out


def moves(out: str, dirs: list[str]) -> None:
    """Per session: the offset before the class choice (the event-energy peak) and after it,
    against the truth, with the quality and gate."""
    al.class_choice = _record_choice
    rows = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            CHOICES.clear()
            _, rep = al.align_session(f.parent.name, motion, cmds, al.AlignConfig())
            if rep.offset_s is None or not CHOICES:
                continue
            w = al.AlignConfig().word_to_peak_s
            lag_in, lag_out = min(CHOICES, key=lambda c: abs(c[1] - w - rep.offset_s))
            r = rows[f.parent.name] = dict(
                time_model=rep.time_model,
                err=round(rep.offset_s - truth["offset_s"], 3),
                err_energy=round(lag_in - w - truth["offset_s"], 3),
                moved=abs(lag_out - lag_in) > 0.1,
                quality=round(rep.quality, 2),
                excluded=rep.excluded,
                gate=rep.gate,
                class_p=round(rep.class_p_value, 4),
            )
            if r["moved"]:
                print(f.parent.name[4:10], r, flush=True)
    Path(out).write_text(json.dumps(rows, indent=1))


def collect(out: str, args: list[str]) -> None:
    """max_hypothesis_dev.py collect --max=0 (gate_dev rows) with AlignConfig's
    strong_keeps_peak set by the first argument (1: on, 0: off)."""
    import functools

    import max_hypothesis_dev as mh

    keep, dirs = args[0] == "1", args[1:]
    al.AlignConfig = functools.partial(al.AlignConfig, strong_keeps_peak=keep)
    mh.collect(out, dirs, False, 1.8)


if __name__ == "__main__":
    {"truth": main, "salience": add_salience, "moves": moves, "collect": collect}[sys.argv[1]](
        sys.argv[2], sys.argv[3:]
    )
