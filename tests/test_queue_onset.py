"""A loss just after a queue began (ClockConfig.queue_onset_low). The rows lost were sent
at the queue's pace, the one the rows after the gap arrive at; the window before the gap
mixes real time and queue, reads faster, and the bracket's middle sized such losses too
large (14 of 15 at the fast pace, median +0.64 s: bench/notes/bracket61.txt,
onset62.txt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkpipe.clock_envelope import BRACKET, _queue_held_last_row, _sized_lag
from silkpipe.watch_clock import ClockConfig

R = 148.5
LOSS_AT, LOSS_S, SHARE = 30.0, 4.0, 0.5


def _arrival(queue_at: float, stall_s: float = 0.0, reads: bool = True) -> tuple[np.ndarray, int]:
    """Rows made at R for 60 s and sent as made until ``queue_at``, then at SHARE of R;
    the rows made in the LOSS_S from LOSS_AT take their sending time but never arrive.
    The host reads once a second (over gap_s: its stalls), a read's rows 1/R apart, so
    the stall-free pace of the last second before the gap reads the queue as R. With
    ``stall_s``, the host reads nothing for that long right before the loss instead;
    without ``reads``, each row arrives as sent.
    Returns (arrival seconds per row, the first row after the gap)."""
    made = np.arange(int(60 * R)) / R
    sent = np.where(made >= queue_at, queue_at + (made - queue_at) / SHARE, made)
    arrival = np.ceil(sent) if reads and not stall_s else sent.copy()
    stalled = (made >= LOSS_AT - stall_s) & (made < LOSS_AT)
    arrival[stalled] = LOSS_AT + np.arange(stalled.sum()) / R  # the burst after the stall
    for k in range(1, len(arrival)):
        arrival[k] = max(arrival[k], arrival[k - 1] + 1 / R)
    kept = (made < LOSS_AT) | (made >= LOSS_AT + LOSS_S)
    return arrival[kept], int(np.argmax(made[kept] >= LOSS_AT))


def _size(queue_at: float, cfg: ClockConfig) -> tuple[float, float, str]:
    t, g = _arrival(queue_at)
    return _sized_lag(t, g, R, cfg, np.zeros(len(t)))


@pytest.mark.parametrize("before_loss_s", [2.0, 3.0])
def test_a_loss_just_after_the_queue_began_is_the_brackets_low_end(before_loss_s):
    size, spread, kind = _size(LOSS_AT - before_loss_s, ClockConfig())
    assert kind == BRACKET and spread > 0.5
    assert abs(size - LOSS_S) < 0.3


def test_the_middle_oversized_it():
    cfg = replace(ClockConfig(), queue_onset_low=False)
    size, _, kind = _size(LOSS_AT - 2.0, cfg)
    assert kind == BRACKET and size > LOSS_S + 0.5


def test_a_queue_begun_inside_the_loss_keeps_the_middle():
    """Real time up to the gap: where the queue began inside the loss is unknown."""
    on, off = (
        _size(LOSS_AT + 2.0, c)
        for c in (ClockConfig(), replace(ClockConfig(), queue_onset_low=False))
    )
    assert on == off and on[2] == BRACKET
    assert on[0] - on[1] <= LOSS_S <= on[0] + on[1]


def test_a_queue_begun_in_the_last_second_mixes_the_recent_pace_too():
    """No stalls: the recent second's pace read the queue, but it began half a second
    before the loss, so that pace mixes real time and queue as the window's would."""
    t, g = _arrival(LOSS_AT - 0.5, reads=False)
    found = np.zeros(len(t))
    size, _, kind = _sized_lag(t, g, R, ClockConfig(), found)
    assert kind == BRACKET and abs(size - LOSS_S) < 0.05
    middle, _, _ = _sized_lag(t, g, R, replace(ClockConfig(), queue_onset_low=False), found)
    assert middle > LOSS_S + 0.5


def test_a_host_stall_right_before_the_loss_is_no_queue():
    """Real time up to a 0.9 s host stall whose burst the loss cut off (real 1599_00,
    bench/notes/onset62.txt): the last row is held, but the row before the stall was not;
    the queue began inside the loss, so the middle stays."""
    t, g = _arrival(LOSS_AT + 2.0, stall_s=0.9)
    cfg, found = ClockConfig(), np.zeros(len(t))
    assert not _queue_held_last_row(t, g, R, cfg, found, 5.0)
    off = replace(cfg, queue_onset_low=False)
    assert _sized_lag(t, g, R, cfg, found) == _sized_lag(t, g, R, off, found)


@pytest.mark.parametrize(
    ("queue_at", "held"), [(LOSS_AT - 2.0, True), (LOSS_AT - 10.0, False), (LOSS_AT + 2.0, False)]
)
def test_only_a_queue_begun_inside_the_window_holds_the_last_row(queue_at, held):
    """Begun before the window (a deep queue), the window's pace is the queue's own."""
    t, g = _arrival(queue_at)
    assert _queue_held_last_row(t, g, R, ClockConfig(), np.zeros(len(t)), 5.0) is held
