"""A sample-dialect folder's session_metadata.json that links out of the folder (or is
not a file) refuses the folder in one line naming it: every clip needs it, so it is not
skipped as a bad clip is (train said "skipped clip session_metadata.json" and then the
error; an upload took the clips without it, each then refused as the other dialect)."""

from __future__ import annotations

import shutil

from silkpipe.cli import main


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
    session = tmp_path / "sessions" / "s1"
    session.mkdir(parents=True)
    real = data_dir / "sessions" / "20251017_143627_session"
    for name in ("sensor_data.csv", "metadata.json", "whisperx_output.json"):
        shutil.copyfile(real / name, session / name)
    store = tmp_path / "store"
    argv = ["sessions", "upload", str(session.parent), "--clips", str(clips), "--store"]
    assert main([*argv, str(store), "--run-id", "r"]) == 2
    out = capsys.readouterr()
    (line,) = out.err.strip().splitlines()
    assert "session_metadata.json: is a link out of the clips folder" in line
    assert out.out == "" and not store.exists()
