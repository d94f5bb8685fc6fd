"""bench.real_play's measures on streams whose answer is known."""

import numpy as np

from bench.real_play import Played, locked, pace, prominence
from silkpipe.sessions import Motion

RATE = 50.0


def _motion(bursts_at: list[float], seconds: float = 120.0, seed: int = 0) -> Motion:
    """Quiet motion with a 0.4 s burst of linear acceleration at each time."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, seconds, 1 / RATE)
    data = np.zeros((len(t), 13), dtype=np.float32)
    data[:, 0:6] = rng.normal(0, 0.05, (len(t), 6))
    for b in bursts_at:
        data[(t >= b) & (t < b + 0.4), 0] += 8.0
    data[:, 6] = 1.0
    return Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))


def test_pace_counts_runs_and_gaps():
    words = [("punch", 0.0), ("punch", 1.0), ("punch", 2.0), ("jump", 5.0), ("turn", 8.0)]
    p = pace(words)
    assert p["words"] == 5 and p["per_min"] == 5 / (8 / 60)
    assert p["same_gap"] == 1.0 and p["change_gap"] == 3.0
    assert p["mean_run"] == 5 / 3 and p["longest_run"] == 3


def test_words_before_their_motion_rise_and_wrong_offsets_do_not():
    rng = np.random.default_rng(1)
    words = np.sort(rng.uniform(15, 100, 25))
    played = Played("s", _motion(list(words + 0.3)), [("jump", float(w)) for w in words])
    figures = locked([played])
    assert figures["rise"] > 1.0
    assert abs(figures["rise_null"]) < 0.5
    assert prominence(played) > prominence(played, 7.0) + 0.5


def test_words_unrelated_to_the_motion_do_not_rise():
    rng = np.random.default_rng(2)
    bursts = np.sort(rng.uniform(15, 100, 25))
    words = np.sort(rng.uniform(15, 100, 25))
    played = Played("s", _motion(list(bursts)), [("punch", float(w)) for w in words])
    assert locked([played])["rise"] < 0.6
