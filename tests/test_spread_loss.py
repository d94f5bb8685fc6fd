"""A loss the count clock could not place (clock_envelope.envelope_losses spreads it along
the rows it may lie among) is recorded in TimeModel.spread_losses, and a pass whose words
lie among those rows is refused where half the loss is more than loss_spread_s
(AlignConfig.spread_loss_refuses): each such row may be off by up to half of it, and the
fit may follow those words. Held-out 1752_01 (1.95 s spread over 27 s) passed 0.54 s off and
1776_02 (3.38 s spread over 44 s) 0.98 s off, both with no loss rule to read the clock's
doubt (bench/notes/spread64.txt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_time_model import clock_error, deliver

from silkpipe.alignment import AlignConfig, OffsetFit, _spread_loss
from silkpipe.class_evidence import ClassTest
from silkpipe.gate import LOSS_SPREAD, Evidence, decide, gate_levels
from silkpipe.loss_search import _moved_model
from silkpipe.sessions import Motion
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command
from silkpipe.watch_clock import rebuild_clock

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
SESSIONS = ClassTest(separation=0.4, p_value=0.0025, words=11, classes=2, model="sessions")
# 1776_02's: arrival s of its first and last row, size, rebuilt s of those rows
SPREAD_1776 = [14.655, 58.845, 3.379, 14.614, 58.846]


def _queue(lost: tuple[float, float]):
    """A backlog from 20 to 50 s of watch time that drains after it, rows ``lost``."""
    return deliver(150, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=lost)


def test_a_loss_hidden_in_a_backlog_with_nothing_to_place_it_is_recorded_as_spread():
    """No rotation pairs and no arrival gap say where in the queue the 3 s went: the rows
    it may lie among are half of it off at most, and the ones outside are exact."""
    watch, arrival = _queue(lost=(40, 43))
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count" and len(model.spread_losses) == 1
    a_lo, a_hi, size, lo, hi = model.spread_losses[0]
    assert size == pytest.approx(3.0, abs=0.05) and a_lo < a_hi and lo < 40 and hi > 43
    error = rebuilt - watch
    error -= np.median(error[rebuilt < lo])
    among = (rebuilt >= lo) & (rebuilt <= hi)
    assert np.abs(error[~among]).max() < 0.05
    assert 1.0 < np.abs(error[among]).max() <= size / 2 + 0.05
    # the last row recorded is the first exact one: the loss lies before it at the latest
    last = int(np.argmin(np.abs(rebuilt - hi)))
    assert abs(error[last]) < 0.05 and abs(error[last - 1]) > 1.0


def test_a_loss_the_clock_places_is_not_spread():
    watch, arrival = _queue(lost=(100, 108))
    rebuilt, model = rebuild_clock(arrival)
    assert model.spread_losses == [] and clock_error(rebuilt, watch) < 0.05


def _motion(spread: list[float]) -> Motion:
    """A still stream whose time model holds one spread loss."""
    t = np.arange(0.0, 120.0, 0.01)
    data = np.zeros((len(t), 13), dtype=np.float32)
    model = {"kind": "count", "spread_losses": [spread]}
    return Motion(t, 100.0, data, np.ones(len(t), bool), time_model=model)


def _words(times: list[float], offset: float) -> list[Command]:
    """Words at rebuilt ``times`` when the fit's offset is ``offset``."""
    return [Command("punch", t - offset, t - offset + 0.3, "punch", 0.9) for t in times]


def _fit(offset: float, scale: float = 1.0) -> OffsetFit:
    return OffsetFit(offset, 6.0, 8.9, 0.024, np.zeros(40), scale=scale)


AROUND = [5.0, 10.0, 20.0, 30.0, 50.0, 70.0, 90.0]  # three among 1776_02's rows


def test_words_among_a_spread_losss_rows_are_found():
    found = _spread_loss(_motion(SPREAD_1776), _words(AROUND, 12.0), _fit(12.0), AlignConfig())
    assert found == [*SPREAD_1776, 3.0]


@pytest.mark.parametrize(
    "spread, times",
    [
        (SPREAD_1776, [5.0, 10.0, 70.0, 90.0]),  # no word among its rows
        ([14.655, 58.845, 0.9, 14.614, 58.846], AROUND),  # half of it is within 0.5 s
    ],
)
def test_no_words_among_it_or_a_small_loss_find_none(spread, times):
    assert _spread_loss(_motion(spread), _words(times, 12.0), _fit(12.0), AlignConfig()) is None


def test_words_are_placed_at_the_fitted_scale():
    """At scale 1 no word lies among the rows; at scale 2 the word said at 8 s lies at 16 s."""
    said, motion = _words([8.0, 70.0], 0.0), _motion(SPREAD_1776)
    assert _spread_loss(motion, said, _fit(0.0), AlignConfig()) is None
    found = _spread_loss(motion, said, _fit(0.0, scale=2.0), AlignConfig())
    assert found is not None and found[5] == 1.0


def test_the_setting_off_finds_none():
    cfg = replace(AlignConfig(), spread_loss_refuses=False)
    assert _spread_loss(_motion(SPREAD_1776), _words(AROUND, 12.0), _fit(12.0), cfg) is None


def test_the_gate_is_given_it():
    from silkpipe.alignment import _evidence

    said, motion = _words(AROUND, 12.0), _motion(SPREAD_1776)
    ev = _evidence(_fit(12.0), UNTESTED, SESSIONS, False, motion, said, AlignConfig())
    assert ev.spread_loss == [*SPREAD_1776, 3.0]


def _evidence(quality: float) -> Evidence:
    """A sessions-model pass at energy ``quality`` with 1776_02's spread loss."""
    spread = [*SPREAD_1776, 3.0]
    return Evidence(quality, 0.024, UNTESTED, SESSIONS, lag_margin=3.1, spread_loss=spread)


def test_such_a_pass_is_refused_naming_the_loss():
    excluded, reason, gate = decide(_evidence(8.89), AlignConfig(), False, _words(AROUND, 12.0))
    assert excluded and gate == LOSS_SPREAD
    assert "lost 3.38 s somewhere between 14.6 s and 58.8 s" in reason
    assert "the 3 words there may be up to 1.69 s off" in reason


def test_one_word_is_named_as_one():
    ev = replace(_evidence(8.89), spread_loss=[*SPREAD_1776, 1.0])
    _, reason, _ = decide(ev, AlignConfig(), False, _words(AROUND, 12.0))
    assert "the 1 word there may be" in reason


def test_sure_energy_passes_it_only_where_the_loss_rules_spare_that_level():
    sure = gate_levels(AlignConfig()).sure_quality + 0.1
    excluded, reason, gate = decide(_evidence(sure), AlignConfig(), False, [])
    assert excluded and gate == LOSS_SPREAD and "no energy places a loss" in reason
    spared = replace(AlignConfig(), loss_rules_at_sure=False)
    excluded, _, gate = decide(_evidence(sure), spared, False, [])
    assert not excluded and gate != LOSS_SPREAD


def test_a_loss_resized_before_it_moves_its_rows():
    """The size search (loss_search._moved_model) moves every rebuilt time after the loss
    it resized, the spread loss's rows among them."""
    tm = {"uncertain_losses": [[5.0, 2.0, 1.0, 6.0]], "spread_losses": [list(SPREAD_1776)]}
    moved = _moved_model(tm, 6.0, 0.5)
    assert moved["spread_losses"][0][3:5] == [15.114, 59.346]
    assert moved["spread_losses"][0][:3] == SPREAD_1776[:3]


def test_the_clock_plot_shades_the_rows_a_spread_loss_may_lie_among(monkeypatch):
    from silkpipe import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    rows = np.column_stack([np.linspace(0, 80, 800), np.linspace(0, 83, 800)])
    plots.clock_png("x.png", rows, {"kind": "count", "spread_losses": [SPREAD_1776]}, "s")
    clock_axes = figures[0].axes[0]
    shaded = [p for p in clock_axes.patches if p.get_label() == "loss not placed"]
    assert len(shaded) == 1 and shaded[0].get_x() == pytest.approx(SPREAD_1776[3])
