"""A fixed class model's strong class p passes beside an energy p up to clip_energy_p; with
fewer than min_class_words class words and an energy p above max_energy_p it does not
(bench/notes/ctl49.txt): 898_00's period-shifted control passed "session classes" at
quality 2.05, energy p 0.073, class p 0.0045 on 7 words, 0.86 s off."""

from __future__ import annotations

from dataclasses import replace

from silkpipe.alignment import AlignConfig
from silkpipe.class_evidence import ClassTest
from silkpipe.gate import FEW_CLASS_WORDS, Evidence, decide
from silkpipe.signature import SignatureTest

SIG = SignatureTest(statistic=0.0, p_value=0.338, jumps=2, turns=2, testable=True)
#: 898_00's control (fine49f, head49 rows): 7 class words of 3 classes.
FEW = ClassTest(separation=-0.9, p_value=0.0045, words=7, classes=3, model="sessions")


def _control(cls: ClassTest = FEW, p_value: float = 0.073, quality: float = 2.05) -> Evidence:
    return Evidence(
        quality=quality, p_value=p_value, sig=SIG, cls=cls, lag_margin=1.547, common_margin=1.003
    )


def test_a_strong_class_p_on_few_words_beside_a_loose_energy_p_is_refused():
    """898_00's control: refused, the reason naming the few words and the energy p."""
    excluded, reason, gate = decide(_control(), AlignConfig(), False, [])
    assert excluded and gate == FEW_CLASS_WORDS
    assert "on 7 class words only (< 8)" in reason and "energy p=0.07 > 0.05" in reason
    clips = replace(FEW, model="clips")
    assert decide(_control(cls=clips), AlignConfig(), False, [])[2] == FEW_CLASS_WORDS


def test_enough_words_or_a_fair_energy_p_still_pass_the_route():
    """At min_class_words words, or with energy p at most max_energy_p, the route stands."""
    cfg = AlignConfig()
    eight = replace(FEW, words=cfg.min_class_words)
    assert decide(_control(cls=eight), cfg, False, []) == (False, "", "session classes")
    fair = _control(p_value=cfg.max_energy_p)
    assert decide(fair, cfg, False, []) == (False, "", "session classes")


def test_energy_from_its_level_still_passes_few_words():
    """Energy at energy_level or above passes on its own as before (the rule closes the
    route only): quality 5.6 with the same class evidence passes on energy."""
    assert decide(_control(quality=5.6), AlignConfig(), False, [])[:2] == (False, "")
