"""A sample-dialect folder's session_metadata.json that links out of the folder (or is
not a file) refuses the folder in one line naming it: every clip needs it, so it is not
skipped as a bad clip is (train said "skipped clip session_metadata.json" and then the
error; an upload took the clips without it, each then refused as the other dialect)."""

from __future__ import annotations

import shutil
from pathlib import Path

from silkpipe.cli import main
from silkpipe.clips import read_session_metadata


def _sample_folder(root, data_dir, n: int = 2):
    clips = root / "clips"
    clips.mkdir(parents=True)
    for path in sorted((data_dir / "clips-20251014").glob("jump_sample*.csv"))[:n]:
        shutil.copyfile(path, clips / path.name)
    outside = root / "outside.json"
    shutil.copyfile(data_dir / "clips-20251014" / "session_metadata.json", outside)
    (clips / "session_metadata.json").symlink_to(outside)
    return clips


def test_train_names_a_metadata_link_out_once(tmp_path, capsys, data_dir):
    clips = _sample_folder(tmp_path, data_dir)
    assert main(["train", "--clips", str(clips), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "session_metadata.json: is a link out of the clips folder" in line
    assert "skipped clip" not in line


def test_upload_refuses_the_folder_before_anything_is_uploaded(tmp_path, capsys, data_dir):
    clips = _sample_folder(tmp_path, data_dir)
    argv, store = _upload_argv(tmp_path, data_dir, clips)
    assert main([*argv, str(store), "--run-id", "r"]) == 2
    out = capsys.readouterr()
    (line,) = out.err.strip().splitlines()
    assert "session_metadata.json: is a link out of the clips folder" in line
    assert out.out == "" and not store.exists()


def test_upload_refuses_a_metadata_key_given_twice_with_two_values(tmp_path, capsys, data_dir):
    """A date "corrected" by a line added above the old one: the parser kept the last
    without a word, and the folder was dated by it (bad_input_sweep59). Refused in one line
    naming the key and both values; a key repeated with its own value still reads."""
    clips = _sample_folder(tmp_path, data_dir)
    meta = clips / "session_metadata.json"
    text = meta.read_text()
    meta.unlink()
    fixed = '{\n  "date": "2025-10-15T09:00:00",' + text.split("{", 1)[1]
    meta.write_text(fixed)
    argv, store = _upload_argv(tmp_path, data_dir, clips)
    assert main([*argv, str(store), "--run-id", "r"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"file {meta}: key 'date' given twice, with two values" in line, line
    assert "'2025-10-15T09:00:00' and '2025-10-14T20:49:43.640234'" in line
    assert not (store / "sessions").exists() and not (store / "clips").exists()
    meta.write_text(text.replace('"session_id"', '"recording_duration_sec": 2.5, "session_id"'))
    assert read_session_metadata(clips)["date"] == "2025-10-14T20:49:43.640234"


def _upload_argv(tmp_path: Path, data_dir: Path, clips: Path) -> tuple[list[str], Path]:
    """`sessions upload` of one real session beside ``clips``, up to --store, and the store."""
    session = tmp_path / "sessions" / "s1"
    session.mkdir(parents=True)
    real = data_dir / "sessions" / "20251017_143627_session"
    for name in ("sensor_data.csv", "metadata.json", "whisperx_output.json"):
        shutil.copyfile(real / name, session / name)
    argv = ["sessions", "upload", str(session.parent), "--clips", str(clips), "--store"]
    return argv, tmp_path / "store"
