"""Gate recall: energy alone just under the level, and a fixed class model over the signature
(bench/notes/gaterecall.txt)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.class_evidence import ClassTest
from silkpipe.commands import check_config
from silkpipe.errors import InputError
from silkpipe.gate import PEAKS_AWAY, Evidence, _refusal, _weak_energy, gate_levels, gate_verdict
from silkpipe.signature import SignatureTest
from silkpipe.steps import align_run
from silkpipe.store import open_store

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
CONTRADICTS = SignatureTest(statistic=-0.2, p_value=0.3, jumps=4, turns=4)


def _sessions_model(p_value: float) -> ClassTest:
    return ClassTest(separation=-1.0, p_value=p_value, words=10, classes=3, model="sessions")


def test_energy_alone_passes_within_the_allowance_below_the_level():
    """energy_allowance lowers only the plain energy pass: a fitted clock rate, a signature
    contradiction and the search edge still refuse there."""
    cfg = replace(AlignConfig(), energy_allowance=0.5)
    level = gate_levels(cfg).min_quality
    assert gate_verdict(level - 0.4, 0.02, UNTESTED, cfg) == (False, "energy")
    assert gate_verdict(level - 0.6, 0.02, UNTESTED, cfg)[0]
    assert gate_verdict(level - 0.4, 0.02, UNTESTED, cfg, rate_fitted=True)[0]
    assert gate_verdict(level - 0.4, 0.02, CONTRADICTS, cfg)[0]
    assert gate_verdict(level - 0.4, 0.02, UNTESTED, cfg, at_edge=True)[0]
    off = replace(cfg, energy_allowance=0.0)
    assert gate_verdict(level - 0.4, 0.02, UNTESTED, off) == (True, "at chance")


def test_energy_alone_passes_half_a_point_under_the_level_by_default():
    """Right-offset sessions were refused at energy quality 5.5-6.0 where no false candidate
    reached (bench/notes/gaterecall.txt): the default passes them on energy."""
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality
    assert gate_verdict(level - 0.4, 1 / 41, UNTESTED, cfg) == (False, "energy")
    assert gate_verdict(level - 0.6, 1 / 41, UNTESTED, cfg) == (True, "at chance")
    assert gate_verdict(level - 0.4, 1 / 41, UNTESTED, cfg, rate_fitted=True)[0]


def test_a_negative_energy_allowance_is_refused():
    """Below 0 the allowance would raise the energy level over min_quality: a typo, not a
    setting (--min-quality raises every level)."""
    with pytest.raises(InputError, match="energy_allowance"):
        check_config(replace(AlignConfig(), energy_allowance=-1.0))


def test_an_energy_allowance_not_below_min_quality_is_refused_before_anything_is_read(tmp_path):
    """At or over min_quality the allowance drops the energy level to 0 or under, where
    energy alone passes at chance (5 typed for 0.5): refused by the CLI's check and by the
    step called without it; 0 keeps the level itself however low it is."""
    with pytest.raises(InputError, match="energy_allowance is 4.0: it must be below"):
        check_config(replace(AlignConfig(), energy_allowance=4.0))
    with pytest.raises(InputError, match="energy_allowance"):
        align_run(open_store(str(tmp_path / "store")), "r", replace(AlignConfig(), min_quality=0.5))
    assert not (tmp_path / "store").exists()
    check_config(replace(AlignConfig(), min_quality=0.0, energy_allowance=0.0))
    check_config(replace(AlignConfig(), energy_allowance=3.9))


def test_a_signature_contradiction_refuses_though_a_fixed_class_model_confirms():
    """Energy at the level and a fixed model's class route say yes, the signature's physics
    says no: refused (letting the fixed model decide was measured and not adopted)."""
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality
    fixed = _sessions_model(0.01)
    assert gate_verdict(level + 0.5, 0.02, CONTRADICTS, cfg, fixed) == (
        True,
        "class signature contradicts",
    )


def test_a_confirming_fixed_model_keeps_its_route_name_under_the_level():
    """Under min_quality a fixed class model's route passes first: the report names the
    route that confirmed the offset, not "energy" (held out: 381_00, 385_03)."""
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality
    fixed = _sessions_model(0.01)
    assert gate_verdict(level - 0.3, 0.02, UNTESTED, cfg, fixed, lag_margin=0.5) == (
        False,
        "session classes",
    )
    clips = replace(fixed, model="clips")
    assert gate_verdict(level - 0.3, 0.02, UNTESTED, cfg, clips) == (False, "clip classes")
    assert gate_verdict(level + 0.1, 0.02, UNTESTED, cfg, fixed) == (False, "energy")


def test_energy_under_the_level_does_not_pass_words_a_fixed_model_fits_better_away():
    """The lag-margin rule refused these under min_quality before the allowance; energy
    just under the level is no stronger evidence, so it still refuses them, whether the
    model's class p confirms the offset or not."""
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality
    for p in (0.01, 0.5):
        away = gate_verdict(level - 0.3, 0.02, UNTESTED, cfg, _sessions_model(p), lag_margin=-1.0)
        assert away == (True, PEAKS_AWAY)
    here = gate_verdict(level - 0.3, 0.02, UNTESTED, cfg, _sessions_model(0.5), lag_margin=1.0)
    assert here == (False, "energy")


def _evidence(quality: float, **kw) -> Evidence:
    return Evidence(quality=quality, p_value=0.3, sig=UNTESTED, **kw)


def test_the_weak_energy_refusal_quotes_the_level_applied():
    """Energy alone passes at the level less energy_allowance: a refusal for weak energy
    says that level, not min_quality's; where the clock rate was fitted, min_quality (above
    it the refusal is the unconfirmed rate)."""
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality
    applied = round(level - cfg.energy_allowance, 2)
    weak = _refusal(_evidence(applied - 0.2), cfg, "at chance")
    assert f"< {applied}," in weak and f"< {level}" not in weak
    assert f"< {level}," in _refusal(_evidence(applied - 0.2, rate_fitted=True), cfg)
    assert f"< {level}" in _weak_energy(level - 1.0, 0.02, gate_levels(cfg), rate_fitted=True)


def test_a_refusal_above_the_applied_level_gives_the_real_reason():
    """Quality between the applied level and min_quality is refused for another reason
    (here a signature contradiction); the refusal does not call the energy too weak."""
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality
    ev = replace(_evidence(level - 0.3), p_value=0.02, sig=CONTRADICTS)
    assert gate_verdict(ev.quality, ev.p_value, ev.sig, cfg)[0]
    why = _refusal(ev, cfg, "class signature contradicts")
    assert "better than shuffled" not in why and "jump and turn words do not sit" in why


def test_the_report_records_the_energy_level_applied():
    """The labels JSON says from which energy quality energy alone passed the session: the
    level less energy_allowance (a pass at 5.7 is told from one at 6.0 by it)."""
    from tests.test_class_evidence import gesture_session

    motion, commands = gesture_session(seed=0, n=30)
    cfg = AlignConfig(shuffles=10)
    _, report = align_session("s", motion, commands, cfg)
    applied = gate_levels(cfg).min_quality - cfg.energy_allowance
    assert report.energy_level == pytest.approx(applied)
    assert report.to_json()["energy_level"] == pytest.approx(applied)
    _, strict = align_session("s", motion, commands, replace(cfg, energy_allowance=0.0))
    assert strict.energy_level == pytest.approx(gate_levels(cfg).min_quality)
