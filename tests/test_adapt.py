"""Self-training on a new day's unlabelled recordings (silkpipe.adapt; fast, small data)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import silkpipe.adapt as adapt_module
from silkpipe.adapt import AdaptConfig, pseudo_labels
from silkpipe.cli import main
from silkpipe.crossval import run_protocol
from silkpipe.dataset import WindowConfig, concat_windows, make_windows, unlabelled_windows
from silkpipe.errors import InputError
from silkpipe.labels import Interval
from silkpipe.training import TrainConfig, training_windows
from silkpipe.vocabulary import CLASSES
from tests.test_spotting import clip

J, P, N = (CLASSES.index(c) for c in ("jump", "punch", "noise"))


def test_pseudo_labels_keep_the_surest_share_of_each_predicted_class_not_equal_counts():
    probs = np.zeros((10, len(CLASSES)))
    conf = np.linspace(0.55, 0.95, 10)
    for i in range(8):  # eight windows look like noise, two like jump
        probs[i, N], probs[i, P] = conf[i], 1 - conf[i]
    for i in (8, 9):
        probs[i, J], probs[i, N] = conf[i], 1 - conf[i]
    probs[0, CLASSES.index("idle")] = 5.0  # a class the labelled windows lack: never chosen
    keep, labels = pseudo_labels(probs, 0.5, [J, P, N])
    assert keep.tolist() == [4, 5, 6, 7, 9]  # 4 of 8 noise (the surest), 1 of 2 jump
    assert labels.tolist() == [N, N, N, N, J]
    with pytest.raises(InputError, match="share"):
        pseudo_labels(probs, 0.0, [J, P, N])


def test_unlabelled_windows_slide_over_the_whole_stream_whatever_its_labels():
    stream = clip("c", "jump", 4.0, 2.0)  # 200 samples; its label is not used
    stream.intervals = stream.intervals[:0]
    w = unlabelled_windows([stream], WindowConfig())
    assert len(w) == 7 and (w.y == -1).all()  # centres 25, 50, ... 175 (stride 25)
    np.testing.assert_allclose(np.diff(w.times), 0.5)
    assert w.times[0] == pytest.approx(1000.5)
    short = unlabelled_windows([clip("s", "jump", 0.6, None)], WindowConfig())
    assert len(short) == 1  # a recording shorter than a window still gives one
    both = concat_windows([w, short])
    assert len(both) == 8 and both.x.shape[1:] == w.x.shape[1:]


def _at(stream, offset: float):
    """The clip moved ``offset`` seconds later on its block's clock."""
    stream.motion = replace(stream.motion, t=stream.motion.t + offset)
    stream.intervals = [Interval(a + offset, b + offset, lab) for a, b, lab in stream.intervals]
    return stream


def _two_days():
    streams = []
    for day in ("d1", "d2"):
        for i in range(5):
            streams.append(_at(clip(f"{day}j{i}", "jump", 2.0, 1.0, group=day, day=day), 5 * i))
            streams.append(
                _at(clip(f"{day}n{i}", "noise", 2.0, None, group=day, day=day), 5 * i + 2.5)
            )
    return streams


def record_training(monkeypatch) -> list[list[str]]:
    """The stream names of every window each cross-validation fold trains on, in order."""
    import silkpipe.crossval as cv

    trained = []
    real = cv.fit_fold

    def record(windows, *args, **kwargs):
        trained.append(windows.streams.tolist())
        return real(windows, *args, **kwargs)

    monkeypatch.setattr(cv, "fit_fold", record)
    return trained


def test_leave_day_out_adapts_each_fold_to_its_test_day_only(monkeypatch, tmp_path):
    pools = []
    real = adapt_module.self_train

    def record(labelled, pool, *args, **kwargs):
        pools.append((set(labelled.streams), set(pool.streams), pool.y.tolist()))
        return real(labelled, pool, *args, **kwargs)

    monkeypatch.setattr(adapt_module, "self_train", record)
    cfg = TrainConfig(max_epochs=1, min_epochs=1, window=WindowConfig(event_crops=1))
    out = run_protocol(_two_days(), "leave-day-out", cfg, [1], tmp_path, AdaptConfig(0.5, 1))
    assert out["adapt"] == {"share": 0.5, "rounds": 1} and len(out["folds"]) == 2
    assert out["protocol"] == "leave-day-out + self-trained on the test day"  # report, text
    for (train, pool, y), day in zip(pools, ("d1", "d2"), strict=True):
        assert all(n.startswith(day) for n in pool) and len(pool) == 10  # the test day's
        assert not any(n.startswith(day) for n in train)  # trained on the other day
        assert set(y) == {-1}  # the test day's labels never reach it
    with pytest.raises(InputError, match="leave-day-out"):
        run_protocol(_two_days(), "time-range", cfg, [1], tmp_path, AdaptConfig())


def _day_folder(data_dir: Path, folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    src = data_dir / "clips-20251014"
    shutil.copyfile(src / "session_metadata.json", folder / "session_metadata.json")
    for name in names:
        shutil.copyfile(src / f"{name}.csv", folder / f"{name}.csv")
    return folder


def test_cli_train_adapt_to_self_trains_on_the_new_recordings(data_dir: Path, tmp_path, clean_env):
    labelled = _day_folder(
        data_dir,
        tmp_path / "labelled",
        [f"{c}_sample0{i}" for c in ("jump", "punch") for i in (1, 2, 3)],
    )
    new = _day_folder(
        data_dir, tmp_path / "new", ["jump_sample04", "punch_sample04", "punch_sample05"]
    )
    out = tmp_path / "out"
    args = ["train", "--clips", str(labelled), "--out", str(out), "--epochs", "1", "--no-progress"]
    assert main([*args, "--adapt-to", str(new), "--adapt-share", "1", "--adapt-rounds", "1"]) == 0
    info = json.loads((out / "model" / "adapt.json").read_text())
    pool = len(unlabelled_windows(adapt_module.adapt_streams(new), WindowConfig()))
    assert (
        info["pool_windows"] == pool and sum(info["rounds"][0]["pseudo_labelled"].values()) == pool
    )
    config = json.loads((out / "model" / "config.json").read_text())
    # its trainable windows (a sample without a whole gesture trains none: whole_samples)
    labelled_windows = len(
        training_windows(adapt_module.adapt_streams(labelled), WindowConfig())[0]
    )
    assert config["training"]["refit_windows"] == labelled_windows + pool  # trained on both
    assert (out / "model" / "model.onnx").is_file()
    assert main([*args, "--adapt-to", str(tmp_path / "missing")]) == 2


def test_cli_train_adapt_to_skips_a_bad_clip_of_the_new_day_and_names_it(
    data_dir: Path, tmp_path, capsys, clean_env
):
    """One unreadable clip (or one linking out) does not sink the new day's other clips:
    it is named and skipped, as train --calibrate skips its bad clips."""
    labelled = _day_folder(
        data_dir,
        tmp_path / "labelled",
        [f"{c}_sample0{i}" for c in ("jump", "punch") for i in (1, 2, 3)],
    )
    new = _day_folder(data_dir, tmp_path / "new", ["jump_sample04", "punch_sample04"])
    (new / "punch_sample05.csv").write_bytes(b"\xff\xfe" + bytes(range(256)) * 8)
    outside = tmp_path / "jump_sample05.csv"
    shutil.copyfile(data_dir / "clips-20251014" / "jump_sample05.csv", outside)
    (new / "jump_sample05.csv").symlink_to(outside)
    out = tmp_path / "out"
    args = ["train", "--clips", str(labelled), "--out", str(out), "--epochs", "1", "--no-progress"]
    capsys.readouterr()
    assert main([*args, "--adapt-to", str(new), "--adapt-rounds", "1"]) == 2  # partial
    err = capsys.readouterr().err
    assert str(new / "punch_sample05.csv") in err and str(new / "jump_sample05.csv") in err
    assert "silkpipe train: partial: 2 clip(s) skipped" in err
    pool = len(
        unlabelled_windows(adapt_module.adapt_streams(new, on_clip_error=print), WindowConfig())
    )
    assert json.loads((out / "model" / "adapt.json").read_text())["pool_windows"] == pool > 0


def test_a_sample_that_trains_nothing_is_no_shot_and_stays_a_test_window():
    import silkpipe.crossval as cv

    streams = [replace(st, flaw="still") if st.name == "d2j0" else st for st in _two_days()]
    w = make_windows(streams, WindowConfig(event_crops=1))
    test = np.array([n.startswith("d2") for n in w.streams])
    shots, rest = cv.shot_split(w, streams, test, 2)
    assert {n for n in set(w.streams[shots]) if "j" in n} == {"d2j1", "d2j2"}
    assert (rest & (w.streams == "d2j0")).any()  # still scored, as every flawed sample


def test_shot_folds_train_on_the_first_samples_of_each_class_and_score_the_rest(
    monkeypatch, tmp_path
):
    import silkpipe.crossval as cv

    streams = _two_days()
    streams.append(_at(clip("d2walk", "walk", 20.0, None, group="d2", day="d2"), 40))
    w = make_windows(streams, WindowConfig(event_crops=1))
    test = np.array([n.startswith("d2") for n in w.streams])
    shots, rest = cv.shot_split(w, streams, test, 2)
    assert set(w.streams[shots]) == {"d2j0", "d2j1", "d2n0", "d2n1", "d2walk"}
    walk = w.streams == "d2walk"
    assert w.times[shots & walk].max() < 1040 + 5  # two 2.5 s samples of the long recording
    assert w.times[rest & walk].min() >= 1040 + 5 + 2  # then a 2 s purge
    assert not (shots & rest).any() and not (rest & ~test).any()
    trained = record_training(monkeypatch)
    cfg = TrainConfig(max_epochs=1, min_epochs=1, window=WindowConfig(event_crops=1))
    out = cv.run_protocol(streams, "leave-day-out", cfg, [1], tmp_path, shots=1)
    assert out["shots"]["per_class"] == 1 and "1 shots" in out["folds"][0]["fold"]
    assert out["protocol"] == "leave-day-out + 1 shots per class (few-shot)"
    assert trained[0].count("d1j0") == cv.SHOT_REPEAT and "d1j1" not in trained[0]
    assert out["folds"][0]["windows"] == 4 + 4 * 3  # d1: 4 jump clips, 4 noise clips left


def test_cli_train_calibrate_counts_the_new_days_clips_several_times(
    data_dir: Path, tmp_path, clean_env
):
    from silkpipe.crossval import SHOT_REPEAT

    old = _day_folder(data_dir, tmp_path / "old", ["jump_sample01", "punch_sample01"])
    new = _day_folder(data_dir, tmp_path / "new", ["jump_sample09", "punch_sample09"])
    out = tmp_path / "out"
    args = ["train", "--clips", str(old), "--out", str(out), "--epochs", "1", "--no-progress"]
    assert main([*args, "--calibrate", str(new)]) == 0
    config = json.loads((out / "model" / "config.json").read_text())
    n_old = len(training_windows(adapt_module.adapt_streams(old), WindowConfig())[0])
    n_new = len(training_windows(adapt_module.adapt_streams(new), WindowConfig())[0])
    assert config["training"]["refit_windows"] == n_old + SHOT_REPEAT * n_new
    # punch_sample01 was cut by the recorder at its end: no training window, counted
    assert config["training"]["left_out_of_training"]["by_class"] == {"punch": {"cut at end": 1}}
    assert not (out / "model" / "adapt.json").exists()  # calibrated, not self-trained
    assert main([*args, "--calibrate", str(tmp_path / "missing")]) == 2


def test_adapt_streams_read_session_folders_without_labels(data_dir: Path, tmp_path):
    session = tmp_path / "new" / "s1"
    session.mkdir(parents=True)
    src = data_dir / "sessions" / "20251017_110929_session" / "sensor_data.csv"
    shutil.copyfile(src, session / "sensor_data.csv")
    [stream] = adapt_module.adapt_streams(tmp_path / "new")
    assert stream.name == "s1" and stream.intervals == []
    pool = unlabelled_windows([stream], WindowConfig())
    span = stream.motion.t[-1] - stream.motion.t[0]
    assert len(pool) > 0.5 * span / 0.5  # slid over the whole recording (gaps skipped)


def test_cli_train_adapt_to_names_a_bad_session_once_and_trains_on_the_others(
    data_dir: Path, tmp_path, capsys, clean_env
):
    labelled = _day_folder(
        data_dir,
        tmp_path / "labelled",
        [f"{c}_sample0{i}" for c in ("jump", "punch") for i in (1, 2, 3)],
    )
    new = tmp_path / "new"
    (new / "good").mkdir(parents=True)
    (new / "bad").mkdir()
    src = data_dir / "sessions" / "20251017_110929_session" / "sensor_data.csv"
    shutil.copyfile(src, new / "good" / "sensor_data.csv")
    (new / "bad" / "sensor_data.csv").write_bytes(b"\xff\xfe" + bytes(range(256)) * 8)
    out = tmp_path / "out"
    args = ["train", "--clips", str(labelled), "--out", str(out), "--epochs", "1", "--no-progress"]
    capsys.readouterr()
    assert main([*args, "--adapt-to", str(new), "--adapt-rounds", "1"]) == 2  # partial
    err = capsys.readouterr().err.splitlines()
    [line] = [ln for ln in err if "skipped" in ln and "partial:" not in ln]
    assert "silkpipe train: partial: 1 session folder(s) skipped (bad)" in err[-1]
    assert str(new / "bad" / "sensor_data.csv") in line and "session session" not in line
    assert (out / "model" / "model.onnx").is_file()
