"""An output folder given as a link that leads to no folder (a loop, or its target gone):
`evaluate --report` named a link loop "a file", and `synth --out`, `sessions
export-report` failed at the write, after the work. Each output folder option now says which
it is, before any work, and leaves the link as it was (bad_input_sweep51's open findings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkpipe.cli import main

CLIPS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "clips-dev"


def _argv(command: str, dest: Path, tmp_path: Path) -> list[str]:
    """The user's command writing into ``dest``."""
    if command == "evaluate":
        return ["evaluate", "--model", str(tmp_path / "model"), "--clips", str(CLIPS)] + [
            "--report",
            str(dest),
        ]
    if command == "synth":
        return ["synth", "--from-clips", str(CLIPS), "--out", str(dest)]
    if command == "train":
        return ["train", "--clips", str(CLIPS), "--out", str(dest), "--epochs", "1"]
    store = tmp_path / "store"
    (store / "runs" / "r" / "report").mkdir(parents=True)
    (store / "runs" / "r" / "report" / "index.html").write_text("r")
    return ["sessions", "export-report", "--store", str(store), "--run-id", "r", str(dest)]


@pytest.mark.parametrize("command", ["evaluate", "synth", "train", "export-report"])
@pytest.mark.parametrize(
    "target, why", [("out", "is a symlink loop"), ("gone/folder", "is a link to nothing")]
)
def test_an_output_folder_that_is_a_broken_link_is_named_before_any_work(
    tmp_path, capsys, command, target, why
):
    dest = tmp_path / "out"
    dest.symlink_to(target)
    assert main(_argv(command, dest, tmp_path)) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"file {dest}: " in line and f"{why}, not a folder" in line, line
    assert dest.is_symlink() and str(dest.readlink()) == target
    assert not (tmp_path / "gone").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) in (["out"], ["out", "store"])


def test_synth_into_a_link_to_an_empty_folder_writes_into_that_folder(tmp_path, capsys):
    """`synth --out OUT`, OUT a link to an empty folder (a bigger disk): the finished folder's
    rename onto the link failed "[Errno 20] Not a directory", exit 1, after the work
    (bad_input_sweep60). It is written into the folder, as `train --out` is; the link stays."""
    import shutil

    clips = tmp_path / "clips"
    clips.mkdir()
    source = CLIPS.parent / "clips-20251014"
    for path in [source / "session_metadata.json", *sorted(source.glob("*_sample0[12].csv"))]:
        shutil.copyfile(path, clips / path.name)
    (tmp_path / "disk" / "syn").mkdir(parents=True)
    (tmp_path / "out").symlink_to(tmp_path / "disk" / "syn")
    assert main(["synth", "--from-clips", str(clips), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out").is_symlink()
    assert any((tmp_path / "disk" / "syn").glob("*_session/sensor_data.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips", "disk", "out"]
    assert [p.name for p in (tmp_path / "disk").iterdir()] == ["syn"]
