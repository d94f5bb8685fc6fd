"""Where the motion sits inside the button spans of each side of R12's clips-dev split
(issue 24, stop 60; bench/notes/side60.txt). Per gesture class and side: how many clips the
realistic generator plays as gestures, the median button span, and the median time from
the button press (the span's start, where the generator says the word, plus its reaction
lag) to the peak of the motion envelope the aligner correlates with (motion_span's).

    python bench/notes/side60_spans.py /tmp/held51/r12/train /tmp/held51/r12/eval
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from silkpipe.motion_span import SpanRule, envelope_peak  # noqa: E402
from silkpipe.semireal import load_clips  # noqa: E402

EVENTS = ("jump", "punch", "turn")


def side_rows(folder: str) -> dict[str, np.ndarray]:
    """class -> (n, 2) array of (span length, press-to-peak seconds) of its clips."""
    rows: dict[str, list] = {c: [] for c in EVENTS}
    for clip in load_clips(folder):
        if clip.cls in rows and clip.flaw is None:
            peak, _ = envelope_peak(clip.times, clip.values, SpanRule().smooth_s)
            rows[clip.cls].append((clip.end - clip.start, peak - clip.start))
    return {c: np.array(v) for c, v in rows.items() if v}


def main(folders: list[str]) -> None:
    print(f"{'side':<28} {'class':<6} {'clips':>5} {'span s':>7} {'press->peak s':>14}")
    for folder in folders:
        for cls, v in side_rows(folder).items():
            span, lag = np.median(v, axis=0)
            print(f"{folder:<28} {cls:<6} {len(v):>5} {span:>7.2f} {lag:>14.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
