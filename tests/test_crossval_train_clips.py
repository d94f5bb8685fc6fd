"""Clip folders that train every cross-validation fold and are never tested
(`evaluate --cv --train-clips`, silkpipe.training_only; real clips, one epoch)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import silkpipe.crossval as cv
from silkpipe.cli import main
from silkpipe.report import cv_section
from silkpipe.training_only import TrainingOnlyRun
from tests.conftest import every_nth_clip
from tests.test_adapt import _two_days, record_training
from tests.test_crossval_training_only import CFG
from tests.test_spotting import clip


def _some_clips(source: Path, folder: Path, n: int, start: int = 0) -> Path:
    """Every n-th clip of ``source`` from the ``start``-th, copied into ``folder`` (with
    the sample dialect's session_metadata.json)."""
    folder.mkdir()
    for meta in source.glob("session_metadata.json"):
        shutil.copyfile(meta, folder / meta.name)
    for path in sorted(source.glob("*.csv"))[start::n]:
        shutil.copyfile(path, folder / path.name)
    return folder


def _cv(tmp_path, capsys, *extra: str) -> tuple[dict, str]:
    argv = ["evaluate", "--cv", "time-range", "--epochs", "1", "--report", str(tmp_path / "r")]
    assert main([*argv, *extra]) == 0, capsys.readouterr().err
    (result,) = json.loads((tmp_path / "r" / "cv.json").read_text())
    return result, capsys.readouterr().out


def test_train_clips_train_every_fold_are_never_tested_and_are_named_in_cv_json(
    data_dir, tmp_path, capsys, monkeypatch, clean_env
):
    clips = every_nth_clip(data_dir, _mkdir(tmp_path / "dev"), 8)
    other = _some_clips(data_dir / "clips-20251014", tmp_path / "d14", 10)
    trained = record_training(monkeypatch)
    result, out = _cv(
        tmp_path, capsys, "--clips", str(clips), "--train-clips", str(other), "--seed", "7"
    )
    assert result["seeds"] == [7]
    (extra,) = result["training_only"]
    assert extra["clips"] == str(other) and extra["kind"] == "clips"
    assert extra["clip_count"] == 21 and extra["days"] == ["2025-10-14"]
    assert extra["windows"] > 0 and "jump" in extra["labelled_s"]
    assert len(trained) == 5 and all(any(n.startswith(f"{other}:") for n in t) for t in trained)
    assert all(f["training_only_windows"] > 0 for f in result["folds"])
    assert not any(n.startswith(f"{other}:") for f in result["folds"] for n in f["per_day"])
    assert set().union(*(f["per_day"] for f in result["folds"])) == {"2025-10-19"}
    assert f"training only (clips, never scored): clips {other}, 21 clips of 2025-10-14" in out
    assert f"clips {other}, 21 clips" in cv_section([result], None)


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_train_clips_of_the_tested_day_are_left_out_of_every_fold_with_a_note(
    data_dir, tmp_path, capsys, clean_env
):
    """Other clips of the very day (and block) the folds test: the day rule leaves them out."""
    clips = _some_clips(data_dir / "clips-dev", tmp_path / "a", 8)
    same_day = _some_clips(data_dir / "clips-dev", tmp_path / "b", 8, start=4)
    result, out = _cv(tmp_path, capsys, "--clips", str(clips), "--train-clips", str(same_day))
    assert all(f["training_only_windows"] == 0 for f in result["folds"])
    assert any("recordings of 2025-10-19 left out" in n for n in result["notes"])
    assert "training only (clips, never scored)" in out


def test_a_train_clips_folder_of_a_day_a_fold_tests_stays_out_of_that_fold_only(
    monkeypatch, tmp_path
):
    run = TrainingOnlyRun("more", [clip("x", "jump", 2.0, 1.0, group="g", day="d1")], "clips")
    trained = record_training(monkeypatch)
    out = cv.run_protocol(_two_days(), "leave-day-out", CFG, [1], tmp_path, training_only=[run])
    test_d1, test_d2 = (set(t) for t in trained)
    assert "more:x" not in test_d1 and "more:x" in test_d2
    assert out["training_only"][0]["clips"] == "more"


def test_cli_refuses_train_clips_that_are_tested_too_or_outside_cv(tmp_path, capsys):
    clips = str(tmp_path)
    code = main(["evaluate", "--cv", "time-range", "--clips", clips, "--train-clips", f"{clips}/"])
    assert code != 0 and "both as --clips and --train-clips" in capsys.readouterr().err
    code = main(["evaluate", "--model", "m", "--clips", clips, "--train-clips", "other"])
    assert code != 0 and "--train-clips acts on --cv folds only" in capsys.readouterr().err


def test_cli_refuses_seed_outside_cv(tmp_path, capsys):
    """--seed only trains --cv folds: scoring a model with it would ignore it in silence."""
    code = main(["evaluate", "--model", str(tmp_path), "--clips", str(tmp_path), "--seed", "5"])
    assert code == 2 and "--seed acts on --cv folds only" in capsys.readouterr().err


def test_train_clips_and_a_voice_run_train_every_fold_together(
    data_dir, tmp_path, capsys, monkeypatch, clean_env
):
    """--train-clips beside --store/--run-id: both kinds reach every fold, each named once."""
    from tests.test_crossval_training_only import _voice_run

    _voice_run(data_dir, tmp_path / "s", "2025-10-16")
    clips = every_nth_clip(data_dir, _mkdir(tmp_path / "dev"), 8)
    other = _some_clips(data_dir / "clips-20251014", tmp_path / "d14", 10)
    trained = record_training(monkeypatch)
    store = ["--store", str(tmp_path / "s"), "--run-id", "r1"]
    result, _ = _cv(tmp_path, capsys, "--clips", str(clips), "--train-clips", str(other), *store)
    voice, extra = result["training_only"]
    assert voice["run_id"] == "r1" and extra["clips"] == str(other)
    for prefix in ("r1:", f"{other}:"):
        assert all(any(n.startswith(prefix) for n in t) for t in trained)
    assert set().union(*(f["per_day"] for f in result["folds"])) == {"2025-10-19"}


def test_cli_refuses_a_tested_folder_as_train_clips_by_a_link_or_a_relative_path(
    tmp_path, capsys, monkeypatch
):
    """Any other spelling of a --clips folder is the same folder (refused before loading)."""
    tested = _mkdir(tmp_path / "dev")
    (tmp_path / "link").symlink_to(tested, target_is_directory=True)
    monkeypatch.chdir(tmp_path / "link")
    for spelling in (str(tmp_path / "link"), ".", "../dev"):
        argv = ["evaluate", "--cv", "time-range", "--clips", str(tested), "--train-clips"]
        assert main([*argv, spelling]) == 2
        assert "both as --clips and --train-clips" in capsys.readouterr().err


def test_one_check_names_a_folder_given_again_with_both_spellings_before_any_clip_loads(
    tmp_path, capsys, monkeypatch
):
    """clips.distinct_folders is the one check (evaluate had a twin): a --clips folder as
    --train-clips, or a --train-clips folder twice, is named with the other spelling, and
    refused before the tested clips load (the tested folder here has no clips at all)."""
    import silkpipe.clips

    tested, other = _mkdir(tmp_path / "dev"), _mkdir(tmp_path / "other")
    monkeypatch.chdir(tested)
    monkeypatch.setattr(silkpipe.clips, "load_clip_streams", _no_load)
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tested), "--train-clips"]
    assert main([*argv, "."]) == 2
    err = capsys.readouterr().err
    assert f"given both as --clips and --train-clips (also as {tested})" in err, err
    assert main([*argv, str(other), "--train-clips", "../other"]) == 2
    err = capsys.readouterr().err
    assert f"clips folder given twice (also as {other}): its clips would count twice" in err


def _no_load(*args, **kwargs):
    raise AssertionError("a clip folder was loaded before the folders were checked")


def test_cli_refuses_seeds_that_run_past_the_largest_seed_before_training(tmp_path, capsys):
    """--seed S --seeds N trains S..S+N-1: the last must be a valid seed too, refused up
    front (not a fault after the first seed's folds have trained)."""
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tmp_path / "none")]
    code = main([*argv, "--seed", str(2**32 - 1), "--seeds", "2"])
    assert code == 2 and f"TrainConfig.seed is {2**32}" in capsys.readouterr().err


def test_cli_names_a_missing_train_clips_folder_before_loading_the_tested_clips(tmp_path, capsys):
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tmp_path / "tested-typo")]
    assert main([*argv, "--train-clips", str(tmp_path / "typo")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'typo'}: clips folder is missing" in err and "tested-typo" not in err


def _not_a_folder(tmp_path, kind: str) -> str:
    """A clips folder argument that is a file, or a symlink to itself."""
    if kind == "file":
        (tmp_path / "clip.csv").write_text("x\n")
        return str(tmp_path / "clip.csv")
    (tmp_path / "loop").symlink_to("loop")
    return str(tmp_path / "loop")


@pytest.mark.parametrize("kind, why", [("file", "a file"), ("loop", "a symlink loop")])
@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "--cv", "time-range", "--clips", "X", "--clips", "DEV"],
        ["evaluate", "--cv", "time-range", "--clips", "DEV", "--train-clips", "X"],
        ["train", "--clips", "DEV", "--clips", "X", "--out", "OUT"],
    ],
    ids=["evaluate-clips", "evaluate-train-clips", "train"],
)
def test_a_clips_folder_that_is_a_file_or_a_symlink_loop_is_named_as_such(
    tmp_path, capsys, argv, kind, why
):
    """A symlink loop was a RuntimeError (exit 1) and a file was "clips folder is missing"."""
    given = _not_a_folder(tmp_path, kind)
    names = {"DEV": str(_mkdir(tmp_path / "dev")), "X": given, "OUT": str(tmp_path / "out")}
    assert main([names.get(a, a) for a in argv]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{given}: " in line and f"is {why}, not a folder" in line, line
    assert not (tmp_path / "out").exists()


def test_a_symlink_loop_inside_a_clips_folder_is_named_not_a_fault(data_dir, tmp_path, capsys):
    other = _some_clips(data_dir / "clips-20251014", tmp_path / "d14", 10)
    (other / "self.csv").symlink_to("self.csv")
    assert main(["evaluate", "--cv", "time-range", "--clips", str(other)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{other / 'self.csv'}: is a symlink loop: not read" in line, line


def test_a_symlink_loop_as_the_new_day_is_named_not_a_fault(tmp_path, capsys):
    loop = _not_a_folder(tmp_path, "loop")
    argv = ["train", "--clips", str(_mkdir(tmp_path / "dev")), "--out", str(tmp_path / "out")]
    assert main([*argv, "--calibrate", loop]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{loop}: --calibrate folder is a symlink loop, not a folder" in line, line


def test_leave_day_out_of_one_day_is_bad_input_and_writes_no_report(tmp_path, capsys):
    """`evaluate --cv leave-day-out` given one day's clips: exit 0, "no folds" and a note,
    and an empty cv.json with --report (bad_input_sweep51). Exit 2 naming why, nothing
    written (`--cv all` keeps its note and runs the other protocols)."""
    import badinputs

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    argv = ["evaluate", "--cv", "leave-day-out", "--clips", str(clips), "--epochs", "1"]
    assert main([*argv, "--report", str(tmp_path / "r")]) == 2
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert "--cv leave-day-out scored nothing: leave-day-out needs clips of two days" in line
    assert not (tmp_path / "r").exists()


def test_leave_day_out_names_each_class_a_day_lacks(tmp_path, capsys):
    """A second day of jumps only cut every other class out of leave-day-out, and only the
    header's "classes: jump" showed it (bad_input_sweep51). Each class left out is named
    with the day that lacks it."""
    import badinputs

    dev = badinputs.clips_subset(tmp_path / "dev", per_class=8)
    day = badinputs.sample_clips(tmp_path / "day", per_class=8)
    for path in day.glob("*.csv"):
        if not path.name.startswith("jump_"):
            path.unlink()
    argv = ["evaluate", "--cv", "leave-day-out", "--clips", str(dev), "--clips", str(day)]
    assert main([*argv, "--epochs", "1", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "== leave-day-out (classes: jump;" in out
    for cls in ("punch", "turn", "walk", "idle", "noise"):
        assert f"note: {cls} is not scored: not held by 2025-10-14" in out, out
