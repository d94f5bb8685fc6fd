"""The default-rate clock reads the rotation across a gap in a backlog (align step 70).

A stream with no envelope or real-time rate of its own is counted at the default rate,
and its arrival gaps inside a backlog were kept as delays: a loss there put every later
row off by its size (held-out 1505_00, 1738_02, 1810_03, 1936_01:
bench/notes/turned67.txt). Where the rotation jumps across such a gap, rows were lost:
the gap is sized as the envelope path sizes an unseen gap. But only on a stream whose
rotation rows rarely jump elsewhere: the real sessions' jump in 0.8-8.8 % of their pairs
that span no gap, so there a jump at a gap says nothing (watch_clock.jump_share)."""

from __future__ import annotations

import numpy as np
from test_clock_rate import _turns
from test_time_model import clock_error, deliver

from silkpipe.watch_clock import ClockConfig, jump_share, rebuild_clock


def _queue_losing(lost: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): 2 s of real time, then a queue at 0.4 of the rate that never
    drains (too little real time for a rate of its own), the rows of ``lost`` never
    arriving."""
    return deliver(150, lambda t: 1.5 if t < 2 else 0.4, lost=lost)


def _jumping(pairs, share: float, seed: int = 0):
    """The pairs with the rotation also jumping at ``share`` of them, at random, as the
    real sessions' rows do."""
    rng = np.random.default_rng(seed)
    extra = rng.random(len(pairs.turn_excess)) < share
    pairs.turn_excess = np.where(extra, 0.8, pairs.turn_excess)
    return pairs


def test_a_loss_the_rotation_jumps_across_is_counted_on_the_default_rate():
    """3 s lost inside the queue: the rotation jumps across its gap, so it is a loss and
    the rows after it keep their time (align step 69: every later row 3 s off). Without
    the jump the gap stays a delay, as before."""
    watch, arrival = _queue_losing((60.0, 63.0))
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 63.0))
    assert model.kind == "count" and model.rate_source == "default", model.reason
    assert len(model.losses) == 1 and abs(model.losses[0][1] - 3.0) < 0.1, model.losses
    kept = watch > 0
    assert clock_error(rebuilt[kept], watch[kept]) < 0.1
    assert model.jump_share is not None and model.jump_share < 0.001
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))
    assert model.losses == []
    assert clock_error(rebuilt[kept], watch[kept]) > 2.9


def test_a_jump_at_a_gap_is_no_loss_where_the_rotation_jumps_everywhere():
    """The watch stops sending for 2 s inside the queue and loses nothing: its rows only
    wait (arrival never catches up, as after a loss). The rotation jumps across that gap,
    as it does across 3 % of all pairs, so the jump is the sensor's and the gap stays a
    delay. Read as a loss (sized at the queue's pace) it puts every later row 0.8 s off."""
    watch, arrival = _queue_losing(None)
    arrival = np.where(arrival >= 90.0, arrival + 2.0, arrival)
    at_gap = float(watch[np.searchsorted(arrival, 91.0)])
    pairs = _jumping(_turns(watch, at_gap), 0.03)
    share = jump_share(pairs, arrival, ClockConfig())
    assert share is not None and 0.02 < share < 0.04
    rebuilt, model = rebuild_clock(arrival, pairs=pairs)
    assert model.rate_source == "default" and model.losses == [], model.losses
    kept = watch > 0
    assert clock_error(rebuilt[kept], watch[kept]) < 0.1
    off = ClockConfig(max_jump_share=None)  # every jump read: the delay becomes a loss
    rebuilt, model = rebuild_clock(arrival, cfg=off, pairs=_jumping(_turns(watch, at_gap), 0.03))
    assert len(model.losses) == 1 and clock_error(rebuilt[kept], watch[kept]) > 0.7
