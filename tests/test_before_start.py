"""Energy alone does not pass a fit that puts words before the IMU stream's first sample
(AlignConfig.energy_before_start_s): a donor's dense words reached the energy floor on
867_01's motion at -24 s, 13 s of them before the stream (bench/notes/ctl48.txt); no right
pass on DEV puts a word before the start."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import silkpipe.alignment as al
from silkpipe.alignment import AlignConfig, OffsetFit, align_session
from silkpipe.gate import BEFORE_START, gate_levels
from silkpipe.sessions import Motion
from silkpipe.transcripts import Command

RATE = 50.0


def _session() -> tuple[Motion, list[Command]]:
    """Quiet motion from t=0 and ten turn words at 10-100 s on the audio clock: one class,
    no jumps, so neither class test can test them."""
    t = np.arange(int(120 * RATE)) / RATE
    data = np.random.default_rng(0).normal(0, 0.15, (len(t), 13)).astype(np.float32)
    motion = Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))
    words = [Command("turn", s, s + 0.3, "turn", 0.9) for s in np.linspace(10, 100, 10)]
    return motion, words


def _align(monkeypatch, offset: float, quality: float, cfg: AlignConfig | None = None):
    """align_session with the offset fit replaced by one at ``offset`` of ``quality``."""
    fit = OffsetFit(offset, 4.0, quality, 1 / 41, np.zeros(40), class_channels=True)
    # one class's words: the one-class rule (test_one_class_gate) is off to test this one
    cfg = replace(cfg or AlignConfig(), one_class_needs_profile=False)
    monkeypatch.setattr(al, "_sized_losses", lambda m, c, cfg, model: (fit, m, [], None))
    motion, words = _session()
    return align_session("ctl", motion, words, cfg)[1]


def test_energy_alone_refuses_words_before_the_streams_start(monkeypatch):
    """At -24 s the first words fall 14 s before the stream: refused; at +5 s the same
    fit passes on energy alone."""
    refused = _align(monkeypatch, -24.0, 6.56)
    assert refused.excluded and refused.gate == BEFORE_START
    assert "14.0 s before the IMU stream starts" in refused.reason
    passed = _align(monkeypatch, 5.0, 6.56)
    assert not passed.excluded and passed.gate == "energy"


SURE = gate_levels(AlignConfig()).sure_quality + 0.1  # the lifted level (class channels)


@pytest.mark.parametrize("quality,limit", [(SURE, 0.5), (6.56, None), (6.56, 20.0)])
def test_sure_energy_or_the_setting_off_keeps_the_pass(monkeypatch, quality, limit):
    """Sure energy, the setting off (None), or a limit beyond the 14 s: energy passes."""
    cfg = replace(AlignConfig(), energy_before_start_s=limit)
    report = _align(monkeypatch, -24.0, quality, cfg)
    assert not report.excluded and report.gate == "energy"
