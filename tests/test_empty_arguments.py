"""An argument given as '' (``--store "$STORE"`` with STORE unset) is refused in one line
naming it, before anything is read or written: ``--store ''`` was the current folder, so
`sessions upload sessions --store ''` wrote the store (runs/, sessions/) into it, its
sessions/ over the very sessions folder being read."""

from __future__ import annotations

import os
import shutil

import pytest

from silkpipe.cli import main


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["sessions", "upload", "sessions", "--store", "", "--run-id", "r"], "--store"),
        (["run", "", "--store", "store", "--run-id", "r"], "SESSIONS_DIR"),
        (["train", "--clips", "", "--out", "out"], "--clips"),
        (
            ["sessions", "upload", "", "--store", "s", "--run-id", "r"],
            "argument 3 (sessions upload ...)",
        ),
    ],
)
def test_an_empty_argument_is_refused_naming_it(tmp_path, capsys, data_dir, argv, named):
    session = tmp_path / "sessions" / "s1"
    session.mkdir(parents=True)
    real = data_dir / "sessions" / "20251017_143217_session" / "sensor_data.csv"
    shutil.copyfile(real, session / "sensor_data.csv")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(argv) == 2
    finally:
        os.chdir(cwd)
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.endswith(f"error: {named} is empty (an unset shell variable?)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions"]
    assert sorted(p.name for p in session.iterdir()) == ["sensor_data.csv"]
