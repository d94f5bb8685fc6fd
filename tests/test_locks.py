"""TMPDIR paths of a training (the `train --out` lock, the train step's work folder) are
built by one function, locks.tmp_path, under the names they had before it: a killed
training's checkpoint folder made before the change is still found and resumed."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from silkpipe.commands.train import _out_lock
from silkpipe.locks import tmp_path
from silkpipe.steps.train import _work_path
from silkpipe.store import open_store


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def test_the_out_lock_and_the_work_folder_come_from_one_function(tmp_path_factory):
    root = tmp_path_factory.mktemp("t")
    store = open_store(str(root / "store"))
    temp = Path(tempfile.gettempdir())
    work = _work_path(store, "r1")
    assert work == tmp_path("train-r1", store.uri)
    assert work == temp / f"silkpipe-train-r1-{_hash(store.uri)}"
    out = root / "out"
    lock = _out_lock(out)
    assert lock.with_suffix("") == tmp_path("train-out", str(out.resolve()))
    assert lock == temp / f"silkpipe-train-out-{_hash(str(out.resolve()))}.lock"


def test_a_mark_dropped_between_its_making_and_its_lock_is_made_again(tmp_path, monkeypatch):
    """A writer's mark exists, not yet locked, for a moment: a switch meanwhile takes it
    for a dead writer's and drops it (locks.drop_if_dead). The writer then locked the
    deleted file and held no mark at its path, so its version read as nobody's and the
    next switch could delete it as it was filled. It makes its mark again."""
    import fcntl

    from silkpipe import locks

    mark = tmp_path / "silkpipe-labels-v1-x.lock"
    real = fcntl.flock
    calls = []

    def dropped_first(handle, how):
        calls.append(how)
        if len(calls) == 1:  # the writer's first lock: its mark goes just before
            monkeypatch.setattr(locks.fcntl, "flock", real)
            assert locks.drop_if_dead(mark), "an unlocked mark is a dead writer's"
        return real(handle, how)

    monkeypatch.setattr(locks.fcntl, "flock", dropped_first)
    with locks.writing(mark, undo=lambda: None):
        assert mark.exists() and locks.writer_state(mark) == "writing"
        assert not locks.drop_if_dead(mark)
    assert not mark.exists()


HOLD_SCRATCH = """
import os, sys, tempfile
tempfile.tempdir = sys.argv[1]
from silkpipe.locks import temp_scratch
with temp_scratch("silkpipe-unlabelled-") as made:
    (made / "labels-only").mkdir()
    print(made, flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), 9)  # kill -9, the OOM killer: no cleanup runs
    sys.stdin.read()  # held until the test closes stdin
"""


def test_a_temp_scratch_a_killed_process_left_is_dropped_by_the_next(tmp_path, monkeypatch):
    """A `run` killed (-9) in its train step left TMPDIR/silkpipe-unlabelled-* for good
    (bad_input_sweep58): the next scratch of that name drops it, and keeps a live
    process's, which is locked."""
    import subprocess
    import sys

    from silkpipe import locks

    def scratch(how: str) -> tuple[subprocess.Popen, Path]:
        argv = [sys.executable, "-c", HOLD_SCRATCH, str(tmp_path), how]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        return proc, Path(proc.stdout.readline().strip())

    killed, left = scratch("kill")
    assert killed.wait(timeout=60) == -9 and left.is_dir()
    live, held = scratch("hold")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with locks.temp_scratch("silkpipe-unlabelled-") as mine:
        assert mine.is_dir() and held.is_dir() and not left.exists()
    assert not mine.exists()
    live.communicate("", timeout=60)
    assert live.returncode == 0 and not held.exists()
