"""Few-word never_drains sessions (issue 24, helper nd40). Rule and results:
bench/notes/nd40.txt. Not shipped.

    python bench/notes/nd40.py probe RUN_DIR...
        # per session (first pass, no class model): where the fit lands; the words on the
        # delivered stream at the true offset and the words past its end the fit keeps;
        # oracles (truth used): the fit without the words past the stream's end, and
        # the energy score at the true lag against the chosen one
    python bench/notes/nd40.py collect / report / diff: fresh38.py's
"""

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def _counts(motion, cmds, off, cfg):
    """(event words on the stream, all on the stream, kept past its end) at offset ``off``."""
    import silkpipe.alignment as al
    from silkpipe.vocabulary import EVENT_CLASSES

    kept, _ = al.reachable_words(motion, cmds, cfg)
    t = np.array([c.start + off for c in kept])
    on = (t >= motion.t[0]) & (t <= motion.t[-1])
    ev = np.array([c.cls in EVENT_CLASSES for c in kept])
    return int((on & ev).sum()), int(on.sum()), int((t > motion.t[-1]).sum())


def _energy_at(motion, cmds, cfg, lag):
    """(score at ``lag``, best score, best lag) of the all-command energy fit (scale 1)."""
    import silkpipe.alignment as al

    kept, _ = al.reachable_words(motion, cmds, cfg)
    times = np.array([c.start for c in kept])
    _, _, offsets, scores = al._energy_fit(
        al.search_signal(motion, cfg), motion, times, [c.cls for c in kept], cfg
    )
    return (
        float(np.interp(lag, offsets, scores)),
        float(scores.max()),
        float(offsets[scores.argmax()]),
    )


def probe(dirs):
    from align_dev import load

    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            off = truth["offset_s"]
            _, rep = al.align_session(f.parent.name, motion, cmds, cfg, keep_refused=True)
            err = None if rep.offset_s is None else rep.offset_s - off
            ev_on, on, past = _counts(motion, cmds, off, cfg)
            end = motion.t[-1]
            cut = [c for c in cmds if c.start + off <= end]
            _, orep = al.align_session(f.parent.name, motion, cut, cfg, keep_refused=True)
            oerr = None if orep.offset_s is None else orep.offset_s - off
            lag = off + cfg.word_to_peak_s
            s_true, s_best, l_best = _energy_at(motion, cmds, cfg, lag)
            fmt = lambda x: "   -  " if x is None else f"{x:+6.2f}"  # noqa: E731
            print(
                f"{f.parent.name[4:10]} {truth['delivery']['kind'][:6]} {rep.time_model:7s} "
                f"err {fmt(err)} [{rep.gate[:22]:22s}] q {rep.quality:5.2f} "
                f"ev_on {ev_on:2d} on {on:2d} past {past:2d} imu {end - motion.t[0]:5.1f}s | "
                f"cut err {fmt(oerr)} [{orep.gate[:14]:14s}] q {orep.quality:5.2f} | "
                f"energy true {s_true:5.2f} best {s_best:5.2f} at {l_best - lag:+6.2f}",
                flush=True,
            )


def lead(dirs):
    """Per session: each event word's motion peak (the smoothed energy's highest point within
    the gesture's true span, on the rebuilt clock) less the word's true IMU time; the mean
    less word_to_peak_s is the offset error a perfect fit of those words' peaks would make."""
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.vocabulary import EVENT_CLASSES

    cfg = al.AlignConfig()
    by_class: dict[str, list[float]] = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, _ = load(f.parent)
            sig = al.motion_signal(motion, cfg.smooth_s)
            spans = [g for g in truth["gestures"] if g["spoken"] and g["class"] in EVENT_CLASSES]
            words = [c for c in truth["commands"] if c["class"] in EVENT_CLASSES]
            leads = []
            for w in words:
                g = min(spans, key=lambda g: abs(g["start"] - w["imu_time"]), default=None)
                inside = (motion.t >= g["start"]) & (motion.t <= g["end"]) if g else None
                if inside is None or not inside.any() or g["start"] > motion.t[-1]:
                    continue
                leads.append(float(motion.t[inside][np.argmax(sig[inside])] - w["imu_time"]))
                by_class.setdefault(w["class"], []).append(leads[-1])
            m = np.mean(leads) - cfg.word_to_peak_s if leads else float("nan")
            print(
                f"{f.parent.name[4:10]} event words on stream {len(leads)} peak-word "
                f"{np.round(leads, 2).tolist()} mean - word_to_peak {m:+.2f}"
            )
    for cls, v in sorted(by_class.items()):
        q = np.percentile(v, [10, 50, 90]).round(2).tolist()
        print(f"{cls}: n {len(v)} peak-word mean {np.mean(v):.2f} sd {np.std(v):.2f} p10/50/90 {q}")


def keep(args):
    """MODEL_CLIPS RUN_DIR...: the clip route's first pass (align_session with the clip
    model) at the default class_keep and with class_keep 0 (class_choice weighs every
    energy peak): offset error and gate of each."""
    from dataclasses import replace

    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.clip_evidence import clip_model_from_folder

    cfg = al.AlignConfig()
    model = clip_model_from_folder(args[0])
    for d in args[1:]:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            out = []
            for c in (cfg, replace(cfg, class_keep=0.0)):
                _, rep = al.align_session(f.parent.name, motion, cmds, c, clip_model=model)
                err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
                out.append(
                    f"{'-' if err is None else f'{err:+.2f}':>7s} "
                    f"{'ex' if rep.excluded else 'PASS'} [{rep.gate[:20]}]"
                )
            print(f"{f.parent.name[4:10]} " + " | ".join(out), flush=True)


def oracle(args):
    """MODEL_CLIPS RUN_DIR...: per session, what class evidence from a clip model could do
    (truth used to score only): the clip route's fit (align_session with the model), the
    model's best lag over the whole search (words off the motion score FLOOR), and
    class_choice's sum (energy / top + clip score) over every energy peak, not only those
    within class_keep of the top."""
    from align_dev import load
    from scipy.signal import find_peaks

    import silkpipe.alignment as al
    from silkpipe.class_evidence import event_words
    from silkpipe.clip_evidence import FLOOR, bind, clip_model_from_folder

    cfg = al.AlignConfig()
    model = clip_model_from_folder(args[0])
    for d in args[1:]:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            off = truth["offset_s"]
            lag0 = off + cfg.word_to_peak_s
            _, rep = al.align_session(
                f.parent.name, motion, cmds, cfg, keep_refused=True, clip_model=model
            )
            err = None if rep.offset_s is None else rep.offset_s - off
            clips = bind(model, motion)
            kept, _ = al.reachable_words(motion, cmds, cfg)
            times = np.array([c.start for c in kept])
            e_t, labels = event_words(times, [c.cls for c in kept])
            _, _, offsets, scores = al._energy_fit(
                al.search_signal(motion, cfg), motion, times, [c.cls for c in kept], cfg
            )
            prof = clips.scores(e_t, labels, offsets, missing=FLOOR)
            peaks, _ = find_peaks(scores, distance=max(int(0.5 * motion.rate), 1))
            comb = scores[peaks] / scores.max() + cfg.clip_weight * prof[peaks]
            keep = scores[peaks] >= cfg.class_keep * scores.max()
            pick_all = offsets[peaks][np.argmax(comb)]
            pick_keep = offsets[peaks][keep][np.argmax(comb[keep])]
            near = np.abs(offsets - lag0) <= 0.3
            fmt = lambda x: "   -  " if x is None else f"{x:+6.2f}"  # noqa: E731
            print(
                f"{f.parent.name[4:10]} words {len(labels):2d} clip route err {fmt(err)} "
                f"[{rep.gate[:20]:20s}] cls_p {rep.class_p_value:.3f} | clip best lag "
                f"{offsets[np.argmax(prof)] - lag0:+6.2f} (true {prof[near].max():.2f} best "
                f"{prof.max():.2f}) | keep-peaks pick {pick_keep - lag0:+6.2f} all-peaks pick "
                f"{pick_all - lag0:+6.2f} (true energy {np.interp(lag0, offsets, scores) / scores.max():.2f})",
                flush=True,
            )


if __name__ == "__main__":
    import fresh38

    commands = {
        "probe": probe,
        "oracle": oracle,
        "lead": lead,
        "keep": keep,
        "collect": fresh38.collect,
        "report": fresh38.report,
        "diff": fresh38.diff,
    }
    commands[sys.argv[1]](sys.argv[2:])
