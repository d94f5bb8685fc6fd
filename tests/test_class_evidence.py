"""Class-aware alignment: what each class looks like settles one-period ambiguity, and the
gate refuses offsets the classes (or the search edge) do not support."""

from __future__ import annotations

import numpy as np

from silkpipe.alignment import AlignConfig, align_session, class_choice, gate_verdict
from silkpipe.class_evidence import ClassTest, class_test, event_words, feature_traces
from silkpipe.sessions import Motion
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command

RATE = 50.0
PERIOD = 2.0


def gesture_session(
    seed: int = 0, n: int = 40, jitter: float = 0.0
) -> tuple[Motion, list[Command]]:
    """Gestures every PERIOD s (+- jitter) in mixed order, each class its own motion (jump: vertical
    push, punch: horizontal push, turn: spin about gravity) with the same energy, so energy
    alone cannot tell one gesture from the next; words on the audio clock at offset 0."""
    rng = np.random.default_rng(seed)
    peaks = 5.0 + np.arange(n) * PERIOD + rng.uniform(-jitter, jitter, n)
    t = np.arange(int((n * PERIOD + 10) * RATE)) / RATE
    data = np.zeros((len(t), 13), np.float32)
    data[:, 0:6] = rng.normal(0, 0.1, (len(t), 6))
    data[:, 6] = 1.0
    data[:, 12] = 1.0  # gravity along the device z axis
    commands = []
    classes = rng.choice(["jump", "punch", "turn"], n)
    for peak, cls in zip(peaks, classes, strict=True):
        seg = np.abs(t - peak) < 0.25
        axis = {"jump": 2, "punch": 0, "turn": 5}[str(cls)]
        data[seg, axis] += 8.0
        said = peak - 0.3
        commands.append(Command(str(cls), said, said + 0.3, str(cls), 0.9))
    return Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool)), commands


def test_class_choice_picks_the_peak_whose_classes_match():
    """Two energy peaks one gesture period apart score the same; the class evidence picks
    the true one (lag 0.3: the word-to-peak delay), energy alone keeps the first found."""
    motion, commands = gesture_session()
    times = np.array([c.start for c in commands])
    classes = [c.cls for c in commands]
    offsets = np.arange(-5.0, 5.0 + 1e-9, 1 / RATE)
    scores = np.exp(-0.5 * ((offsets - 0.3) / 0.1) ** 2)
    scores += np.exp(-0.5 * ((offsets - 0.3 - PERIOD) / 0.1) ** 2)
    wrong = 0.3 + PERIOD
    lag, cands = class_choice(wrong, offsets, scores, times, classes, motion, AlignConfig())
    assert abs(lag - 0.3) < 0.05
    assert any(abs(c - wrong) < 0.05 for c in cands)
    no_class = AlignConfig(class_weight=0.0)
    assert class_choice(wrong, offsets, scores, times, classes, motion, no_class)[0] == wrong


def test_class_test_tells_the_true_offset_from_one_period_off():
    motion, commands = gesture_session(seed=1)
    times, labels = event_words(np.array([c.start for c in commands]), [c.cls for c in commands])
    traces = feature_traces(motion)
    right = class_test(traces, 0.0, RATE, times + 0.3, labels)
    shifted = [class_test(traces, 0.0, RATE, times + 0.3 + k * PERIOD, labels).p_value
               for k in (-3, -2, -1, 1, 2, 3)]  # fmt: skip
    assert right.testable and right.p_value < 0.01
    assert min(shifted) > 0.01 and np.median(shifted) > 0.2  # at chance
    # the choice among shifts is in the null: the best of many shifts is not significant
    around = np.arange(-10, 11) * PERIOD
    assert class_test(traces, 0.0, RATE, times + 0.3 + 7 * PERIOD, labels,
                      around=around).p_value > 0.05  # fmt: skip


def test_gate_refuses_the_search_edge_contradicting_classes_and_unconfirmed_moves():
    cfg = AlignConfig()
    sig = SignatureTest(0.0, 1.0, 0, 0, testable=False)
    strong, weak = ClassTest(0.5, 0.002, 20, 3), ClassTest(0.1, 0.6, 20, 3)
    assert gate_verdict(5.0, 0.02, sig, cfg, strong) == (False, "energy")
    assert gate_verdict(5.0, 0.02, sig, cfg, strong, at_edge=True)[0]
    assert gate_verdict(5.0, 0.02, sig, cfg, weak) == (True, "class evidence contradicts")
    assert gate_verdict(5.0, 0.02, sig, cfg, ClassTest(0.3, 0.05, 20, 3), moved=True)[0]
    assert not gate_verdict(5.0, 0.02, sig, cfg, strong, moved=True)[0]
    assert gate_verdict(3.0, 0.02, sig, cfg, strong)[0]  # class evidence alone never passes


def test_session_one_period_off_is_refused_and_the_true_one_passes():
    """The shifted-audio control: the offset search confined to a window that ends 0.5 s
    short of the truth lands on its edge (or a wrong period) and is refused."""
    from dataclasses import replace

    motion, commands = gesture_session(seed=2, jitter=0.6)
    _, report = align_session("own", motion, commands)
    assert not report.excluded and abs(report.offset_s) < 0.15
    moved = [replace(c, start=c.start + PERIOD, end=c.end + PERIOD) for c in commands]
    _, shifted = align_session("shifted", motion, moved, AlignConfig(search_s=PERIOD - 0.5))
    assert shifted.excluded
