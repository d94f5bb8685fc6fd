"""Diagnosis helper of bench/notes/diag44.txt (not shipped); run from the repo root."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from align_dev import load

import silkpipe.alignment as al


def peaks(off, sc, k=4):
    idx = [i for i in range(1, len(sc) - 1) if sc[i] >= sc[i - 1] and sc[i] >= sc[i + 1]]
    idx = sorted(idx, key=lambda i: -sc[i])[:k]
    return idx


cfg = al.AlignConfig()
for d, cut in [(sys.argv[i], float(sys.argv[i + 1])) for i in range(1, len(sys.argv), 2)]:
    truth, motion, cmds = load(Path(d))
    T = truth["offset_s"]
    kept, _ = al.reachable_words(motion, cmds, cfg)
    _, rep = al.align_session(Path(d).name, motion, cmds, cfg, keep_refused=True)
    print(
        f"# {Path(d).name} truth off {T:.3f} first pass err {rep.offset_s - T:+.2f} q {rep.quality:.2f} gate {rep.gate} words kept {len(kept)}"
    )
    sig = al.search_signal(motion, cfg)
    groups = {
        "all": kept,
        "before": [c for c in kept if c.start + T < cut],
        "after": [c for c in kept if c.start + T >= cut],
    }
    for g, ws in groups.items():
        if len(ws) < 2:
            print(f"  {g}: {len(ws)} words")
            continue
        times = np.array([c.start for c in ws])
        _, _, off, sc = al._energy_fit(sig, motion, times, [c.cls for c in ws], cfg)
        e = off - cfg.word_to_peak_s - T
        i0 = int(np.argmin(abs(e)))
        pk = peaks(off, sc)
        sd = float(np.std(sc)) or 1
        print(
            f"  {g:6s} {len(ws):2d} words ({sorted(set(c.cls for c in ws))}) | at truth {sc[i0]:.3f} z {(sc[i0] - np.median(sc)) / sd:+.2f} | peaks (err, score, z): "
            + ", ".join(f"{e[i]:+.2f} {sc[i]:.3f} {(sc[i] - np.median(sc)) / sd:+.2f}" for i in pk)
        )
