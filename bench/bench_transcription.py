"""Transcription speed on the real session 20251017_135233 (89 s) and the commands it hears.

- default backend (faster-whisper, bundled tiny.en, int8) on 2 CPU threads: real-time
  factor, median of 3 with the model loaded (load time reported apart);
- the whisperx backend on CPU (in .venv-whisperx, if built) on the first 30 s: pyannote VAD
  + batched tiny.en + alignment with a tiny random wav2vec2 (code path, so the figure is
  transcription + VAD cost, not a real aligner's);
- commands per class the default settings find in the session.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from silkpipe.speech import SAMPLE_RATE, read_wav, write_wav
from silkpipe.transcription import Settings, load_faster_whisper, transcribe_audio
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.vocabulary import CLASSES

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SESSION = DATA / "sessions" / "20251017_135233_session" / "audio_16k.wav"
WHISPERX_PYTHON = REPO / ".venv-whisperx" / "bin" / "python"
THREADS = 2


def _default_rows(audio) -> list[dict]:
    settings = Settings()
    started = time.perf_counter()
    load_faster_whisper(settings, THREADS)
    load_s = time.perf_counter() - started
    runs = [transcribe_audio(audio, settings, THREADS) for _ in range(3)]
    rtf = statistics.median(r["silkpipe"]["real_time_factor"] for r in runs)
    commands = extract_commands(parse_transcript(runs[0])).commands
    found = Counter(c.cls for c in commands)
    per_class = ", ".join(f"{cls} {found.get(cls, 0)}" for cls in CLASSES)
    cmd = "python -m bench transcription"
    return [
        {
            "name": "transcribe: faster-whisper tiny.en int8, 2 threads, real session 89 s",
            "figure": f"{rtf:.1f}x real time (median of 3; load {load_s:.2f} s)",
            "target": ">= 40x",
            "command": cmd,
        },
        {
            "name": "transcribe: commands found in session 20251017_135233",
            "figure": f"{len(commands)} ({per_class}); {len(runs[0]['word_segments'])} words",
            "target": "",
            "command": cmd,
        },
    ]


def _whisperx_row(audio) -> list[dict]:
    if not WHISPERX_PYTHON.exists():
        return [
            {
                "name": "transcribe: whisperx backend on CPU",
                "figure": "not measured (.venv-whisperx missing: make whisperx-venv)",
                "target": "",
                "command": "make whisperx-venv && python -m bench transcription",
            }
        ]
    with tempfile.TemporaryDirectory() as tmp:
        clip, out = Path(tmp) / "clip.wav", Path(tmp) / "out.json"
        write_wav(clip, audio[: 30 * SAMPLE_RATE])
        env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
        probe = REPO / "bench" / "whisperx_probe.py"
        started = time.perf_counter()
        subprocess.run(
            [str(WHISPERX_PYTHON), str(probe), str(clip), str(Path(tmp) / "work"), str(out)],
            env=env,
            check=True,
            capture_output=True,
            timeout=1200,
        )
        total = time.perf_counter() - started
        meta = json.loads(out.read_text())["silkpipe"]
    return [
        {
            "name": "transcribe: whisperx backend on CPU (tiny.en int8, pyannote VAD, align), 30 s",
            "figure": f"{meta['real_time_factor']:.2f}x real time "
            f"({meta['wall_seconds']:.1f} s in the backend, {total:.0f} s with process start)",
            "target": "",
            "command": "python -m bench transcription",
        }
    ]


def rows() -> list[dict]:
    if not SESSION.exists():
        raise FileNotFoundError(f"{SESSION} is missing (bench reads ../shared/data)")
    audio = read_wav(SESSION)
    return _default_rows(audio) + _whisperx_row(audio)


if __name__ == "__main__":
    for row in rows():
        print(row)
