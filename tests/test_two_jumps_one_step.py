"""One envelope step that holds two losses hidden in a backlog, each marked by a rotation
jump (clock_envelope._at_turns). Put whole at the larger jump, the rows between the two
were off by the smaller loss with no doubt recorded: of the DEV steps put whole at one
place, 27 held two losses and were misclocked (bench/notes/turn64.py, twojump65.txt).
Nothing in a backlog tells the split, so half goes to each jump and the rows between are
recorded as spread (TimeModel.spread_losses), which the gate's spread-loss rule reads."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_time_model import deliver

from silkpipe.watch_clock import ClockConfig, SpacingPairs, rebuild_clock

FIRST, SECOND = (28.0, 31.0), (40.0, 41.0)  # watch-time windows lost inside the backlog


def _trace(first_turn: float, second_turn: float):
    """(watch, arrival, pairs): a backlog from 20 to 50 s of watch time that drains after
    it, FIRST and SECOND lost inside it, and rotation jumps of ``first_turn`` and
    ``second_turn`` rad beyond the gyro's at the first row after each (small elsewhere)."""
    watch, arrival = deliver(150, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=FIRST)
    keep = ~((watch >= SECOND[0]) & (watch < SECOND[1]))
    watch, arrival = watch[keep], arrival[keep]
    rows = np.arange(1, len(watch))
    excess = np.full(len(rows), 0.05)
    for (_, end), turn in ((FIRST, first_turn), (SECOND, second_turn)):
        excess[rows == np.searchsorted(watch, end)] = turn
    return watch, arrival, SpacingPairs(rows, np.ones(len(rows)), np.ones(len(rows)), rows, excess)


def _error(first_turn: float, second_turn: float, cfg: ClockConfig | None = None):
    """The rebuilt clock's error per row (zero before the backlog), watch time, the model."""
    watch, arrival, pairs = _trace(first_turn, second_turn)
    rebuilt, model = rebuild_clock(arrival, cfg=cfg, pairs=pairs)
    error = rebuilt - watch
    return error - np.median(error[watch < 20]), watch, model


def _sizes(model) -> list[float]:
    return [size for _, size in model.losses]


@pytest.mark.parametrize("turns", [(2.0, 0.6), (0.6, 2.0)])
def test_a_second_jump_puts_half_at_each_and_records_the_rows_between(turns):
    error, watch, model = _error(*turns)
    assert model.kind == "count" and _sizes(model) == pytest.approx([2.0, 2.0], abs=0.05)
    (spread,) = model.spread_losses
    assert spread[2] == pytest.approx(4.0, abs=0.05)
    between = (watch >= FIRST[1]) & (watch < SECOND[0])
    assert np.abs(error[~between]).max() < 0.05
    assert np.abs(error[between]).max() == pytest.approx(1.0, abs=0.05)  # 3 s lost, 2 put
    rebuilt_between = watch[between] + error[between]
    assert spread[3] <= rebuilt_between.min() + 0.05 and spread[4] >= rebuilt_between.max()


def test_a_second_jump_under_the_level_leaves_the_step_whole_at_the_larger():
    """The fault the level reads: without a second jump at loss_second_turn_rad, the rows
    between are put a whole second loss off and nothing says so."""
    error, watch, model = _error(2.0, 0.2)
    assert model.spread_losses == [] and _sizes(model) == pytest.approx([4.0], abs=0.05)
    between = (watch >= FIRST[1]) & (watch < SECOND[0])
    assert np.abs(error[between]).max() == pytest.approx(1.0, abs=0.05)


def test_the_level_off_puts_it_whole():
    cfg = replace(ClockConfig(), loss_second_turn_rad=None)
    _, _, model = _error(2.0, 0.6, cfg)
    assert model.spread_losses == [] and _sizes(model) == pytest.approx([4.0], abs=0.05)
