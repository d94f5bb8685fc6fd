"""Offline speech synthesis for generated sessions and transcription checks.

Two engines, both Debian packages: espeak-ng (robotic, any rate) and Festival
(`festival` with the more natural `festvox-us-slt-hts` and `festvox-kallpc16k` voices).
Also the WAV reader every step uses, which rejects corrupt or truncated files.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
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
        _engine([binary, "-v", voice, "-s", str(words_per_minute), "-w", str(out), text])
        return read_wav(out)


def _engine(argv: list[str]) -> None:
    """Run a speech engine (or sox); CalledProcessError where it fails. One the file-size
    limit (`ulimit -f`) killed is OSError EFBIG naming no file, so the command's line names
    the folder it writes and the limit (writing_to), as a Python write past it does:
    espeak-ng died under any limit below 64 MiB (its audio library sizes a 64-MiB buffer
    file first) and the line was espeak's whole command and its temporary file
    (bad_input_sweep58)."""
    try:
        subprocess.run(argv, check=True, capture_output=True)
    except subprocess.CalledProcessError as err:
        if err.returncode != -signal.SIGXFSZ:
            raise
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        why = f"{os.strerror(errno.EFBIG)}: {Path(argv[0]).name} was stopped by the file-size limit"
        raise OSError(errno.EFBIG, f"{why} (`ulimit -f`: {limit} bytes a file)") from None


def voice_problem(voice: str) -> str | None:
    """Why ``voice`` cannot speak (an espeak-ng voice that does not exist, a Festival voice
    not in FESTIVAL_VOICES, the engine missing), or None: one short word is spoken."""
    try:
        synthesize("jump", voice)
    except subprocess.CalledProcessError as err:
        said = (err.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        return said[-1] if said else f"the speech engine exited with status {err.returncode}"
    except (ValueError, RuntimeError) as err:
        return str(err)
    return None


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
        _engine([binary, "-eval", setup, "-o", str(out), str(src)])
        tempo = words_per_minute / FESTIVAL_BASE_WPM
        if abs(tempo - 1.0) > 0.02:
            # The HTS voice ignores Duration_Stretch: change the rate with sox's WSOLA tempo
            # (pitch kept) for both voices so rates mean the same thing.
            sox = shutil.which("sox")
            if sox is None:
                raise RuntimeError("sox is not installed (Debian package sox)")
            fast = Path(tmp) / "tempo.wav"
            _engine([sox, "-R", str(out), str(fast), "tempo", "-s", f"{tempo:.3f}"])  # -R: dither
            out = fast
        return read_wav(out)


#: Sample rates a WAV header may name: anything else is a corrupt header, and resampling
#: from it would size the output from a nonsense ratio (1 Hz -> 16000x the samples).
MIN_RATE, MAX_RATE = 4000, 384000
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def _chunks(data: bytes) -> dict[bytes, tuple[int, int]]:
    """RIFF chunk id -> (offset, size as the header says) of a WAV file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError("not a readable WAV file (no RIFF/WAVE header)")
    chunks: dict[bytes, tuple[int, int]] = {}
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks.setdefault(cid, (pos + 8, size))
        if cid == b"data":
            break
        pos += 8 + size + (size & 1)
    return chunks


#: (format tag, bits) a recorder writes; every one is read, not refused (a phone app's
#: 8-bit or 24-bit recording is as good a session as a 16-bit one).
_SAMPLE_FORMATS = ((_PCM, 8), (_PCM, 16), (_PCM, 24), (_PCM, 32), (_FLOAT, 32), (_FLOAT, 64))


def _samples(raw: bytes, tag: int, bits: int) -> np.ndarray:
    """Interleaved samples -> float32 in [-1, 1] (non-finite floats -> 0 / +-1)."""
    if tag == _FLOAT:
        audio = np.frombuffer(raw, dtype="<f4" if bits == 32 else "<f8")
        audio = np.nan_to_num(audio, nan=0.0, posinf=1.0, neginf=-1.0)
        return np.clip(audio, -1.0, 1.0).astype(np.float32)
    if bits == 8:  # unsigned, 128 is silence
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if bits == 24:  # three little-endian bytes: widen to int32 with the sign in the top byte
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = (b[:, 0] << 8 | b[:, 1] << 16 | b[:, 2] << 24) >> 8
        return value.astype(np.float32) / 8388608.0
    dtype = "<i2" if bits == 16 else "<i4"
    return (np.frombuffer(raw, dtype=dtype).astype(np.float64) / 2.0 ** (bits - 1)).astype(
        np.float32
    )


def _wav_format(data: bytes, chunks: dict) -> tuple[int, int, int, int]:
    """(format tag, channels, rate, bits per sample) from the fmt chunk, checked."""
    if b"fmt " not in chunks:
        raise WavError("not a readable WAV file (no fmt chunk)")
    at, size = chunks[b"fmt "]
    if size < 16 or at + 16 > len(data):
        raise WavError("not a readable WAV file (fmt chunk cut off)")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[at : at + 16])
    if tag == _EXTENSIBLE and size >= 26 and at + 26 <= len(data):
        tag = struct.unpack("<H", data[at + 24 : at + 26])[0]
    if (tag, bits) not in _SAMPLE_FORMATS:
        raise WavError(
            f"{bits}-bit {'float' if tag == _FLOAT else f'format {tag}'} WAV: "
            "expected 8/16/24/32-bit PCM or 32/64-bit float"
        )
    if channels <= 0 or not MIN_RATE <= rate <= MAX_RATE:
        raise WavError(
            f"invalid header: {rate} Hz, {channels} channels (a sample rate "
            f"must lie in {MIN_RATE}-{MAX_RATE} Hz)"
        )
    return tag, channels, rate, bits


def decode_wav(data: bytes, name: str = "audio") -> np.ndarray:
    """Decode PCM (8/16/24/32-bit) or float (32/64-bit) WAV bytes to float32 mono 16 kHz.

    WavError if corrupt or truncated. A header whose data size was never filled in (the
    recorder was killed) is read to the end of the file.
    """
    if not data:
        raise WavError("empty file (0 bytes)")
    chunks = _chunks(data)
    tag, channels, rate, bits = _wav_format(data, chunks)
    if b"data" not in chunks:
        raise WavError("no audio frames (no data chunk)")
    at, size = chunks[b"data"]
    frame = channels * bits // 8
    if size in (0, 0xFFFFFFFF) and len(data) > at:
        size = len(data) - at  # header never finished: the audio runs to the end of the file
    expected, got = size // frame, (len(data) - at) // frame
    if got < expected:
        raise WavError(f"truncated: header says {expected} frames, file holds {got}")
    if expected == 0:
        raise WavError("no audio frames (the data chunk is empty)")
    audio = _samples(data[at : at + expected * frame], tag, bits)
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
