"""Progress follows one rule: a bar on a terminal; in a log file or a pipe (an Argo pod's
log) whole lines, each ended by a newline, a few per bar, never sharing a line with a log
line (a tqdm bar drawn into a pipe put carriage returns there and a warning after it)."""

from __future__ import annotations

import re
import subprocess
import sys

import badinputs

from silkpipe import progress
from silkpipe.progress import ProgressLines, progress_bar

PROGRESS = re.compile(r"^(clips|train): \d+/\d+ (clip|epoch), \d+ s(, [a-z_0-9]+=[0-9.]+)*$")
LOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


class Clock:
    """time.monotonic for silkpipe.progress, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def _lines(monkeypatch, capsys, n: int, step_s: float) -> list[str]:
    """The lines of a bar of ``n`` clips, each taking ``step_s`` seconds."""
    clock = Clock()
    monkeypatch.setattr(progress, "time", clock)
    for _ in progress_bar(range(n), desc="clips", unit="clip"):
        clock.now += step_s
    err = capsys.readouterr().err
    assert "\r" not in err and err.endswith("\n")
    lines = err.splitlines()
    assert all(PROGRESS.match(ln) for ln in lines), lines
    return lines


def test_off_a_terminal_a_bar_is_a_line_each_tenth(monkeypatch, capsys):
    lines = _lines(monkeypatch, capsys, 95, step_s=0.5)
    assert [ln.split(",")[0] for ln in lines] == [
        *(f"clips: {k}/95 clip" for k in range(10, 100, 10)),
        "clips: 95/95 clip",
    ]
    assert lines[-1] == "clips: 95/95 clip, 48 s"


def test_a_fast_bar_is_its_last_line_and_a_slow_step_is_said(monkeypatch, capsys):
    assert _lines(monkeypatch, capsys, 95, step_s=0.001) == ["clips: 95/95 clip, 0 s"]
    slow = _lines(monkeypatch, capsys, 95, step_s=progress.QUIET_LINE_S)
    assert len(slow) == 95  # each step ends a quiet stretch


def test_an_early_stop_says_its_last_step_with_its_figures(capsys):
    bar = ProgressLines(total=30, initial=4, desc="train", unit="epoch")
    for loss in (0.9, 0.8):
        bar.set_postfix(loss=f"{loss:.3f}")
        bar.update(1)
    bar.close()
    bar.close()  # said once
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and re.match(r"train: 6/30 epoch, \d+ s, loss=0.800$", lines[0])


def test_not_enabled_says_nothing(capsys):
    bar = progress_bar(total=3, desc="train", unit="epoch", enabled=False)
    bar.update(3)
    bar.close()
    assert capsys.readouterr().err == ""


def test_train_into_a_pipe_writes_lines_not_bars(tmp_path):
    """`silkpipe train ... 2> log`: the clips and epoch progress and the bad clip's warning
    each on lines of their own, no carriage return anywhere."""
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    case = badinputs.huge_reading_device_clip(clips)
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "m"), "--epochs", "3"]
    proc = subprocess.run(
        [sys.executable, "-m", "silkpipe.cli", *argv],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    err = proc.stderr.decode()
    assert "\r" not in err, err[-3000:]  # a bar redrawn into the pipe
    assert proc.returncode == 2, err[-3000:]  # partial: a clip was skipped
    lines = err.splitlines()
    assert all(
        LOG.match(ln) or PROGRESS.match(ln) or ln.startswith("silkpipe train: ") for ln in lines
    ), err
    assert any(ln.startswith("clips: ") for ln in lines), err
    epochs = [ln for ln in lines if ln.startswith("train: ")]
    assert epochs and epochs[-1].startswith("train: 3/3 epoch, ") and "val_f1=" in epochs[-1]
    assert any(LOG.match(ln) and f"skipped clip {case.file}" in ln for ln in lines), err
