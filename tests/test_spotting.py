"""Spotting on stitched streams and the cross-validation protocols (fast, synthetic data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from silkpipe.cli import main
from silkpipe.crossval import (
    leave_block_out_folds,
    leave_day_out_folds,
    punch_noise,
    shared_classes,
    window_days,
)
from silkpipe.dataset import WindowConfig, make_windows, session_stream
from silkpipe.sessions import CHANNELS, Motion
from silkpipe.spotting import (
    MATCH_S,
    PEAK_MARGIN_S,
    Truth,
    detect,
    match,
    slide,
    spot,
    stitch,
)
from silkpipe.vocabulary import CLASSES


def clip(name: str, label: str, seconds: float, peak_at: float | None, group="b", day="d"):
    n = int(seconds * 50)
    data = np.zeros((n, len(CHANNELS)), dtype=np.float32)
    data[:, 12] = 1.0
    if peak_at is not None:
        i = int(peak_at * 50)
        data[i - 10 : i + 10, 0:3] = 20.0  # a 0.4 s burst
    motion = Motion(np.arange(n) / 50 + 1000.0, 50.0, data, np.ones(n, dtype=bool))
    stream = session_stream(name, motion, [(1000.0, 1000.0 + seconds, label)], group=group)
    stream.kind, stream.day = "clip", day
    return stream


class EnergyPredictor:
    """'jump' when a window holds a burst of motion, else 'idle': a stand-in model."""

    labels = list(CLASSES)

    def logits(self, windows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(windows), len(CLASSES)), dtype=np.float32)
        burst = np.abs(windows[:, 15:35, 0]).max(axis=1) > 10  # the window's middle 0.4 s
        out[burst, CLASSES.index("jump")] = 5.0
        out[~burst, CLASSES.index("idle")] = 5.0
        return out


def test_stitched_jumps_are_found_once_each_within_the_match_tolerance():
    streams = [clip(f"j{i}", "jump", 2.0, 0.8 + 0.1 * i) for i in range(4)]
    result = spot(EnergyPredictor(), streams, WindowConfig())
    jump = result["per_class"]["jump"]
    assert (jump["tp"], jump["fn"], jump["fp"]) == (4, 0, 0)
    assert "idle" not in result["per_class"]  # idle on the still filler is not an error


def test_windows_are_slid_on_a_fixed_grid_not_placed_by_the_truth():
    a = stitch([clip("a", "jump", 2.0, 0.5), clip("b", "jump", 2.0, 1.5)], "s", seed=1)
    times, _ = slide(EnergyPredictor(), a.motion, WindowConfig(), stride=5)
    assert np.allclose(np.diff(times), 0.1) and abs(times[0] - 0.5) < 1e-9


def test_event_matching_is_one_to_one_and_bounded_by_the_tolerance():
    truth = [Truth("jump", 0, 2, 1.0), Truth("jump", 3, 5, 4.0)]
    near, far = 1.0 + MATCH_S - 0.01, 4.0 + MATCH_S + 0.05
    counts = match(truth, [("jump", 0.5, 1.5, near), ("jump", 0.6, 1.6, 1.0), ("jump", 4, 5, far)])
    assert counts["jump"] == {"tp": 1, "fn": 1, "fp": 2}
    # a punch detection on a jump is a punch false positive and finds no jump
    counts = match(truth, [("punch", 0.5, 1.5, 1.0)])
    assert counts["punch"]["fp"] == 1 and counts["jump"]["fn"] == 2


def test_state_segments_match_overlapping_runs_and_filler_noise_is_not_an_error():
    truth = [Truth("walk", 10, 20, 15)]
    counts = match(truth, [("walk", 9.7, 12, 11), ("walk", 15, 19, 16), ("idle", 30, 31, 30.5)])
    assert counts["walk"] == {"tp": 1, "fn": 0, "fp": 0}
    assert counts["idle"]["fp"] == 0  # on filler
    assert match(truth, [("idle", 12, 13, 12.5)])["idle"]["fp"] == 1  # idle on a walk


def test_with_filler_truth_a_state_run_is_judged_by_the_motion_under_most_of_its_span():
    truth = [Truth("jump", 0, 2, 1.0)]
    filler = [(2.0, 6.0, "walk"), (5.75, 9.0, "idle")]
    walk, idle = ("walk", 2.5, 5.5, 4.0), ("idle", 2.5, 5.5, 4.0)
    # without filler truth (stitched streams): walk off its truth is an error, idle is not
    assert match(truth, [walk])["walk"]["fp"] == 1
    assert match(truth, [idle])["idle"]["fp"] == 0
    # with it: walking called walk is no error (nor a find), walking called idle is one
    assert match(truth, [walk], filler)["walk"] == {"tp": 0, "fn": 0, "fp": 0}
    assert match(truth, [idle], filler)["idle"]["fp"] == 1
    assert match(truth, [("idle", 6.5, 8.5, 7.0)], filler)["idle"]["fp"] == 0
    assert match(truth, [("walk", 6.5, 8.5, 7.0)], filler)["walk"]["fp"] == 1
    # by most of the span, not the most confident step: mostly walking, surest on idle
    assert match(truth, [("idle", 3.0, 6.5, 6.2)], filler)["idle"]["fp"] == 1
    # over a gesture's motion peak it stays an error; with no filler under most of it,
    # the rule without filler truth holds
    assert match(truth, [("walk", 0.5, 5.5, 4.0)], filler)["walk"]["fp"] == 1
    assert match(truth, [("noise", 9.5, 12.0, 10.0)], filler)["noise"]["fp"] == 0
    assert match(truth, [("walk", 9.5, 12.0, 10.0)], filler)["walk"]["fp"] == 1


class LandingPredictor:
    """'jump' on any burst, most sure on a soft one (a jump's landing after its take-off),
    else 'idle': a model whose confidence peaks after the gesture's motion peak."""

    labels = list(CLASSES)

    def logits(self, windows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(windows), len(CLASSES)), dtype=np.float32)
        top = np.abs(windows[:, 15:35, 0]).max(axis=1)
        jump = top > 1
        out[jump, CLASSES.index("jump")] = np.where(top[jump] < 10, 6.0, 3.0)
        out[~jump, CLASSES.index("idle")] = 5.0
        return out


def test_a_gesture_is_timed_at_its_motion_peak_when_the_model_is_most_sure_later():
    streams = []
    for i in range(3):
        st = clip(f"j{i}", "jump", 3.0, 0.8)
        st.motion.data[70:90, 0:3] = 5.0  # the landing, 0.8 s after the take-off
        streams.append(st)
    jump = spot(LandingPredictor(), streams, WindowConfig())["per_class"]["jump"]
    assert (jump["tp"], jump["fn"], jump["fp"]) == (3, 0, 0)


def _still(seconds: float) -> Motion:
    n = int(seconds * 50)
    data = np.zeros((n, len(CHANNELS)), dtype=np.float32)
    return Motion(np.arange(n) / 50, 50.0, data, np.ones(n, dtype=bool))


def _bump(motion: Motion, centre: int, height: float) -> None:
    """A burst of motion that peaks at one sample."""
    motion.data[centre - 5 : centre + 6, 0] = height * (1 - np.abs(np.arange(-5, 6)) / 6)


def _two_runs():
    """Steps every 0.1 s: a jump run most sure at 1.4 s, a walk run most sure at 2.3 s."""
    times = np.arange(30) / 10
    probs = np.full((30, len(CLASSES)), 0.01)
    probs[:10, CLASSES.index("idle")] = 0.5
    probs[10:20, CLASSES.index("jump")] = [0.6, 0.7, 0.8, 0.9, 1.0, 0.9, 0.8, 0.7, 0.6, 0.6]
    probs[20:30, CLASSES.index("walk")] = [0.6, 0.7, 0.8, 1.0, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6]
    probs[25, CLASSES.index("punch")] = 1.0  # one step: too short to count
    return times, probs


def test_detect_times_a_gesture_run_at_the_streams_motion_peak_and_a_state_run_by_confidence():
    motion = _still(3.0)
    _bump(motion, 50, 20.0)  # the jump's motion peaks at 1.0 s
    _bump(motion, 135, 20.0)  # motion inside the walk run, away from its best step
    dets = detect(*_two_runs(), list(CLASSES), motion)
    [jump] = [d for d in dets if d[0] == "jump"]
    [walk] = [d for d in dets if d[0] == "walk"]
    assert jump[3] == pytest.approx(1.0) and walk[3] == pytest.approx(2.3)
    assert not [d for d in dets if d[0] == "punch"]


def test_detect_looks_for_the_motion_peak_only_near_the_run():
    assert 2.5 > 1.9 + PEAK_MARGIN_S + 0.1  # the run ends at 1.9 s: 2.5 s lies past its margin
    motion = _still(3.0)
    _bump(motion, 50, 5.0)  # the jump's own motion
    _bump(motion, 125, 20.0)  # stronger motion after the run
    [jump] = [d for d in detect(*_two_runs(), list(CLASSES), motion) if d[0] == "jump"]
    assert jump[3] == pytest.approx(1.0)


def test_a_gesture_run_over_rows_that_never_arrived_keeps_its_most_confident_step():
    motion = _still(3.0)
    _bump(motion, 50, 20.0)
    motion.valid[:] = False
    [jump] = [d for d in detect(*_two_runs(), list(CLASSES), motion) if d[0] == "jump"]
    assert jump[3] == pytest.approx(1.4)


def _windows(blocks):
    streams = [
        clip(f"{g}{lab}{i}", lab, 2.0, 1.0, group=g, day=d)
        for g, d, labels in blocks
        for lab in labels
        for i in range(2)
    ]
    return streams, make_windows(streams, WindowConfig(event_crops=1))


def test_leave_block_out_holds_out_only_blocks_the_rest_of_their_day_covers():
    streams, w = _windows(
        [
            ("a", "d1", ["jump", "punch"]),
            ("b", "d1", ["jump", "punch"]),
            ("c", "d1", ["turn", "jump"]),
            ("x", "d2", ["jump", "turn"]),
        ]
    )
    days = window_days(w, streams)
    folds, notes = leave_block_out_folds(w, days)
    assert [f.name for f in folds] == ["d1 test a", "d1 test b"]
    assert any("c cannot be held out" in n and "turn" in n for n in notes)
    for f in folds:  # trains within the day, never on the held-out block
        assert not (f.train & f.test).any() and set(days[f.train]) == {"d1"}


def test_leave_day_out_scores_the_shared_classes():
    streams, w = _windows([("a", "d1", ["jump", "idle"]), ("x", "d2", ["jump", "noise"])])
    days = window_days(w, streams)
    assert shared_classes(w, days) == ["jump"]
    folds = leave_day_out_folds(days)
    assert [f.name for f in folds] == ["test day d1", "test day d2"]
    assert all((f.test == (days == f.name[-2:])).all() for f in folds)


def test_punch_noise_shares_come_from_the_confusion():
    m = np.zeros((6, 6), dtype=int)
    p, n = CLASSES.index("punch"), CLASSES.index("noise")
    m[p, p], m[p, n], m[n, n], m[n, p] = 8, 2, 9, 1
    out = punch_noise({"matrix": m.tolist()})
    assert out["punch_called_noise"] == 0.2 and out["noise_called_punch"] == 0.1


def test_cli_cross_validation_on_one_day_says_why_it_has_no_folds(
    data_dir: Path, tmp_path, capsys, clean_env
):
    day = tmp_path / "day"
    day.mkdir()
    src = data_dir / "clips-20251014"
    shutil.copyfile(src / "session_metadata.json", day / "session_metadata.json")
    for name in ("jump_sample01", "punch_sample01"):
        shutil.copyfile(src / f"{name}.csv", day / f"{name}.csv")
    rc = main(["evaluate", "--cv", "leave-day-out", "--clips", str(day), "--json"])
    assert rc == 2  # bad input since bad_input_sweep51 (it printed an empty result, exit 0)
    out = capsys.readouterr()
    assert out.out == "" and "needs clips of two days" in out.err.strip().splitlines()[-1]
    assert main(["evaluate", "--clips", str(day)]) == 2
    assert "--cv" in capsys.readouterr().err
