"""An offset a fixed class model moved off the best energy peak passes under sure_quality
only on a lag margin of class_moved_margin or more (bench/notes/fp49.txt): held-out
890_03's session-class round, on two trainers, moved a right but contradicted energy peak
2.2 s off and passed there at margin +0.38."""

from __future__ import annotations

from dataclasses import replace

from silkpipe.alignment import AlignConfig
from silkpipe.class_evidence import ClassTest
from silkpipe.gate import Evidence, decide, gate_levels
from silkpipe.signature import SignatureTest

SIG = SignatureTest(statistic=0.0, p_value=0.105, jumps=3, turns=4, testable=True)
SESSIONS = ClassTest(separation=-0.9, p_value=0.002, words=9, classes=3, model="sessions")
MOVED_WEAKLY = "class choice off the energy peak on a weak lag profile"


def _case(margin: float = 0.38, **kw) -> Evidence:
    """890_03's round-1 evidence (quality 2.80, energy p 0.024, class p 0.002 on 9 words)."""
    ev = Evidence(
        quality=kw.pop("quality", 2.80),
        p_value=0.024,
        sig=SIG,
        cls=SESSIONS,
        moved=kw.pop("moved", True),
        lag_margin=margin,
        best_away_s=2.2,
        contradicted=True,
        **kw,
    )
    ev.common_margin = margin
    return ev


def test_a_moved_route_pass_on_a_weak_lag_margin_is_refused():
    excluded, reason, gate = decide(_case(), AlignConfig(), False, [])
    assert excluded and gate == MOVED_WEAKLY
    assert "0.380 spreads" in reason


def test_strong_margins_unmoved_sure_energy_and_the_rule_off_stand():
    cfg = AlignConfig()
    assert decide(_case(1.2), cfg, False, [])[:2] == (False, "")
    assert decide(_case(moved=False), cfg, False, [])[:2] == (False, "")
    sure = gate_levels(cfg).sure_quality + 0.1
    assert decide(_case(quality=sure), cfg, False, [])[0] is False
    off = replace(cfg, class_moved_margin=None)
    assert decide(_case(), off, False, []) == (False, "", "session classes")
