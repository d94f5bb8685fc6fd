"""`silkpipe synth` writes its output folder whole or not at all: a second synth into one
folder wrote its sessions and clips among the first's (3 sessions of seed 1 + 2 of seed 2,
16 clips, exit 0, no word), and a failed one left half a folder."""

from __future__ import annotations

import errno
import os

import pytest

from silkpipe import synth
from silkpipe.cli import main

SMALL = ["--sessions", "1", "--duration", "20", "--clips-per-class", "1"]


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_second_synth_into_a_written_folder_is_refused_and_changes_nothing(tmp_path, capsys):
    out = tmp_path / "syn"
    assert main(["synth", str(out), *SMALL, "--seed", "1"]) == 0
    before = _tree(out)
    capsys.readouterr()
    assert main(["synth", str(out), *SMALL, "--seed", "2"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert str(out) in line and "holds 2 entries ('clips', ...)" in line
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["syn"]


def test_a_synth_that_fails_midway_leaves_no_folder(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(synth, "write_clips", broken)
    out = tmp_path / "syn"
    assert main(["synth", str(out), *SMALL]) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_one_line_naming_the_folder(tmp_path, monkeypatch, capsys):
    """A full disk under `synth --out` said "[Errno 28] No space left on device" and no
    more (bad_input_sweep50: synth into a 2 MB tmpfs): which folder, which disk?"""

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(synth, "write_clips", full)
    out = tmp_path / "syn"
    assert main(["synth", str(out), *SMALL]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"error: cannot write {out}: No space left on device" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("made", [False, True])
def test_a_new_or_empty_folder_is_written(tmp_path, made):
    out = tmp_path / "syn"
    if made:
        out.mkdir()
    assert main(["synth", str(out), *SMALL]) == 0
    assert (out / "sessions").is_dir() and (out / "clips").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["syn"]


def test_a_twin_synth_that_fills_the_folder_first_keeps_it_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "syn"
    real = synth.write_clips

    def twin_first(*args, **kwargs):
        made = real(*args, **kwargs)
        out.mkdir()
        (out / "sessions").mkdir()  # the twin's rename came first
        return made

    monkeypatch.setattr(synth, "write_clips", twin_first)
    assert main(["synth", str(out), *SMALL]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "was filled while this synth wrote" in line and str(out) in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["syn"]
    assert [p.name for p in out.iterdir()] == ["sessions"]
