"""A loss at the onset of a queue whose slower pace the host's stalls hide
(ClockConfig.queue_pace_from_floor). After the gap the rows arrive in bursts between
pauses longer than gap_s; leaving the pauses out, they read as sent at R, so the clock
sized the loss as the whole arrival gap with no spread. The latency floor rises all the
same: the rows were sent at the queue's pace (1182_03, a loss sized 1.1 s too big, and a
pass 1.06 s off: bench/notes/hidden58.txt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from silkpipe.clock_envelope import BRACKET, _sized_lag
from silkpipe.watch_clock import ClockConfig

R = 148.5
LOSS_AT, LOSS_S, QUEUE_AT = 20.0, 5.0, 24.0


def _arrival(share: float = 0.2, read_every_s: float = 1.0) -> tuple[np.ndarray, int]:
    """Rows made at R for 40 s and sent as made, until a queue begins at QUEUE_AT (inside
    the loss) and sends at ``share`` of R; the rows made in the LOSS_S from LOSS_AT take
    their sending time but never arrive. The host reads every ``read_every_s`` (over
    gap_s: its stalls), a read's rows 1/R apart. Returns (arrival seconds per row, the
    first row after the gap)."""
    made = np.arange(int(40 * R)) / R
    queued = made >= QUEUE_AT
    sent = np.where(queued, QUEUE_AT + (made - QUEUE_AT) / share, made)
    arrival = np.ceil(sent / read_every_s) * read_every_s
    for k in range(1, len(arrival)):
        arrival[k] = max(arrival[k], arrival[k - 1] + 1 / R)
    kept = (made < LOSS_AT) | (made >= LOSS_AT + LOSS_S)
    return arrival[kept], int(np.argmax(made[kept] >= LOSS_AT))


def test_a_queue_hidden_by_stalls_brackets_the_loss_below_the_gap():
    t, g = _arrival()
    gap = t[g] - t[g - 1]
    size, spread, kind = _sized_lag(t, g, R, ClockConfig(), np.zeros(len(t)))
    assert kind == BRACKET and spread > 0.5
    assert size < gap - 0.5  # no longer the whole gap
    assert size - spread <= LOSS_S <= size + spread  # the true loss lies in the bracket


def test_without_the_floor_pace_the_whole_gap_was_taken_as_sure():
    t, g = _arrival()
    cfg = replace(ClockConfig(), queue_pace_from_floor=False)
    size, spread, kind = _sized_lag(t, g, R, cfg, np.zeros(len(t)))
    assert (spread, kind) == (0.0, "")
    assert size > LOSS_S + 0.5


def test_rows_back_in_real_time_after_the_gap_keep_the_lag():
    """No queue (the host reads every 1 s and catches up): the loss is the lag, sure."""
    t, g = _arrival(share=1.0)
    size, spread, kind = _sized_lag(t, g, R, ClockConfig(), np.zeros(len(t)))
    assert spread == 0.0 and abs(size - LOSS_S) < 0.5
