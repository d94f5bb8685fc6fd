"""How the held-out day's gestures differ from clips-dev's (diagnosis for voice_path_d14.txt).

Per day and class: where the motion-energy peak lies after the labelled span starts (the
semi-real generator says the word at the span's start, and the offset search expects the
motion about word_to_peak_s = 0.3 s after the word), the span's length, and what the class
channels of the offset search see at that peak: the share of |linear acceleration| along
gravity (jump: "a hard push along gravity", punch "across it") and the share of |gyro|
about gravity (turn: "a spin about gravity"). Read-only on the data, nothing tuned.

    PYTHONPATH=. python bench/notes/voice_path_d14_motion.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from silkpipe.class_evidence import raw_features
from silkpipe.clips import load_clip_streams

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def describe(folder: Path) -> None:
    streams = load_clip_streams(folder)
    print(
        f"{folder.name}: class  n  span_s  peak_after_start_s (median, IQR)  "
        "vert_share_at_peak  spin_share_at_peak"
    )
    for cls in ("jump", "punch", "turn", "walk", "noise"):
        rows = []
        for st in streams:
            (iv,) = st.intervals
            if iv.label != cls:
                continue
            m = st.motion
            raw = raw_features(m)
            inside = (m.t >= iv.start) & (m.t < iv.end) & m.valid
            if inside.sum() < 10:
                continue
            idx = np.flatnonzero(inside)
            peak = idx[int(np.argmax(raw[idx, 0] + raw[idx, 4]))]
            rows.append(
                (
                    iv.end - iv.start,
                    m.t[peak] - iv.start,
                    raw[peak, 1] / max(raw[peak, 0], 1e-9),
                    raw[peak, 3] / max(raw[peak, 4], 1e-9),
                )
            )
        if not rows:
            continue
        a = np.array(rows)
        q = np.percentile(a[:, 1], [25, 50, 75])
        print(
            f"  {cls:6s} {len(a):3d}  {np.median(a[:, 0]):.2f}  "
            f"{q[1]:.2f} ({q[0]:.2f}-{q[2]:.2f})  {np.median(a[:, 2]):.2f}  {np.median(a[:, 3]):.2f}"
        )


if __name__ == "__main__":
    for name in ("clips-dev", "clips-20251014"):
        describe(DATA / name)
