"""A run id that is a path ('../../escape', 'a/b') is refused in one plain line, as other
bad input, before anything is written; it read 'error: StoreError: invalid run id ...'
(the exception's class)."""

from __future__ import annotations

import shutil

import pytest

from silkpipe.cli import main


@pytest.mark.parametrize("run_id", ["../../escape", "a/b"])
def test_a_run_id_that_is_a_path_is_one_plain_line(tmp_path, capsys, data_dir, run_id):
    session = tmp_path / "sessions" / "s1"
    session.mkdir(parents=True)
    real = data_dir / "sessions" / "20251017_143217_session" / "sensor_data.csv"
    shutil.copyfile(real, session / "sensor_data.csv")
    store = tmp_path / "store"
    argv = ["sessions", "upload", str(session.parent), "--store", str(store)]
    assert main([*argv, "--run-id", run_id]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe sessions upload: error: invalid run id {run_id!r}: ")
    assert "StoreError" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions"]
