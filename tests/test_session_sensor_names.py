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


def test_an_audio_or_transcript_named_in_other_case_is_named(tmp_path, capsys, data_dir):
    """audio_16k.WAV (a Windows export) was left out of the upload without a word, and the
    session then had no audio to transcribe; now one warning names it and the right name."""
    session = tmp_path / "sessions" / "s1"
    session.mkdir(parents=True)
    shutil.copyfile(data_dir / "sessions" / REAL / "sensor_data.csv", session / "sensor_data.csv")
    shutil.copyfile(data_dir / "sessions" / REAL / "audio_16k.wav", session / "audio_16k.WAV")
    (session / "WhisperX_Output.json").write_text('{"segments": []}')
    assert main(["sessions", "upload", str(session.parent), "--store", str(tmp_path / "s")]) == 0
    warned = [x for x in capsys.readouterr().err.splitlines() if "not read" in x]
    assert len(warned) == 2, warned
    assert (
        "session s1: WhisperX_Output.json not read: the name must be whisperx_output.json"
        in warned[0]
    )
    assert "session s1: audio_16k.WAV not read: the name must be audio_16k.wav" in warned[1]
