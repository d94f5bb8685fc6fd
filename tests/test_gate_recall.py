"""Gate recall: energy alone just under the level, and a fixed class model over the signature
(bench/notes/gaterecall.txt)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from silkpipe.alignment import AlignConfig, gate_levels, gate_verdict
from silkpipe.class_evidence import ClassTest
from silkpipe.commands import check_config
from silkpipe.errors import InputError
from silkpipe.signature import SignatureTest

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


def test_a_confirming_fixed_class_model_overrides_a_signature_contradiction():
    """Energy at the level and a fixed model's class route say yes, the signature's physics
    says no: with classes_over_signature the fixed model decides; not a self-trained
    model, not below the energy level, not where its lag profile peaks away."""
    cfg = replace(AlignConfig(), classes_over_signature=True)
    level = gate_levels(cfg).min_quality
    fixed = _sessions_model(0.01)
    assert gate_verdict(level + 0.5, 0.02, CONTRADICTS, cfg, fixed) == (False, "energy")
    off = replace(cfg, classes_over_signature=False)
    assert gate_verdict(level + 0.5, 0.02, CONTRADICTS, off, fixed) == (
        True,
        "class signature contradicts",
    )
    own = replace(fixed, model="self", words=4)  # too few words for its own contradiction
    assert gate_verdict(level + 0.5, 0.02, CONTRADICTS, cfg, own)[0]
    strong = _sessions_model(0.002)  # its pass branch, but energy under the level
    assert gate_verdict(level - 3.0, 0.05, CONTRADICTS, cfg, strong)[0]
    assert gate_verdict(level + 0.5, 0.02, CONTRADICTS, cfg, fixed, lag_margin=-1.0)[0]
