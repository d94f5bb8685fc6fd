"""The offset settled after the gate's tests (AlignConfig.settle_s, alignment.settled_lag):
the class channels choose the peak, motion energy places it (bench/notes/fit46.txt, fine49.txt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkpipe.alignment import AlignConfig, align_session, settled_lag
from silkpipe.sessions import Motion
from silkpipe.transcripts import Command

RATE = 50.0
BURSTS = [6.0, 9.5, 12.0, 16.5, 19.0, 23.5, 27.0, 31.5]


def _motion(amplitude) -> Motion:
    t = np.arange(int(40 * RATE)) / RATE
    data = np.zeros((len(t), 13), np.float32)
    data[:, 0:6] = np.random.default_rng(0).normal(0, 0.15, (len(t), 6))
    data[:, 6] = data[:, 12] = 1.0
    data[:, 0:6] *= amplitude(t)[:, None]
    return Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))


def _bursts(t: np.ndarray) -> np.ndarray:
    """Gain 1, and 20 within 0.3 s of each burst's peak."""
    near = np.min(np.abs(t[:, None] - np.array(BURSTS)[None, :]), axis=1) < 0.3
    return np.where(near, 20.0, 1.0)


def _words(lead: float) -> list[Command]:
    """Event words ``lead`` before each burst (offset 0)."""
    classes = ["jump", "turn", "punch", "turn", "jump", "punch", "turn", "jump"]
    return [
        Command(c, b - lead, b - lead + 0.3, c, 0.9) for c, b in zip(classes, BURSTS, strict=True)
    ]


def test_settles_halfway_toward_the_energy_peak():
    cfg = AlignConfig()
    motion, words = _motion(_bursts), _words(cfg.word_to_peak_s)
    true_lag = cfg.word_to_peak_s  # offset 0: the bursts peak word_to_peak_s after the words
    assert settled_lag(motion, words, true_lag + 0.2, True, cfg) == pytest.approx(
        true_lag + 0.1, abs=0.03
    )
    assert settled_lag(motion, words, true_lag - 0.2, True, cfg) == pytest.approx(
        true_lag - 0.1, abs=0.03
    )


def test_unchanged_without_channels_a_setting_or_an_energy_peak_near():
    cfg = AlignConfig()
    motion, words = _motion(_bursts), _words(cfg.word_to_peak_s)
    lag = cfg.word_to_peak_s + 0.2
    assert settled_lag(motion, words, lag, False, cfg) == lag  # an energy-only fit
    assert settled_lag(motion, words, lag, True, replace(cfg, settle_s=None)) == lag
    assert settled_lag(motion, words[:1], lag, True, cfg) == lag  # one event word
    ramp = _motion(lambda t: 1.0 + t)  # energy rises all along: its peak is the window's edge
    assert settled_lag(ramp, words, lag, True, cfg) == lag


def test_align_session_reports_the_settled_offset_and_gates_the_fit():
    """The gate's evidence is the fit's; the offset reported is settled_lag's."""
    cfg = AlignConfig(shuffles=10)
    motion, words = _motion(_bursts), _words(cfg.word_to_peak_s - 0.15)
    _, fixed = align_session("s", motion, words, replace(cfg, settle_s=None), keep_refused=True)
    _, settled = align_session("s", motion, words, cfg, keep_refused=True)
    lag = fixed.offset_s + cfg.word_to_peak_s
    want = settled_lag(motion, words, lag, True, cfg) - cfg.word_to_peak_s
    assert settled.offset_s == pytest.approx(want)
    truth = -0.15  # the words lead their bursts by word_to_peak_s - 0.15
    assert abs(settled.offset_s - truth) < abs(fixed.offset_s - truth) - 0.02
    for field in ("quality", "signature_p", "class_p_value", "gate", "excluded"):
        assert getattr(settled, field) == getattr(fixed, field)
