"""Transcribe step: one session's audio -> ``runs/<id>/transcripts/<session>.json``.

The transcript records its inputs (the audio's sha256 and the transcription settings'
hash, or the sha256 of the session's own ``whisperx_output.json``); it is re-used only
when they match. Transcripts are also cached across runs under
``cache/transcripts/<audio-sha256>/<settings-hash>.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from silkpipe import store as keys
from silkpipe.errors import InputError, parse_json
from silkpipe.steps.common import (
    STEP_VERSION,
    clear_failure,
    is_sealed,
    origin_of,
    read_run_inputs,
    record_failure,
    sealed,
    session_files,
    session_input,
)
from silkpipe.store import Store, StoreFault
from silkpipe.transcription import Settings, decode_session_audio, transcribe_audio

OWN_TRANSCRIPT = "whisperx_output.json"
AUDIO_FILES = ("audio_16k.wav", "audio.wav")

#: ``(audio, settings) -> WhisperX-shaped dict``: a loaded model can be passed in, so a
#: worker that transcribes several sessions loads it once.
Transcriber = Callable[[np.ndarray, Settings], dict]


@dataclass(frozen=True)
class TranscribeConfig:
    """Everything that changes a transcript (``settings``), plus where it runs."""

    settings: Settings = field(default_factory=Settings)
    threads: int | None = None


def transcribe_session(
    store: Store,
    run_id: str,
    session: str,
    cfg: TranscribeConfig | None = None,
    *,
    force: bool = False,
    transcriber: Transcriber | None = None,
) -> dict:
    """Write the session's transcript (or re-use the one made from the same inputs).

    Returns figures for the step metrics, with ``source``: run-output, session-transcript,
    cache or transcribed. A failure removes the stale transcript, records
    ``failures/transcribe/<session>.json`` and is raised again.
    """
    cfg = cfg or TranscribeConfig()
    out_key = keys.transcript_key(run_id, session)
    try:
        figures = _transcribe(store, run_id, session, cfg, force, transcriber)
    except StoreFault:
        raise
    except Exception as err:
        store.delete(out_key)  # never leave a transcript made from other inputs or settings
        reason = record_failure(store, run_id, "transcribe", session, err)
        if isinstance(err, InputError) and reason != str(err):
            raise InputError(reason) from None  # the message names the session
        raise
    clear_failure(store, run_id, "transcribe", session)
    return figures


def transcript_inputs(files: dict[str, str], settings: Settings) -> dict:
    """What a transcript of these session files with these settings is made from."""
    if OWN_TRANSCRIPT in files:
        return {"transcript": files[OWN_TRANSCRIPT], "step": STEP_VERSION["transcribe"]}
    audio = next((files[n] for n in AUDIO_FILES if n in files), None)
    return {"audio": audio, "settings": settings.config_hash(), "step": STEP_VERSION["transcribe"]}


def _transcribe(store, run_id, session, cfg, force, transcriber) -> dict:
    files = session_files(read_run_inputs(store, run_id), session)
    wanted = transcript_inputs(files, cfg.settings)
    out_key = keys.transcript_key(run_id, session)
    if not force:
        old = _read_json(store, out_key)
        if is_sealed(old) and old["silkpipe"].get("inputs") == wanted:
            return _figures(old, 1, "run-output")
    if OWN_TRANSCRIPT in files:
        result, cached, source = _own_transcript(store, run_id, session), 1, "session-transcript"
    else:
        result, cached, source = _from_audio(store, run_id, session, cfg, force, transcriber)
    result.setdefault("silkpipe", {})["inputs"] = wanted
    result = sealed(result)
    keys.put_json(store, out_key, result)
    return _figures(result, cached, source)


def _own_transcript(store: Store, run_id: str, session: str) -> dict:
    from silkpipe.transcripts import parse_transcript

    key = keys.session_key(session, OWN_TRANSCRIPT)
    inputs = read_run_inputs(store, run_id)
    data = session_input(store, inputs, session, OWN_TRANSCRIPT)
    where = origin_of(inputs, key)  # errors name the user's file
    result = parse_json(data, session=session, path=where)
    parse_transcript(result, session=session, path=where)  # validates the shape
    meta = result.get("silkpipe")
    result["silkpipe"] = meta if isinstance(meta, dict) else {}
    result["silkpipe"].update({"backend": "session-whisperx-output", "source": key})
    return result


def _from_audio(store, run_id, session, cfg, force, transcriber) -> tuple[dict, int, str]:
    inputs = read_run_inputs(store, run_id)
    files = session_files(inputs, session)
    name = next((n for n in AUDIO_FILES if n in files), None)
    if name is None:
        raise InputError(
            "no audio (audio_16k.wav or audio.wav) and no whisperx_output.json",
            session=session,
            path=origin_of(inputs, f"{keys.session_prefix(session)}/"),
        )
    cache_key = keys.transcript_cache_key(files[name], cfg.settings.config_hash())
    if not force:
        cached = _read_json(store, cache_key)
        if is_sealed(cached):
            cached["silkpipe"]["cache_key"] = cache_key
            return cached, 1, "cache"
    audio_key = keys.session_key(session, name)
    audio = decode_session_audio(
        session_input(store, inputs, session, name), session, origin_of(inputs, audio_key)
    )
    if transcriber is not None:
        result = transcriber(audio, cfg.settings)
    else:
        result = transcribe_audio(audio, cfg.settings, cfg.threads)
    result["silkpipe"].update(
        {"audio_sha256": files[name], "audio_key": audio_key, "session": session}
    )
    keys.put_json(store, cache_key, sealed(result))
    return result, 0, "transcribed"


def _read_json(store: Store, key: str):
    try:
        return keys.get_json(store, key)
    except (KeyError, ValueError):
        return None


def _figures(result: dict, cached: int, source: str) -> dict:
    meta = result.get("silkpipe")
    meta = meta if isinstance(meta, dict) else {}
    words = sum(
        len(seg.get("words") or []) for seg in result.get("segments") or [] if isinstance(seg, dict)
    )

    def number(k: str) -> float:
        value = meta.get(k)
        return float(value) if isinstance(value, int | float) else 0.0

    return {
        "audio_seconds": number("audio_seconds"),
        "wall_seconds": number("wall_seconds"),
        "real_time_factor": number("real_time_factor"),
        "words": words,
        "cached": cached,
        "source": source,
    }
