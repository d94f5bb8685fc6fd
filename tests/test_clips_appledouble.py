"""A clip folder unzipped from a Mac holds ``._<clip>.csv`` beside each clip (AppleDouble:
Finder metadata, not data). Each was read as a clip, named and skipped, so every `train` on
such a folder ended "partial" (exit 2; bad_input_sweep52). They are passed over as the
``__MACOSX`` folder is."""

from __future__ import annotations

import badinputs

from silkpipe.cli import main
from silkpipe.clips import clip_csvs, clip_folder_files

#: The head of a real AppleDouble file (magic 0x00051607, version 2).
APPLEDOUBLE = bytes.fromhex("0005160700020000") + b"Mac OS X        " + bytes(64)


def _mac_folder(tmp_path):
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    for path in sorted(clips.glob("*.csv"))[:3]:
        (clips / f"._{path.name}").write_bytes(APPLEDOUBLE)
    return clips


def test_appledouble_files_are_not_clips(tmp_path):
    clips = _mac_folder(tmp_path)
    names = [p.name for p in clip_folder_files(clips)]
    assert names and not any(n.startswith("._") for n in names)
    assert [p.name for p in clip_csvs(clips)] == names


def test_train_on_a_folder_unzipped_from_a_mac_is_whole(tmp_path, capsys):
    clips = _mac_folder(tmp_path)
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--epochs", "1"]
    assert main([*argv, "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "._" not in err and "partial" not in err, err
    assert (tmp_path / "out" / "model").is_dir()


def test_a_folder_of_appledouble_files_alone_holds_no_clips(tmp_path, capsys):
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "._jump_1760000000000_to_1760000002000.csv").write_bytes(APPLEDOUBLE)
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--epochs", "1"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"{clips}" in line and "no clip" in line, line
