"""Offline speech synthesis for generated sessions and transcription checks.

Two engines, both Debian packages: espeak-ng (robotic, any rate) and Festival
(`festival` with the more natural `festvox-us-slt-hts` and `festvox-kallpc16k` voices).
Also the WAV reader every step uses, which rejects corrupt or truncated files.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000

#: Festival voices by short name -> the Scheme voice function (Debian packages).
FESTIVAL_VOICES: dict[str, str] = {
    "slt": "voice_cmu_us_slt_arctic_hts",  # festvox-us-slt-hts: US female, HMM
    "kal": "voice_kal_diphone",  # festvox-kallpc16k: US male, diphone
}
#: Festival's natural rate on our phrases (measured, both voices); other rates via sox tempo.
FESTIVAL_BASE_WPM = 175


class WavError(ValueError):
    """A WAV file that cannot be decoded: the message says what is wrong with it."""


def synthesize(text: str, voice: str = "en-us", words_per_minute: int = 160) -> np.ndarray:
    """Speak ``text``; float32 mono at 16 kHz in [-1, 1].

    ``voice`` is an espeak-ng voice ("en-us", "en-us+f3", ...) or ``festival:NAME`` with
    NAME in FESTIVAL_VOICES ("festival:slt", "festival:kal").
    """
    if voice.startswith("festival:"):
        return _festival(text, voice.split(":", 1)[1], words_per_minute)
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


def _festival(text: str, name: str, words_per_minute: int) -> np.ndarray:
    if name not in FESTIVAL_VOICES:
        raise ValueError(f"unknown Festival voice {name!r}; one of {sorted(FESTIVAL_VOICES)}")
    binary = shutil.which("text2wave")
    if binary is None:
        raise RuntimeError(
            "Festival is not installed (Debian packages festival festvox-us-slt-hts "
            "festvox-kallpc16k)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "text.txt", Path(tmp) / "speech.wav"
        src.write_text(text + "\n", encoding="utf-8")
        setup = f"({FESTIVAL_VOICES[name]})"
        subprocess.run(
            [binary, "-eval", setup, "-o", str(out), str(src)], check=True, capture_output=True
        )
        tempo = words_per_minute / FESTIVAL_BASE_WPM
        if abs(tempo - 1.0) > 0.02:
            # The HTS voice ignores Duration_Stretch: change the rate with sox's WSOLA tempo
            # (pitch kept) for both voices so rates mean the same thing.
            sox = shutil.which("sox")
            if sox is None:
                raise RuntimeError("sox is not installed (Debian package sox)")
            fast = Path(tmp) / "tempo.wav"
            subprocess.run(
                [sox, "-R", str(out), str(fast), "tempo", "-s", f"{tempo:.3f}"],  # -R: same dither
                check=True,
                capture_output=True,
            )
            out = fast
        return read_wav(out)


def decode_wav(data: bytes, name: str = "audio") -> np.ndarray:
    """Decode 16-bit PCM WAV bytes to float32 mono 16 kHz; WavError if corrupt or truncated."""
    if not data:
        raise WavError("empty file (0 bytes)")
    try:
        with wave.open(io.BytesIO(data), "rb") as handle:
            rate = handle.getframerate()
            channels = handle.getnchannels()
            width = handle.getsampwidth()
            expected = handle.getnframes()
            frames = handle.readframes(expected)
    except (wave.Error, EOFError, RuntimeError, ValueError, struct.error) as err:
        raise WavError(f"not a readable WAV file ({err})") from None
    if width != 2:
        raise WavError(f"{8 * width}-bit WAV, expected 16-bit PCM")
    if rate <= 0 or channels <= 0:
        raise WavError(f"invalid header: {rate} Hz, {channels} channels")
    got = len(frames) // (width * channels)
    if got < expected:
        raise WavError(f"truncated: header says {expected} frames, file holds {got}")
    if got == 0:
        raise WavError("no audio frames")
    audio = np.frombuffer(frames[: got * width * channels], dtype="<i2").astype(np.float32)
    audio /= 32768.0
    if channels > 1:
        audio = audio.reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(rate, SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, rate // g).astype(np.float32)
    return audio


def read_wav(path: str | Path) -> np.ndarray:
    """Read a PCM WAV as float32 mono at 16 kHz."""
    return decode_wav(Path(path).read_bytes(), str(path))


def write_wav(path: str | Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write float audio in [-1, 1] as 16-bit PCM mono."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
