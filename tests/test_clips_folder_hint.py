"""A clips folder with no clip CSV says what it does hold where that is a common slip:
names ending in .CSV, or the clips one folder down (an unpacked archive's own folder)."""

from __future__ import annotations

import shutil

from silkpipe.cli import main


def _clips(folder, data_dir, n: int = 3):
    folder.mkdir(parents=True)
    for path in sorted((data_dir / "clips-dev").glob("jump_*.csv"))[:n]:
        shutil.copyfile(path, folder / path.name)
    return folder


def test_train_names_upper_case_extensions(tmp_path, capsys, data_dir):
    clips = _clips(tmp_path / "clips", data_dir)
    for path in list(clips.iterdir()):
        path.rename(path.with_suffix(".CSV"))
    assert main(["train", "--clips", str(clips), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "no clip CSV files (3 name(s) end in .CSV, not .csv)" in line


def test_run_names_the_sub_folder_holding_the_clips(tmp_path, capsys, data_dir):
    _clips(tmp_path / "clips" / "clips-dev", data_dir)
    sessions = tmp_path / "sessions" / "s1"
    sessions.mkdir(parents=True)
    real = data_dir / "sessions" / "20251017_143217_session" / "sensor_data.csv"
    shutil.copyfile(real, sessions / "sensor_data.csv")
    argv = ["run", str(sessions.parent), "--clips", str(tmp_path / "clips")]
    assert main([*argv, "--store", str(tmp_path / "store")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "its sub-folder clips-dev holds 3: give that folder" in line
    assert not (tmp_path / "store").exists()


def test_train_given_a_folder_of_sessions_as_clips_says_so(tmp_path, capsys, data_dir):
    """It said "its sub-folder S holds 1: give that folder", counting sensor_data.csv as a
    clip: given that folder, train refused sensor_data.csv as a clip name."""
    sessions = tmp_path / "sessions" / "s1"
    sessions.mkdir(parents=True)
    real = data_dir / "sessions" / "20251017_143217_session" / "sensor_data.csv"
    shutil.copyfile(real, sessions / "sensor_data.csv")
    argv = ["train", "--clips", str(sessions.parent), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "its sub-folder s1 is a session, with sensor_data.csv" in line
    assert "give that folder" not in line and not (tmp_path / "out").exists()
