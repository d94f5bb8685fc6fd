"""Windows, normalisation, grouped splits and clip/session loading (real data included)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from silkpipe.dataset import (
    WindowConfig,
    button_span,
    class_weights,
    fit_normalisation,
    group_split,
    holdout_split,
    load_clip_streams,
    load_session_streams,
    make_windows,
    session_stream,
    time_range_split,
    window_centres,
)
from silkpipe.errors import InputError
from silkpipe.labels import Interval, read_labels_csv
from silkpipe.sessions import CHANNELS, Motion, read_sensor_csv, resample
from silkpipe.vocabulary import CLASSES, clip_class


def synthetic_motion(seconds: float = 20.0, rate: float = 50.0, peak_at: float = 5.3) -> Motion:
    n = int(seconds * rate)
    t = np.arange(n) / rate
    data = np.zeros((n, len(CHANNELS)), dtype=np.float32)
    data[:, 12] = 1.0  # gravity along z
    data[:, 0] = np.sin(t)  # something to normalise
    peak = int(peak_at * rate)
    data[peak - 3 : peak + 3, 0:3] = 20.0  # a sharp gesture
    return Motion(t=t, rate=rate, data=data, valid=np.ones(n, dtype=bool))


def test_event_window_is_centred_on_the_motion_peak():
    stream = session_stream("s", synthetic_motion(peak_at=5.3), [(4.5, 6.5, "jump")])
    [(centre, label, primary)] = window_centres(stream, WindowConfig(event_crops=1))
    assert label == "jump" and primary
    assert abs(centre / 50.0 - 5.3) < 0.1


def test_states_are_slid_and_unlabelled_time_is_not_a_class():
    cfg = WindowConfig(length=50, stride=25, context=10)
    stream = session_stream("s", synthetic_motion(), [(10.0, 14.0, "walk"), (15.0, 15.6, "idle")])
    windows = make_windows([stream], cfg)
    walk = windows.y == CLASSES.index("walk")
    assert walk.sum() == (200 - 50) // 25 + 1  # 4 s slid by 0.5 s
    assert (windows.y == CLASSES.index("idle")).sum() == 1  # shorter than a window: centred
    assert windows.x.shape[1:] == (50 + 2 * 10, 9)
    # every window centre lies inside labelled time: nothing from 0-10 s or 14-15 s
    assert all(10.0 <= t <= 14.0 or 15.0 <= t <= 15.6 for t in windows.times)
    assert windows.core().shape[1] == 50


def test_windows_inside_sensor_gaps_are_dropped():
    motion = synthetic_motion()
    motion.valid[500:700] = False  # 10-14 s is a gap
    stream = session_stream("s", motion, [(9.0, 15.0, "walk")])
    windows = make_windows([stream], WindowConfig())
    core = windows.core()
    assert len(windows) > 0
    for t in windows.times:  # at most 40% of any kept window lies in the gap
        overlap = max(0.0, min(t + 0.5, 14.0) - max(t - 0.5, 10.0))
        assert overlap <= 0.4 + 1e-6
    assert np.isfinite(core).all()


def test_normalisation_is_fitted_on_the_given_windows_only():
    a = make_windows([session_stream("a", synthetic_motion(), [(1, 9, "walk")])])
    motion = synthetic_motion()
    motion.data[:, 0] += 100.0
    b = make_windows([session_stream("b", motion, [(1, 9, "walk")])])
    mean_a, std_a = fit_normalisation(a)
    assert abs(mean_a[0]) < 2 and np.all(std_a > 0)
    mean_b, _ = fit_normalisation(b)
    assert mean_b[0] > 90  # b's data never leaks into a's statistics
    assert mean_a.shape == (9,)


def test_class_weights_balance_present_classes():
    y = np.array([0] * 30 + [3] * 10)
    w = class_weights(y)
    assert w[0] * 30 == pytest.approx(w[3] * 10)
    assert w[1] == 0.0


def _windows_with_groups():
    streams = []
    for g in range(4):
        intervals = [(1.0 + i, 1.9 + i, CLASSES[i % 5]) for i in range(16)]
        streams.append(session_stream(f"s{g}", synthetic_motion(), intervals, group=f"g{g}"))
    return make_windows(streams)


def test_group_split_never_leaks_a_group():
    windows = _windows_with_groups()
    train, held, scheme = holdout_split(windows, 0.25, fold=1)
    assert scheme.startswith("groups:")
    assert not (set(windows.groups[train]) & set(windows.groups[held]))
    assert held.any() and train.any()
    train, held = group_split(windows, ["g0", "g2"])
    assert set(windows.groups[held]) == {"g0", "g2"}
    assert not (set(windows.groups[train]) & {"g0", "g2"})


def test_time_range_split_keeps_a_purge_gap():
    windows = _windows_with_groups()
    for fold in range(5):
        train, held = time_range_split(windows, 0.2, fold, purge_s=1.0)
        assert not (train & held).any()
        for g, label in set(zip(windows.groups, windows.y, strict=True)):
            same = (windows.groups == g) & (windows.y == label)
            held_t = windows.times[same & held]
            train_t = windows.times[same & train]
            if len(held_t) and len(train_t):
                gap = np.abs(train_t[:, None] - held_t[None, :]).min()
                assert gap >= 1.0


def test_every_real_clip_loads_into_blocks(data_dir: Path):
    clips = data_dir / "clips-dev"
    files = sorted(clips.glob("*.csv"))
    raw_streams = load_clip_streams(clips, realign=False)
    assert len(raw_streams) == len(files)
    streams = load_clip_streams(clips)
    by_name = {s.name: s for s in streams}
    assert set(by_name) <= {p.stem for p in files}
    assert len(streams) > 0.8 * len(files)
    for path in files:
        if path.stem not in by_name:
            assert button_span(path.stem) is not None  # only late-delivered clips are dropped
            continue
        stream = by_name[path.stem]
        assert stream.intervals[0].label == clip_class(path.stem)
        assert stream.motion.features().shape[1] == 9
        assert np.isfinite(stream.motion.data).all()
    blocks = {s.group for s in streams}
    assert len(blocks) == 2  # the watch clock restarted between the gesture and noise blocks
    noise_block = {s.group for s in streams if s.name.startswith("noise_action_seg_")}
    gesture_block = {s.group for s in streams if s.name.startswith("jump_")}
    assert noise_block != gesture_block and len(noise_block) == len(gesture_block) == 1
    assert {s.intervals[0].label for s in streams if s.group in noise_block} == {"noise"}
    windows = make_windows(streams)
    counts = np.bincount(windows.y, minlength=len(CLASSES))
    assert (counts >= 20).all(), counts
    train, held, scheme = holdout_split(windows)
    assert scheme.startswith("time-range")  # one gesture block: held-out time ranges
    for label in range(len(CLASSES)):
        assert (windows.y[held] == label).any()


def test_late_delivered_clips_are_recut_at_their_button_time(data_dir: Path):
    """In clips-dev the watch delivered events up to 57 s late for a stretch: those clips
    held other moments' motion (jump clips without motion). Re-cut, every jump has one."""

    def peaks(streams):
        w = make_windows(streams)
        core = w.core()[w.y == CLASSES.index("jump")]
        return np.linalg.norm(core[..., 0:3], axis=-1).max(axis=1)

    clips = data_dir / "clips-dev"
    assert (peaks(load_clip_streams(clips, realign=False)) < 2.0).sum() >= 5  # still jumps
    assert peaks(load_clip_streams(clips)).min() > 10.0  # m/s^2: every jump window moves


def test_button_span_from_clip_names():
    assert button_span("turn_left_1760841426505_to_1760841428165") == (
        1760841426.505,
        1760841428.165,
    )
    assert button_span("noise_action_1760876540189_seg_001") is None
    assert button_span("baseline_noise_1760841370") is None


def test_bad_clip_name_names_the_file(tmp_path: Path):
    (tmp_path / "wave_1_to_2.csv").write_text("x\n")
    with pytest.raises(InputError, match="wave_1_to_2.csv"):
        load_clip_streams(tmp_path)


def test_bad_clips_can_be_skipped_and_reported(data_dir: Path, tmp_path: Path):
    good = sorted((data_dir / "clips-dev").glob("walk_*.csv"))[0]
    (tmp_path / good.name).write_bytes(good.read_bytes())  # a link out would not be read
    (tmp_path / "jump_1_to_2.csv").write_bytes(b"")
    seen = []
    streams = load_clip_streams(tmp_path, on_error=lambda path, err: seen.append((path, err)))
    assert [s.name for s in streams] == [good.stem]
    assert seen[0][0].name == "jump_1_to_2.csv" and "jump_1_to_2.csv" in str(seen[0][1])
    with pytest.raises(InputError, match="jump_1_to_2.csv"):
        load_clip_streams(tmp_path)


def test_sessions_with_labels_load_and_others_are_skipped(data_dir: Path, tmp_path: Path, caplog):
    real = data_dir / "sessions" / "20251017_143217_session"
    motion = resample(read_sensor_csv(real / "sensor_data.csv"))
    ok = np.convolve(motion.valid, np.ones(100) / 100, mode="valid")  # 2 s without gaps
    ok[motion.t[: len(ok)] < 0] = 0  # after the stale start burst, which lies before 0
    start = round(float(motion.t[int(np.argmax(ok))]), 2)
    jump = (start, start + 2.0)
    for name, labelled in (("a_session", True), ("b_session", False)):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(real / "sensor_data.csv", folder / "sensor_data.csv")  # a link out
        if labelled:  # of the sessions folder would not be read
            (folder / "labels.csv").write_text(
                f"start,end,label\n{jump[0]},{jump[1]},jump\n0,221,walk\n"
            )
    caplog.set_level(logging.WARNING)
    streams, skipped = load_session_streams(tmp_path)
    assert [s.name for s in streams] == ["a_session"] and skipped == ["b_session"]
    assert streams[0].intervals == [Interval(0.0, 221.0, "walk"), Interval(*jump, "jump")]
    assert streams[0].group == "a_session"
    windows = make_windows(streams)
    assert set(windows.y) == {CLASSES.index("jump"), CLASSES.index("walk")}


def test_bad_labels_csv_names_the_file(tmp_path: Path):
    bad = tmp_path / "labels.csv"
    bad.write_text("start,end,label\n1,2,dance\n")
    with pytest.raises(InputError, match="labels.csv"):
        read_labels_csv(bad)
    bad.write_text("begin,end,label\n")
    with pytest.raises(InputError, match="line 1"):
        read_labels_csv(bad)


def test_extra_gesture_crops_are_training_only():
    cfg = WindowConfig(event_crops=3, crop_step=5)
    stream = session_stream("s", synthetic_motion(peak_at=5.3), [(4.5, 6.5, "jump")])
    centres = window_centres(stream, cfg)
    assert [c for c, _, _ in centres] == [centres[0][0], centres[0][0] + 5, centres[0][0] - 5]
    windows = make_windows([stream], cfg)
    assert len(windows) == 3 and windows.primary.tolist() == [True, False, False]
    assert len(windows.primaries()) == 1 and len(windows.subset(windows.y == 0).primaries()) == 1
