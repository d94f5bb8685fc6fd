"""The rebuilt watch clock against delivery traces whose truth is known, and the real
sessions' time models."""

from __future__ import annotations

import numpy as np
import pytest

from silkpipe.commands import check_config
from silkpipe.errors import InputError
from silkpipe.sessions import HEADER, parse_sensor_csv, read_sensor_csv
from silkpipe.watch_clock import (
    DEFAULT_ROWS_PER_S,
    ClockConfig,
    SpacingPairs,
    rebuild_clock,
    row_spacing,
)

R = DEFAULT_ROWS_PER_S


def deliver(
    seconds: float,
    send_share,
    *,
    lost: tuple[float, float] | None = None,
    burst: int = 400,
    keep: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival) per row as the recorder sees them.

    Rows are made at R; the watch sends them in order at ``send_share(t) * R`` rows/s at
    most (a queue builds when that falls below 1); ``lost`` is a watch-time window whose
    rows never arrive; ``burst`` rows made before the host listened arrive at once;
    ``keep`` < 1 loses single rows at random.
    """
    rng = np.random.default_rng(seed)
    watch = (np.arange(int(seconds * R)) - burst) / R
    arrival = np.empty_like(watch)
    arrival[:burst] = np.sort(rng.uniform(0.02, 0.08, burst))
    last = 0.08
    for i in range(burst, len(watch)):
        ready = watch[i] + 0.02 + rng.uniform(0, 0.005)
        last = max(ready, last + 1 / (send_share(watch[i]) * R))
        arrival[i] = last
    keep_rows = rng.random(len(watch)) < keep
    if lost:
        keep_rows &= ~((watch >= lost[0]) & (watch < lost[1]))
    return watch[keep_rows], arrival[keep_rows]


def clock_error(rebuilt: np.ndarray, watch: np.ndarray) -> float:
    """Largest error of the rebuilt clock, up to the one constant the aligner finds."""
    diff = rebuilt - watch
    return float(np.abs(diff - np.median(diff)).max())


def test_backlog_that_grows_and_drains_is_counted():
    watch, arrival = deliver(120, lambda t: 0.6 if 30 <= t < 60 else 1.6)
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count" and model.drains
    assert model.max_backlog_s > 5
    assert clock_error(rebuilt, watch) < 0.05
    assert clock_error(arrival, watch) > 5  # arrival time is off by the backlog


def test_backlog_that_never_drains_is_counted():
    watch, arrival = deliver(150, lambda t: 1.5 if t < 10 else 0.33)
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count" and not model.drains
    assert model.watch_seconds == pytest.approx(150, abs=1)
    assert model.arrival_seconds > 350
    assert clock_error(rebuilt, watch) < 0.05


def test_true_loss_in_real_time_keeps_arrival_and_the_gap():
    watch, arrival = deliver(90, lambda t: 1.5, lost=(40, 52))
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "arrival"
    assert [round(s) for _, s in model.losses] == [12]
    assert clock_error(rebuilt, watch) < 0.05


def test_loss_after_a_drained_backlog_is_inserted_on_the_count_clock():
    watch, arrival = deliver(150, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=(100, 108))
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count"
    assert [round(s) for _, s in model.losses] == [8]
    assert clock_error(rebuilt, watch) < 0.05


def test_stale_burst_is_placed_before_the_anchor():
    watch, arrival = deliver(60, lambda t: 1.5, burst=450)
    rebuilt, model = rebuild_clock(arrival)
    assert 450 <= model.stale_rows <= 470  # and the rows made as the host began listening
    assert model.rows_per_s == pytest.approx(R, rel=0.01)
    assert np.allclose(np.diff(rebuilt[:451]), 1 / model.rows_per_s)
    assert rebuilt[0] < rebuilt[450] - 3  # made ≥ 3 s before the anchor, arrived with it
    assert clock_error(rebuilt, watch) < 0.05


def test_stream_that_loses_single_rows_stays_on_arrival_time():
    """A real-time stream thinned by random losses must not be squeezed by counting."""
    watch, arrival = deliver(120, lambda t: 1.5, keep=0.9, burst=0)
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "arrival"
    assert clock_error(rebuilt, watch) < 0.1  # delivery jitter only


def test_watch_time_dialect_uses_the_watch_clock():
    watch, arrival = deliver(60, lambda t: 0.5, burst=0)
    sensors = ["gyroscope", "linear_acceleration", "rotation_vector"]
    lines = [",".join(HEADER) + ",timestamp_ns"]
    for i, (w, a) in enumerate(zip(watch, arrival, strict=True)):
        cells = [""] * 10
        sensor = sensors[i % 3]
        if sensor == "gyroscope":
            cells[3:6] = ["0.1", "0.2", "0.3"]
        elif sensor == "linear_acceleration":
            cells[0:3] = ["0.1", "0.2", "0.3"]
        else:
            cells[6:10] = ["1", "0", "0", "0"]
        lines.append(",".join([*cells, sensor, repr(float(a)), str(int(5e12 + w * 1e9))]))
    raw = parse_sensor_csv("\n".join(lines) + "\n", source="t.csv")
    assert raw.dialect == "session"
    assert raw.time_model["kind"] == "watch_time"
    assert raw.clock_rows is not None
    assert clock_error(raw.clock_rows[:, 1], watch) < 1e-6


@pytest.mark.parametrize(
    ("session", "kind", "watch_s"),
    [
        ("20251017_110929_session", "arrival", (13, 16)),
        ("20251017_135233_session", "arrival", (89, 93)),
        ("20251017_143217_session", "count", (200, 210)),
        ("20251017_143627_session", "count", (195, 210)),
    ],
)
def test_real_sessions_time_models(data_dir, session, kind, watch_s):
    raw = read_sensor_csv(data_dir / "sessions" / session / "sensor_data.csv")
    model = raw.time_model
    assert model["kind"] == kind, model["reason"]
    assert watch_s[0] < model["watch_seconds"] < watch_s[1]
    assert 300 <= model["stale_rows"] <= 550
    if session.startswith("20251017_135233"):  # two true losses: latency steps 13-14 s
        assert len(model["losses"]) == 2
        assert 13 < sum(s for _, s in model["losses"]) < 14


def test_stream_of_separate_pieces_stays_on_arrival_time():
    """Short pieces of recording with long pauses between them (clips joined into a
    session) are not a queue: counting across the pauses would squeeze them together."""
    pieces = [start + np.arange(100) / R for start in np.arange(0.0, 120.0, 3.0)]
    arrival = np.concatenate(pieces) + 0.02
    rebuilt, model = rebuild_clock(arrival)
    assert model.pause_share > 0.5
    assert model.kind == "arrival"
    np.testing.assert_allclose(rebuilt, arrival)


def test_thin_stream_is_a_queue_only_if_its_rows_are_consecutive():
    watch, arrival = deliver(150, lambda t: 1.5 if t < 10 else 0.33, burst=0)
    _, consecutive = rebuild_clock(arrival, spacing=1.1)
    _, lossy = rebuild_clock(arrival, spacing=3.0)
    assert consecutive.kind == "count"
    assert lossy.kind == "arrival"


def _spinning_rows(keep_every: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A wrist turning at 2 rad/s about z, sampled by three sensors at R/3 each; only
    every keep_every-th sample of each sensor arrives."""
    n = 3000
    t = np.arange(n) / (R / 3)
    angle = 2.0 * t
    quat = np.stack([np.cos(angle / 2), 0 * t, 0 * t, np.sin(angle / 2)], axis=1)
    gyro = np.tile([0.0, 0.0, 2.0], (n, 1))
    kept = np.arange(0, n, keep_every)
    sensor = np.array(["gyroscope", "linear_acceleration", "rotation_vector"] * len(kept))
    return sensor, gyro[kept], quat[kept]


def test_row_spacing_counts_sample_periods_between_rows():
    assert row_spacing(*_spinning_rows(1)) == pytest.approx(1.0, rel=0.02)
    assert row_spacing(*_spinning_rows(3)) == pytest.approx(3.0, rel=0.02)


def test_bad_watch_timestamp_names_the_line_and_field():
    from silkpipe.errors import InputError

    header = ",".join(HEADER) + ",watch_timestamp"
    row = ",,,0.1,0.2,0.3,,,,,gyroscope,0.5,nan"
    with pytest.raises(InputError, match="line 2: field watch_timestamp"):
        parse_sensor_csv(f"{header}\n{row}\n", source="w.csv", session="s")


def _pairs(rows: int, spacing) -> SpacingPairs:
    """Moving rotation-row pairs on every third row, ``spacing(row)`` sample periods apart."""
    at = np.arange(1, rows, 3)
    expected = np.full(len(at), 0.05)
    return SpacingPairs(at, expected * spacing(at), expected)


def test_queue_that_never_drains_at_over_half_the_rate_is_counted():
    """Sent at 0.65 of the watch rate from 40 s on, never draining: only the motion tells
    this queue (rows keep their spacing while arriving slower) from real-time losses."""
    watch, arrival = deliver(150, lambda t: 1.5 if t < 40 else 0.65)
    rebuilt, model = rebuild_clock(arrival, pairs=_pairs(len(arrival), lambda i: 1.0 + 0 * i))
    assert model.kind == "count" and not model.drains
    assert model.queue_ratio == pytest.approx(0.65, abs=0.1)
    assert clock_error(rebuilt, watch) < 0.05


def _losing_rows_from_40_s(kept: float, stall=lambda arrival: arrival):
    """The time model of a real-time stream that keeps a random ``kept`` share of its rows
    from 40 s on (the spacing grows by 1/kept there), ``stall`` applied to its arrival."""
    watch, arrival = deliver(150, lambda t: 1.5)
    keep = (watch < 40) | (np.random.default_rng(1).random(len(watch)) < kept)
    watch, arrival = watch[keep], stall(arrival[keep])
    late = int(np.searchsorted(watch, 40))
    _, model = rebuild_clock(
        arrival, pairs=_pairs(len(arrival), lambda i: np.where(i < late, 1.0, 1 / kept))
    )
    return model


def test_stream_losing_rows_after_a_real_time_start_stays_on_arrival_time():
    """Real-time arrival that loses a third of its rows from 40 s on: the spacing grows as
    much as arrival thins, so it is not read as a queue."""
    model = _losing_rows_from_40_s(0.65)
    assert model.max_backlog_s > 1.5 and not model.drains
    assert model.queue_ratio == pytest.approx(1.0, abs=0.1)
    assert model.kind == "arrival"


def _stall(arrival: np.ndarray, start: float, every: float, length: float) -> np.ndarray:
    """Arrival with host stalls from ``start`` on: nothing arrives for ``length`` s every
    ``every`` s; the rows held arrive in one burst when it ends (a delay: nothing lost)."""
    out = arrival.copy()
    for a in np.arange(start, arrival[-1], every):
        held = np.flatnonzero((out >= a) & (out < a + length))
        out[held] = a + length + 1e-4 * np.arange(1, len(held) + 1)
    return np.maximum.accumulate(out)


def test_queue_that_stalls_where_it_is_high_is_still_counted():
    """A queue sent at 0.7 of the watch rate from 40 s on whose host stalls a second in
    every 2.5 s there: the stalls are arrival time (delays), so the rows per second stay
    at 0.7 of the real-time part's, not 0.7 x 2.5 / 1.5 (leaving the stalls out)."""
    watch, arrival = deliver(150, lambda t: 1.5 if t < 40 else 0.7)
    arrival = _stall(arrival, 45.0, 2.5, 1.0)
    rebuilt, model = rebuild_clock(arrival, pairs=_pairs(len(arrival), lambda i: 1.0 + 0 * i))
    assert model.kind == "count" and not model.drains
    assert model.queue_ratio == pytest.approx(0.7, abs=0.1)
    assert clock_error(rebuilt, watch) < 0.05


def test_queue_with_frequent_host_stalls_is_counted():
    """A host stall is a delay however often it comes. A queue whose host stalls a second
    in every two spends half its arrival time in stalls; counted as pauses, it read as
    separate pieces of recording and its clock followed arrival, off by the backlog
    (held-out 1999_00 drains, 1997_01 never drains: bench/notes/pieces68.txt)."""
    watch, arrival = deliver(120, lambda t: 0.6 if 30 <= t < 60 else 1.6)
    arrival = _stall(arrival, 0.0, 2.0, 1.0)
    gaps = np.diff(arrival)
    assert gaps[gaps > 0.5].sum() / (arrival[-1] - arrival[0]) > 0.45
    rebuilt, drains = rebuild_clock(arrival)
    assert drains.kind == "count" and drains.drains, drains.reason
    assert clock_error(rebuilt, watch) < 0.1

    watch, arrival = deliver(150, lambda t: 1.5 if t < 40 else 0.7)
    arrival = _stall(arrival, 0.0, 2.0, 1.0)
    rebuilt, queued = rebuild_clock(arrival, pairs=_pairs(len(arrival), lambda i: 1.0 + 0 * i))
    assert queued.kind == "count" and not queued.drains, queued.reason
    assert clock_error(rebuilt, watch) < 0.1


def test_long_pieces_with_long_pauses_stay_on_arrival_time():
    """Pieces of 3-10 s with 6-15 s between them: the envelope places some pauses as
    losses and the backlog then falls at others (it "drains"), but pauses longer than any
    host stall make them pieces, not a queue (review of align step 71)."""
    rng = np.random.default_rng(3)
    pieces, start = [], 0.0
    for _ in range(12):
        seconds = rng.uniform(3, 10)
        pieces.append(start + np.arange(int(seconds * R)) / R + 0.02)
        start = pieces[-1][-1] + rng.uniform(6, 15)
    arrival = np.concatenate(pieces)
    rebuilt, model = rebuild_clock(arrival)
    assert model.pause_share > 0.5
    assert model.kind == "arrival", model.reason
    np.testing.assert_allclose(rebuilt, arrival)


def test_fast_queue_whose_clips_move_more_is_counted():
    """A queue sent at 0.78 of the watch rate whose queued part happens to move 12 % more
    per row (clips differ in row_spacing): ratio 0.87, a queue (max_queue_ratio)."""
    watch, arrival = deliver(150, lambda t: 1.5 if t < 40 else 0.78)
    late = int(np.searchsorted(watch, 40))
    rebuilt, model = rebuild_clock(
        arrival, pairs=_pairs(len(arrival), lambda i: np.where(i < late, 1.0, 1.12))
    )
    assert model.queue_ratio == pytest.approx(0.87, abs=0.04)
    assert model.kind == "count"
    assert clock_error(rebuilt, watch) < 0.05


def test_stream_losing_rows_with_stalls_stays_on_arrival_time():
    """Real time throughout, a fifth of the rows lost at random from 40 s on, the host
    stalling 0.8 s in every 3 s: stalls counted as arrival time in both parts, the
    spacing grows as much as arrival thins, and the ratio stays near 1 (max_queue_ratio)."""
    model = _losing_rows_from_40_s(0.8, stall=lambda a: _stall(a, 5.0, 3.0, 0.8))
    assert model.max_backlog_s > 1.5 and not model.drains
    assert model.queue_ratio == pytest.approx(1.0, abs=0.03)
    assert model.kind == "arrival"


def test_stall_limit_is_checked():
    with pytest.raises(InputError, match="stall_s"):
        check_config(ClockConfig(stall_s=-1.0))


def test_real_time_losses_longer_than_a_stall_are_not_arrival_time():
    """A stream losing a fifth of its rows in real time from 40 s on, and all of them for
    3 s three times: those pauses are losses (over ``stall_s``), not delays, and counting
    them would pull the lossy part's motion per second under max_queue_ratio (a queue)."""
    watch, arrival = deliver(150, lambda t: 1.5)
    gone = np.zeros(len(watch), bool)
    for a in (60.0, 90.0, 120.0):
        gone |= (watch >= a) & (watch < a + 3.0)
    keep = (watch < 40) | ((np.random.default_rng(1).random(len(watch)) < 0.8) & ~gone)
    watch, arrival = watch[keep], arrival[keep]
    late = int(np.searchsorted(watch, 40))
    _, model = rebuild_clock(
        arrival, pairs=_pairs(len(arrival), lambda i: np.where(i < late, 1.0, 1 / 0.8))
    )
    assert model.max_backlog_s > 1.5 and not model.drains
    assert model.queue_ratio == pytest.approx(1.0, abs=0.04)
    assert model.kind == "arrival"


def test_count_clock_starts_at_the_latency_floor_not_at_a_late_anchor_row():
    """The anchor row waited for a send tick (0.05 s) with the rows made after it: the
    count clock must not carry that wait into every row (nd48.txt: +0.06 s at the words)."""
    watch, arrival = deliver(120, lambda t: 0.6 if 30 <= t < 60 else 1.6)
    n0 = int(np.flatnonzero(arrival > arrival[0] + ClockConfig().burst_window_s)[0])
    held = np.flatnonzero(watch[n0:] < watch[n0] + 0.05)[-1] + n0
    arrival[n0:held] = arrival[held]  # one send tick: made over 0.05 s, arrived together
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count" and model.rate_source == "envelope"
    assert model.stale_rows == n0
    latency = (arrival - watch)[n0:]
    floor = float(latency[watch[n0:] < watch[n0] + 5].min())  # the fastest row's (0.02 s)
    assert latency[0] - floor > 0.05  # parent: every row read this much late
    assert np.median((rebuilt - watch)[n0:]) == pytest.approx(floor, abs=0.01)
    assert model.anchor_excess_s == pytest.approx(latency[0] - floor, abs=0.005)


def test_default_rate_count_clock_keeps_its_anchor():
    """Without an envelope rate the count clock drifts from the rows by the rate's error,
    which would read as latency: the anchor row's arrival stays the clock's origin."""
    watch, arrival = deliver(150, lambda t: 1.5 if t < 10 else 0.33)
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count" and model.rate_source == "default"
    assert model.anchor_excess_s == 0.0
    assert rebuilt[model.stale_rows] == arrival[model.stale_rows]
