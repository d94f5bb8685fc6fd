"""Dev harness (issue 24, where labels land): why noise labels miss, and where turn and
walk labels go wrong. Labels from the exact words at the TRUE offset on session time
(bench/notes/label_dev.py); dev sessions only (never R12/R13/RB).

    PYTHONPATH=. python bench/notes/label_where.py /tmp/b24dev/s6[123]

Prints, per class, where labelled time lies (voice_score.label_landing: own gesture, other
gesture, unlabelled filler cut from the class's own recordings, other filler, no truth)
and which side of its gesture the wrong time is; truth durations; each gesture kind's
motion energy inside, before and after it, and of the filler; and the best precision any
label window fixed to the word can reach for noise (the word at gesture start + lag)."""

import json
import sys
import warnings
from collections import Counter, defaultdict

import numpy as np
from scipy.ndimage import uniform_filter1d

from bench.notes.label_dev import folders_of, labels_at, load
from silkpipe.alignment import AlignConfig
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_score import clock_pairs, label_landing


def landing(folders, cfg):
    pairs, sides = [], {c: Counter() for c in CLASSES}
    for f in folders:
        truth, clock, cmds = load(f, False)
        ivs = labels_at(clock.motion, cmds, truth["offset_s"], cfg)
        pairs.append(clock_pairs(clock, truth, [(iv.start, iv.end, iv.label) for iv in ivs]))
        for iv in ivs:
            sides[iv.label].update(side(truth, iv))
    return label_landing(pairs), sides


def side(truth, iv) -> Counter:
    """Wrong seconds of a label before / after the own-class gesture it overlaps most,
    or all of it when it overlaps none."""
    gs = [(a, b) for a, b, c in truth["intervals"] if c == iv.label]
    ov = [max(0.0, min(iv.end, b) - max(iv.start, a)) for a, b in gs]
    if not gs or max(ov) <= 0:
        return Counter(labelled=iv.end - iv.start, none=iv.end - iv.start)
    a, b = gs[int(np.argmax(ov))]
    return Counter(
        labelled=iv.end - iv.start,
        before=max(0.0, min(iv.end, a) - iv.start),
        after=max(0.0, iv.end - max(iv.start, b)),
    )


def energies(folders):
    """Median motion energy (0.3 s mean) inside each gesture kind, 1 s before and after it,
    and inside each kind of filler."""
    rows = defaultdict(list)
    for f in folders:
        truth, clock, _ = load(f, False)
        m = clock.motion
        e = uniform_filter1d(m.energy().astype(float), max(int(0.3 * m.rate), 1))

        def mean(a, b, m=m, e=e):
            k = (m.t >= a) & (m.t < b)
            return float(e[k].mean()) if k.any() else np.nan

        for g in truth["gestures"]:
            kind = g["clip"].split("_1")[0].split("_seg")[0]
            a, b = g["start"], g["end"]
            rows[kind].append((b - a, mean(a, b), mean(a - 1, a), mean(b, b + 1)))
        for a, b, c in truth["filler_motion"]:
            rows["filler " + c].append((b - a, mean(a, b), np.nan, np.nan))
    return {k: np.nanmedian(np.array(v), axis=0) for k, v in sorted(rows.items())}


def word_windows(folders, windows):
    """Noise precision and recall of labels [word + u, word + v] (noise words only, exact
    word times, no runs joined): the most any word-fixed extent can do."""
    truths = [json.loads((f / "truth.json").read_text()) for f in folders]
    out = {}
    for u, v in windows:
        lab = tp = true_s = 0.0
        for t in truths:
            nz = [(a, b) for a, b, c in t["intervals"] if c == "noise"]
            true_s += sum(b - a for a, b in nz)
            for c in t["commands"]:
                if c["class"] == "noise":
                    s, e = c["imu_time"] + u, c["imu_time"] + v
                    lab += e - s
                    tp += sum(max(0.0, min(e, b) - max(s, a)) for a, b in nz)
        out[(u, v)] = (tp / lab, tp / true_s)
    return out


def main(args):
    warnings.simplefilter("ignore", RuntimeWarning)  # nan medians: filler has no before/after
    folders = folders_of(args)
    lands, sides = landing(folders, AlignConfig())
    print("where labelled time lies (shares) | wrong time before/after its gesture, none")
    for c in CLASSES:
        s, n = lands[c], sides[c]
        if s is None:
            continue
        cells = " ".join(f"{k} {v:.2f}" for k, v in s.items())
        lab = n["labelled"]
        print(
            f"{c:6s} {lab:6.1f}s {cells} | before {n['before'] / lab:.2f}"
            f" after {n['after'] / lab:.2f} none {n['none'] / lab:.2f}"
        )
    print("median duration / energy inside / 1 s before / 1 s after")
    for k, v in energies(folders).items():
        print(f"  {k:18s} " + " ".join(f"{x:5.2f}" for x in v))
    grid = [(u, v) for u in (-0.2, -0.1, 0.0, 0.1) for v in (0.2, 0.3, 0.5, 0.7, 1.0, 1.5)]
    print("noise, label [word+u, word+v]: precision / recall")
    for (u, v), (p, r) in word_windows(folders, grid).items():
        print(f"  u={u:+.1f} v={v:.1f}  P {p:.2f}  R {r:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
