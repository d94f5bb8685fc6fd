"""A write that runs out of room raises "[Errno 28] No space left on device" and names no
file; `evaluate --report DIR` on a full disk said that and no more (bad_input_sweep50):
the line names the folder it was writing, and the folder keeps none of the two files."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from silkpipe import evaluation
from silkpipe.errors import one_line

SCORES = {"macro_f1": 0.8, "accuracy": 0.9}
SCORES["confusion"] = {"labels": ["jump", "noise"], "matrix": [[3, 1], [0, 4]]}


def test_evaluate_report_on_a_full_disk_names_its_folder(tmp_path, monkeypatch):
    def full(result, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(evaluation, "confusion_png", full)
    with pytest.raises(OSError) as err:
        evaluation.write_report(SCORES, tmp_path / "rep")
    assert one_line(err.value) == f"cannot write {tmp_path / 'rep'}: No space left on device"
    assert list((tmp_path / "rep").iterdir()) == []


def test_an_error_naming_its_file_is_left_as_it_is(tmp_path, monkeypatch):
    def denied(result, path):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(evaluation, "confusion_png", denied)
    with pytest.raises(PermissionError, match="confusion.png"):
        evaluation.write_report(SCORES, tmp_path / "rep")


def test_train_out_under_a_file_size_limit_names_the_file(tmp_path):
    """`ulimit -f` (a batch job's limit; a quota acts alike) leaves room on the disk, so
    torch's "unexpected pos" RuntimeError was passed on naming nothing (bad_input_sweep57):
    it is the OSError the disk gave, naming the file, and model.partial is not left."""
    import badinputs

    clips = badinputs.sample_clips(tmp_path / "clips", per_class=3)
    code = (
        "import resource, sys; from silkpipe.cli import main;"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.RLIM_INFINITY));"
        "sys.exit(main(sys.argv[1:]))"
    )
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--epochs", "1"]
    proc = badinputs.python_program(code, *argv, "--no-progress")
    (line,) = [ln for ln in proc.stderr.splitlines() if ": error: " in ln]
    assert proc.returncode == 1 and "[Errno 27] File too large" in line, proc.stderr
    assert "out/model.partial/" in line and "Traceback" not in proc.stderr
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_synth_under_a_file_size_limit_names_its_folder_and_the_limit(tmp_path):
    """espeak-ng died under `ulimit -f` (below 64 MiB: its audio library sizes a buffer file
    first) and synth's line was "CalledProcessError: Command [...espeak-ng..., its temporary
    file...] died with <Signals.SIGXFSZ: 25>" (bad_input_sweep58): it names the folder synth
    writes and the limit, exit 1, and leaves nothing beside it."""
    import badinputs

    code = (
        "import resource, sys; from silkpipe.cli import main;"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY));"
        "sys.exit(main(sys.argv[1:]))"
    )
    out = tmp_path / "out"
    proc = badinputs.python_program(code, "synth", str(out), "--sessions", "1")
    (line,) = [ln for ln in proc.stderr.splitlines() if ": error: " in ln]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"cannot write {out}: File too large" in line and "ulimit -f" in line, line
    assert "CalledProcessError" not in line and list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("argv", [("sessions", "list"), ("sessions", "upload", "sessions")])
def test_stdout_on_a_full_disk_is_named(tmp_path, argv):
    """`sessions list > /dev/full` said "[Errno 28] No space left on device" and not that
    it was the command's own output it could not write (bad_input_sweep59)."""
    import subprocess
    import sys

    import badinputs

    badinputs.copy_session(badinputs.GOOD[0], tmp_path / "sessions", "s1")
    badinputs.cli("sessions", "upload", "sessions", "--store", "store", cwd=tmp_path)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "silkpipe.cli", *argv, "--store", "store"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"silkpipe {' '.join(argv[:2])}: error: cannot write stdout")
    assert line.endswith("No space left on device"), line


def _silkpipe(tmp_path, *argv: str, closed: int | None = None, stderr=None):
    """`silkpipe ARGV`, the silkpipe under test wherever it is checked out; ``closed`` 1:
    `>&-`, 2: `2>&-` (the child's stream closed before it starts: Python's is None)."""
    import sys

    import silkpipe

    env = {**os.environ, "PYTHONPATH": str(Path(silkpipe.__file__).parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "silkpipe.cli", *argv],
        cwd=tmp_path,
        stderr=subprocess.PIPE if stderr is None else stderr,
        text=True,
        timeout=300,
        env=env,
        preexec_fn=None if closed is None else lambda: os.close(closed),
    )


def _sample_clips(tmp_path, data_dir) -> tuple[str, ...]:
    """Two samples of each class in tmp_path/clips; the train command that reads them."""
    clips = tmp_path / "clips"
    clips.mkdir()
    for path in sorted((data_dir / "clips-20251014").glob("*_sample0[12].csv")):
        shutil.copyfile(path, clips / path.name)
    meta = "session_metadata.json"
    shutil.copyfile(data_dir / "clips-20251014" / meta, clips / meta)
    return ("train", "--clips", "clips", "--out", "out", "--epochs", "1")


def test_stdout_closed_is_named_and_fails_only_a_command_that_writes_there(tmp_path, data_dir):
    """`sessions list >&-` ended in two AttributeError tracebacks (sys.stdout is None), and
    `train ... >&-`, which prints nothing there, wrote its model and exited 1 with them
    (bad_input_sweep60)."""
    import badinputs

    badinputs.copy_session(badinputs.GOOD[0], tmp_path / "sessions", "s1")
    badinputs.cli("sessions", "upload", "sessions", "--store", "store", cwd=tmp_path)
    proc = _silkpipe(tmp_path, "sessions", "list", "--store", "store", closed=1)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("silkpipe sessions list: error: cannot write stdout"), line
    assert "closed" in line, line
    argv = (*_sample_clips(tmp_path, data_dir), "--no-progress")
    proc = _silkpipe(tmp_path, *argv, closed=1)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert (tmp_path / "out" / "model" / "config.json").is_file()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("stderr", ["full", "closed"])
def test_a_stderr_that_takes_no_line_fails_no_training(tmp_path, data_dir, stderr):
    """`train ... 2>/dev/full` and `2>&-`: the first progress line raised (ENOSPC; the
    closed one's None had no isatty), so the model was lost, `model.partial` left, exit 1
    with no line to say why (bad_input_sweep60). Its lines are dropped; the model is in."""
    argv = _sample_clips(tmp_path, data_dir)
    if stderr == "closed":
        proc = _silkpipe(tmp_path, *argv, closed=2, stderr=subprocess.DEVNULL)
    else:
        with open("/dev/full", "w") as full:
            proc = _silkpipe(tmp_path, *argv, stderr=full)
    assert proc.returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model"]
