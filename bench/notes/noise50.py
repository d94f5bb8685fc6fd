"""Noise label precision (issue 24, helper noise50): where labelled-noise time lies and what
the noise span rule does. Dev harness, not shipped; results in bench/notes/noise50.txt.

    PYTHONPATH=. python bench/notes/noise50.py where DIR...     # per noise word, true offset
    PYTHONPATH=. python bench/notes/noise50.py rules DIR...     # span variants, every class
    PYTHONPATH=. python bench/notes/noise50.py gate DIR...      # the same where the gate passes
    PYTHONPATH=. python bench/notes/noise50.py profile DIR...   # truth at word + t, t -1..2 s
    PYTHONPATH=. python bench/notes/noise50.py fair DIR...      # filler make-up; label on pads
    PYTHONPATH=. python bench/notes/noise50.py windows DIR...   # training windows 0.8 vs 0.6 s

Words are the exact ones (truth.json); labels at the TRUE offset on the true session clock
(bench/notes/label_dev.py), so the span rule is judged apart from the offset and Whisper.
"""

import json
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

import bench.notes.label_dev as ld
from silkpipe.alignment import AlignConfig, align_session, session_labels
from silkpipe.dataset import WindowConfig, session_stream, window_centres
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_score import (
    _label_grid,
    _truth_grid,
    clock_grid,
    clock_pairs,
    label_landing,
    label_overlap,
)
from silkpipe.word_labels import spoken_words, word_label_errors, word_summary

ld.CACHE = Path("/tmp/noise50/cache")


def kind_of(clip: str) -> str:
    return "locomotion" if "locomotion" in clip else "action" if "action" in clip else clip


def where(folders) -> None:
    """Per spoken noise word (true offset, exact words): the gesture it names, its clip kind,
    the label placed for it and how much of that label lies on the gesture's core."""
    cfg = AlignConfig()
    per = defaultdict(list)
    for f in folders:
        truth, clock, cmds = ld.load(f, False)
        ivs = ld.labels_at(clock.motion, cmds, truth["offset_s"], cfg)
        noise = [iv for iv in ivs if iv.label == "noise"]
        gest = [g for g in truth["gestures"] if g["class"] == "noise" and g["spoken"]]
        for c in cmds:
            if c.cls != "noise":
                continue
            x = c.start + truth["offset_s"]
            near = [g for g in gest if abs(g["start"] - x) <= 1.5]
            if not near:
                per["unpaired"].append((None, None, None, None))
                continue
            g = min(near, key=lambda g: abs(g["start"] - x))
            lab = [iv for iv in noise if iv.end > x - 1 and iv.start < x + 2]
            cover = sum(max(0.0, min(iv.end, g["end"]) - max(iv.start, g["start"])) for iv in lab)
            length = sum(iv.end - iv.start for iv in lab)
            before = sum(max(0.0, min(iv.end, g["start"]) - iv.start) for iv in lab)
            k = kind_of(g["clip"])
            per[k].append((g["end"] - g["start"], g["start"] - x, cover, length, before))
    for k, rows in per.items():
        if k == "unpaired":
            print(f"{k}: {len(rows)} noise words with no spoken noise gesture within 1.5 s")
            continue
        a = np.array(rows, dtype=float)
        print(
            f"{k:10s} words {len(a):3d} core med {np.median(a[:, 0]):.2f}s "
            f"core start - word: med {np.median(a[:, 1]):+.2f} [p10 {np.percentile(a[:, 1], 10):+.2f}, "
            f"p90 {np.percentile(a[:, 1], 90):+.2f}] label s {a[:, 3].sum():.1f} on core "
            f"{a[:, 2].sum() / max(a[:, 3].sum(), 1e-9):.2f} before core "
            f"{a[:, 4].sum() / max(a[:, 3].sum(), 1e-9):.2f}"
        )


def found_fit(folder: Path):
    """(offset, clock scale, refused) align_session finds alone with the exact words (cached;
    the fit does not read the noise span settings)."""
    key = ld.CACHE / f"fit_{folder.parent.parent.name}_{folder.parent.name}_{folder.name}.json"
    if key.exists():
        return json.loads(key.read_text())
    truth, clock, cmds = ld.load(folder, True)
    _, rep = align_session(folder.name, clock.motion, cmds, AlignConfig(), keep_refused=True)
    out = [rep.offset_s, rep.clock_scale, "kept although refused" in rep.reason]
    key.write_text(json.dumps(out))
    return out


WORD_ROWS: list = []


def pairs_of(folders, cfg: AlignConfig, mode: str = "true"):
    """(predicted, true) grids per session: at the true offset, or ("gate") at the offset
    align_session finds, sessions it passes only (right or wrong); word-label figures kept."""
    out = []
    WORD_ROWS.clear()
    for f in folders:
        truth, clock, cmds = ld.load(f, mode != "true")
        offset, scale = truth["offset_s"], 1.0
        if mode != "true":
            offset, scale, refused = found_fit(f)
            if offset is None or refused:
                continue
            cmds = [replace(c, start=c.start * scale, end=c.end * scale) for c in cmds]
        m = clock.motion
        ivs = session_labels(cmds, offset, (float(m.t[0]), float(m.t[-1])), m, cfg)
        spans = [(iv.start, iv.end, iv.label) for iv in ivs]
        out.append(clock_pairs(clock, truth, spans))
        if mode != "true":
            words = spoken_words(truth)
            errs = word_label_errors(words, spans, offset, scale, clock.rows, clock.truth)
            WORD_ROWS.append((word_summary(errs), words, errs))
    return out


def word_line() -> str:
    """Passed sessions with over 20% of word labels > 0.5 s off; noise words' median |error|."""
    bad = sum((s["over_0_5s"] or 0) > 0.2 for s, _, _ in WORD_ROWS)
    noise = [
        abs(e)
        for _, ws, es in WORD_ROWS
        for w, e in zip(ws, es, strict=True)
        if w.cls == "noise" and e is not None
    ]
    off = sum(e > 0.5 for e in noise)
    med = np.median(noise) if noise else float("nan")
    return f"word false passes {bad}/{len(WORD_ROWS)}; noise words labelled {len(noise)}, |err| med {med:.2f}, >0.5 s {off}"


def table(pairs) -> str:
    lab = label_overlap(pairs)
    cells = []
    for c in CLASSES:
        p, r, s = lab[c]["precision"], lab[c]["recall"], lab[c]["labelled_s"]
        ps = "-" if p is None else f"{p:.2f}"
        rs = "-" if r is None else f"{r:.2f}"
        cells.append(f"{c[:5]} {ps}/{rs}/{s:.0f}s")
    return " ".join(cells)


_D = AlignConfig()
VARIANTS = {
    "default": _D,  # the shipped 0.8 s (w0.6: stop 50's candidate, refused)
    **{f"w{w}": replace(_D, noise_window_s=w) for w in (0.8, 0.6, 0.5, 0.4, 0.3, 0.2)},
    "burst.3": replace(_D, noise_burst_share=0.3),
    "burst.5": replace(_D, noise_burst_share=0.5),
    "w0.4 c.2": replace(_D, noise_window_s=0.4, noise_centre_s=0.2),
    "w0.4 c.4": replace(_D, noise_window_s=0.4, noise_centre_s=0.4),
}


def rules(folders, mode: str = "true") -> None:
    for name, cfg in VARIANTS.items():
        pairs = pairs_of(folders, cfg, mode)
        land = label_landing(pairs)["noise"] or {}
        print(f"{mode} n={len(pairs)} {name:10s} {table(pairs)}")
        print(f"{'':22s} noise lands: " + " ".join(f"{k} {v:.2f}" for k, v in land.items()))
        if mode != "true":
            print(f"{'':22s} {word_line()}")


def profile(folders) -> None:
    """Per t, the share of noise words whose truth at word + t is a noise gesture, noise
    filler, other filler, another gesture: the best any word-placed window can do."""
    ts = np.arange(-1.0, 2.0, 0.1)
    rows = []
    for f in folders:
        truth, _, cmds = ld.load(f, False)
        for c in cmds:
            if c.cls == "noise":
                rows.append(_truth_grid(truth, c.start + truth["offset_s"] + ts))
    g, n = np.array(rows), CLASSES.index("noise")
    print("words", len(g))
    for k, t in enumerate(ts):
        col = g[:, k]
        print(
            f"t {t:+.1f} core {np.mean(col == n):.2f} noisefill {np.mean(col == -2 - n):.2f} "
            f"otherfill {np.mean((col <= -2) & (col != -2 - n)):.2f} "
            f"othergest {np.mean((col >= 0) & (col != n)):.2f}"
        )


def fair(folders) -> None:
    """What filler_motion is made of, and the share of noise label time on a noise gesture's
    own piece outside its core (realistic.gesture_source: a short clip plays >= 0.8 s)."""
    n, fill = CLASSES.index("noise"), defaultdict(float)
    for w in (0.8, 0.6):
        tot = pad = core = onfill = 0
        for f in folders:
            truth, clock, cmds = ld.load(f, False)
            for a, b, c in truth["filler_motion"]:
                fill[c] += (b - a) * (w == 0.8)
            m = clock.motion
            cfg = replace(AlignConfig(), noise_window_s=w)
            ivs = session_labels(cmds, truth["offset_s"], (float(m.t[0]), float(m.t[-1])), m, cfg)
            grid, tt = clock_grid(clock, 50.0)
            p = _label_grid([(iv.start, iv.end, iv.label) for iv in ivs], grid) == n
            g = _truth_grid(truth, tt)
            inpad = np.zeros(len(tt), bool)
            for G in (G for G in truth["gestures"] if G["class"] == "noise"):
                c0 = (G["start"] + G["end"]) / 2
                half = max((G["end"] - G["start"]) / 2 + 0.125, 0.4)
                inpad |= (tt >= c0 - half) & (tt < c0 + half) & (g != n)
            tot += p.sum()
            core += (p & (g == n)).sum()
            onfill += (p & (g == -2 - n)).sum()
            pad += (p & inpad).sum()
        print(
            f"w{w}: noise label s {tot / 50:.0f}: on a noise gesture {core / tot:.2f}, on "
            f"noise-recording filler {onfill / tot:.2f}, on a noise gesture's own piece "
            f"outside its core {pad / tot:.2f}"
        )
    total = sum(fill.values())
    print("filler time by recording class:", {k: round(v / total, 3) for k, v in fill.items()})


def windows(folders) -> None:
    """Training windows (dataset.window_centres) from labels with 0.8 s and 0.6 s noise."""
    same, counts = 0, {w: Counter() for w in (0.8, 0.6)}
    for f in folders:
        truth, clock, cmds = ld.load(f, False)
        m = clock.motion
        got = {}
        for w in counts:
            cfg = replace(AlignConfig(), noise_window_s=w)
            ivs = session_labels(cmds, truth["offset_s"], (float(m.t[0]), float(m.t[-1])), m, cfg)
            stream = session_stream(f.name, m, [(iv.start, iv.end, iv.label) for iv in ivs])
            got[w] = window_centres(stream, WindowConfig())
            counts[w].update(label for _, label, _ in got[w])
        same += got[0.8] == got[0.6]
    print(f"sessions with identical windows {same} of {len(folders)}")
    for w, c in counts.items():
        print(w, dict(c))


if __name__ == "__main__":
    mode, dirs = sys.argv[1], sys.argv[2:]
    folders = ld.folders_of(dirs)
    if mode == "gate":
        rules(folders, "gate")
    else:
        modes = {"where": where, "rules": rules, "profile": profile, "fair": fair}
        (modes | {"windows": windows})[mode](folders)
