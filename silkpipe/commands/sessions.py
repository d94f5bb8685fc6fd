"""`silkpipe sessions`: what the cluster workflow needs around the store.

``list`` prints the sessions in a store as one JSON array on stdout; with ``--run-id`` it
takes the run's own inputs instead (runs/<run-id>/inputs.json, recorded by ``upload
--run-id`` or, failing that, from the store now), writes them in chunks of
``--sessions-per-pod`` to runs/<run-id>/fanout.json and prints only the chunk ids, which
the Argo workflow fans out over with ``withParam`` (Argo caps that output at 256 kB: 10,000
session names would not fit, 10,000 chunk ids do). ``upload`` copies local session folders
(and clips) into the store before a cluster run (``make submit``). ``export-report`` copies a run's
report folder out of the store so Argo can publish it as a browsable artifact.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from silkpipe import store as keys
from silkpipe.commands import STORE_HELP, add_dir_option, add_store_args, refuse_unused
from silkpipe.errors import BAD_INPUT, InputError, PartialFailure, shown


def register(sub) -> None:
    p = sub.add_parser(
        "sessions",
        help="list sessions in a store, upload local sessions, export a run's report",
        description="Session bookkeeping for cluster runs (Argo fan-out, uploads, report export).",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    lst = actions.add_parser(
        "list",
        help="print the store's session names as a JSON array (the workflow's fan-out list)",
        description="Print the names of the sessions under sessions/ that hold a "
        "sensor_data.csv, sorted, as one JSON array on stdout.",
    )
    lst.add_argument("--store", required=True, help=STORE_HELP)
    lst.add_argument(
        "--run-id",
        help="list the run's own input sessions (runs/RUN_ID/inputs.json; recorded from the "
        "store if absent), write them in chunks to runs/RUN_ID/fanout.json and print the "
        "chunk ids instead (the workflow's fan-out; `transcribe --chunk` reads one)",
    )
    lst.add_argument(
        "--sessions-per-pod",
        type=int,
        default=1,
        metavar="N",
        help="with --run-id: sessions per chunk, i.e. per transcription pod (default %(default)s)",
    )
    lst.set_defaults(func=list_command)

    up = actions.add_parser(
        "upload",
        help="upload local session folders (and clips) into the store",
        description="Copy every session folder under DIR into sessions/<name>/ of the store "
        "(unchanged files are not uploaded again) and print the uploaded names as JSON.",
    )
    up.add_argument("dir", type=Path, metavar="DIR", help="folder holding session folders")
    up.add_argument("--store", required=True, help=STORE_HELP)
    clips_help = "put in the store's clips/ (several, with --run-id: clips/1/, clips/2/)"
    add_dir_option(up, "--clips", clips_help, clips=True, repeat=True, type=Path)
    up.add_argument(
        "--run-id",
        help="also record the uploaded sessions and clips as this run's inputs "
        "(runs/RUN_ID/inputs.json); without it, a run's first step records the store's",
    )
    up.set_defaults(func=upload_command)

    ex = actions.add_parser(
        "export-report",
        help="copy runs/<run-id>/report/ from the store into a local folder",
        description="Download a finished run's report folder (index.html, figures, "
        "metrics.json) to DEST; the Argo workflow publishes DEST as an artifact.",
    )
    add_store_args(ex, run_help="run whose report is exported")
    ex.add_argument("dest", type=Path, metavar="DEST", help="local folder to write")
    ex.set_defaults(func=export_report_command)


def list_sessions(store: keys.Store) -> list[str]:
    """Session names with a sensor stream; invalid names are skipped (they cannot be keys)."""
    names = set()
    for key in store.list("sessions"):
        parts = key.split("/")
        if len(parts) == 3 and parts[2] == "sensor_data.csv":
            try:
                names.add(keys.check_name(parts[1], "session name"))
            except keys.StoreError:
                continue
    return sorted(names)


def run_sessions(store: keys.Store, run_id: str) -> list[str]:
    """The run's input sessions that hold a sensor stream: the fan-out covers what the run
    owns, not sessions uploaded to the store later for another run."""
    from silkpipe.steps.common import read_run_inputs

    keys.check_name(run_id, "run id")
    sessions = read_run_inputs(store, run_id)["sessions"]
    return sorted(name for name, files in sessions.items() if "sensor_data.csv" in files)


def fanout_key(run_id: str) -> str:
    return f"{keys.run_prefix(run_id)}/fanout.json"


def write_chunks(store: keys.Store, run_id: str, names: list[str], per_chunk: int) -> list[str]:
    """The fan-out list in the store as one object (published whole), ``per_chunk`` names per
    chunk; returns the chunk ids, the only thing that travels through Argo."""
    if per_chunk < 1:
        raise InputError(f"--sessions-per-pod must be >= 1, not {per_chunk}")
    chunks = {
        f"{start // per_chunk:05d}": names[start : start + per_chunk]
        for start in range(0, len(names), per_chunk)
    }
    keys.put_json(store, fanout_key(run_id), {"sessions_per_pod": per_chunk, "chunks": chunks})
    return list(chunks)


def read_chunk(store: keys.Store, run_id: str, chunk: str) -> list[str]:
    """Session names of one chunk written by ``sessions list --run-id``."""
    key = fanout_key(run_id)
    try:
        names = keys.get_json(store, key)["chunks"][chunk]
    except KeyError:
        raise InputError(f"no fan-out chunk {chunk!r} in the store", path=key) from None
    except (TypeError, IndexError):  # a list or a string where the chunks object is: exit 1
        raise InputError("not a fan-out file: no object of chunks by id", path=key) from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputError("a fan-out chunk must be a JSON list of session names", path=key)
    return names


def list_command(args) -> dict:
    if args.run_id is None:
        refuse_unused(args, ("--sessions-per-pod",), "chunks a run's sessions: give --run-id too")
    store = keys.open_store(args.store, create=False)  # a mistyped bucket: refused, not made
    if args.run_id is None:
        _refuse_missing_folder(store)
        names = list_sessions(store)
        print(json.dumps(names))
    else:
        names = run_sessions(store, args.run_id)
        print(json.dumps(write_chunks(store, args.run_id, names, args.sessions_per_pod)))
    sys.stdout.flush()
    return {"sessions": len(names)}


def _refuse_missing_folder(store: keys.Store) -> None:
    """A folder store that does not exist (`--store stroe`) printed [] and exit 0, as an
    empty store does: the fan-out then ran no pod, where a mistyped bucket, or the same
    store with --run-id, is refused (bad_input_sweep60)."""
    if isinstance(store, keys.FileStore) and not store.root.exists():
        raise keys.StoreError(
            f"store path {store.root} does not exist (is --store mistyped? `silkpipe "
            "sessions upload` makes a store)"
        )


def upload_command(args) -> dict:
    from silkpipe.pipeline import no_sessions_reason, upload_inputs

    if args.run_id is not None:
        keys.check_name(args.run_id, "run id")
    elif len(args.clips or []) > 1:  # only the run's inputs.json says which clips are whose
        raise InputError("several --clips folders need --run-id (the run records them)")
    skipped: dict[str, str] = {}
    skipped_clips: dict[str, str] = {}
    names = upload_inputs(
        keys.open_store(args.store),
        args.dir,
        args.clips or None,
        skipped,
        run_id=args.run_id,
        skipped_clips=skipped_clips,
    )  # each refusal is said there, in one line
    if not names:
        raise InputError(no_sessions_reason(skipped, Path(args.dir)), path=str(args.dir))
    print(json.dumps(names))
    sys.stdout.flush()
    if skipped or skipped_clips:
        raise PartialFailure(_partial_upload(names, skipped, skipped_clips), BAD_INPUT)
    return {"sessions": len(names)}


def _partial_upload(names: list[str], refused: dict[str, str], clips: dict[str, str]) -> str:
    """The closing line of an upload that refused some sessions or clips: exit 2, as `run`
    exits for a partial run, with the uploaded names on stdout; nothing uploaded is an
    error with no names printed (workflows.submit tells the two apart by them)."""
    parts = [f"{len(names)} session(s) uploaded"]
    if refused:
        parts.append(f"{len(refused)} session folder(s) refused ({_listed(refused)})")
    if clips:
        parts.append(f"{len(clips)} clip(s) refused ({_listed(clips)})")
    return "; ".join(parts) + "; each named above"


def _listed(names: dict[str, str]) -> str:
    return ", ".join(map(shown, sorted(names)))[:300]


def export_report_command(args) -> dict:
    """Copy the run's page and the files beside it it shows; the figures folders it does
    not link (a killed report's, another report's being written) stay behind. DEST ends
    as this report's copy alone (export_whole)."""
    from silkpipe.report import page_files

    store = keys.open_store(args.store, create=False)
    prefix = keys.report_prefix(args.run_id)
    files = page_files(store, args.run_id)
    if not files:
        raise InputError(f"run {args.run_id!r} has no report in {store.uri}")
    earlier = _earlier_export(Path(args.dest))  # a file or a broken link: said first
    _refuse_dest_in_store(store, Path(args.dest))
    copy = {key[len(prefix) + 1 :]: store.get_bytes(key) for key in files}
    export_whole(Path(args.dest), copy, earlier)
    print(
        f"report of run {args.run_id} copied to {args.dest} ({len(files)} files)", file=sys.stderr
    )
    return {"files": len(files)}


def _refuse_dest_in_store(store, dest: Path) -> None:
    """DEST inside a folder store (its own runs/R/report, say): the earlier copy's files
    export-report deletes would be the store's, a figures folder another report is
    still writing among them."""
    where = getattr(store, "root", None)
    if isinstance(where, Path) and dest.resolve().is_relative_to(where.resolve()):
        raise InputError(f"lies inside the store {where}: give a folder outside it", path=str(dest))


def _earlier_export(dest: Path) -> set[str]:
    """The files DEST holds from an earlier export (its page, index.html, at the top). Each
    file was written over the last export's: another run's (or an older report's) figures,
    timelines and model files stayed beside the new page, a copy of no one report. A file
    named DEST ended with exit 1 ("Not a directory: 'DEST/figures/...'"); a folder holding
    other things is no export, and nothing in it is deleted: both refused, untouched."""
    from silkpipe.clips import output_folder_problem
    from silkpipe.model_files import model_folder_problem

    if why := output_folder_problem(dest):
        raise InputError(f"{why}: export-report writes a folder", path=str(dest))
    if why := model_folder_problem(dest):  # a new folder in it: deleted by the next train
        why += " (the next train into it replaces it whole)"
        raise InputError(f"{why}: give a folder of its own", path=str(dest))
    held = sorted(p.name for p in dest.iterdir()) if dest.is_dir() else []
    if held and not (dest / "index.html").is_file():
        raise InputError(
            f"holds {len(held)} entr{'y' if len(held) == 1 else 'ies'} ({held[0]!r}, ...) "
            "and no index.html: not an earlier report copy, whose files export-report "
            "replaces; give a new or empty folder",
            path=str(dest),
        )
    return {
        os.path.relpath(os.path.join(top, name), dest)
        for top, _, names in os.walk(dest)
        for name in names
    }


def export_whole(dest: Path, copy: dict[str, bytes], earlier: set[str]) -> None:
    """Write ``copy`` (read whole from the store first: a store that fails midway leaves
    DEST as it was) into DEST, each file whole, the page last, then delete the earlier
    export's files this copy does not hold and the folders they leave empty. A write that
    fails (a full disk, Ctrl-C) puts DEST back as it was: it had left the files this export
    added, with no page (the next export then refused DEST as "not an earlier report
    copy"), and the earlier page beside figures of the same names already overwritten by
    this report's: a page showing another run's confusion matrix."""
    made = not dest.exists()
    added: list[str] = []
    overwritten: dict[str, bytes] = {}
    try:
        for name in sorted(copy, key=lambda n: n == "index.html"):
            target = dest / name
            old = target.read_bytes() if target.is_file() else None
            keys.write_whole(target, copy[name])
            if old is None:
                added.append(name)
            else:
                overwritten[name] = old
    except BaseException:
        _take_back(dest, added, overwritten, drop_dest=made)
        raise
    for name in earlier - set(copy):
        (dest / name).unlink(missing_ok=True)
    _drop_empty_folders(dest)


def _take_back(
    dest: Path, added: list[str], overwritten: dict[str, bytes], *, drop_dest: bool
) -> None:
    """DEST as before a failed export: its added files deleted first (on a full disk they
    hold the room the earlier files need), then the overwritten ones written back."""
    for name in added:
        (dest / name).unlink(missing_ok=True)
    for name, old in overwritten.items():
        keys.write_whole(dest / name, old)
    _drop_empty_folders(dest, drop_dest=drop_dest)


def _drop_empty_folders(dest: Path, *, drop_dest: bool = False) -> None:
    """The folders under DEST left empty, deepest first (and DEST itself if asked)."""
    for top, _, _ in sorted(os.walk(dest), key=lambda w: -len(Path(w[0]).parts)):
        if (Path(top) != dest or drop_dest) and not any(Path(top).iterdir()):
            Path(top).rmdir()
