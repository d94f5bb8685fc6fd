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


def _trace(first_turn: float, second_turn: float, lost=(FIRST, SECOND)):
    """(watch, arrival, pairs): a backlog from 20 to 50 s of watch time that drains after
    it, the two windows ``lost`` inside it, and rotation jumps of ``first_turn`` and
    ``second_turn`` rad beyond the gyro's at the first row after each (small elsewhere)."""
    watch, arrival = deliver(150, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=lost[0])
    keep = ~((watch >= lost[1][0]) & (watch < lost[1][1]))
    watch, arrival = watch[keep], arrival[keep]
    rows = np.arange(1, len(watch))
    excess = np.full(len(rows), 0.05)
    for (_, end), turn in zip(lost, (first_turn, second_turn), strict=True):
        excess[rows == np.searchsorted(watch, end)] = turn
    return watch, arrival, SpacingPairs(rows, np.ones(len(rows)), np.ones(len(rows)), rows, excess)


def _error(first_turn: float, second_turn: float, cfg: ClockConfig | None = None, **lost):
    """The rebuilt clock's error per row less its zero (its error before the backlog),
    watch time, the model, and that zero (rebuilt times are ``watch + error + zero``)."""
    watch, arrival, pairs = _trace(first_turn, second_turn, **lost)
    rebuilt, model = rebuild_clock(arrival, cfg=cfg, pairs=pairs)
    error = rebuilt - watch
    zero = float(np.median(error[watch < 20]))
    return error - zero, watch, model, zero


def _sizes(model) -> list[float]:
    return [size for _, size in model.losses]


@pytest.mark.parametrize("turns", [(2.0, 0.6), (0.6, 2.0)])
def test_a_second_jump_puts_half_at_each_and_records_the_rows_between(turns):
    error, watch, model, zero = _error(*turns)
    assert model.kind == "count" and _sizes(model) == pytest.approx([2.0, 2.0], abs=0.05)
    (spread,) = model.spread_losses
    assert spread[2] == pytest.approx(4.0, abs=0.05)
    between = (watch >= FIRST[1]) & (watch < SECOND[0])
    assert np.abs(error[~between]).max() < 0.05
    assert np.abs(error[between]).max() == pytest.approx(1.0, abs=0.05)  # 3 s lost, 2 put
    # from the first row after the first loss to the first row after the second, the
    # first exact one (rebuilt s; the error is zero before the backlog)
    rebuilt = watch + error + zero
    first_after = rebuilt[np.searchsorted(watch, FIRST[1])]
    exact_after = rebuilt[np.searchsorted(watch, SECOND[1])]
    assert spread[3:5] == pytest.approx([first_after, exact_after], abs=0.005)


def test_a_second_jump_under_the_level_leaves_the_step_whole_at_the_larger():
    """The fault the level reads: without a second jump at loss_second_turn_rad, the rows
    between are put a whole second loss off and nothing says so."""
    error, watch, model, _ = _error(2.0, 0.2)
    assert model.spread_losses == [] and _sizes(model) == pytest.approx([4.0], abs=0.05)
    between = (watch >= FIRST[1]) & (watch < SECOND[0])
    assert np.abs(error[between]).max() == pytest.approx(1.0, abs=0.05)


def test_the_level_off_puts_it_whole():
    cfg = replace(ClockConfig(), loss_second_turn_rad=None)
    _, _, model, _ = _error(2.0, 0.6, cfg)
    assert model.spread_losses == [] and _sizes(model) == pytest.approx([4.0], abs=0.05)


def test_the_earlier_part_holds_no_more_than_the_latency_floor_had_risen_by():
    """A 0.2 s loss and then a 6 s one: at the earlier jump the floor had risen by well
    under a loss (no row is made after it arrives), so the step goes whole to the later."""
    lost = ((20.1, 20.3), (40.0, 46.0))
    error, watch, model, _ = _error(0.6, 2.0, lost=lost)
    assert model.spread_losses == [] and _sizes(model) == pytest.approx([6.2], abs=0.05)
    assert np.abs(error[watch >= 46.0]).max() < 0.05
    assert np.abs(error[(watch >= 20.3) & (watch < 40.0)]).max() == pytest.approx(0.2, abs=0.05)


def test_an_earlier_part_under_half_the_step_is_capped_at_the_floor_s_rise():
    """A 0.8 s loss early in the backlog, then a 5 s one: the floor had risen by less than
    half the step at the earlier jump, so that part takes the rise, and the rows between
    are recorded as off by at most it."""
    error, watch, model, _ = _error(2.0, 0.6, lost=((20.5, 21.3), (40.0, 45.0)))
    earlier, later = _sizes(model)
    assert 0.8 <= earlier < (earlier + later) / 2 and earlier + later == pytest.approx(
        5.8, abs=0.05
    )
    (spread,) = model.spread_losses
    assert spread[2] == pytest.approx(2 * earlier, abs=0.01)
    between = (watch >= 21.3) & (watch < 40.0)
    assert 0.5 < np.abs(error[between]).max() <= spread[2] / 2
    assert np.abs(error[~between]).max() < 0.05
