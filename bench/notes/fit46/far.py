"""fit46: right-clock sessions >= 1 s off: rank of the near-truth peak among the all-command and
event-only profile peaks; reads /tmp/fit46/census.json (fit46.txt section 1, /tmp/fit46/far.txt)."""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "/work/wt/fit46/bench/notes")
from align_dev import load
from scipy.signal import find_peaks

import silkpipe.alignment as al
from silkpipe.vocabulary import EVENT_CLASSES

cfg = al.AlignConfig()
rows = json.load(open("/tmp/fit46/census.json"))
for r in rows:
    if not r["clock"] or max(abs(c) for c in r["clock"]) > 0.25 or r["err"] is None:
        continue
    fe = r["err"] - np.median(r["clock"])
    if abs(fe) < 1.0:
        continue
    p = Path(f"/tmp/h44/{r['set']}/{r['delivery']}/{r['run']}/{r['name']}")
    truth, motion, cmds = load(p)
    lag0 = truth["offset_s"] + cfg.word_to_peak_s + np.median(r["clock"])
    kept, _ = al.reachable_words(motion, cmds, cfg)
    times = np.array([c.start for c in kept])
    classes = [c.cls for c in kept]
    sig = al.search_signal(motion, cfg)
    out = []
    for tag, s, c in (("all", sig, cfg), ("ev", sig, cfg)):
        if tag == "ev":
            e = [i for i, x in enumerate(classes) if x in EVENT_CLASSES]
            if len(e) < 2:
                out.append("ev -")
                continue
            st, prof = al.predicted_profile(times[e], [classes[i] for i in e], motion.rate, c)
        else:
            st, prof = al.predicted_profile(times, classes, motion.rate, c)
        offs, sc = al.lag_scores(s, motion.t[0], motion.rate, st, prof, cfg.search_s)
        pk, _ = find_peaks(sc, distance=int(0.5 * motion.rate))
        order = pk[np.argsort(-sc[pk])]
        near = [k for k, i in enumerate(order) if abs(offs[i] - lag0) <= 0.3]
        rank = near[0] + 1 if near else None
        ratio = sc[order[near[0]]] / sc[order[0]] if near else float("nan")
        out.append(f"{tag} rank {rank} ratio {ratio:.2f} top at {offs[order[0]] - lag0:+.2f}")
    ev = sum(x in EVENT_CLASSES for x in classes)
    print(
        f"{r['set']:8s} {r['delivery'][:6]} {r['name'][4:10]} err {r['err']:+.2f} [{'ex' if r['excluded'] else 'PASS'} {r['gate'][:24]}] q {r['quality']:.2f} words {len(kept)} ev {ev} | "
        + " | ".join(out),
        flush=True,
    )
