"""Shared fixtures: the real data folder and a real S3-protocol server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data: real recordings. Missing data is a failure, never a skip."""
    if not (DATA / "sessions").is_dir() or not (DATA / "clips-dev").is_dir():
        pytest.fail(f"real data not found at {DATA} (tests read ../shared/data)")
    return DATA


def every_nth_clip(data_dir: Path, folder: Path, n: int) -> Path:
    """Every n-th real clip of clips-dev (all classes, both blocks) copied into ``folder``
    (store mode does not follow links out of a clips folder): a small, quick training set."""
    for i, path in enumerate(sorted((data_dir / "clips-dev").glob("*.csv"))):
        if i % n == 0:
            shutil.copyfile(path, folder / path.name)
    return folder


def score_voice_two_sessions(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Two synthetic sessions (seed 21) and a clip folder to score them on (seed 22): the
    sessions, and `score-voice`'s argv for them (exact words, no controls, one short
    training run, a store under ``tmp_path``, JSON out)."""
    from silkpipe import synth
    from silkpipe.sessions import find_sessions

    synth.generate(tmp_path / "data", sessions=2, seed=21, duration=60, clips_per_class=2)
    synth.generate(tmp_path / "eval", sessions=1, seed=22, duration=20, clips_per_class=2)
    first, second = find_sessions(tmp_path / "data" / "sessions")
    argv = ["score-voice", str(tmp_path / "data" / "sessions"), "--clips"]
    argv += [str(tmp_path / "eval" / "clips"), "--oracle", "--no-controls", "--seeds", "1"]
    argv += ["--epochs", "1", "--store", str(tmp_path / "store"), "--json"]
    return first, second, argv


def what_rounds_hand(store_dir: Path, results: dict, read, refusal: tuple) -> dict:
    """What the align step's session-class rounds (steps.align._session_rounds) hand each
    session they re-align, as ``read(classes)`` per session: the classes are a stub (the
    passed sessions as trainers, no model) and every re-alignment returns ``refusal``."""
    from silkpipe.steps import align as step
    from silkpipe.store import open_store

    seen = {}

    def classes(_results, passed):
        return step.SessionClasses(model=None, trainers=passed, key="k")  # type: ignore[arg-type]

    def align(session, classes):  # called with classes= (the round's SessionClasses)
        seen[session] = read(classes)
        return refusal

    step._session_rounds(open_store(str(store_dir)), "r", classes, align, results, {}, False, {})
    return seen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3-protocol server on 127.0.0.1; yields the env the S3 store reads."""
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    env = {
        "SILKPIPE_S3_ENDPOINT": f"127.0.0.1:{port}",
        "SILKPIPE_S3_ACCESS_KEY": "test-access-key",
        "SILKPIPE_S3_SECRET_KEY": "test-secret-key-do-not-log",
        "SILKPIPE_S3_SECURE": "0",
    }
    yield env
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    for key, value in s3_server.items():
        monkeypatch.setenv(key, value)
    return s3_server


@pytest.fixture
def clean_env(monkeypatch):
    """No Pushgateway, so unit tests don't push metrics anywhere."""
    monkeypatch.delenv("SILKPIPE_PUSHGATEWAY", raising=False)
    return os.environ
