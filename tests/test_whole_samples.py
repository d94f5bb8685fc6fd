"""Samples that hold no whole gesture train no window, are counted, and are still scored
(silkpipe.whole_samples; bench/notes/flawtrain.txt). Small synthetic clip folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import silkpipe.crossval as cv
from silkpipe.cli import main
from silkpipe.clips import load_clip_folders, load_clip_streams
from silkpipe.errors import InputError
from silkpipe.report import cv_section
from silkpipe.training import TrainConfig, training_windows
from silkpipe.vocabulary import CLASSES
from tests.test_spotting import clip
from tests.test_synth_clip_dialects import burst_folder

#: burst position in each 2.5 s sample (None: a still wrist): 1.2 and 0.9 are whole,
#: 2.35 is cut at its end, 0.15 cut at its start.
BURSTS = {
    "jump": [1.2, None, 2.35, 0.15, 0.9],
    "punch": [1.2, 0.9, 1.1],
    "noise": [1.0, None, 2.35, 0.8],
}
LEFT_OUT = {"jump": {"cut at end": 1, "cut at start": 1, "still": 1}, "noise": {"still": 1}}


def test_a_still_or_cut_jump_makes_no_training_window_and_is_counted(data_dir, tmp_path):
    """The still 'jump' sample (the wrist never moved) and the jumps the recorder cut make
    no training window, nor does the still noise sample; a cut noise sample is still noise
    motion and trains. What was left out is counted by class and reason."""
    streams = load_clip_streams(burst_folder(data_dir, tmp_path / "clips", BURSTS))
    flaws = {st.name: st.flaw for st in streams}
    assert flaws["jump_sample02"] == "still" and flaws["jump_sample03"] == "cut at end"
    assert flaws["jump_sample01"] is None and flaws["noise_sample03"] == "cut at end"
    windows, left_out = training_windows(streams, TrainConfig().window)
    trained = set(windows.streams)
    assert {"jump_sample02", "jump_sample03", "jump_sample04", "noise_sample02"}.isdisjoint(trained)
    assert {"jump_sample01", "jump_sample05", "noise_sample03", "punch_sample01"} <= trained
    assert left_out["samples"] == 4 and left_out["by_class"] == LEFT_OUT


def test_train_records_the_left_out_samples_and_evaluate_scores_them_apart(
    data_dir, tmp_path, caplog, capsys
):
    """train: the model's config.json counts the left-out samples by class and reason;
    evaluate: the main score keeps every window, a second line whole-gesture samples only."""
    folder = burst_folder(data_dir, tmp_path / "clips", BURSTS)
    out = tmp_path / "out"
    caplog.set_level("INFO", logger="silkpipe.training")
    argv = ["train", "--clips", str(folder), "--out", str(out), "--epochs", "1"]
    assert main([*argv, "--no-progress"]) == 0
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["training"]["left_out_of_training"]["by_class"] == LEFT_OUT
    assert "4 samples hold no whole gesture" in caplog.text
    capsys.readouterr()
    assert main(["evaluate", "--model", str(out / "model"), "--clips", str(folder)]) == 0
    text = capsys.readouterr().out
    # 8 gesture windows, 4 noise samples slid into 4 windows each; on flawed samples: the
    # 3 jumps, the still noise and the cut noise sample's (which trains, but is not whole)
    assert "(24 windows)" in text and "on whole-gesture samples only: macro-F1" in text
    assert "(13 windows; the 11 on samples that hold no whole gesture" in text, text


def test_evaluate_cv_scores_every_window_and_adds_a_whole_sample_line(data_dir, tmp_path, capsys):
    """The main score keeps the flawed samples' test windows (the target protocol); a
    second line scores whole-gesture samples only; the left-out samples are named."""
    folder = burst_folder(data_dir, tmp_path / "clips", BURSTS)
    argv = ["evaluate", "--cv", "time-range", "--clips", str(folder), "--epochs", "1"]
    assert main([*argv, "--seeds", "1", "--report", str(tmp_path / "rep")]) == 0
    text = capsys.readouterr().out
    assert "on whole-gesture samples only: pooled macro-F1" in text, text
    assert "4 samples hold no whole gesture" in text and "jump cut at end 1" in text
    (result,) = json.loads((tmp_path / "rep" / "cv.json").read_text())
    n_samples = sum(len(v) for v in BURSTS.values())
    assert sum(f["windows"] for f in result["folds"]) >= n_samples  # none dropped from test
    flawed = result["flawed_sample_windows"]
    assert flawed >= 5 and result["whole_sample_windows"] + flawed == sum(
        f["windows"] for f in result["folds"]
    )


def _day(day: str, flaw_of_first: str | None):
    streams = []
    for i in range(4):
        for label, peak in (("jump", 1.0), ("noise", None)):
            st = clip(f"{day}{label}{i}", label, 2.0, peak, group=day, day=day)
            shift = 5 * i + (2.5 if label == "noise" else 0.0)
            st.motion.t = st.motion.t + shift
            st.intervals = [
                type(iv)(iv.start + shift, iv.end + shift, iv.label) for iv in st.intervals
            ]
            streams.append(st)
    streams[0].flaw = flaw_of_first  # d?jump0
    return streams


class _Constant:
    def logits(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros((len(x), len(CLASSES)), np.float32)
        out[:, CLASSES.index("jump")] = 1.0
        return out


def test_cross_validation_folds_train_without_flawed_samples_but_test_them(monkeypatch, tmp_path):
    """Leave-day-out: the fold that trains on the day with a still jump sample leaves its
    windows out of training; the fold testing that day scores them."""
    trained = []

    def fake_fit(windows, cfg, work, pool=None, adapt=None):
        trained.append(set(windows.streams))
        return _Constant()

    monkeypatch.setattr(cv, "fit_fold", fake_fit)
    monkeypatch.setattr(cv, "spot", lambda *a, **k: {"counts": {}})
    streams = _day("a", "still") + _day("b", None)
    cfg = TrainConfig(max_epochs=1)
    out = cv.run_protocol(streams, "leave-day-out", cfg, [1], tmp_path)
    test_a, test_b = out["folds"]
    assert "ajump0" not in trained[1] and "ajump1" in trained[1]  # fold testing b
    assert test_a["windows"] == 16 and test_a["whole_sample_windows"] == 15  # 4 jumps, 12 noise
    assert test_b["left_out_of_training"]["by_class"] == {"jump": {"still": 1}}
    assert test_a["left_out_of_training"]["samples"] == 0
    assert out["flawed_sample_windows"] == 1 and out["whole_sample_windows"] == 31
    assert "on whole-gesture samples only" in cv.format_result(out)


def test_without_flawed_samples_the_output_is_as_before(monkeypatch, tmp_path):
    """device-ns clips never carry a flaw: no extra line, nothing left out."""
    monkeypatch.setattr(cv, "fit_fold", lambda *a, **k: _Constant())
    monkeypatch.setattr(cv, "spot", lambda *a, **k: {"counts": {}})
    out = cv.run_protocol(
        _day("a", None) + _day("b", None), "leave-day-out", TrainConfig(), [1], tmp_path
    )
    text = cv.format_result(out)
    assert "whole-gesture" not in text and "no whole gesture" not in text
    assert out["flawed_sample_windows"] == 0 and out["left_out_of_training"]["samples"] == 0


def test_report_shows_the_whole_sample_score_beside_the_main_one():
    row = {
        "protocol": "time-range",
        "classes": ["jump", "noise"],
        "notes": [],
        "seeds": [1],
        "folds": [{}],
        "pooled_macro_f1": 0.7,
        "fold_min": 0.6,
        "fold_max": 0.8,
        "punch_noise": {"punch_called_noise": None, "noise_called_punch": None},
        "whole_sample_macro_f1": 0.812,
        "whole_sample_windows": 90,
        "flawed_sample_windows": 10,
        "left_out_of_training": {"samples": 1, "windows": 3, "by_class": {"jump": {"still": 1}}},
    }
    page = cv_section([row], None)
    assert "whole-gesture samples only 0.812" in page and "0.700" in page
    assert "1 samples hold no whole gesture (jump still 1)" in page
    clean = cv_section([{**row, "flawed_sample_windows": 0}], None)
    assert "whole-gesture samples only" not in clean


def _another_day(folder: Path, session_id: str, date: str) -> Path:
    meta = json.loads((folder / "session_metadata.json").read_text())
    meta.update(session_id=session_id, date=date)
    (folder / "session_metadata.json").write_text(json.dumps(meta))
    return folder


def test_two_sample_days_keep_each_samples_own_day_and_flaw(data_dir, tmp_path):
    """Sample names repeat from day to day (jump_sample02 on both): each stream keeps its
    own day and flaw, so leave-day-out and the flaw rule see two days, not one mixed."""
    first = burst_folder(data_dir, tmp_path / "a", BURSTS)
    second = _another_day(
        burst_folder(data_dir, tmp_path / "b", {"jump": [1.2, 1.1, 0.9], "noise": [1.0, 0.8]}),
        "20251020_101010",
        "2025-10-20T10:10:10",
    )
    streams = load_clip_folders([first, second])
    names = [st.name for st in streams]
    assert len(names) == len(set(names)) == 12 + 5
    windows, _ = training_windows(streams, TrainConfig().window)
    days = cv.window_days(windows, streams)
    assert set(days[windows.streams == "session-20251020_101010/jump_sample02"]) == {"2025-10-20"}
    assert "session-20251020_101010/jump_sample02" in set(windows.streams)  # whole on day 2
    assert "jump_sample02" not in set(windows.streams)  # still on day 1


def test_the_same_clips_folder_twice_is_an_error(data_dir, tmp_path):
    folder = burst_folder(data_dir, tmp_path / "a", {"jump": [1.2, 0.9]})
    with pytest.raises(InputError, match="given twice"):
        load_clip_folders([folder, tmp_path / "a" / ".." / "a"])
    copy = shutil.copytree(folder, tmp_path / "copy")
    with pytest.raises(InputError, match="same collection block"):
        load_clip_folders([folder, copy])


def test_a_class_with_no_whole_sample_is_named(data_dir, tmp_path, caplog):
    folder = burst_folder(data_dir, tmp_path / "a", {"jump": [None, 2.35], "punch": [1.2, 0.9]})
    caplog.set_level("WARNING", logger="silkpipe.whole_samples")
    windows, _ = training_windows(load_clip_streams(folder), TrainConfig().window)
    assert {CLASSES[i] for i in windows.y} == {"punch"}
    assert "no jump sample holds a whole gesture" in caplog.text


def test_a_cut_or_still_state_sample_is_still_a_whole_one():
    """A walk or idle sample is a state: its flaw keeps it out of neither training nor the
    whole-gesture score; a cut noise sample trains but is not whole."""
    from silkpipe.dataset import make_windows
    from silkpipe.whole_samples import flawed_windows

    streams = [
        clip("w", "walk", 2.5, None),
        clip("n", "noise", 2.5, 2.3),
        clip("j", "jump", 2.5, 1.2),
    ]
    streams[0].flaw, streams[1].flaw = "still", "cut at end"
    windows = make_windows(streams, TrainConfig().window)
    flawed = flawed_windows(windows, streams)
    assert set(windows.streams[flawed]) == {"n"}
    kept, _ = training_windows(streams, TrainConfig().window)
    assert {"w", "n", "j"} == set(kept.streams)
