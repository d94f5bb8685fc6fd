"""A ``silkpipe run`` killed with SIGKILL resumes: no finished work redone, nothing corrupt.

One run, three attempts on the same store and run id (real sessions: two with audio that the
bundled Whisper must transcribe, one carrying its own transcript; a few real clips):

1. killed while transcribing (one audio session done, the other not yet);
2. killed while training (after the first epochs);
3. left to finish.

Finished transcripts and labels keep their bytes and mtime across attempts, the killed
training resumes from its last epoch checkpoint, and the final artifacts are whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import badinputs
import pytest

RUN = "resume"
ASR = ("20251017_110929_session", "20251017_135233_session")  # audio only: real ASR
EPOCH_LINE = re.compile(rb"^train: ([0-9]+)/[0-9]+ epoch, ", re.MULTILINE)  # a pipe: lines


def _env(tmpdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SILKPIPE_PUSHGATEWAY"}
    env["TMPDIR"] = str(tmpdir)
    return env


class Attempt:
    """`silkpipe run` in its own process group, stderr collected as it comes."""

    def __init__(self, root: Path, argv: list[str]):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "silkpipe.cli", *argv],
            cwd=root,
            env=_env(root / "tmp"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.err = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
            self.err.extend(chunk)

    def kill_when(self, condition, timeout: float = 300.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"run ended (rc {self.proc.returncode}) before the kill point:\n"
                    f"{self.text()[-3000:]}"
                )
            if condition():
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
                _wait_group_gone(self.proc.pid)
                self._reader.join(timeout=10)
                return
            time.sleep(0.02)
        os.killpg(self.proc.pid, signal.SIGKILL)
        pytest.fail(f"kill point not reached in {timeout}s:\n{self.text()[-3000:]}")

    def finish(self, timeout: float = 600.0) -> int:
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return rc

    def text(self) -> str:
        return self.err.decode(errors="replace")


def _wait_group_gone(pgid: int, timeout: float = 10.0) -> None:
    """SIGKILL returns before the workers are dead: one mid-rename still completes it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def _state(folder: Path) -> dict[str, tuple[str, int]]:
    """key -> (sha256, mtime_ns) of every store file under folder (a writer's .tmp-* file
    is not store content: FileStore.list skips it too)."""
    if not folder.is_dir():
        return {}
    state = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith(".tmp-"):
            state[p.relative_to(folder).as_posix()] = (
                hashlib.sha256(p.read_bytes()).hexdigest(),
                p.stat().st_mtime_ns,
            )
    return state


def _run_inputs(root: Path) -> tuple[list[str], Path]:
    """Three sessions to transcribe (real audio), one with its transcript, a few clips; the
    `silkpipe run` command line over them and its store."""
    sessions = root / "sessions"
    for name in ASR:
        badinputs.copy_session(
            name, sessions, name, files=("sensor_data.csv", "metadata.json", "audio_16k.wav")
        )
    badinputs.copy_session(
        badinputs.GOOD[0],
        sessions,
        badinputs.GOOD[0],
        files=("sensor_data.csv", "whisperx_output.json"),
    )
    clips = badinputs.clips_subset(root / "clips", per_class=3)
    store = root / "store"
    argv = ["run", str(sessions), "--clips", str(clips), "--store", str(store)]
    return [*argv, "--run-id", RUN, "--workers", "2"], store


@pytest.fixture(scope="module")
def killed_twice(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    (root / "tmp").mkdir()
    argv, store = _run_inputs(root)
    transcripts = store / "runs" / RUN / "transcripts"

    first = Attempt(root, argv)

    def one_asr_done() -> bool:
        done = {p.stem for p in transcripts.glob("*.json")} if transcripts.is_dir() else set()
        return bool(done & set(ASR)) and not set(ASR) <= done

    first.kill_when(one_asr_done)
    after_first = _state(transcripts)
    manifest_after_first = (store / "runs" / RUN / "manifest.json").exists()
    cache_first = _state(store / "cache")

    second = Attempt(root, argv)
    second.kill_when(lambda: any(int(m) >= 2 for m in EPOCH_LINE.findall(bytes(second.err))))
    after_second = {
        "transcripts": _state(transcripts),
        "labels": _state(store / "runs" / RUN / "labels"),
    }
    killed_at_epoch = max(int(m) for m in EPOCH_LINE.findall(bytes(second.err)))

    third = Attempt(root, argv)
    rc = third.finish()
    return {
        "root": root,
        "store": store,
        "after_first": after_first,
        "cache_first": cache_first,
        "manifest_after_first": manifest_after_first,
        "after_second": after_second,
        "killed_at_epoch": killed_at_epoch,
        "rc": rc,
        "first": first.text(),
        "second": second.text(),
        "third": third.text(),
    }


def test_first_kill_left_only_whole_transcripts(killed_twice):
    done = killed_twice["after_first"]
    assert done and len(done) < 3, done
    store = killed_twice["store"]
    assert not killed_twice["manifest_after_first"], "a killed run must not look finished"
    for key in done:  # whatever existed at the kill is whole JSON with words
        doc = json.loads((store / "runs" / RUN / "transcripts" / key).read_text())
        assert "segments" in doc


def test_finished_transcripts_not_redone(killed_twice):
    store = killed_twice["store"]
    final = _state(store / "runs" / RUN / "transcripts")
    assert set(final) == {f"{s}.json" for s in (*ASR, badinputs.GOOD[0])}
    for key, (digest, mtime) in killed_twice["after_first"].items():
        assert final[key] == (digest, mtime), f"{key} was transcribed again"
    for key, value in killed_twice["after_second"]["transcripts"].items():
        assert final[key] == value, f"{key} changed after the training kill"
    # the cache entry written before the first kill is untouched too
    final_cache = _state(store / "cache")
    for key, value in killed_twice["cache_first"].items():
        assert final_cache[key] == value


def test_labels_not_redone(killed_twice):
    labels = _state(killed_twice["store"] / "runs" / RUN / "labels")
    before = killed_twice["after_second"]["labels"]
    assert before, "align had not run before the training kill"
    for key, value in before.items():
        if key != "summary.json":  # the join summary is rewritten each time (same content)
            assert labels[key] == value, f"{key} was recomputed"


def test_training_resumed_from_checkpoint(killed_twice):
    third = killed_twice["third"]
    assert killed_twice["rc"] == 0, third[-3000:]
    match = re.search(r"resuming from checkpoint after epoch (\d+)", third)
    assert match, "the re-run trained from scratch instead of resuming:\n" + third[-2000:]
    # the line says epoch N after checkpoint N is saved; a later one may land before the kill
    assert int(match.group(1)) >= killed_twice["killed_at_epoch"] >= 2


def test_final_outputs_whole(killed_twice):
    import torch

    store = killed_twice["store"]
    run = store / "runs" / RUN
    assert killed_twice["rc"] == 0, killed_twice["third"][-3000:]
    model = run / "model" / json.loads((run / "model.json").read_text())["version"]
    history = json.loads((model / "history.json").read_text())
    assert [row["epoch"] for row in history] == list(range(1, len(history) + 1))
    config = json.loads((model / "config.json").read_text())
    assert config["training"]["epochs"] == len(history)
    torch.jit.load(str(model / "model.ts"))
    manifest = json.loads((run / "manifest.json").read_text())
    for artifact in manifest["artifacts"]:
        data = (store / artifact["key"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == artifact["sha256"], artifact["key"]
    leftovers = [p for p in store.rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == [], leftovers


def test_no_stale_work_folders(killed_twice):
    """The killed attempts' temp folders are reused or removed, not left behind."""
    left = sorted(
        p.name for p in (killed_twice["root"] / "tmp").iterdir() if p.name.startswith("silkpipe")
    )
    assert left == [], left
