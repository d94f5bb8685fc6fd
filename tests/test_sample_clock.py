"""Sample-dialect rows on the watch's count clock, not their bursty host-arrival seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from silkpipe.clips import SAMPLE_SLOT_S, read_sample_clip
from silkpipe.sample_clock import WATCH_RATE, count_clock

HEADER = (
    "accel_x,accel_y,accel_z,gesture,gyro_x,gyro_y,gyro_z,rot_w,rot_x,rot_y,rot_z,"
    "sample,sensor,stance,timestamp"
)


def bursty_arrival(n: int) -> np.ndarray:
    """Rows made every 20 ms that reach the host in bursts of 6 (2 ms apart) every 0.12 s,
    the first burst 50 ms late (as the 2025-10-14 recorder's rows arrive)."""
    rows = np.arange(n)
    return 0.05 + (rows // 6) * 6 / WATCH_RATE + (rows % 6) * 0.002


def test_count_clock_spaces_rows_at_the_watch_rate_and_never_after_arrival():
    arrival = bursty_arrival(60)
    made = count_clock(arrival)
    assert np.allclose(np.diff(made), 1 / WATCH_RATE)
    assert np.all(made <= arrival + 1e-12) and np.isclose(np.min(arrival - made), 0.0)


def test_a_stall_its_burst_cannot_fill_keeps_its_gap_as_lost_rows():
    """Rows arriving at the watch's pace on both sides of a 0.5 s silence were not queued
    there (no burst followed): the rows of that half second were lost, so the gap stays,
    while a burst after a stall is spread back into it."""
    steady = np.arange(20) / WATCH_RATE
    lost = np.concatenate([steady, steady[-1] + 0.5 + steady])
    assert np.isclose(np.diff(count_clock(lost)).max(), 0.5)
    queued = np.concatenate([steady, steady[-1] + 0.5 + np.arange(26) * 0.001, 0.92 + steady])
    made = count_clock(queued)
    assert np.allclose(np.diff(made), 1 / WATCH_RATE) and np.all(made <= queued + 1e-12)


def _sample_csv(path: Path, arrival: np.ndarray) -> None:
    """A punch sample: a 0.1 s gyro spike on the watch's clock, rows at ``arrival``."""
    lines = [HEADER]
    for i, t in enumerate(arrival.tolist()):
        spike = 10.0 if 25 <= i < 30 else 0.0
        lines.append(f",,,punch,{spike},0,0,,,,,1,gyroscope,neutral,{t!r}")
        lines.append(f",,,punch,,,,1,0,0,0,1,rotation_vector,neutral,{t + 0.001!r}")
        lines.append(f"{spike},0,0,punch,,,,,,,,1,linear_acceleration,neutral,{t + 0.002!r}")
    path.write_text("\n".join(lines) + "\n")


def test_a_sample_read_on_the_count_clock_keeps_its_gesture_length(tmp_path):
    """On arrival seconds the five spike rows fell into one burst 8 ms long: the 0.1 s punch
    became a 0.01 s flick between 50 Hz grid points (parent: rows 2-40 ms apart)."""
    path = tmp_path / "punch_sample01.csv"
    _sample_csv(path, bursty_arrival(120))
    _, raw = read_sample_clip(path)
    for sensor, t in raw.times.items():
        assert np.allclose(np.diff(t), 1 / WATCH_RATE), sensor
        assert SAMPLE_SLOT_S - 0.1 < t[0] and t[-1] < SAMPLE_SLOT_S + 2.5  # a burst: made earlier
    t, gyro = raw.times["gyroscope"], raw.values["gyroscope"][:, 0]
    spike = t[gyro > 0]
    assert np.isclose(spike[-1] - spike[0], 4 / WATCH_RATE)
