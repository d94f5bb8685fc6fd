"""Store and disk faults, and bad options: one line, the exit status the README promises.

The faults are real: a tmpfs that fills up, a read-only bind mount (the tests run as root
in CI, as the issue's corpus did), a store path that is a file, a truncated ONNX file.
Exit status: 2 for bad input, 1 for a fault.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import badinputs
import pytest

GOOD = badinputs.GOOD[0]


def _one_line_error(proc: subprocess.CompletedProcess, command: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"silkpipe {command}: ")]
    assert errors, proc.stderr[-3000:]
    return errors[-1]


def _sessions(root: Path) -> Path:
    badinputs.copy_session(
        GOOD, root / "in", GOOD, files=("sensor_data.csv", "whisperx_output.json")
    )
    return root / "in"


@pytest.fixture
def mount(tmp_path):
    """mount(args, path): a real mount, undone at the end."""
    done: list[Path] = []

    def do(args: list[str], path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *args, str(path)], check=True)
        done.append(path)

    yield do
    for path in reversed(done):
        subprocess.run(["umount", str(path)], check=False)


def test_disk_full_is_one_line_and_a_fault(tmp_path, mount):
    sessions = _sessions(tmp_path)
    store = tmp_path / "store"
    mount(["-t", "tmpfs", "-o", "size=256k", "tmpfs"], store)
    proc = badinputs.cli(
        "run", str(sessions), "--store", str(store), "--run-id", "r1", cwd=tmp_path
    )
    line = _one_line_error(proc, "run")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "No space left on device" in line and "sensor_data.csv" in line, line


def test_read_only_store_is_one_line_and_a_fault(tmp_path):
    sessions = _sessions(tmp_path)
    store = tmp_path / "store"
    upload = badinputs.cli("sessions", "upload", str(sessions), "--store", str(store), cwd=tmp_path)
    assert upload.returncode == 0, upload.stderr
    subprocess.run(["mount", "--bind", str(store), str(store)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(store)], check=True)
        proc = badinputs.cli(
            "transcribe", GOOD, "--store", str(store), "--run-id", "r1", cwd=tmp_path
        )
    finally:
        subprocess.run(["umount", str(store)], check=False)
    line = _one_line_error(proc, "transcribe")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Read-only file system" in line and f"session {GOOD}" in line, line


def test_store_path_that_is_a_file_is_bad_input(tmp_path):
    sessions = _sessions(tmp_path)
    (tmp_path / "store").write_text("not a folder")
    proc = badinputs.cli("run", str(sessions), "--store", str(tmp_path / "store"), cwd=tmp_path)
    line = _one_line_error(proc, "run")
    assert proc.returncode == 2 and "is a file" in line, line


def test_out_that_is_a_file_is_bad_input(tmp_path):
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=1)
    (tmp_path / "out").write_text("not a folder")
    proc = badinputs.cli(
        "train",
        "--clips",
        str(clips),
        "--out",
        str(tmp_path / "out"),
        "--epochs",
        "1",
        "--no-progress",
        cwd=tmp_path,
    )
    line = _one_line_error(proc, "train")
    assert proc.returncode == 2 and "--out" in line and "file" in line, line


def test_negative_workers_is_bad_input(tmp_path):
    sessions = _sessions(tmp_path)
    proc = badinputs.cli(
        "run", str(sessions), "--store", str(tmp_path / "s"), "--workers", "-1", cwd=tmp_path
    )
    line = _one_line_error(proc, "run")
    assert proc.returncode == 2 and "--workers" in line, line
    assert not (tmp_path / "s").exists() or not list((tmp_path / "s").rglob("*.json"))


def test_truncated_onnx_is_one_line(tmp_path):
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    proc = badinputs.cli(
        "train",
        "--clips",
        str(clips),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--no-progress",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    onnx = out / "model" / "model.onnx"
    onnx.write_bytes(onnx.read_bytes()[: onnx.stat().st_size // 2])
    proc = badinputs.cli(
        "evaluate", "--model", str(out / "model"), "--clips", str(clips), cwd=tmp_path
    )
    line = _one_line_error(proc, "evaluate")
    assert proc.returncode in (1, 2), proc.stderr[-2000:]
    assert len(line) < 600


def test_a_cv_json_the_disk_cannot_hold_leaves_the_earlier_one_whole(
    tmp_path, mount, monkeypatch, capsys
):
    """evaluate --cv --report on a full disk: the earlier cv.json stays as it was and no
    half file is left beside it (it was written in place and cut short where space ran out)."""
    import json

    import silkpipe.commands.evaluate as evaluate
    import silkpipe.crossval as crossval
    from silkpipe.cli import main

    size: list[int] = []

    def protocol(streams, name, *args, **kwargs):
        return {"protocol": name, "pooled_macro_f1": 0.5, "folds": ["x" * size[0]]}

    monkeypatch.setattr(crossval, "run_protocol", protocol)
    monkeypatch.setattr(evaluate, "_streams", lambda args: ([], []))
    report = tmp_path / "report"
    mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs"], report)
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tmp_path), "--json"]
    argv += ["--report", str(report)]
    size.append(40_000)
    assert main(argv) == 0
    good = (report / "cv.json").read_bytes()
    size[0] = 100_000  # more than the disk holds
    assert main(argv) == 1
    assert (report / "cv.json").read_bytes() == good
    assert [p.name for p in report.iterdir()] == ["cv.json"]
    line = capsys.readouterr().err.splitlines()[-1]
    assert "No space left on device" in line and str(report / "cv.json") in line, line
    assert json.loads(good)[0]["pooled_macro_f1"] == 0.5


def test_a_cv_report_folder_that_is_a_file_is_named_as_the_folder(tmp_path, monkeypatch, capsys):
    """--report naming a file: the error names that file (the folder that cannot be made),
    as before cv.json was written whole, not a cv.json inside it that was never there;
    since d8ab0a1 as bad input (exit 2), before any fold is trained."""
    import silkpipe.commands.evaluate as evaluate
    import silkpipe.crossval as crossval
    from silkpipe.cli import main

    def protocol(streams, name, *args, **kwargs):
        return {"protocol": name, "pooled_macro_f1": 0.5, "folds": []}

    monkeypatch.setattr(crossval, "run_protocol", protocol)
    monkeypatch.setattr(evaluate, "_streams", lambda args: ([], []))
    report = tmp_path / "report"
    report.write_text("not a folder")
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tmp_path), "--json"]
    argv += ["--report", str(report)]
    assert main(argv) == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert f"file {report}: is a file, not a folder" in line, line
    assert report.read_text() == "not a folder"


def test_an_exported_report_the_disk_cannot_hold_leaves_the_earlier_copy_whole(
    tmp_path, mount, capsys
):
    """sessions export-report on a full disk: the page copied before stays as it was and no
    half file is left beside it (each file was written in place and cut short)."""
    from silkpipe.cli import main

    store = tmp_path / "store"
    page = store / "runs" / "r1" / "report" / "index.html"
    page.parent.mkdir(parents=True)
    dest = tmp_path / "dest"
    mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs"], dest)
    argv = ["sessions", "export-report", "--store", str(store), "--run-id", "r1", str(dest)]
    page.write_bytes(b"a" * 40_000)
    assert main(argv) == 0
    page.write_bytes(b"b" * 100_000)  # more than the disk holds
    assert main(argv) == 1
    assert (dest / "index.html").read_bytes() == b"a" * 40_000
    assert [p.name for p in dest.iterdir()] == ["index.html"]
    line = capsys.readouterr().err.splitlines()[-1]
    assert "No space left on device" in line and str(dest / "index.html") in line, line


def test_train_out_that_fails_midway_keeps_the_earlier_model_whole(tmp_path, monkeypatch):
    """`train --out O` over a finished model wrote O/model file by file: a full disk (or a
    kill) while it exported left the new weights.pt beside the old config.json and
    model.onnx, a model folder no training made. Now O/model is the old model, whole."""
    import hashlib

    import silkpipe.training
    from silkpipe.cli import main

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "o"), "--no-progress"]
    assert main([*argv, "--epochs", "1"]) == 0
    model = tmp_path / "o" / "model"

    def files() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in model.iterdir()}

    before = files()

    def export_fills_the_disk(net, out_dir, config):
        import torch

        torch.save(net.state_dict(), Path(out_dir) / "weights.pt")
        raise OSError(28, "No space left on device", str(Path(out_dir) / "model.onnx"))

    monkeypatch.setattr(silkpipe.training, "export_model", export_fills_the_disk)
    assert main([*argv, "--epochs", "2", "--seed", "3"]) == 1
    assert files() == before


def test_ctrl_c_is_one_line_and_exit_130(tmp_path, monkeypatch, capsys):
    """Ctrl-C in a command exited 130 without a word: nothing said it was interrupted nor
    what was left. Now one line names the command and says what is kept."""
    import silkpipe.commands.run as run_command
    from silkpipe.cli import main

    def pressed_ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_command, "run_pipeline", pressed_ctrl_c)
    argv = ["run", str(_sessions(tmp_path)), "--store", str(tmp_path / "s"), "--run-id", "r"]
    assert main(argv) == 130
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("silkpipe run: interrupted: "), lines


def _workers_of(pid: int) -> list[int]:
    """The transcription workers (spawned processes) of process ``pid`` that are importing
    (numpy loaded: Python is up and answers SIGINT with KeyboardInterrupt)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
            importing = b"numpy" in (stat.parent / "maps").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and b"spawn_main" in cmdline and importing:
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_while_a_worker_starts_is_one_line_without_its_traceback(tmp_path):
    """Ctrl-C reaches the whole process group: a transcription worker still importing printed
    its own KeyboardInterrupt traceback above the runner's line. Workers now ignore SIGINT
    and the runner stops them."""
    import os
    import signal
    import sys
    import time

    argv = ["run", str(_sessions(tmp_path)), "--store", str(tmp_path / "s"), "--run-id", "r"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "silkpipe.cli", *argv, "--workers", "1"],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    while not _workers_of(proc.pid) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    assert err.strip().splitlines()[-1].startswith("silkpipe run: interrupted: "), err[-3000:]


def test_ctrl_c_that_python_drops_in_a_callback_still_stops_the_command(
    tmp_path, monkeypatch, capsys
):
    """Ctrl-C while the report was plotting raised KeyboardInterrupt inside a weakref
    callback, where Python prints "Exception ignored" and goes on: the run finished and
    exited 0 with a traceback. The press is now kept and the command stops (130)."""
    import signal
    import weakref

    import silkpipe.commands.run as run_command
    from silkpipe.cli import main

    class Figure:
        pass

    def plotting_when_ctrl_c_is_pressed(*args, **kwargs):
        figure = Figure()
        gone = weakref.ref(figure, lambda _: signal.getsignal(signal.SIGINT)(signal.SIGINT, None))
        del figure
        assert gone() is None
        return {
            **{"steps": {}, "gate": {}, "sessions": 1, "wall_seconds": 1.0},
            **{"skipped_at_upload": [], "transcribe_failed": [], "align_failed": []},
        }

    monkeypatch.setattr(run_command, "run_pipeline", plotting_when_ctrl_c_is_pressed)
    argv = ["run", str(_sessions(tmp_path)), "--store", str(tmp_path / "s"), "--run-id", "r"]
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as Python starts
    try:  # (a test runner started in the background inherits SIGINT ignored)
        assert main(argv) == 130
    finally:
        signal.signal(signal.SIGINT, before)
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("silkpipe run: interrupted")


def test_ctrl_c_line_starts_its_own_line_after_a_progress_bar(tmp_path, monkeypatch, capsys):
    """Ctrl-C while a progress bar was drawn (training epochs): the closing line was glued
    to the bar's line and the bar, closed only as the interrupted frames went away, was drawn
    again after it. The open bars are closed first: the line starts a line and ends stderr."""
    import sys

    from tqdm import tqdm

    import silkpipe.commands.run as run_command
    from silkpipe.cli import main

    def training_when_ctrl_c_is_pressed(*args, **kwargs):
        bar = tqdm(total=30, desc="train", file=sys.stderr)  # updated by hand, as in training
        for epoch in range(30):
            bar.update(1)
            if epoch == 5:
                raise KeyboardInterrupt

    monkeypatch.setattr(run_command, "run_pipeline", training_when_ctrl_c_is_pressed)
    argv = ["run", str(_sessions(tmp_path)), "--store", str(tmp_path / "s"), "--run-id", "r"]
    assert main(argv) == 130
    err = capsys.readouterr().err.replace("\r", "\n").strip()
    assert err.splitlines()[-1].startswith("silkpipe run: interrupted: "), err[-500:]


def test_two_trainings_of_one_run_at_once_both_finish(tmp_path):
    """Two `train`s of one store and run id at once (two `run`s started together) shared
    the run's fixed work folder: the first to finish deleted it under the other, whose
    train step failed (exit 1). The second now waits for the first and then trains."""
    import os
    import sys

    sessions = tmp_path / "in"
    # one real session that passes the gate on its own (143627) gives the run labels to
    # train on; aligning a second one only made the set-up longer
    name = badinputs.GOOD[1]
    badinputs.copy_session(name, sessions, name, files=("sensor_data.csv", "whisperx_output.json"))
    store = str(tmp_path / "store")
    first = badinputs.cli("run", str(sessions), "--store", store, "--run-id", "r", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    argv = [sys.executable, "-m", "silkpipe.cli", "train", "--store", store, "--run-id", "r"]
    twins = [
        subprocess.Popen([*argv, "--force"], cwd=tmp_path, env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    errs = [proc.communicate(timeout=600)[1].decode() for proc in twins]
    assert [proc.returncode for proc in twins] == [0, 0], [e[-1500:] for e in errs]


def test_two_trainings_into_one_out_folder_at_once_both_finish(tmp_path, monkeypatch):
    """Two `train --out DIR` at once shared DIR/model.partial: the first renamed it to
    DIR/model under the other, whose rename failed ("No such file or directory", exit 1).
    The second now waits for the first, then trains. The second starts once the first has
    trained, and the first renames only after the second has trained (or a while has
    passed): the overlap, made sure, with no two exports at once."""
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    errors = badinputs.train_twins(monkeypatch, clips, out)
    assert not errors, errors
    assert (out / "model" / "model.onnx").is_file() and not (out / "model.partial").exists()


def test_error_line_starts_its_own_line_after_a_progress_bar(tmp_path, monkeypatch, capsys):
    """`train --out` on a full disk: the error line was glued to the training bar's line
    (stderr not a terminal) and the bar drawn again after it. Bars are closed first."""
    import sys

    from tqdm import tqdm

    import silkpipe.commands.run as run_command
    from silkpipe.cli import main

    def disk_fills_while_training(*args, **kwargs):
        bar = tqdm(total=30, desc="train", file=sys.stderr)  # updated by hand, as in training
        bar.update(1)
        raise OSError(28, "No space left on device", "out/model.partial/checkpoint.tmp")

    monkeypatch.setattr(run_command, "run_pipeline", disk_fills_while_training)
    argv = ["run", str(_sessions(tmp_path)), "--store", str(tmp_path / "s"), "--run-id", "r"]
    assert main(argv) == 1
    err = capsys.readouterr().err.replace("\r", "\n").strip()
    assert err.splitlines()[-1].startswith("silkpipe run: error: "), err[-500:]


def test_train_out_on_a_full_disk_says_so_naming_the_file(tmp_path, mount):
    """torch reports a write the disk refused as "RuntimeError: [enforce fail at
    inline_container.cc:672] . unexpected pos ...": the line named neither the file nor the
    disk. It is now the OSError it is: "No space left on device" and the file."""
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    mount(["-t", "tmpfs", "-o", "size=300k", "tmpfs"], out)
    proc = badinputs.cli(
        "train", "--clips", str(clips), "--out", str(out), "--epochs", "1", cwd=tmp_path
    )
    line = _one_line_error(proc, "train")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "No space left on device" in line and str(out) in line, line


@pytest.mark.parametrize("workers", [None, "absent"])
def test_ctrl_c_stops_a_pool_without_its_private_list_of_workers(workers):
    """Ctrl-C while transcribing killed the workers through the pool's private ``_processes``:
    a pool without it (None once shut down, absent in another Python) turned the press into
    an AttributeError, 'error' and exit 1. Now the pool is still shut down, quietly."""
    from concurrent.futures import ProcessPoolExecutor

    from silkpipe.pipeline import WORKER_START, _stop_workers

    pool = ProcessPoolExecutor(max_workers=1, mp_context=WORKER_START)
    if workers == "absent":
        del pool._processes
    else:
        pool._processes = None
    _stop_workers(pool)
    with pytest.raises(RuntimeError):  # shut down: takes no more sessions
        pool.submit(print)


def test_ctrl_c_while_the_commands_load_is_one_line_and_exit_130(tmp_path):
    """The commands' imports (torch, scipy, matplotlib) take seconds before a command runs;
    Ctrl-C there printed an import traceback and killed Python by SIGINT. Now it is the
    same one line and exit 130 as a press while the command runs."""

    code = (
        "import importlib, os, signal, sys\n"
        "import silkpipe.cli\n"
        "load = importlib.import_module\n"
        "def pressed_while_loading(name, *args):\n"
        "    if name == 'silkpipe.commands.train':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return load(name, *args)\n"
        "importlib.import_module = pressed_while_loading\n"
        "sys.exit(silkpipe.cli.main(['synth', sys.argv[1]]))\n"
    )
    proc = badinputs.python_program(code, str(tmp_path / "out"))
    assert proc.returncode == 130, proc.stderr[-3000:]
    assert (
        proc.stderr.strip().splitlines() == [_one_line_error(proc, "synth")]
        and "interrupted" in proc.stderr
    )


def test_a_failure_after_a_dropped_ctrl_c_is_the_interruption(tmp_path, monkeypatch, capsys):
    """A press Python dropped (inside a callback) and the failure it then caused (a child
    process the press killed too) was reported as that failure, 'error' and exit 1, though
    the press was kept. Now it is the one 'interrupted' line and exit 130, as a partial is."""
    import silkpipe.commands.run as run_command
    from silkpipe.cli import main
    from silkpipe.errors import on_ctrl_c

    def pressed_then_a_child_died(*args, **kwargs):
        try:
            on_ctrl_c(2, None)
        except KeyboardInterrupt:
            pass  # dropped, as Python drops it inside a weakref callback
        raise subprocess.CalledProcessError(-2, ["espeak-ng"])

    monkeypatch.setattr(run_command, "run_pipeline", pressed_then_a_child_died)
    argv = ["run", str(_sessions(tmp_path)), "--store", str(tmp_path / "s"), "--run-id", "r"]
    assert main(argv) == 130
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("silkpipe run: interrupted: "), lines


def test_a_command_run_outside_the_main_thread_still_runs(tmp_path):
    """cli.main set its Ctrl-C handler unconditionally: called from another thread (a
    notebook or a harness running commands) it raised ValueError before the command ran.
    Now the command runs there, with Python's own Ctrl-C handling."""
    import signal
    import threading

    from silkpipe.cli import main

    outcome: list = []

    def call() -> None:
        try:
            outcome.append(main(["train", "--out", str(tmp_path / "o")]))
        except BaseException as err:  # noqa: BLE001 - the test reports it
            outcome.append(err)

    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as at start-up
    try:
        worker = threading.Thread(target=call)
        worker.start()
        worker.join()
    finally:
        signal.signal(signal.SIGINT, before)
    assert outcome == [2]  # nothing to train on: bad input, said in one line
