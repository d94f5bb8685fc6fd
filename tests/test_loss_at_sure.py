"""The loss rules judge passes at every energy level (AlignConfig.loss_rules_at_sure): a loss
sized wrong moves every word after it whatever the energy. 1241_03 (never drains): the clock
bracketed one loss at 4.50 s +- 0.84 s where 3.81 s were lost; the words before it fit at
-5.52 s, those after it at -3.52 s, and energy 10.17, at the sure level, passed the fit that
followed the words after it, 0.70 s off (bench/notes/sure59.txt)."""

from __future__ import annotations

from dataclasses import replace

from silkpipe.alignment import AlignConfig
from silkpipe.gate import LOSS_UNCERTAIN, Evidence, decide, gate_levels
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
# arrival s, size, spread, rebuilt s, offset the words before it fit at, the words after it
LOSS_1241 = [49.476, 4.499, 0.843, 53.974, -5.52, -3.52]
WORDS = [Command("jump", t, t + 0.3, "jump", 0.9) for t in range(5, 100, 5)]


def _evidence(quality: float) -> Evidence:
    return Evidence(quality=quality, p_value=0.0, sig=UNTESTED, uncertain_loss=LOSS_1241)


def test_sure_energy_across_a_split_loss_is_refused_naming_the_level():
    assert 10.17 >= gate_levels(AlignConfig()).sure_quality
    excluded, reason, gate = decide(_evidence(10.17), AlignConfig(), False, WORDS)
    assert excluded and gate == LOSS_UNCERTAIN
    assert "loss at 54.0 s (4.50 s)" in reason and "off by 0.84 s" in reason
    assert "at offset -5.52 s, those after it at -3.52 s" in reason
    assert "quality 10.17, at sure 10.0 or above" in reason


def test_without_the_setting_sure_energy_passes_it_as_at_align_step_63():
    cfg = replace(AlignConfig(), loss_rules_at_sure=False)
    excluded, reason, gate = decide(_evidence(10.17), cfg, False, WORDS)
    assert not excluded and gate == "energy" and reason == ""


def test_the_same_evidence_without_a_loss_passes_at_the_sure_level():
    ev = replace(_evidence(10.17), uncertain_loss=None)
    excluded, _, gate = decide(ev, AlignConfig(), False, WORDS)
    assert not excluded and gate == "energy"
