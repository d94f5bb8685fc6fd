"""Two runs sharing one S3 store and transcript cache, in parallel processes, stay apart.

Both ``silkpipe run`` processes upload the same real sessions into the same ``sessions/``
keys (one with its own WhisperX transcript, one with audio only, so both race on one
``cache/transcripts/`` key), transcribe the same audio and write their own ``runs/<id>/``.
No clips: the voice session passes the gate, so each run trains on its voice labels alone
(run-scoped keys only) and writes its report and manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import badinputs

from silkpipe.store import open_store

URI = "s3://silkpipe-shared/team"
RUNS = ("conc-a", "conc-b")
#: The real session with a transcript that passes the gate on its own (a second one would
#: only add its alignment time to both runs).
VOICE = badinputs.GOOD[1]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _start_runs(tmp_path: Path, sessions: Path) -> list[subprocess.Popen]:
    """Both runs started at once on the same sessions and store, each as its own process."""
    env = {k: v for k, v in os.environ.items() if k != "SILKPIPE_PUSHGATEWAY"}
    env["TMPDIR"] = str(tmp_path / "tmp")  # work folders must be gone at the end
    (tmp_path / "tmp").mkdir()
    cli = [sys.executable, "-m", "silkpipe.cli", "run", str(sessions), "--store", URI]
    return [
        subprocess.Popen(
            [*cli, "--run-id", run, "--workers", "1"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run in RUNS
    ]


def _check_run(store, run: str, words: list[str]) -> dict[str, bytes]:
    """One run's artifacts are its own, whole and unchanged by the other run; returns its
    label files."""
    prefix = f"runs/{run}"
    manifest = json.loads(store.get_bytes(f"{prefix}/manifest.json"))
    assert manifest["run_id"] == run
    keys = {a["key"] for a in manifest["artifacts"]}
    assert keys and all(k.startswith(prefix + "/") for k in keys), keys
    assert keys == set(store.list(prefix)) - {f"{prefix}/manifest.json"}
    for artifact in manifest["artifacts"]:  # nothing overwritten by the other run
        assert _sha(store.get_bytes(artifact["key"])) == artifact["sha256"], artifact["key"]
    version = json.loads(store.get_bytes(f"{prefix}/labels.json"))["version"]
    label_set = f"{prefix}/labels/{version}"
    summary = json.loads(store.get_bytes(f"{label_set}/summary.json"))
    assert sorted(summary["sessions"]) == sorted([VOICE, badinputs.AUDIO])
    assert summary["failed"] == {}
    transcript = json.loads(store.get_bytes(f"{prefix}/transcripts/{badinputs.AUDIO}.json"))
    assert [w["word"] for w in transcript["word_segments"]] == words
    assert transcript["silkpipe"]["session"] == badinputs.AUDIO
    page = store.get_bytes(f"{prefix}/report/index.html").decode()
    assert run in page and RUNS[1 - RUNS.index(run)] not in page
    return {s: store.get_bytes(f"{label_set}/{s}.csv") for s in summary["sessions"]}


def test_parallel_runs_share_store_and_cache(tmp_path, s3_env):
    sessions = tmp_path / "sessions"
    badinputs.copy_session(
        VOICE, sessions, VOICE, files=("sensor_data.csv", "metadata.json", "whisperx_output.json")
    )
    badinputs.copy_session(
        badinputs.AUDIO,
        sessions,
        badinputs.AUDIO,
        files=("sensor_data.csv", "metadata.json", "audio_16k.wav"),
    )
    procs = _start_runs(tmp_path, sessions)
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert "Traceback" not in err, err[-3000:]
        # the real voice session passes the gate on its rebuilt watch clock, so both runs
        # train on its voice labels alone and finish whole
        assert proc.returncode == 0, err[-3000:]
        assert s3_env["SILKPIPE_S3_SECRET_KEY"] not in err

    store = open_store(URI)
    # inputs: exactly the source bytes, whoever uploaded last
    for folder in sessions.iterdir():
        for path in folder.iterdir():
            assert store.get_bytes(f"sessions/{folder.name}/{path.name}") == path.read_bytes()
    # one cache entry for the one audio file and config, holding a whole transcript
    audio_sha = _sha((sessions / badinputs.AUDIO / "audio_16k.wav").read_bytes())
    cached = store.list(f"cache/transcripts/{audio_sha}")
    assert len(cached) == 1, cached
    cache_doc = json.loads(store.get_bytes(cached[0]))
    words = [w["word"] for w in cache_doc["word_segments"]]
    assert words, "the real session's audio produced no words"

    labels = {run: _check_run(store, run, words) for run in RUNS}
    assert labels[RUNS[0]] == labels[RUNS[1]], "same inputs, same labels in both runs"
    left = [p.name for p in (tmp_path / "tmp").iterdir() if "silkpipe" in p.name]
    assert left == [], f"work folders left in TMPDIR: {left}"
    secret = s3_env["SILKPIPE_S3_SECRET_KEY"].encode()
    assert not [k for k in store.list("") if secret in store.get_bytes(k)]
