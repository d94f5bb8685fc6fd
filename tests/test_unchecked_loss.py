"""A pass under sure_quality is refused where the words after a loss the clock sized from a
pace bracket set the offset and too few words before it can check that size
(AlignConfig.loss_before_checked): the fit follows the words after the loss, so the offset at
the stream's start is off by as much as the loss's size. 1085_00 (drains): a loss sized
5.18 s where 4.55 s were lost, spread 0.81 s, 2 words before it and 17 after; it passed on
the session-class route 0.63 s off (bench/notes/loss57.txt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkpipe.alignment import AlignConfig, OffsetFit, _unchecked_bracket
from silkpipe.class_evidence import ClassTest
from silkpipe.clock_envelope import BRACKET, LATE_QUEUE
from silkpipe.gate import LOSS_UNCHECKED, Evidence, decide, gate_levels
from silkpipe.sessions import Motion
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
SESSIONS = ClassTest(separation=0.4, p_value=0.0025, words=11, classes=2, model="sessions")
LOSS_1085 = [15.69, 5.18, 0.81, 20.83]  # arrival s, size, spread, rebuilt s


def _motion(loss: list[float], kind: str) -> Motion:
    """A still stream whose time model holds one uncertain loss of ``kind``."""
    t = np.arange(0.0, 120.0, 0.01)
    data = np.zeros((len(t), 13), dtype=np.float32)
    model = {"kind": "count", "uncertain_losses": [loss], "uncertain_loss_kinds": [kind]}
    return Motion(t, 100.0, data, np.ones(len(t), bool), time_model=model)


def _words(before: int, after: int, offset: float) -> list[Command]:
    """``before`` words between 3 and 20 s of rebuilt time, ahead of the loss at 20.83 s,
    and ``after`` words from 25 s on, at ``offset``."""
    step = 17.0 / max(before, 1)
    times = [3.0 + step * i for i in range(before)] + [25.0 + 3.0 * i for i in range(after)]
    return [Command("punch", t - offset, t - offset + 0.3, "punch", 0.9) for t in times]


def _fit(offset: float, scale: float = 1.0) -> OffsetFit:
    return OffsetFit(offset, 6.0, 8.9, 0.024, np.zeros(40), scale=scale)


def test_a_bracket_loss_with_too_few_words_before_it_is_found():
    """1085_00: 2 words before the loss, 17 after."""
    said = _words(2, 17, 12.0)
    found = _unchecked_bracket(_motion(LOSS_1085, BRACKET), said, _fit(12.0), AlignConfig())
    assert found == [*LOSS_1085, 2.0, 17.0]


@pytest.mark.parametrize(
    "loss, kind, before, after",
    [
        (LOSS_1085, BRACKET, 3, 17),  # words before it check its size (the split rule)
        (LOSS_1085, BRACKET, 17, 2),  # the words before it set the offset
        (LOSS_1085, BRACKET, 2, 2),  # too few words after it to set the offset either
        ([15.69, 5.18, 0.4, 20.83], BRACKET, 2, 17),  # its size is sure enough
        (LOSS_1085, LATE_QUEUE, 2, 17),  # a late queue's range is one-sided
    ],
)
def test_checked_sure_or_other_losses_are_not(loss, kind, before, after):
    said = _words(before, after, 12.0)
    assert _unchecked_bracket(_motion(loss, kind), said, _fit(12.0), AlignConfig()) is None


def test_words_inside_the_gap_check_nothing():
    """1629_00: 2 words before the gap (15.65-20.83 s rebuilt) and 2 the fit put inside it,
    where no motion lies; counted up to the gap's end they made 4 and the pass stood."""
    times = [5.0, 10.0, 17.0, 19.0] + [25.0 + 3.0 * i for i in range(11)]
    said = [Command("turn", t - 12.0, t - 11.7, "turn", 0.9) for t in times]
    found = _unchecked_bracket(_motion(LOSS_1085, BRACKET), said, _fit(12.0), AlignConfig())
    assert found == [*LOSS_1085, 2.0, 11.0]


def test_words_are_counted_at_the_fitted_clock_scale():
    """3 words before the loss at scale 1; at scale 1.5 the third (14.3 s) lies after it."""
    said, motion = _words(3, 17, 0.0), _motion(LOSS_1085, BRACKET)
    assert _unchecked_bracket(motion, said, _fit(0.0), AlignConfig()) is None
    found = _unchecked_bracket(motion, said, _fit(0.0, scale=1.5), AlignConfig())
    assert found is not None and found[4:] == [2.0, 18.0]


def test_the_gate_is_given_it():
    """alignment._evidence hands the gate what _unchecked_bracket found."""
    said = _words(2, 17, 12.0)
    ev = _evidence_of(_fit(12.0), UNTESTED, SESSIONS, False, _motion(LOSS_1085, BRACKET), said)
    assert ev.unchecked_loss == [*LOSS_1085, 2.0, 17.0]


def _evidence_of(*args) -> Evidence:
    from silkpipe.alignment import _evidence

    return _evidence(*args, AlignConfig())


def test_the_setting_off_finds_none():
    cfg = replace(AlignConfig(), loss_before_checked=False)
    assert (
        _unchecked_bracket(_motion(LOSS_1085, BRACKET), _words(2, 17, 12.0), _fit(12.0), cfg)
        is None
    )


def _evidence(quality: float) -> Evidence:
    """1085_00's second round: the sessions model's route, energy 8.89."""
    return Evidence(
        quality=quality,
        p_value=0.024,
        sig=UNTESTED,
        cls=SESSIONS,
        lag_margin=3.1,
        unchecked_loss=[*LOSS_1085, 2.0, 17.0],
    )


def test_such_a_pass_under_sure_quality_is_refused_naming_the_loss():
    excluded, reason, gate = decide(_evidence(8.89), AlignConfig(), False, _words(2, 17, 12.0))
    assert excluded and gate == LOSS_UNCHECKED
    assert "loss at 20.8 s (5.18 s)" in reason and "off by 0.81 s" in reason
    assert "the 17 words after it set the offset, and 2 before it (< 3)" in reason


def test_sure_energy_passes_it_only_where_the_loss_rules_spare_that_level():
    sure = gate_levels(AlignConfig()).sure_quality + 0.1
    excluded, reason, gate = decide(_evidence(sure), AlignConfig(), False, _words(2, 17, 12.0))
    assert excluded and gate == LOSS_UNCHECKED and "or above" in reason
    spared = replace(AlignConfig(), loss_rules_at_sure=False)
    excluded, _, gate = decide(_evidence(sure), spared, False, _words(2, 17, 12.0))
    assert not excluded and gate != LOSS_UNCHECKED
