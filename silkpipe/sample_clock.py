"""The watch clock of a sample-dialect clip, rebuilt from the host's arrival seconds.

The 2025-10-14 recorder stamps each row with the second it reached the host, counted from
the sample's start. The watch sends its rows in bursts after stalls, so arrival is not when
a row was made: consecutive rows of a sensor arrive a few ms apart inside a burst and up to
half a second apart across a stall, while the watch makes them at a steady rate, as
clips-dev's own watch clock shows. On the arrival clock a gesture inside a burst is squeezed
and one across a stall is stretched into a ramp; the model saw neither shape on clips-dev.

Each sensor's rows are therefore counted at the watch's rate: row n was made at
``T0 + n / rate``, with T0 the latest start at which no row is made after it arrived (a row
never arrives before it was made). Why the rate is the watch's and not the arrival's, and
the measurements: bench/notes/day50.txt.
"""

from __future__ import annotations

import numpy as np

#: Rows per second each sensor of the sample recorder's watch makes (as clips-dev's watch).
WATCH_RATE = 50.0


def count_clock(arrival: np.ndarray, rate: float = WATCH_RATE) -> np.ndarray:
    """One sensor's rows in arrival order -> the times the watch made them: evenly spaced
    at ``rate``, as late as arrival allows (the lower envelope of arrival over row count)."""
    arrival = np.asarray(arrival, dtype=np.float64)
    if len(arrival) == 0:
        return arrival
    made = np.arange(len(arrival)) / rate
    return float(np.min(arrival - made)) + made


def watch_times(times: dict[str, np.ndarray], rate: float = WATCH_RATE) -> dict:
    """Every sensor's arrival seconds -> its count clock (count_clock)."""
    return {sensor: count_clock(t, rate) for sensor, t in times.items()}
