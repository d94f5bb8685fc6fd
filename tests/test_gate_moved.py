"""An offset a fixed class model moved off the best energy peak passes under sure_quality
only where that model's lag profile does not put the words better away (R1 of
bench/notes/fp46.txt): 796_03's session-class round moved a right first pass (quality 7.09,
a weak energy pass) a gesture period off, class p 0.008, lag margin -1.083, and the gate
passed it on energy since the lifted min_quality returns before the margin is read."""

from __future__ import annotations

from dataclasses import replace

from silkpipe.alignment import PEAKS_AWAY, AlignConfig, Evidence, _decide, gate_levels
from silkpipe.class_evidence import ClassTest
from silkpipe.signature import SignatureTest

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
#: The round's model at 796_03's alias: confirms its choice (p <= class_confirm_p).
SESSIONS = ClassTest(separation=-1.2, p_value=0.008, words=8, classes=3, model="sessions")


def _moved(margin: float | None, quality: float = 7.09, **kw) -> Evidence:
    return Evidence(
        quality=quality,
        p_value=0.049,
        sig=UNTESTED,
        cls=kw.pop("cls", SESSIONS),
        moved=kw.pop("moved", True),
        lag_margin=margin,
        best_away_s=1.95,
        **kw,
    )


def test_a_moved_energy_pass_the_models_profile_puts_away_is_refused():
    """796_03: energy between the lifted min_quality and sure_quality, the offset moved by
    the session-class model, its lag margin -1.083: refused "fits better away", the reason
    naming the move and where the words fit better."""
    cfg = AlignConfig()
    levels = gate_levels(cfg)
    assert levels.min_quality <= 7.09 < levels.sure_quality
    excluded, reason, gate = _decide(_moved(-1.083), cfg, False, [])
    assert excluded and gate == PEAKS_AWAY
    assert "chose this offset over the best motion energy peak" in reason
    assert "+1.95 s from this offset (lag margin -1.083 < 0.0)" in reason
    clips = replace(SESSIONS, model="clips")  # the clip-trained model is fixed too
    assert _decide(_moved(-1.083, cls=clips), cfg, False, [])[2] == PEAKS_AWAY


def test_a_moved_pass_the_profile_keeps_here_still_passes():
    """745_01 (stop 45's one moved DEV pass, margin +0.54, right) keeps its pass, named as
    before; so do a margin at class_peak_margin and a moved pass at sure energy."""
    cfg = AlignConfig()
    kept = (False, "", "energy; offset chosen by session classes")
    assert _decide(_moved(0.54), cfg, False, []) == kept
    assert _decide(_moved(cfg.class_peak_margin), cfg, False, []) == kept
    sure = gate_levels(cfg).sure_quality + 0.1
    assert not _decide(_moved(-1.083, quality=sure), cfg, False, [])[0]


def test_only_a_fixed_models_move_is_read():
    """An energy pass not moved (R16x16's 573_00: right, margin -0.29) and a move by the
    self-trained evidence (no lag margin) pass as before; the margin's switch
    (class_peak_margin far below 0) turns the rule off too."""
    cfg = AlignConfig()
    assert _decide(_moved(-0.286, moved=False), cfg, False, []) == (False, "", "energy")
    own = replace(SESSIONS, model="self")
    assert _decide(_moved(None, cls=own), cfg, False, []) == (False, "", "energy")
    off = replace(cfg, class_peak_margin=-1e9)
    assert not _decide(_moved(-1.083), off, False, [])[0]
