"""fit46: per session dir, the event profile's local peak near the truth on energy alone and on
the class channels, and the first pass (fit46.txt section 1, the four nd45 sessions)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "/work/wt/fit46/bench/notes")
from align_dev import load

import silkpipe.alignment as al
from silkpipe.vocabulary import EVENT_CLASSES

cfg = al.AlignConfig()
for d in sys.argv[1:]:
    p = Path(d)
    truth, motion, cmds = load(p)
    off = truth["offset_s"]
    lag0 = off + cfg.word_to_peak_s
    kept, _ = al.reachable_words(motion, cmds, cfg)
    times = np.array([c.start for c in kept])
    classes = [c.cls for c in kept]
    sig = al.search_signal(motion, cfg)
    e = [i for i, c in enumerate(classes) if c in EVENT_CLASSES]
    sig0 = sig if sig.ndim == 1 else sig[:, 0]
    for name, s in (("energy", sig0), ("chan", sig)):
        if s.ndim == 2 and cfg.class_channel_weight <= 0:
            continue
        c2 = cfg if s.ndim == 2 else al.replace(cfg, class_channel_weight=0.0)
        _, _, offs, sc = al._energy_fit(s, motion, times, classes, c2)
        es, ep = al.predicted_profile(times[e], [classes[i] for i in e], motion.rate, c2)
        eo, esc = al.lag_scores(s, motion.t[0], motion.rate, es, ep, cfg.search_s)
        near = np.abs(eo - lag0) <= 1.0
        lp = al._refine(eo, esc, int(np.flatnonzero(near)[np.argmax(esc[near])]))
        print(
            f"{p.name[4:10]} {name}: all best {offs[np.argmax(sc)] - lag0:+.2f} events best {eo[np.argmax(esc)] - lag0:+.2f}, events local peak near truth {lp - lag0:+.3f}"
        )
    _, rep = al.align_session(p.name, motion, cmds, cfg, keep_refused=True)
    print(
        f"   first pass err {rep.offset_s - off:+.3f} gate {rep.gate} q {rep.quality:.2f} n_events {len(e)} scale {rep.clock_scale}"
    )
