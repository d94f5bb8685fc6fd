"""silkpipe.motion_span: where the motion is inside a sample-dialect clip."""

from __future__ import annotations

import numpy as np
import pytest

from silkpipe.motion_span import SpanRule, motion_span

SENSORS = ("linear_acceleration", "gyroscope", "rotation_vector")


def burst_events(burst_s: float, gap: tuple[float, float] | None = None, length_s: float = 2.5):
    """Per-sensor (times, values) of a still wrist with one burst centred at ``burst_s``;
    no events at all inside ``gap``."""
    rng = np.random.default_rng(0)
    times, values = {}, {}
    for k, sensor in enumerate(SENSORS):
        t = np.arange(0.0, length_s, 0.02) + 0.003 * k
        if gap is not None:
            t = t[(t < gap[0]) | (t >= gap[1])]
        burst = 10.0 * np.exp(-(((t - burst_s) / 0.1) ** 2))
        if sensor == "rotation_vector":
            v = np.tile([1.0, 0.0, 0.0, 0.0], (len(t), 1))
        else:
            v = rng.normal(0, 0.05, (len(t), 3)) + burst[:, None] * np.array([0.3, 0.3, 0.9])
        times[sensor], values[sensor] = t, v
    return times, values


@pytest.mark.parametrize("burst_s", [0.2, 1.2, 2.3])
def test_the_span_runs_around_the_motion_peak_inside_the_sample(burst_s):
    rule = SpanRule()
    times, values = burst_events(burst_s)
    start, end = motion_span(times, values, rule)
    assert start == pytest.approx(max(0.0, burst_s - rule.before_peak_s), abs=0.03)
    last = max(float(t[-1]) for t in times.values())
    assert end == pytest.approx(min(last, burst_s + rule.after_peak_s), abs=0.03)


@pytest.mark.parametrize("gap", [(0.9, 1.45), (1.55, 2.1)])
def test_a_sensor_gap_next_to_the_motion_barely_moves_the_span(gap):
    """Grid points in a gap hold no reading: they are left out of the envelope rather
    than counted as stillness, which pulls its peak 0.1 s away from the gap."""
    rule = SpanRule()
    times, values = burst_events(1.5, gap=gap)
    start, _ = motion_span(times, values, rule)
    assert start == pytest.approx(1.5 - rule.before_peak_s, abs=0.07)
