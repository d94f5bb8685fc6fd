"""A session folder given where the folder of session folders is meant (`run S/one` for
`run S`) is named as such, with the folder that was meant, before anything is written."""

from __future__ import annotations

import pytest

from silkpipe.cli import main

SESSION = "20251017_143217_session"


@pytest.mark.parametrize("command", [["run"], ["sessions", "upload"]])
def test_one_session_folder_given_as_the_sessions_folder(tmp_path, capsys, data_dir, command):
    one = data_dir / "sessions" / SESSION
    store = tmp_path / "store"
    assert main([*command, str(one), "--store", str(store), "--run-id", "r"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is itself a session folder" in err[0]
    assert str((data_dir / "sessions").resolve()) in err[0]
    assert not (store / "runs").exists()
