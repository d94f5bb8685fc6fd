"""`train --out DIR` re-runs and twins: a twin with another TMPDIR (two batch jobs, each
given its own scratch) did not see the TMPDIR lock and trained into the same
DIR/model.partial (one exit 1, "No such file or directory: ...model.onnx"); a checkpoint.pt
left there that torch cannot read ended every later training with exit 1 and torch's
"PytorchStreamReader failed ..." naming no file."""

from __future__ import annotations

import badinputs
import pytest


def test_two_trainings_into_one_out_folder_with_their_own_tmpdirs_both_finish(
    tmp_path, monkeypatch
):
    """As tests/test_faults.py's twins, but each twin's TMPDIR lock file is its own."""
    import silkpipe.commands.train as train_command

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    locks = iter([tmp_path / "tmp_a.lock", tmp_path / "tmp_b.lock"])
    monkeypatch.setattr(train_command, "_out_lock", lambda out: next(locks))
    errors = badinputs.train_twins(monkeypatch, clips, out)
    assert not errors, errors
    assert (out / "model" / "model.onnx").is_file() and not (out / "model.partial").exists()


@pytest.mark.parametrize("kind", ["cut short", "no checkpoint"])
def test_a_checkpoint_torch_cannot_read_is_named_and_training_starts_afresh(tmp_path, caplog, kind):
    """Cut short (torch's "PytorchStreamReader failed"), or a file torch reads that is no
    checkpoint (a list saved under its name: "AttributeError", bad_input_sweep49)."""
    import torch

    from silkpipe.cli import main

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    staging = tmp_path / "out" / "model.partial"
    staging.mkdir(parents=True)
    if kind == "cut short":
        (staging / "checkpoint.pt").write_bytes(b"PK\x03\x04 cut short")
    else:
        torch.save([1, 2, 3], staging / "checkpoint.pt")
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--epochs", "1"]
    assert main([*argv, "--no-progress"]) == 0
    assert (tmp_path / "out" / "model" / "model.onnx").is_file()
    warned = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert warned and str(staging / "checkpoint.pt") in warned[0]
    assert "training starts afresh" in warned[0]


def test_a_run_work_folder_checkpoint_torch_cannot_read_is_dropped(tmp_path):
    from silkpipe.training import _read_checkpoint

    (tmp_path / "checkpoint.pt").write_bytes(b"")
    assert _read_checkpoint(tmp_path / "checkpoint.pt") is None
    assert not (tmp_path / "checkpoint.pt").exists()


def test_a_file_or_link_named_like_the_model_folder_is_refused_untouched(tmp_path, capsys):
    """out/model a file (notes) or a link to another model folder: the first training
    renamed it to model.old (its delete failing in silence), every later one exit 1."""
    from silkpipe.cli import main

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    other = tmp_path / "other"
    other.mkdir()
    for name, make in (("model", "file"), ("model.old", "link")):
        out = tmp_path / f"out_{name}_{make}"
        out.mkdir()
        if make == "file":
            (out / name).write_text("my notes\n")
        else:
            (out / name).symlink_to(other)
        argv = ["train", "--clips", str(clips), "--out", str(out), "--epochs", "1"]
        assert main([*argv, "--no-progress"]) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert str(out / name) in line and f"is a {make}, not a folder train wrote" in line
        assert sorted(p.name for p in out.iterdir()) == [name]
    assert list(other.iterdir()) == []


@pytest.mark.parametrize("target", ["out", "missing/folder"])
def test_out_a_link_loop_or_a_link_to_nothing_is_refused_before_training(tmp_path, capsys, target):
    """--out a link to itself or to a missing folder: exit 1 with "[Errno 17] File exists:
    'out'" after reading every clip, naming nothing else (bad_input_sweep51). Refused as bad
    input, the link untouched."""
    from silkpipe.cli import main

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    out.symlink_to(target)
    argv = ["train", "--clips", str(clips), "--out", str(out), "--epochs", "1", "--no-progress"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    why = "a symlink loop" if target == "out" else "a link to nothing"
    assert f"file {out}: --out is {why}, not a folder" in line
    assert out.is_symlink() and not (tmp_path / "missing").exists()
