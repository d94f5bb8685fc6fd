"""The local runner: the whole job on one machine, calling the same step functions as the CLI.

Inputs are uploaded to the store and recorded as the run's own (``runs/<id>/inputs.json``),
so every step reads the sessions and clips of this run, never another run's. Transcription
fans out over worker processes that die with the runner (a killed runner leaves no worker
writing to the store); the other steps run in order.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from silkpipe import store as keys
from silkpipe.clips import (
    METADATA_NAME,
    clip_csvs,
    clip_folder_files,
    clips_hint,
    distinct_folders,
    folder_problem,
    is_sample_folder,
    metadata_problem,
    read_session_metadata,
)
from silkpipe.errors import InputError, check_ctrl_c, one_line, read_user_bytes, shown
from silkpipe.progress import progress_bar, say_line
from silkpipe.steps import AlignConfig, TrainConfig, TranscribeConfig
from silkpipe.steps.align import check_run_clips
from silkpipe.steps.common import (
    SESSION_FILES,
    bad_clips_named_once,
    record_run_inputs,
    sha256,
)
from silkpipe.store import Store, StoreError, StoreFault, check_name, open_store

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
WORKER_START = multiprocessing.get_context("spawn")


def _put_if_changed(store: Store, key: str, data: bytes) -> None:
    """Upload unless the store already holds the same bytes (re-runs upload nothing)."""
    if not _holds(store, key, data):
        store.put_bytes(key, data)


def _inside(path: Path, root: Path) -> bool:
    """True when ``path`` (links followed) stays inside ``root``."""
    return path.resolve().is_relative_to(root.resolve())


def _session_files(folder: Path, root: Path) -> dict[str, Path]:
    """The session files in a folder; InputError for a link that leads out of ``root``."""
    files = {}
    for name in SESSION_FILES:
        path = folder / name
        if path.is_symlink() and not _inside(path, root):
            raise InputError(
                "is a link out of the sessions folder: not read",
                session=folder.name,
                path=str(path),
            )
        if path.is_file():
            files[name] = path
        elif path.is_symlink() or path.exists():  # a folder, a pipe (a read would hang)
            raise InputError(
                "is not a regular file (a folder, a pipe or a broken link): not read",
                session=folder.name,
                path=str(path),
            )
    return files


def upload_inputs(
    store: Store,
    sessions_dir: Path,
    clips_dirs: Path | Sequence[Path] | None = None,
    skipped: dict[str, str] | None = None,
    *,
    run_id: str | None = None,
    skipped_clips: dict[str, str] | None = None,
) -> list[str]:
    """Copy session folders (and clips) into ``sessions/`` and ``clips/``; returns the names.

    A session folder that is a link out of ``sessions_dir`` (whatever it holds), one with
    no session files, or one with session files but an unsafe name or no
    ``sensor_data.csv``, is not uploaded: ``skipped`` receives name -> reason; a refused
    clip goes to ``skipped_clips`` (to ``skipped`` when not given), so a clip is never
    counted as a session. Several clip folders go to ``clips/<n>/`` (upload_clip_folders).
    With ``run_id``, the uploaded sessions and clips are recorded as that run's inputs,
    with the folders they came from (errors name the user's file).
    """
    root = Path(sessions_dir)
    if not root.is_dir():
        why = "is a file, not a folder" if root.exists() else "does not exist"
        raise InputError(f"sessions folder {sessions_dir} {why}")
    folders = clip_folders_to_upload(clips_dirs)
    _refuse_store_inside(store, root)
    skipped = {} if skipped is None else skipped
    sessions = _upload_sessions(store, root, skipped, not_sessions=folders)
    if not sessions and (run_id is not None or folders):  # nothing recorded
        raise InputError(no_sessions_reason(skipped, root), path=str(sessions_dir))
    refused_clips = skipped if skipped_clips is None else skipped_clips
    clips = upload_clip_folders(store, folders, refused_clips)
    if run_id is not None:
        rejected = {**refused_clips, **skipped}
        origins = {"sessions": str(root.resolve()), **_clip_origins(folders)}
        record_run_inputs(store, run_id, sessions, clips, rejected, origins=origins)
    return sorted(sessions)


def clip_folders_to_upload(clips_dirs: Path | Sequence[Path] | None) -> list[Path]:
    """The clip folders as Paths, checked before anything is uploaded: each is one error
    naming it when it is given twice, missing, not a folder, holds no clip CSV (empty,
    or another layout: session folders), or has a session_metadata.json that is not read
    (a link out, a folder: its clips would be uploaded without it, each then refused) or
    whose fields are bad (read_session_metadata)."""
    if clips_dirs is None:
        return []
    given = [clips_dirs] if isinstance(clips_dirs, str | Path) else list(clips_dirs)
    folders = distinct_folders(given)
    for folder in folders:
        if why := folder_problem(folder):
            raise InputError(f"clips folder {why}", path=str(folder))
        if not clip_csvs(folder):
            hint = clips_hint(folder) or " (empty, or another layout)"
            raise InputError(f"clips folder holds no clip CSV files{hint}", path=str(folder))
        if why := metadata_problem(folder):
            raise InputError(why, path=str(folder / METADATA_NAME))
        if is_sample_folder(folder):  # its fields (a date no recording has): align refused
            read_session_metadata(folder)  # the folder after every clip was uploaded
    return folders


def _clip_origins(folders: list[Path]) -> dict[str, str]:
    """inputs.json ``origins`` of the clip folders: ``clips`` for one, ``clips/<n>`` each
    for several (origin_of finds a clip's user file by the longest match)."""
    if len(folders) == 1:
        return {keys.clips_prefix(): str(folders[0].resolve())}
    return {f"{keys.clips_prefix()}/{n}": str(f.resolve()) for n, f in enumerate(folders, 1)}


def _refuse_store_inside(store: Store, root: Path) -> None:
    """A folder store inside the sessions folder (or that folder itself) is bad input, before
    anything is written: the first run went through, and every later one failed the
    store's own folders (runs, sessions) as sessions without sensor_data.csv."""
    where = getattr(store, "root", None)
    if isinstance(where, Path) and where.resolve().is_relative_to(root.resolve()):
        raise InputError(
            f"the store {where} lies inside the sessions folder: its folders would be read "
            "as sessions; give a --store outside it",
            path=str(root),
        )


def no_sessions_reason(refused: dict[str, str], root: Path) -> str:
    """Why a sessions folder gave no session: none there, every one refused, or the folder
    given is one session's own (a common slip: its parent was meant)."""
    if refused:
        return f"none of its {len(refused)} session folder(s) could be uploaded (each named above)"
    if (root / "sensor_data.csv").is_file():
        return (
            "is itself a session folder (it holds sensor_data.csv): give the folder that "
            f"holds the session folders ({root.resolve().parent})"
        )
    return "no session folders (with sensor_data.csv)"


def _upload_sessions(
    store: Store, root: Path, skipped: dict[str, str], not_sessions: Sequence[Path] = ()
) -> dict:
    """Upload every session folder under ``root``; session -> file -> sha256. A folder
    that cannot be read whole, or holds no session file, is refused (``skipped``), never
    uploaded in part; a hidden one with no session file (``.git``), or one of the run's
    clip folders (``not_sessions``: SESSIONS/clips given as --clips), is passed over."""
    sessions: dict[str, dict[str, str]] = {}
    clip_folders = {folder.resolve() for folder in not_sessions}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.resolve() in clip_folders:
            continue
        try:
            blobs = _read_session(folder, root)
            if not blobs and folder.name.startswith("."):
                continue
            if not blobs:
                raise InputError(_not_a_session(folder), session=folder.name, path=str(folder))
        except (InputError, StoreError) as err:
            skipped[folder.name] = one_line(err, session=folder.name)
            log.error("skipping session folder: %s", skipped[folder.name])
            continue
        _put_session(store, folder.name, blobs, uploaded=sorted(sessions))
        sessions[folder.name] = {name: sha256(data) for name, data in blobs.items()}
    return sessions


def _put_session(store: Store, name: str, blobs: dict[str, bytes], uploaded: list[str]) -> None:
    """One session's changed files into the store, its sensor stream last: a session is
    listed (``sessions list``, a run's inputs) by its sensor_data.csv, so a stored stream is
    taken away before any other file changes, and a fault part-way leaves no session listed
    with a mix of old and new files. The fault's line names the sessions uploaded whole
    before it (they are kept; a rerun uploads only what changed)."""
    in_order = sorted(blobs, key=lambda file: file == "sensor_data.csv")
    stream = keys.session_key(name, "sensor_data.csv")
    try:
        changed = [f for f in in_order if not _holds(store, keys.session_key(name, f), blobs[f])]
        if set(changed) - {"sensor_data.csv"} and store.exists(stream):
            store.delete(stream)  # unlisted until its other files are new
            if "sensor_data.csv" not in changed:  # else already last: put back after the rest
                changed.append("sensor_data.csv")
        for file in changed:
            store.put_bytes(keys.session_key(name, file), blobs[file])
    except StoreFault as fault:
        before = ", ".join(map(shown, uploaded[:5])) + (" ..." if len(uploaded) > 5 else "")
        kept = (
            f"{len(uploaded)} uploaded whole before it ({before})" if uploaded else "none before it"
        )
        raise StoreFault(f"{fault}; session {shown(name)} not uploaded whole; {kept}") from fault


def _holds(store: Store, key: str, data: bytes) -> bool:
    """Whether the store already holds exactly ``data`` at ``key``."""
    return store.exists(key) and sha256(store.get_bytes(key)) == sha256(data)


def _not_a_session(folder: Path) -> str:
    """Why a sub-folder with no session file is refused: empty, other files, or a folder
    of session folders (a day's folder inside SESSIONS_DIR: only SESSIONS_DIR's own
    sub-folders are read, so its sessions are named, not left out without a word)."""
    children = _names_in(folder)
    inner = [name for name in children if (folder / name / "sensor_data.csv").is_file()]
    if inner:
        return (
            f"is not a session but holds {len(inner)} session folder(s) "
            f"({', '.join(map(shown, inner[:3]))}): not read; sessions are the sessions "
            "folder's own sub-folders"
        )
    if not children:
        return "is an empty folder, not a session (sensor_data.csv is missing)"
    return f"holds no session files: {_missing_sensor(folder)}"


def _read_session(folder: Path, root: Path) -> dict[str, bytes]:
    """A session folder's files' bytes; a file the OS will not hand over (no permission,
    an I/O error) is InputError naming it, so the other sessions still upload."""
    if folder.is_symlink() and not _inside(folder, root):  # refused unread, whatever it holds
        raise InputError(
            "is a link out of the sessions folder: not read", session=folder.name, path=str(folder)
        )
    if not os.access(folder, os.R_OK | os.X_OK):
        raise InputError("cannot read the folder (permission denied)", path=str(folder))
    blobs = {}
    for name, path in _check_session(folder, root).items():
        blobs[name] = read_user_bytes(path, session=folder.name)
    return blobs


def _check_session(folder: Path, root: Path) -> dict[str, Path]:
    """A session folder's files; {} for a folder that holds no session files at all."""
    files = _session_files(folder, root)
    if not files:
        return {}
    try:
        check_name(folder.name, "session name")
    except StoreError as err:  # bad input like a bad file: named so, session and folder
        raise InputError(str(err), session=folder.name, path=str(folder)) from None
    if "sensor_data.csv" not in files:
        raise InputError(_missing_sensor(folder), session=folder.name, path=str(folder))
    if others := _other_sensor_files(folder):
        log.warning(
            "session %s: %s not read: only sensor_data.csv is (a second sensor file?)",
            shown(folder.name),
            ", ".join(others[:3]),
        )
    for name, meant in _miscased_files(folder):
        log.warning("session %s: %s not read: the name must be %s", shown(folder.name), name, meant)
    return files


def _miscased_files(folder: Path) -> list[tuple[str, str]]:
    """(name, the session file it would be) for a name that differs from one only in case
    ('audio_16k.WAV' of a Windows export): not read, and a session without its audio or
    transcript was then refused naming neither. Sensor files: _other_sensor_files."""
    meant = {f.lower(): f for f in SESSION_FILES if f != "sensor_data.csv"}
    return [
        (shown(n), meant[n.lower()])
        for n in _names_in(folder)
        if n.lower() in meant and n not in meant.values()
    ]


def _missing_sensor(folder: Path) -> str:
    """'sensor_data.csv is missing', naming a sensor-like file there that is not read."""
    others = _other_sensor_files(folder)
    seen = f" (the folder holds {', '.join(others[:3])}: not read)" if others else ""
    return f"sensor_data.csv is missing{seen}"


def _other_sensor_files(folder: Path) -> list[str]:
    """Names in ``folder`` that look like a sensor file but are not sensor_data.csv (a
    copy's 'sensor_data (1).csv', a renamed 'Sensor_Data.CSV'), shown as names."""
    return [
        shown(n)
        for n in _names_in(folder)
        if n.lower().startswith("sensor_data") and n != "sensor_data.csv"
    ]


def _names_in(folder: Path) -> list[str]:
    """The names in ``folder``, sorted; none where it cannot be listed (the hints that read
    them are only hints)."""
    try:
        return sorted(p.name for p in folder.iterdir())
    except OSError:
        return []


def upload_clip_folders(
    store: Store, folders: list[Path], skipped: dict[str, str]
) -> dict[str, str]:
    """Upload each clip folder whole; clip name -> sha256. One folder's clips keep the
    ``clips/<name>`` layout (and keys) they always had; several folders' go to
    ``clips/<n>/<name>``, n their place on the command line, and are named ``<n>/<name>``
    as train's local_clips names them, so the run's clips and the same folders given to
    ``train --clips`` make the same model key. A refused clip of folder n is ``<n>-<stem>``
    in ``skipped``, as train names the clips it skips."""
    if len(folders) == 1:
        return _upload_clips(store, folders[0], skipped)
    clips = {}
    for n, folder in enumerate(folders, 1):
        clips.update(_upload_clips(store, folder, skipped, place=str(n)))
    return clips


def _upload_clips(
    store: Store, clips_dir: Path, skipped: dict[str, str], place: str = ""
) -> dict[str, str]:
    def refuse(path: Path, why: str) -> None:
        """Record a refused clip and say it: the one line each refusal gets."""
        skipped[f"{place}-{path.stem}" if place else path.stem] = why
        log.error("skipping clip: %s", why)

    def link_out(path: Path, err: Exception) -> None:
        refuse(path, one_line(err, path=str(path)))

    clips = {}
    for path in clip_folder_files(clips_dir, on_error=link_out):
        try:
            check_name(path.name, "clip name")
        except StoreError as err:
            refuse(path, f"file {shown(str(path))}: {err}")
            continue
        try:
            data = path.read_bytes()
        except OSError as err:
            why = err.strerror or type(err).__name__
            refuse(path, f"file {shown(str(path))}: cannot read: {why}")
            continue
        name = f"{place}/{path.name}" if place else path.name
        _put_if_changed(store, keys.clip_key(name), data)
        clips[name] = sha256(data)
    return clips


# ---- transcription workers --------------------------------------------------------------


def _die_with(parent: int) -> None:
    """Worker start-up: get SIGKILL when the runner dies (OOM killer, SIGTERM, SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the runner's process group still reaches the workers
    if os.getppid() != parent:  # the runner died before prctl took effect
        os._exit(1)
    logging.getLogger().setLevel(logging.CRITICAL)  # reasons go back to the runner


def _transcribe_worker(store_uri: str, run_id: str, session: str, cfg, force: bool):
    """(session, reason or None, kind) for one session; runs in a worker process. A
    transcript made ``kind`` is where it came from (steps.transcribe's ``source``)."""
    from silkpipe.steps import transcribe_session

    try:
        figures = transcribe_session(open_store(store_uri), run_id, session, cfg, force=force)
    except StoreFault as err:
        return session, str(err), "store"
    except Exception as err:  # noqa: BLE001 - recorded by the step; the run goes on
        return session, one_line(err, session=session), "session"
    return session, None, str(figures.get("source") or "")


def _outcome(future, futures: dict, store_uri: str, run_id: str) -> tuple[str, str | None, str]:
    """A worker's answer; a worker that died (out of memory, a crash in native code) fails
    its session, not the run."""
    try:
        return future.result()
    except BrokenProcessPool as err:
        from silkpipe.steps.common import record_failure

        session = futures[future]
        died = RuntimeError(f"the transcription worker died ({err or 'killed'}): out of memory?")
        reason = record_failure(open_store(store_uri), run_id, "transcribe", session, died)
        return session, reason, "session"


def transcribe_all(
    store_uri: str,
    run_id: str,
    sessions: list[str],
    cfg: TranscribeConfig,
    *,
    workers: int,
    force: bool = False,
    progress: bool = True,
) -> dict[str, str]:
    """Transcribe sessions in worker processes; returns session -> reason for failures."""
    failed = {}
    sources: Counter[str] = Counter()
    # spawn, not fork: a runner that already loaded CTranslate2/OpenMP threads (a test
    # process, a notebook) hands a forked worker locked thread pools, and it hangs for ever
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=WORKER_START, initializer=_die_with, initargs=(os.getpid(),)
    ) as pool:
        with _workers_ignore_ctrl_c():  # submit starts the workers
            futures = {
                pool.submit(_transcribe_worker, store_uri, run_id, s, cfg, force): s
                for s in sessions
            }
        try:
            done = as_completed(futures)
            for future in progress_bar(
                done, total=len(futures), desc="transcribe", unit="session", enabled=progress
            ):
                session, reason, kind = _outcome(future, futures, store_uri, run_id)
                if kind == "store":
                    raise StoreFault(reason)
                if reason:
                    failed[session] = reason
                    say_line(f"silkpipe transcribe: error: {reason}")
                else:
                    sources[kind] += 1
        except KeyboardInterrupt:
            _stop_workers(pool)
            raise
    if sources:
        log.info("transcripts: %s", _said_sources(sources))
    return failed


#: How a transcript's source (steps.transcribe) is said after the transcribe step.
SOURCE_WORDS = {
    "transcribed": "transcribed",
    "run-output": "re-used from this run",
    "cache": "re-used from the store's cache",
    "session-transcript": "the session's own whisperx_output.json",
}


def _said_sources(sources: Counter[str]) -> str:
    """'1 transcribed, 3 re-used from this run': a re-run said nothing of re-use."""
    return ", ".join(f"{n} {SOURCE_WORDS.get(k, k)}" for k, n in sources.items() if n)


@contextmanager
def _workers_ignore_ctrl_c():
    """Workers started inside inherit SIGINT ignored. Ctrl-C reaches the whole process
    group, and a worker it caught printed its own traceback (one while still importing);
    the runner alone answers it, with one line, and stops the workers."""
    try:
        before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: SIGINT is not this caller's to set
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Ctrl-C: kill the workers (they ignore SIGINT) and drop the sessions not begun, so
    the pool's exit does not wait for every transcription still queued. The workers are
    a private of the pool: where it has none (another Python), they die with the runner."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


# ---- the whole run ----------------------------------------------------------------------


def run_pipeline(
    sessions_dir: str | Path,
    store_uri: str,
    run_id: str,
    *,
    clips_dirs: Sequence[str | Path] = (),
    workers: int | None = None,
    transcribe: TranscribeConfig | None = None,
    align: AlignConfig | None = None,
    train: TrainConfig | None = None,
    force: bool = False,
    progress: bool = True,
    test_split: bool = True,
) -> dict:
    """Upload -> transcribe (parallel) -> align -> train/evaluate -> report; the model is
    trained on the sessions and every folder of ``clips_dirs`` (``test_split``: whether
    train holds out a test set to score it, as ``train --no-test-split``)."""
    started = time.perf_counter()
    check_name(run_id, "run id")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    store = open_store(store_uri)
    skipped: dict[str, str] = {}
    skipped_clips: dict[str, str] = {}
    clip_folders = [Path(folder) for folder in clips_dirs]
    sessions = _upload_run(store, run_id, sessions_dir, clip_folders, (skipped, skipped_clips))
    check_run_clips(store, run_id)  # a clips folder align and train refuse: before transcribing
    workers = workers or min(len(sessions), os.cpu_count() or 1)
    cfg = _share_cores(transcribe or TranscribeConfig(), workers)
    seconds: dict[str, float] = {}
    steps: dict[str, int] = {}
    errors: dict[str, str] = {}
    mark = time.perf_counter()
    failed = transcribe_all(
        store_uri, run_id, sessions, cfg, workers=workers, force=force, progress=progress
    )
    # 2 marks "sessions failed"; whether any was a fault is in their failure records
    steps["transcribe"], seconds["transcribe"] = 2 if failed else 0, time.perf_counter() - mark
    train_step = (train, test_split)
    with bad_clips_named_once():  # align and train each read the clips: each named once
        aligned = _run_steps(
            store, run_id, align, train_step, force, progress, (steps, seconds, errors)
        )
    return {
        "sessions": len(sessions),
        "clip_folders": [str(folder) for folder in clip_folders],
        "skipped_at_upload": sorted(skipped),
        "clips_skipped_at_upload": sorted(skipped_clips),
        "transcribe_failed": sorted(failed),
        "align_failed": sorted(aligned.get("failed") or {}),
        "clips_skipped_by_train": _clips_train_skipped(store, run_id),
        # {} when align failed; a clip it skipped is in clips_skipped_by_train (one loader)
        "gate": {k: v for k, v in aligned.items() if k not in ("failed", "clips_skipped")},
        "steps": steps,
        "step_errors": errors,
        "step_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "wall_seconds": round(time.perf_counter() - started, 2),
        "report": keys.report_key(run_id),
    }


def _clips_train_skipped(store: Store, run_id: str) -> list[str]:
    """The clips the train step named and skipped (its failure records, one per clip)."""
    prefix = keys.failures_prefix(run_id, "train")
    return sorted(keys.failure_name(key) for key in store.list(prefix))


def _upload_run(
    store: Store,
    run_id: str,
    sessions_dir: str | Path,
    clip_folders: list[Path],
    refused: tuple[dict[str, str], dict[str, str]],
) -> list[str]:
    """Upload this run's inputs and record what was refused (``refused``: sessions, clips),
    so the report names it and no failure left by an earlier run of the same id is shown
    as this run's."""
    skipped, skipped_clips = refused
    sessions = upload_inputs(
        store,
        Path(sessions_dir),
        clip_folders or None,
        skipped,
        run_id=run_id,
        skipped_clips=skipped_clips,
    )
    _record_upload_failures(store, run_id, {**skipped_clips, **skipped})
    _clear_failures_of_others(store, run_id, set(sessions))
    return sessions


def _run_steps(
    store: Store,
    run_id: str,
    align: AlignConfig | None,
    train_step: tuple[TrainConfig | None, bool],
    force: bool,
    progress: bool,
    record: tuple[dict[str, int], dict[str, float], dict[str, str]],
) -> dict:
    """Align, train (``train_step``: its settings and whether it holds out a test set) and
    report in order, each timed; a failed step is recorded in ``record`` (status, seconds,
    error) and the next one still runs. Returns align's result."""
    from silkpipe.steps import align_run, report_run, train_run

    steps, seconds, errors = record
    train, test_split = train_step
    aligned: dict = {}
    for step, call in (
        (
            "align",
            lambda: aligned.update(align_run(store, run_id, align, force=force, progress=progress)),
        ),
        (
            "train",
            lambda: train_run(
                store, run_id, train, force=force, progress=progress, test_split=test_split
            ),
        ),
        ("report", lambda: report_run(store, run_id)),
    ):
        check_ctrl_c()  # a Ctrl-C Python dropped in the step before still stops the run
        mark = time.perf_counter()
        steps[step] = _step(step, call, errors)
        seconds[step] = time.perf_counter() - mark
    return aligned


def _share_cores(cfg: TranscribeConfig, workers: int) -> TranscribeConfig:
    """Each worker gets its share of the cores unless the config names a thread count."""
    from dataclasses import replace

    if cfg.threads is not None:
        return cfg
    return replace(cfg, threads=max((os.cpu_count() or 1) // workers, 1))


def _step(name: str, call, errors: dict[str, str]) -> int:
    """Run one run-level step; its failure is one line and an exit status, the run goes on.

    A store fault stops the run: nothing after it could be written.
    """
    from silkpipe.errors import exit_status

    try:
        call()
    except StoreFault:
        raise
    except Exception as err:  # noqa: BLE001 - reported, then the report step still runs
        if exit_status(err) != 2:  # a fault or a bug: the traceback helps (with -v)
            log.debug("step %s failed", name, exc_info=True)
        errors[name] = one_line(err)
        say_line(f"silkpipe {name}: error: {errors[name]}")
        return exit_status(err)
    return 0


def _clear_failures_of_others(store: Store, run_id: str, sessions: set[str]) -> None:
    """Transcribe failure records of sessions this run no longer holds."""
    for key in store.list(keys.failures_prefix(run_id, "transcribe")):
        if keys.failure_name(key) not in sessions:
            store.delete(key)


def _record_upload_failures(store: Store, run_id: str, skipped: dict[str, str]) -> None:
    """failures/upload/: this upload's refusals only (older ones are cleared).

    A folder name that is not UTF-8 (bytes Python keeps as surrogates) is recorded as
    errors.shown escapes it: it cannot be encoded as it is, and must not sink the run."""
    for key in store.list(keys.failures_prefix(run_id, "upload")):
        store.delete(key)
    for name, why in skipped.items():
        try:
            tag = check_name(name)
        except StoreError:
            raw = name.encode("utf-8", "surrogateescape")
            tag = "invalid-name-" + hashlib.sha256(raw).hexdigest()[:12]
        record = {"session": shown(name), "step": "upload", "error": shown(why), "kind": "input"}
        keys.put_json(store, keys.failure_key(run_id, "upload", tag), record)
