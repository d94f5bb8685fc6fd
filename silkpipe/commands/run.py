"""`silkpipe run`: the whole pipeline on this machine (the embedded default)."""

from __future__ import annotations

import json
import sys

from silkpipe.commands import (
    add_config_options,
    add_dir_option,
    add_test_split_option,
    chosen_test_split,
    config_from,
    counted,
    failure_code,
)
from silkpipe.commands.align import say_gate
from silkpipe.errors import PartialFailure
from silkpipe.pipeline import run_pipeline
from silkpipe.store import FileStore, Store, open_store


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run the whole pipeline locally: transcribe, align, train, evaluate, report",
        description=(
            "Upload SESSIONS_DIR (and each --clips folder) into the store, transcribe every "
            "session in parallel worker processes (sessions with a transcript or a cache hit "
            "are skipped), then align, train, evaluate and write the HTML report; re-running "
            "reuses finished work."
        ),
    )
    p.add_argument("sessions_dir", metavar="SESSIONS_DIR", help="folder of session folders")
    add_dir_option(
        p,
        "--clips",
        "the model is trained on them too; repeat it for several folders (days)",
        clips=True,
        repeat=True,
    )
    p.add_argument(
        "--store",
        default="artifacts",
        help="artifact store: a folder, file://PATH or s3://BUCKET/PREFIX (default %(default)s)",
    )
    p.add_argument(
        "--run-id", default="local", help="name of this run in the store (default %(default)s)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel transcription processes (default: one per core, at most one per session)",
    )
    p.add_argument(
        "--backend",
        default="faster-whisper",
        choices=["faster-whisper", "whisperx"],
        help="transcription backend (default %(default)s, offline tiny.en)",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="local CTranslate2 Whisper model folder (default: the bundled tiny.en)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="recompute every step although its outputs came from the same inputs (the "
        "quality gate still applies)",
    )
    add_test_split_option(p)
    from silkpipe.steps import AlignConfig

    add_config_options(p, AlignConfig, prefix="align_", title="alignment settings (as align's)")
    p.set_defaults(func=run)


def run(args) -> dict:
    from silkpipe.steps import AlignConfig, Settings, TranscribeConfig
    from silkpipe.transcription import BUNDLED_MODEL

    test_split = chosen_test_split(args)  # refused before anything is uploaded
    settings = Settings(backend=args.backend, model=args.model or BUNDLED_MODEL)
    result = run_pipeline(
        args.sessions_dir,
        args.store,
        args.run_id,
        clips_dirs=args.clips or (),
        workers=args.workers,
        transcribe=TranscribeConfig(settings=settings),
        align=config_from(args, AlignConfig(), prefix="align_"),
        force=args.force,
        test_split=test_split,
    )
    print(json.dumps(result, indent=2), file=sys.stderr)
    if result["gate"]:
        say_gate(result["gate"])
    store = open_store(args.store)  # once: an s3:// store asks its server at each opening
    if not result["step_errors"].get("report"):  # the summary's key is the store's, not a path
        print(f"report: {report_location(store, result['report'])}", file=sys.stderr)
    raise_if_partial(result, store, args.run_id)
    return {"sessions": result["sessions"], "wall_seconds": result["wall_seconds"]}


def report_location(store: Store, key: str) -> str:
    """Where the user opens the report: its path in a folder store (the JSON summary names
    the store key, relative to the store), else the store's URI and the key."""
    return str(store.root / key) if isinstance(store, FileStore) else f"{store.uri}/{key}"


def raise_if_partial(result: dict, store: Store, run_id: str) -> None:
    """PartialFailure when a session, a clip or a step failed; its line counts sessions
    and clips apart (a clip refused at upload, or named and skipped by train, is not a
    failed session). Exit 2 when every failure was bad input, 1 when any was a fault."""
    from silkpipe.errors import FAULT

    failed_steps = sorted(k for k, v in result["steps"].items() if v != 0)
    failed_sessions = sorted(
        {*result["skipped_at_upload"], *result["transcribe_failed"], *result["align_failed"]}
    )
    clips = sorted(result.get("clips_skipped_at_upload") or [])
    trained_without = result.get("clips_skipped_by_train") or []  # bad input, as at upload
    if not (failed_steps or failed_sessions or clips or trained_without):
        return
    code = failure_code(store, run_id, failed_sessions)
    if any(result["steps"][k] == FAULT for k in failed_steps):
        code = FAULT
    parts = [counted(failed_sessions, "session(s) failed")] if failed_sessions else []
    if clips:
        parts.append(counted(clips, "clip(s) skipped at upload"))
    if trained_without:
        parts.append(counted(trained_without, "clip(s) skipped by train"))
    if (clips or trained_without) and len(result.get("clip_folders") or []) > 1:
        parts.append(_numbered_folders(result["clip_folders"]))
    parts.append(f"steps with failures: {', '.join(failed_steps) or 'none'}; see the run report")
    raise PartialFailure("; ".join(parts), code)


def _numbered_folders(folders: list[str]) -> str:
    """ "clip folders 1 A, 2 B": a skipped clip of several folders is named ``<n>-<name>``."""
    from silkpipe.errors import shown

    return "clip folders " + ", ".join(f"{n} {shown(f)}" for n, f in enumerate(folders, 1))
