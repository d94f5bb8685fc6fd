"""The fixed class model's test of a fitted clock rate (silkpipe.rate_classes) and the gate's
use of it (AlignConfig.class_rate_margin): 826_02's kind of false pass, a scale 1.5 % off
that every shift-judging class figure confirmed (bench/notes/fp47.txt, rate48.txt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from test_class_evidence import ENERGY, clip_model, gesture_session

from silkpipe.class_evidence import ClassTest, event_words
from silkpipe.clip_evidence import LagProfile, bind
from silkpipe.gate import RATE_PREFERS_ONE, Evidence, decide
from silkpipe.rate_classes import rate_margin
from silkpipe.signature import SignatureTest


def _margin(true_scale: float, taken: float) -> float | None:
    """rate_margin of words said at ``true_scale``, placed at scale ``taken`` pivoted right
    at their median (as a wrong scale's fit lands: most words near their gestures)."""
    motion, commands = gesture_session(seed=1, jitter=0.6)
    said = [replace(c, start=c.start / true_scale, end=c.end / true_scale) for c in commands]
    times, labels = event_words(np.array([c.start for c in said]), [c.cls for c in said])
    lag = 0.3 + (true_scale - taken) * float(np.median(times))
    profile = LagProfile(bind(clip_model(), motion), taken * times + lag, labels, 10.0)
    return rate_margin(profile, times, taken, lag, 1.2)


def test_the_class_model_prefers_the_true_rate_to_one_a_percent_and_a_half_off():
    """Words at the clock's own rate placed at 1.015 score worse than at scale 1 (below 0);
    words that truly run 1.5 % fast score better at 1.015 than at 1 (above 0)."""
    wrong = _margin(1.0, 1.015)
    right = _margin(1.015, 1.015)
    assert wrong is not None and wrong < 0.0
    assert right is not None and right > 0.0
    assert _margin(1.0, 1.0) is None  # nothing to compare at scale 1


def _evidence(quality: float, rate_margin: float | None) -> Evidence:
    """A session-class route's pass below sure_quality on a fitted rate inside its bound."""
    silent = SignatureTest(0.0, 1.0, 0, 0, testable=False)
    cls = ClassTest(-1.0, 0.001, 12, 3, model="sessions")
    return Evidence(
        quality, 0.02, silent, cls, rate_fitted=True, lag_margin=2.5, rate_edge=0.5,
        common_margin=1.2, rate_margin=rate_margin,
    )  # fmt: skip


def test_a_route_pass_on_a_rate_the_class_model_does_not_prefer_is_refused():
    def verdict(quality, margin, cfg=ENERGY):
        excluded, reason, gate = decide(_evidence(quality, margin), cfg, False, [])
        return excluded, gate, reason

    excluded, gate, reason = verdict(6.0, -1.5)
    assert excluded and gate == RATE_PREFERS_ONE
    assert "rate margin -1.500 < 0.0" in reason
    assert verdict(6.0, 1.1)[:2] == (False, "session classes")  # the model prefers it
    assert verdict(6.0, 0.0)[:2] == (False, "session classes")  # a tie is no preference for 1
    assert verdict(6.0, None)[:2] == (False, "session classes")  # scale 1, or no model
    assert verdict(9.0, -1.5)[:2] == (False, "energy")  # sure quality: energy alone
    off = replace(ENERGY, class_rate_margin=None)
    assert verdict(6.0, -1.5, off)[:2] == (False, "session classes")
