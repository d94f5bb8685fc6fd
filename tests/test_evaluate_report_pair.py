"""`evaluate --report DIR` writes metrics.json and confusion.png of one run, both or neither
(bad_input_sweep56): two reports at once into one DIR left one's metrics.json beside the
other's confusion.png, and a folder named like one of the files ended the finished
evaluation with exit 1 naming the report's scratch path, its metrics.json replaced."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from silkpipe import evaluation
from silkpipe.cli import main
from silkpipe.errors import InputError


def _marked_figure(result: dict, path) -> None:
    Path(path).write_text(result["run"])  # the figure says which run drew it


def test_two_reports_at_once_into_one_folder_leave_one_runs_pair(tmp_path, monkeypatch):
    """Run a is held between its two moves until run b has written (or 2 s have passed,
    as b waits for a's lock): the folder then holds one run's pair."""
    monkeypatch.setattr(evaluation, "confusion_png", _marked_figure)
    real_replace, a_moved, b_done = os.replace, threading.Event(), threading.Event()

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if threading.current_thread().name == "a" and str(dst).endswith("metrics.json"):
            a_moved.set()
            b_done.wait(timeout=2)

    monkeypatch.setattr(os, "replace", replace)
    rep = tmp_path / "rep"
    a = threading.Thread(target=evaluation.write_report, args=({"run": "a"}, rep), name="a")
    a.start()
    assert a_moved.wait(timeout=30)
    b = threading.Thread(target=evaluation.write_report, args=({"run": "b"}, rep), name="b")
    b.start()
    b.join(timeout=1.5)
    b_done.set()
    a.join(timeout=30)
    b.join(timeout=30)
    metrics = json.loads((rep / "metrics.json").read_text())["run"]
    assert (rep / "confusion.png").read_text() == metrics
    assert sorted(p.name for p in rep.iterdir()) == ["confusion.png", "metrics.json"]


@pytest.mark.parametrize("name", ["confusion.png", "metrics.json"])
def test_a_folder_named_like_a_report_file_keeps_the_old_pair(tmp_path, monkeypatch, name):
    """The check under the lock: a folder made there while the report was scored."""
    monkeypatch.setattr(evaluation, "confusion_png", _marked_figure)
    rep = tmp_path / "rep"
    evaluation.write_report({"run": "old"}, rep)
    other = "metrics.json" if name == "confusion.png" else "confusion.png"
    (rep / name).unlink()
    (rep / name).mkdir()
    kept = (rep / other).read_bytes()
    with pytest.raises(InputError, match=name):
        evaluation.write_report({"run": "new"}, rep)
    assert (rep / other).read_bytes() == kept
    assert sorted(p.name for p in rep.iterdir()) == sorted([name, other])


@pytest.mark.parametrize("name, cv", [("confusion.png", []), ("cv.json", ["--cv", "all"])])
def test_evaluate_refuses_a_report_folder_holding_such_a_folder_before_scoring(
    tmp_path, capsys, name, cv
):
    """Refused before --model is read or a fold trained: no model folder is needed."""
    (tmp_path / "rep" / name).mkdir(parents=True)
    where = ["--model", str(tmp_path / "none")] if not cv else cv
    argv = ["evaluate", *where, "--clips", str(tmp_path / "in"), "--report"]
    assert main([*argv, str(tmp_path / "rep")]) == 2
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert f"rep/{name}" in line and "is a folder where the report writes a file" in line


def test_a_killed_writers_scratch_is_dropped_a_live_ones_kept(tmp_path, monkeypatch):
    """`evaluate --report` killed (-9) left DIR/.partial-*/ with its unpublished files for
    ever (sweep 56); the next report deletes it. One a live writer holds is kept."""
    from silkpipe.locks import folder_locked

    monkeypatch.setattr(evaluation, "confusion_png", _marked_figure)
    rep = tmp_path / "rep"
    dead, live = rep / ".partial-dead", rep / ".partial-live"
    for scratch in (dead, live):
        scratch.mkdir(parents=True)
        (scratch / "metrics.json").write_text("{}")
    with folder_locked(live, ""):
        evaluation.write_report({"run": "a"}, rep)
    names = ["confusion.png", "metrics.json"]
    assert sorted(p.name for p in rep.iterdir()) == [".partial-live", *names]
    evaluation.write_report({"run": "b"}, rep)  # its writer gone: dropped
    assert sorted(p.name for p in rep.iterdir()) == names


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_ctrl_c_between_the_two_moves_waits_for_the_second(tmp_path, monkeypatch, signum):
    """A press (or `kill PID`) that lands between the moves left the new metrics.json
    beside the old confusion.png (bad_input_sweep57): it is answered after both."""
    import signal

    from silkpipe.errors import ctrl_c_answered

    monkeypatch.setattr(evaluation, "confusion_png", _marked_figure)
    rep = tmp_path / "rep"
    evaluation.write_report({"run": "old"}, rep)
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if str(dst).endswith("metrics.json"):
            os.kill(os.getpid(), getattr(signal, signum))

    monkeypatch.setattr(os, "replace", replace)
    start_up = signal.default_int_handler if signum == "SIGINT" else signal.SIG_DFL
    left = signal.signal(getattr(signal, signum), start_up)  # as a command finds it
    try:
        with ctrl_c_answered(), pytest.raises(KeyboardInterrupt):
            evaluation.write_report({"run": "new"}, rep)
    finally:
        signal.signal(getattr(signal, signum), left)
    assert json.loads((rep / "metrics.json").read_text())["run"] == "new"
    assert (rep / "confusion.png").read_text() == "new"
