"""Where the motion is inside a clip that carries no label span of its own.

A sample-dialect clip (clips-20251014) is a fixed-length recording with one gesture
somewhere inside it; a device-ns clip's button span is tight around its motion. The
semi-real generator says each word at the start of a labelled span, so a span that is the
whole sample puts the word well before the motion. ``motion_span`` gives such a sample the
span a person pressing the button would have given it, by one rule on the sample's motion
energy envelope (the |linear acceleration| + |gyro| the aligner correlates with, smoothed
over ``smooth_s``): the span runs from ``before_peak_s`` before the envelope's peak to
``after_peak_s`` after it, inside the sample.

The two lengths are where clips-dev's real button spans start and end around their own
envelope's peak (the class-mean of per-class medians), and the smoothing is the one that
reproduces those spans best when clips-dev clips are embedded in standing motion
(bench/notes/sample_spans.py); nothing was chosen on a sample-dialect day. A threshold on
the envelope's rising flank was also measured there; it cut spans that start closer to the
peak than people's do.

Not every sample holds its gesture: the recorder cuts a fixed length, so the wrist may not
have moved at all, or the gesture may run past the recording's start or end. ``span_flaw``
names those (bench/notes/sample_census.txt), so that play never presents a part of a
gesture, or no motion, as a whole one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from silkpipe.sessions import Motion, RawStreams, resample

RATE = 50.0


@dataclass(frozen=True)
class SpanRule:
    """The settings of motion_span (chosen on clips-dev: bench/notes/sample_spans.txt)."""

    smooth_s: float = 0.3
    before_peak_s: float = 0.34
    after_peak_s: float = 0.67
    # An envelope that never reaches this is a still wrist: the aligner's still_energy
    # level (button idle clips lie below it, every clips-dev gesture far above).
    still_peak: float = 2.0


def envelope(motion: Motion, smooth_s: float) -> np.ndarray:
    """Motion energy smoothed over ``smooth_s``, averaged over valid grid points only (a
    sensor gap, or the grid points before every sensor has started, is no stillness);
    inside a gap, the line between the valid points on either side."""
    valid = motion.valid.astype(np.float64)
    if not valid.any():
        return np.zeros(len(valid))
    width = max(int(round(smooth_s * motion.rate)), 1)
    total = uniform_filter1d(motion.energy().astype(np.float64), width, mode="nearest")
    share = uniform_filter1d(valid, width, mode="nearest")
    ok = motion.valid
    idx = np.arange(len(valid))
    return np.interp(idx, idx[ok], total[ok] / share[ok])


def envelope_peak(times: dict[str, np.ndarray], values: dict[str, np.ndarray], smooth_s: float):
    """(peak time, 50 Hz motion) of one clip's events."""
    motion = resample(RawStreams("<clip>", "clip", times, values), rate=RATE)
    return float(motion.t[int(np.argmax(envelope(motion, smooth_s)))]), motion


def motion_span(
    times: dict[str, np.ndarray], values: dict[str, np.ndarray], rule: SpanRule | None = None
) -> tuple[float, float]:
    """(start, end) seconds, on the clip's own clock, of the motion inside one clip's
    events (per-sensor times and values, as read); see the module's rule."""
    rule = rule or SpanRule()
    peak, _ = envelope_peak(times, values, rule.smooth_s)
    lo = min(float(t[0]) for t in times.values())
    hi = max(float(t[-1]) for t in times.values())
    return max(lo, peak - rule.before_peak_s), min(hi, peak + rule.after_peak_s)


def span_flaw(
    times: dict[str, np.ndarray], values: dict[str, np.ndarray], rule: SpanRule | None = None
) -> str | None:
    """Why one sample's recording does not hold its gesture whole, or None when it does:
    "still" (its envelope never reaches the still level: the wrist did not move), "cut at
    start" / "cut at end" (its motion span reaches the recording's start / end: the
    recorder started late or stopped early inside the gesture)."""
    rule = rule or SpanRule()
    peak, motion = envelope_peak(times, values, rule.smooth_s)
    if float(envelope(motion, rule.smooth_s).max()) < rule.still_peak:
        return "still"
    if peak - rule.before_peak_s <= min(float(t[0]) for t in times.values()):
        return "cut at start"
    if peak + rule.after_peak_s >= max(float(t[-1]) for t in times.values()):
        return "cut at end"
    return None
