"""The whisperx backend run for real (not mocked) in .venv-whisperx on CPU.

whisperx 3.8.6 pins torch 2.8, so it lives in its own venv (`make whisperx-venv`); this test
runs our backend there in a subprocess over a short real clip with the bundled tiny.en:
pyannote VAD -> batched faster-whisper -> wav2vec2 forced alignment. The alignment model is
a tiny wav2vec2 CTC model with random weights built here with transformers (a code-path test:
its timestamps mean nothing). The first transcribe call is made to raise a CUDA
out-of-memory error, so the half-batch retry runs too.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from silkpipe.speech import SAMPLE_RATE, read_wav, write_wav

REPO = Path(__file__).resolve().parents[1]
WHISPERX_PYTHON = REPO / ".venv-whisperx" / "bin" / "python"
CLIP_SECONDS = 12

PROBE = REPO / "bench" / "whisperx_probe.py"


@pytest.fixture(scope="module")
def whisperx_python() -> Path:
    if not WHISPERX_PYTHON.exists():
        pytest.fail(
            f"{WHISPERX_PYTHON} is missing: run `make whisperx-venv` (whisperx 3.8.6 with its "
            "torch 2.8 in a second venv; ~3 min, ~7.7 GB)"
        )
    return WHISPERX_PYTHON


def test_whisperx_backend_runs_for_real_on_cpu(whisperx_python, data_dir, tmp_path):
    audio = read_wav(data_dir / "sessions" / "20251017_135233_session" / "audio_16k.wav")
    clip = tmp_path / "clip.wav"
    write_wav(clip, audio[: CLIP_SECONDS * SAMPLE_RATE])
    out = tmp_path / "result.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    proc = subprocess.run(
        [
            str(whisperx_python),
            str(PROBE),
            str(clip),
            str(tmp_path / "work"),
            str(out),
            "--oom-once",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(out.read_text())
    meta = result["silkpipe"]
    assert meta["backend"] == "whisperx"
    assert result["probe_calls"] == [4, 2]  # OOM at batch 4 -> retried at 2
    assert meta["batch_size_used"] == 2
    text = " ".join(seg["text"] for seg in result["segments"]).lower()
    assert "idle" in text or "walk" in text or "turn" in text, text  # real tiny.en heard them
    words = result["word_segments"]
    assert words and words == [w for s in result["segments"] for w in s["words"]]
    timed = [w for w in words if "start" in w]
    assert len(timed) >= len(words) // 2  # aligned by the (random) wav2vec2 model
    for w in timed:
        assert 0 <= w["start"] <= w["end"] <= CLIP_SECONDS + 0.5
        assert 0 <= w["score"] <= 1
