"""Links out of the input folders, file modes, and workers that die with their parent.

Real links to a private file, real umasks, real SIGKILL and SIGTERM sent to the `silkpipe
run` process alone (as the out-of-memory killer or `docker stop` would).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import badinputs
import pytest

GOOD = badinputs.GOOD[0]
PRIVATE = "PRIVATE-FIRST-LINE-do-not-upload"


def test_links_out_of_the_sessions_and_clips_folders_are_not_followed(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"{PRIVATE}\n1,2,3\n")
    sessions = tmp_path / "in"
    folder = badinputs.copy_session(GOOD, sessions, "linked_file", files=("whisperx_output.json",))
    (folder / "sensor_data.csv").symlink_to(outside / "secret.csv")
    badinputs.copy_session(GOOD, sessions, GOOD, files=("sensor_data.csv", "whisperx_output.json"))
    badinputs.copy_session(GOOD, outside, "elsewhere", files=("whisperx_output.json",))
    (outside / "elsewhere" / "sensor_data.csv").symlink_to(outside / "secret.csv")
    (sessions / "linked_folder").symlink_to(outside / "elsewhere")
    clips = tmp_path / "clips"
    badinputs.clips_subset(clips, per_class=1)
    (clips / "jump_1_to_2.csv").symlink_to(outside / "secret.csv")
    store = tmp_path / "store"
    proc = badinputs.cli(
        "run", str(sessions), "--clips", str(clips), "--store", str(store), cwd=tmp_path
    )
    assert PRIVATE not in proc.stdout + proc.stderr
    for path in store.rglob("*"):
        if path.is_file():
            assert PRIVATE.encode() not in path.read_bytes(), path
    assert not (store / "sessions/linked_file/sensor_data.csv").exists()
    assert not (store / "clips/jump_1_to_2.csv").exists()
    page = (store / "runs/local/report/index.html").read_text()
    assert "linked_file" in page and "link out of" in page


def test_folder_mode_train_and_evaluate_do_not_follow_links_out_of_the_clips_folder(tmp_path):
    """train --clips DIR --out and evaluate --clips read the folder without the store: a link
    out of it is named and skipped, and its content is never read."""
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"{PRIVATE}\n1,2,3\n")
    clips = tmp_path / "clips"
    badinputs.clips_subset(clips, per_class=2)
    (clips / "jump_1_to_2.csv").symlink_to(outside / "secret.csv")
    train = badinputs.cli(
        "train", "--clips", str(clips), "--out", str(tmp_path / "m"), "--epochs", "1", cwd=tmp_path
    )
    assert train.returncode == 2, train.stderr[-2000:]  # partial: trained without the link
    assert (tmp_path / "m" / "model" / "model.onnx").is_file()
    assert "jump_1_to_2.csv" in train.stderr and "link out of the clips folder" in train.stderr
    assert PRIVATE not in train.stdout + train.stderr
    model = tmp_path / "m" / "model"
    evaluate = badinputs.cli("evaluate", "--model", str(model), "--clips", str(clips), cwd=tmp_path)
    assert "link out of the clips folder" in evaluate.stdout + evaluate.stderr
    assert PRIVATE not in evaluate.stdout + evaluate.stderr


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_files_are_created_with_the_umask_modes(tmp_path, umask):
    sessions = tmp_path / "in"
    badinputs.copy_session(GOOD, sessions, GOOD, files=("sensor_data.csv", "whisperx_output.json"))
    store = tmp_path / "store"
    proc = badinputs.cli("run", str(sessions), "--store", str(store), cwd=tmp_path, umask=umask)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    files = [p for p in store.rglob("*") if p.is_file()]
    assert any(p.name == "index.html" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry.name))
    return out


def _workers(pid: int) -> set[int]:
    """The runner's transcription workers: its children but multiprocessing's resource
    tracker (spawned workers come with one)."""
    out = set()
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            out.add(child)
    return out


def _alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_the_runner(tmp_path, sig):
    sessions = tmp_path / "in"
    for name in ("20251017_110929_session", "20251017_135233_session"):  # real ASR to do
        badinputs.copy_session(name, sessions, name, files=("sensor_data.csv", "audio_16k.wav"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "silkpipe.cli",
            "run",
            str(sessions),
            "--store",
            str(tmp_path / "store"),
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        workers: set[int] = set()
        while time.time() < deadline and len(workers) < 2:
            workers = _children(proc.pid)
            time.sleep(0.1)
        assert len(workers) >= 2, "the runner started no workers"
        time.sleep(1.0)  # the workers are loading the model / transcribing
        os.kill(proc.pid, sig)  # the runner alone, not its process group
        proc.wait(timeout=30)
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        orphans = [w for w in workers if _alive(w)]
        assert orphans == [], f"workers outlived the runner: {orphans}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_error_lines_are_not_glued_to_progress_bars(tmp_path):
    sessions = tmp_path / "in"
    badinputs.copy_session(GOOD, sessions, GOOD, files=("sensor_data.csv", "whisperx_output.json"))
    badinputs.empty_wav(sessions)
    badinputs.nan_csv(sessions)
    proc = badinputs.cli(
        "run", str(sessions), "--store", str(tmp_path / "store"), "--workers", "2", cwd=tmp_path
    )
    lines = proc.stderr.split("\n")
    errors = [ln for ln in lines if ": error:" in ln]
    assert len(errors) >= 2, proc.stderr[-3000:]
    for line in errors:
        assert line.startswith("silkpipe "), repr(line[:200])


def test_a_worker_killed_fails_its_sessions_not_the_run(tmp_path):
    """The out-of-memory killer takes one transcription worker: the run goes on to align
    and report, and says which sessions lost their transcript."""
    sessions = tmp_path / "in"
    for name in ("20251017_110929_session", "20251017_135233_session"):
        badinputs.copy_session(name, sessions, name, files=("sensor_data.csv", "audio_16k.wav"))
    store = tmp_path / "store"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "silkpipe.cli",
            "run",
            str(sessions),
            "--store",
            str(store),
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        workers: set[int] = set()
        while time.time() < deadline and len(workers) < 2:
            workers = _workers(proc.pid)
            time.sleep(0.1)
        assert workers, "the runner started no workers"
        time.sleep(1.0)
        os.kill(min(workers), signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert "Traceback" not in err, err[-3000:]
    assert proc.returncode in (1, 2), err[-3000:]
    assert (store / "runs/local/report/index.html").is_file()
    records = list((store / "runs/local/failures/transcribe").glob("*.json"))
    assert records and any("worker died" in r.read_text() for r in records)
