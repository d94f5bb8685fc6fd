"""A session folder's other sensor-like files are named: a second one beside
sensor_data.csv is not read (said in one warning), and a folder whose only one is named
otherwise (Sensor_Data.CSV) is refused saying so."""

from __future__ import annotations

import shutil

from silkpipe.cli import main

REAL = "20251017_110929_session"  # the smallest real sensor file


def test_other_sensor_files_are_named(tmp_path, capsys, data_dir):
    real = data_dir / "sessions" / REAL / "sensor_data.csv"
    sessions = tmp_path / "sessions"
    for name, files in (
        ("good", ["sensor_data.csv"]),
        ("two_files", ["sensor_data.csv", "sensor_data (1).csv"]),
        ("renamed", ["Sensor_Data.CSV"]),
    ):
        (sessions / name).mkdir(parents=True)
        for file in files:
            shutil.copyfile(real, sessions / name / file)
    assert main(["sessions", "upload", str(sessions), "--store", str(tmp_path / "s")]) == 2
    out, err = capsys.readouterr()
    assert "good" in out and "two_files" in out and "renamed" not in out
    (warned,) = [x for x in err.splitlines() if "two_files" in x]
    assert "sensor_data (1).csv not read: only sensor_data.csv is" in warned
    (refused,) = [x for x in err.splitlines() if "renamed" in x and "partial" not in x]
    assert "sensor_data.csv is missing (the folder holds Sensor_Data.CSV: not read)" in refused
