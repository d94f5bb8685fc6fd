"""The local runner: the whole job on one machine, running the same steps as Argo.

Each step is the ``silkpipe`` CLI command the Argo workflow runs in its pods; here the
per-session transcription fans out over worker processes and the rest runs in order.
Inputs are uploaded to the store first, so both executors read the same layout.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from silkpipe import store as keys
from silkpipe.errors import InputError
from silkpipe.sessions import find_sessions
from silkpipe.store import Store, check_name, open_store

log = logging.getLogger(__name__)

SESSION_FILES = ("sensor_data.csv", "audio_16k.wav", "audio.wav", "metadata.json",
                 "whisperx_output.json")  # fmt: skip


def _put_if_changed(store: Store, key: str, data: bytes) -> bool:
    """Upload unless the store already holds the same bytes (re-runs upload nothing)."""
    if (
        store.exists(key)
        and hashlib.sha256(store.get_bytes(key)).digest() == hashlib.sha256(data).digest()
    ):
        return False
    store.put_bytes(key, data)
    return True


def upload_inputs(
    store: Store,
    sessions_dir: Path,
    clips_dir: Path | None = None,
    skipped: dict[str, str] | None = None,
) -> list[str]:
    """Copy session folders (and clips) into the store's ``sessions/`` and ``clips/``.

    Folders with unsafe names are not uploaded; ``skipped`` receives name -> reason.
    """
    if not Path(sessions_dir).is_dir():
        raise InputError(f"sessions folder {sessions_dir} does not exist")
    names = []
    for folder in find_sessions(sessions_dir):
        try:
            check_name(folder.name, "session name")
        except keys.StoreError as err:
            log.error("skipping session folder %s: %s", folder, err)
            if skipped is not None:
                skipped[folder.name] = str(err)
            continue
        for name in SESSION_FILES:
            path = folder / name
            if path.is_file():
                _put_if_changed(
                    store, f"{keys.session_prefix(folder.name)}/{name}", path.read_bytes()
                )
        names.append(folder.name)
    if clips_dir is not None:
        for path in sorted(Path(clips_dir).glob("*.csv")):
            _put_if_changed(store, f"{keys.clips_prefix()}/{path.name}", path.read_bytes())
    return names


def _cli(argv: list[str]) -> int:
    from silkpipe.cli import main

    return main(argv)


def run_pipeline(
    sessions_dir: str | Path,
    store_uri: str,
    run_id: str,
    *,
    clips_dir: str | Path | None = None,
    workers: int | None = None,
    backend: str = "faster-whisper",
    model: str | None = None,
    force: bool = False,
) -> dict:
    """Upload -> transcribe (parallel) -> align -> train/evaluate -> report."""
    started = time.perf_counter()
    store = open_store(store_uri)
    check_name(run_id, "run id")
    skipped: dict[str, str] = {}
    sessions = upload_inputs(store, Path(sessions_dir), Path(clips_dir) if clips_dir else None,
                             skipped)  # fmt: skip
    for name, why in skipped.items():  # the report lists them with the other failures
        tag = "invalid-name-" + hashlib.sha256(name.encode()).hexdigest()[:12]
        keys.put_json(store, f"{keys.run_prefix(run_id)}/failures/upload/{tag}.json",
                      {"session": name, "step": "upload", "error": why})  # fmt: skip
    if not sessions:
        raise InputError(f"no session folders (with sensor_data.csv) in {sessions_dir}")
    common = ["--store", store_uri, "--run-id", run_id]
    workers = workers or min(len(sessions), os.cpu_count() or 1)
    threads = max((os.cpu_count() or 1) // workers, 1)
    transcribe_args = ["--backend", backend, "--threads", str(threads)]
    if model:
        transcribe_args += ["--model", model]
    failed: list[str] = []
    seconds: dict[str, float] = {}
    mark = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(_cli, ["transcribe", s, *common, *transcribe_args]): s for s in sessions
        }
        for future in tqdm(as_completed(futures), total=len(futures), desc="transcribe",
                           unit="session"):  # fmt: skip
            if future.result() != 0:
                failed.append(futures[future])
    steps = {"transcribe": 0 if not failed else 1}
    seconds["transcribe"] = time.perf_counter() - mark
    force_flag = ["--force"] if force else []
    for step, extra in (("align", force_flag), ("train", force_flag), ("report", [])):
        mark = time.perf_counter()
        steps[step] = _cli([step, *common, *extra])
        seconds[step] = time.perf_counter() - mark
    summary_key = f"{keys.run_prefix(run_id)}/labels/summary.json"
    align_failed = (
        sorted(keys.get_json(store, summary_key)["failed"]) if store.exists(summary_key) else []
    )
    return {
        "sessions": len(sessions),
        "skipped_at_upload": sorted(skipped),
        "transcribe_failed": sorted(failed),
        "align_failed": align_failed,
        "steps": steps,
        "step_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "wall_seconds": round(time.perf_counter() - started, 2),
        "report": f"{keys.report_prefix(run_id)}/index.html",
    }
