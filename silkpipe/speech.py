"""Offline speech synthesis for generated sessions and transcription checks (espeak-ng)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16000


def synthesize(text: str, voice: str = "en-us", words_per_minute: int = 160) -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono at 16 kHz in [-1, 1]."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed (Debian package espeak-ng; `make install`)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            [binary, "-v", voice, "-s", str(words_per_minute), "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        return read_wav(out)


def read_wav(path: str | Path) -> np.ndarray:
    """Read a PCM WAV as float32 mono at 16 kHz."""
    with wave.open(str(path), "rb") as handle:
        rate = handle.getframerate()
        channels = handle.getnchannels()
        width = handle.getsampwidth()
        frames = handle.readframes(handle.getnframes())
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit WAV, expected 16-bit PCM")
    audio = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        audio = audio.reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE:
        from math import gcd

        g = gcd(rate, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, rate // g).astype(np.float32)
    return audio


def write_wav(path: str | Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write float audio in [-1, 1] as 16-bit PCM mono."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
