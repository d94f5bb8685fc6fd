"""Energy alone under sure_quality does not pass words of one gesture class unless a fixed
class model's lag profile puts them best at this lag (AlignConfig.one_class_needs_profile):
no class order tells such words from the same words a gesture period away, where energy fits
almost as well. 1008_03 and 1048_00 (one class, energy 5.9 and 6.5, lag margin none) passed
2-3 s off, with their shifted controls (bench/notes/oneclass56.txt)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from silkpipe.alignment import AlignConfig
from silkpipe.class_evidence import ClassTest
from silkpipe.gate import ONE_CLASS_UNCHECKED, Evidence, decide, gate_levels
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
ONE_CLASS = ClassTest(separation=0.0, p_value=1.0, words=9, classes=1, testable=False)
TWO_CLASSES = ClassTest(separation=0.2, p_value=0.3, words=9, classes=2, model="sessions")
PUNCHES = [Command("punch", 5.0 * i, 5.0 * i + 0.3, "punch", 0.9) for i in range(1, 10)]


def _energy(quality: float, cls: ClassTest, margin: float | None = None) -> Evidence:
    """An energy fit at ``quality`` (p 0.024: the best of 41 lags) and its class evidence."""
    return Evidence(quality=quality, p_value=0.024, sig=UNTESTED, cls=cls, lag_margin=margin)


def test_one_class_words_on_energy_alone_are_refused_naming_why():
    """1048_00's fit: energy 6.5 on nine words of one class, no fixed model's profile."""
    excluded, reason, gate = decide(_energy(6.5, ONE_CLASS), AlignConfig(), False, PUNCHES)
    assert excluded and gate == ONE_CLASS_UNCHECKED
    assert "hold one class" in reason and "no class model trained elsewhere" in reason
    assert "every command is 'punch'" in reason


def test_a_weak_lag_margin_does_not_confirm_them():
    """The runs-of-32 fit of 1048_00: a sessions model's margin 0.24, under 1.0 spreads."""
    cls = replace(ONE_CLASS, model="sessions")
    excluded, reason, gate = decide(_energy(6.5, cls, 0.24), AlignConfig(), False, PUNCHES)
    assert excluded and gate == ONE_CLASS_UNCHECKED
    assert "lag margin 0.24 < 1.0" in reason


@pytest.mark.parametrize(
    "evidence",
    [
        _energy(6.5, replace(ONE_CLASS, model="sessions"), 1.2),  # the profile confirms
        _energy(6.5, TWO_CLASSES),  # class order can check the words
        _energy(gate_levels(AlignConfig()).sure_quality + 0.1, ONE_CLASS),  # sure energy
    ],
)
def test_a_confirming_profile_two_classes_or_sure_energy_pass(evidence):
    assert decide(evidence, AlignConfig(), False, PUNCHES) == (False, "", "energy")


def test_the_setting_off_passes_one_class_energy():
    cfg = replace(AlignConfig(), one_class_needs_profile=False)
    assert decide(_energy(6.5, ONE_CLASS), cfg, False, PUNCHES) == (False, "", "energy")
