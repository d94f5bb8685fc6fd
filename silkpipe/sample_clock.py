"""The watch clock of a sample-dialect clip, rebuilt from the host's arrival seconds.

The 2025-10-14 recorder stamps each row with the second it reached the host, counted from
the sample's start. The watch sends its rows in bursts after stalls, so arrival is not when
a row was made: consecutive rows of a sensor arrive a few ms apart inside a burst and up to
half a second apart across a stall, while the watch makes them at a steady rate, as
clips-dev's own watch clock shows. On the arrival clock a gesture inside a burst is squeezed
and one across a stall is stretched into a ramp; the model saw neither shape on clips-dev.

Each sensor's rows are therefore placed on the watch's clock: rows are made ``1 / rate``
apart, and row n was made as late as arrival allows, no later than it arrived and at least
one period before row n + 1 was made. A burst after a stall is spread back into the stall
(rows queued there); a stall that its burst cannot fill keeps a gap (rows lost there). Why
the rate is the watch's and not the arrival's, and the measurements: bench/notes/day50.txt.
"""

from __future__ import annotations

import numpy as np

#: Rows per second each sensor of the sample recorder's watch makes (as clips-dev's watch).
WATCH_RATE = 50.0


def count_clock(arrival: np.ndarray, rate: float = WATCH_RATE) -> np.ndarray:
    """One sensor's rows in arrival order -> the times the watch made them: row n at
    min over k >= n of (arrival[k] - (k - n) / rate), i.e. never after it arrived and at
    least a period before the next row; consecutive rows 1 / rate apart, or more where
    rows were lost."""
    arrival = np.asarray(arrival, dtype=np.float64)
    if len(arrival) == 0:
        return arrival
    made = np.arange(len(arrival)) / rate
    return np.minimum.accumulate((arrival - made)[::-1])[::-1] + made


def watch_times(times: dict[str, np.ndarray], rate: float = WATCH_RATE) -> dict:
    """Every sensor's arrival seconds -> its count clock (count_clock)."""
    return {sensor: count_clock(t, rate) for sensor, t in times.items()}
