"""A fixed class model's test of a fitted clock RATE (AlignConfig.class_rate_margin).

Every other class figure the gate has (class p, lag margin, common-words margin) judges a
uniform shift of the words. A wrong clock scale is not a shift: it pivots the words about
some time inside them, so most words stay near their own gestures and every shifted
placement scores worse; those figures all confirm a fit whose rate is off by a percent
(826_02: scale 1.015 for a true 1.000, 0.77 s off, bench/notes/fp47.txt). This test asks
the model the rate question directly: does it score the words better at the scale taken
than at scale 1 (the rebuilt clock's own rate), each at its best offset near the fit?
"""

from __future__ import annotations

import numpy as np

from silkpipe.clip_evidence import BoundClips, LagProfile


def rate_margin(
    clips: BoundClips,
    audio_times: np.ndarray,
    labels: np.ndarray,
    scale: float,
    lag: float,
    near_s: float,
    reach_s: float,
) -> float | None:
    """The model's best score of the said classes with the words at ``scale`` (IMU times
    scale * t + lag + d, |d| <= near_s) less its best at scale 1 pivoted at the words'
    median audio time (t + lag + (scale - 1) * median + d), over the spread of the taken
    placement's lag profile within ``reach_s`` (as lag_margin's); None at scale 1 or with
    fewer than two classes of words. Below 0 the model prefers the clock's own rate."""
    if abs(scale - 1.0) < 1e-9 or len(set(np.asarray(labels).tolist())) < 2:
        return None
    taken = LagProfile(clips, scale * audio_times + lag, labels, reach_s)
    pivot = float(np.median(audio_times))
    one = LagProfile(clips, audio_times + lag + (scale - 1.0) * pivot, labels, near_s)
    near = np.abs(taken.shifts) <= near_s + 1e-9
    best_taken = float(np.max(taken.floored[near]))
    return round((best_taken - float(np.max(one.floored))) / taken.spread(), 3)
