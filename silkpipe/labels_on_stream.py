"""Whether a session's labels.csv lies on its own sensor stream (folder-mode train and
evaluate --sessions): labels that all miss it (another session's labels, another clock,
none at all) give no window, and the session counted as trained on or scored without a
word."""

from __future__ import annotations


def labels_off_stream(stream) -> str:
    """Why none of the labelled ``stream``'s labels lies on its sensor stream ('' when any
    does)."""
    t0, t1 = float(stream.motion.t[0]), float(stream.motion.t[-1])
    intervals = stream.intervals
    if any(iv.end > t0 and iv.start < t1 for iv in intervals):
        return ""
    if not intervals:
        return "holds no labels"
    lo, hi = min(iv.start for iv in intervals), max(iv.end for iv in intervals)
    return (
        f"holds {len(intervals)} labels at {lo:.1f}-{hi:.1f} s, none on its sensor stream "
        f"({t0:.1f}-{t1:.1f} s): another session's labels, or another clock?"
    )
