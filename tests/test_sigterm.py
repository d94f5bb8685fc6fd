"""SIGTERM (`kill PID`, a service stop, `timeout`) killed a command at once, before its
cleanup ran: a `run` stopped in its train step left its work folders in TMPDIR
(bad_input_sweep50: silkpipe-unlabelled-XXXX, 640 KB, still there after the rerun). It is
now answered as Ctrl-C is: the cleanup runs, one 'interrupted' line, exit 143."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.parametrize("signum, status", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_stop_signal_mid_training_cleans_up_and_exits_by_it(tmp_path, data_dir, signum, status):
    """SIGHUP (the terminal closed, an ssh link dropped) as SIGTERM (bad_input_sweep57). The
    command starts with the signal's default handler, as from a terminal: a test run under
    nohup (SIGHUP ignored, which the command keeps) let the training finish."""
    clips = tmp_path / "clips"
    clips.mkdir()
    for path in sorted((data_dir / "clips-dev").iterdir())[:40]:
        shutil.copyfile(path, clips / path.name)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--epochs", "500"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "silkpipe.cli", *argv, "--no-progress"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp), "OMP_NUM_THREADS": "1"},
        preexec_fn=lambda: signal.signal(getattr(signal, signum), signal.SIG_DFL),
    )
    deadline = time.time() + 240
    while not list(tmp.glob("silkpipe-*.lock")) and proc.poll() is None:
        assert time.time() < deadline
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(getattr(signal, signum))
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == status, err[-3000:]
    assert err.strip().splitlines()[-1].startswith("silkpipe train: interrupted: "), err[-3000:]
    assert "Traceback" not in err
    assert not list(tmp.glob("silkpipe-*")), sorted(p.name for p in tmp.iterdir())


def test_the_callers_handlers_are_back_once_a_command_returns(tmp_path, monkeypatch):
    """cli.main left its handler on SIGINT and SIGTERM and its unraisable hook after it
    returned: a program (a notebook, a harness) that ran a command and went on then had a
    later `kill` raise KeyboardInterrupt in its own code instead of stopping it. Armed while
    the command runs, the caller's are back after it."""
    import silkpipe.cli as cli
    from silkpipe import errors

    handlers = (signal.SIGINT, signal.SIGTERM)
    at_start_up = [signal.default_int_handler, signal.SIG_DFL]
    hook = sys.unraisablehook
    inside: list = []

    def error_line(err, **kw):  # the command's error line: it runs inside the command
        inside.append([signal.getsignal(s) for s in handlers])
        return errors.one_line(err, **kw)

    monkeypatch.setattr(cli, "one_line", error_line)
    before = [signal.signal(s, h) for s, h in zip(handlers, at_start_up, strict=True)]
    try:
        assert cli.main(["train", "--out", str(tmp_path / "o")]) == 2  # nothing to train on
        after = [signal.getsignal(s) for s in handlers]
    finally:
        for signum, handler in zip(handlers, before, strict=True):
            signal.signal(signum, handler)
    assert inside == [[errors.on_ctrl_c, errors.on_ctrl_c]]
    assert after == at_start_up
    assert sys.unraisablehook is hook


def test_a_press_dropped_while_the_process_shuts_down_stays_quiet(tmp_path):
    """Since cli.main put Python's own handlers and hook back on return, a press that reached
    the silkpipe process while it shut down (a worker pool's exit handler running) printed
    "Exception ignored ... KeyboardInterrupt" and a traceback under the command's last line
    (test_faults' Ctrl-C test, once in a loaded full run). The process entry keeps them."""
    import badinputs

    code = (
        "import atexit, sys\n"
        "def dropped():  # a press Python drops at shutdown, as in a pool's exit handler\n"
        "    raise KeyboardInterrupt\n"
        "atexit.register(dropped)\n"
        "sys.argv = ['silkpipe', 'train', '--out', sys.argv[1]]\n"
        "from silkpipe.cli import entry\n"
        "entry()\n"
    )
    proc = badinputs.python_program(code, str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stderr[-3000:]  # nothing to train on: bad input
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("silkpipe train: error: "), proc.stderr[-3000:]


def test_a_press_held_over_steps_is_raised_once_after_them(monkeypatch):
    """errors.ctrl_c_held (evaluate --report's two moves, bad_input_sweep57): a press inside
    is raised after the steps, once; where the steps failed their error goes on, and the
    press is not raised again at a later hold."""
    from silkpipe import errors

    monkeypatch.setitem(errors._ctrl_c, "pressed", False)
    done = []
    with pytest.raises(KeyboardInterrupt), errors.ctrl_c_held():
        errors.on_ctrl_c(signal.SIGINT, None)
        done.append("both steps")
    assert done == ["both steps"]
    with pytest.raises(ValueError), errors.ctrl_c_held():
        errors.on_ctrl_c(signal.SIGINT, None)
        raise ValueError("a step failed")
    with errors.ctrl_c_held():
        pass


def test_a_second_press_as_a_hold_ends_leaves_none_held(monkeypatch):
    """A press held over steps, then a second one landing as the hold ends, after its depth
    dropped and before it cleared its flag (a trace function sends it there): it is raised,
    and no press stays held to be raised again at the next hold (bad_input_sweep58)."""
    from silkpipe import errors

    monkeypatch.setitem(errors._ctrl_c, "pressed", False)
    code = errors.ctrl_c_held.__wrapped__.__code__  # type: ignore[attr-defined]
    seen, fired = [], []

    def in_the_hold(frame, event, arg):
        if event == "line" and errors._held["depth"]:
            seen.append(frame.f_lineno)
        elif event == "line" and seen and not fired:
            fired.append(frame.f_lineno)
            errors.on_ctrl_c(signal.SIGTERM, None)  # the second press, in the window
        return in_the_hold

    sys.settrace(lambda frame, event, arg: in_the_hold if frame.f_code is code else None)
    try:
        with pytest.raises(KeyboardInterrupt), errors.ctrl_c_held():
            errors.on_ctrl_c(signal.SIGINT, None)
    finally:
        sys.settrace(None)
    assert fired and not errors._held["pending"]
    with errors.ctrl_c_held():
        pass
