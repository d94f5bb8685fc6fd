"""Class-model and energy lag profiles (err axis: offset - truth) for target sessions,
whenever they are aligned with a session-class model (veto or rounds). Diagnosis only."""

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
import session_classes_dev as scd
from align_dev import load

import silkpipe.alignment as al
from silkpipe.clip_evidence import bind

ORIG = al.align_session
TARGET = {}  # name -> (truth offset, cut production time)


def _pk(e, p, k=4):
    idx = [i for i in range(1, len(p) - 1) if p[i] >= p[i - 1] and p[i] >= p[i + 1]]
    return sorted(idx, key=lambda i: -p[i])[:k]


def _prof(name, motion, cmds, cfg, model, rep):
    T, cut = TARGET[name]
    kept, _ = al.reachable_words(motion, cmds, cfg)
    kept = [replace(c, start=c.start * rep.clock_scale) for c in kept]
    clips = bind(model, motion)
    e = np.round(np.arange(-8.0, 8.0 + 1e-9, 0.05), 3)
    lags = T + cfg.word_to_peak_s + e
    chosen = (rep.offset_s or T) - T
    for g, ws in (
        ("all", kept),
        ("before", [c for c in kept if c.start + T < cut]),
        ("after", [c for c in kept if c.start + T >= cut]),
    ):
        t, lab = al._said_events(ws)
        if len(t) < 2:
            print(f"   {g}: {len(t)} event words")
            continue
        p = clips.scores(t, lab, lags)
        sd = float(np.std(p)) or 1.0
        i0 = int(np.argmin(abs(e)))
        ic = int(np.argmin(abs(e - chosen)))
        print(
            f"   cls {g:6s} {len(t):2d} ev words | truth {(p[i0] - np.median(p)) / sd:+.2f} chosen({chosen:+.2f}) {(p[ic] - np.median(p)) / sd:+.2f} | peaks "
            + ", ".join(f"{e[i]:+.2f} z{(p[i] - np.median(p)) / sd:+.2f}" for i in _pk(e, p)),
            flush=True,
        )


def _align(name, motion, cmds, cfg=None, **kw):
    out = ORIG(name, motion, cmds, cfg, **kw)
    rep = out[1]
    model = kw.get("clip_model")
    if model is not None and name in TARGET:
        print(
            f"# {name} err {(rep.offset_s or 0) - TARGET[name][0]:+.2f} gate {rep.gate} excluded {rep.excluded} q {rep.quality:.2f} margin {rep.class_lag_margin} cls_p {rep.class_p_value:.4f}",
            flush=True,
        )
        _prof(name, motion, cmds, cfg or al.AlignConfig(), model, rep)
    return out


if __name__ == "__main__":
    run, targets = sys.argv[1], sys.argv[2:]
    for i in range(0, len(targets), 2):
        TARGET[targets[i]] = (None, float(targets[i + 1]))
    al.align_session = _align
    data = {f.parent.name: load(f.parent) for f in sorted(Path(run).glob("*/truth.json"))}
    for n in TARGET:
        TARGET[n] = (data[n][0]["offset_s"], TARGET[n][1])
    print("#", run, flush=True)
    scd._rounds(data, al.AlignConfig())
