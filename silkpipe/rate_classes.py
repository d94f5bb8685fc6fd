"""A fixed class model's test of a fitted clock RATE (AlignConfig.class_rate_margin).

Every other class figure the gate has (class p, lag margin, common-words margin) judges a
uniform shift of the words. A wrong clock scale is not a shift: it pivots the words about
some time inside them, so most words stay near their own gestures and every shifted
placement scores worse; those figures all confirm a fit whose rate is off (826_02:
bench/notes/fp47.txt, rate48.txt). This test asks
the model the rate question directly: does it score the words better at the scale taken
than at scale 1 (the rebuilt clock's own rate), each at its best offset near the fit?
"""

from __future__ import annotations

import numpy as np

from silkpipe.clip_evidence import LagProfile


def rate_margin(
    taken: LagProfile, audio_times: np.ndarray, scale: float, lag: float, near_s: float
) -> float | None:
    """The model's best score of the said classes with the words at ``scale`` (the ``taken``
    profile: IMU times scale * t + lag + d, the one lag_margin judges, so it is scored once
    for both; |d| <= near_s here) less its best at scale 1 pivoted at the words' median
    audio time (t + lag + (scale - 1) * median + d), over the spread of the taken profile;
    None at scale 1 or with fewer than two classes of words. ``audio_times``: the words'
    times on the audio clock. Below 0 the model prefers the clock's own rate."""
    if abs(scale - 1.0) < 1e-9 or len(set(taken.labels.tolist())) < 2:
        return None
    pivot = float(np.median(audio_times))
    one = LagProfile(taken.clips, audio_times + lag + (scale - 1.0) * pivot, taken.labels, near_s)
    near = np.abs(taken.shifts) <= near_s + 1e-9
    best_taken = float(np.max(taken.floored[near]))
    return round((best_taken - float(np.max(one.floored))) / taken.spread(), 3)
