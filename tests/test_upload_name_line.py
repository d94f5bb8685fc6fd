"""A session folder whose name the store cannot hold is named in one line like any bad
input, session and folder, without the exception's class name ("StoreError: ...")."""

from __future__ import annotations

import shutil

from silkpipe.cli import main


def test_a_refused_session_name_is_one_plain_line_naming_the_folder(tmp_path, capsys, data_dir):
    real = data_dir / "sessions" / "20251017_143627_session"
    for name in ("good_session", "case session"):
        (tmp_path / "sessions" / name).mkdir(parents=True)
        for f in ("sensor_data.csv", "metadata.json", "whisperx_output.json"):
            shutil.copyfile(real / f, tmp_path / "sessions" / name / f)
    argv = ["sessions", "upload", str(tmp_path / "sessions"), "--store", str(tmp_path / "st")]
    assert main([*argv, "--run-id", "r"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    named = [x for x in lines if "case session" in x and "invalid session name" in x]
    assert len(named) == 1 and "StoreError" not in named[0], lines
    assert f"file {tmp_path / 'sessions' / 'case session'}" in named[0], named[0]
