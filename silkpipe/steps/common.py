"""What every step shares: the run's own inputs, input hashes, per-session failure records.

Re-use is decided here and nowhere else: each output records the hashes of what went
into it (``inputs``), and a step re-uses an output only when those are equal to what
would go in now. ``force`` recomputes; it never changes what is computed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from silkpipe import store as keys
from silkpipe.errors import InputError, one_line
from silkpipe.store import Store, StoreFault

log = logging.getLogger(__name__)

#: Bump a step's number when its code changes what it writes for the same inputs.
STEP_VERSION = {"transcribe": 3, "align": 71, "train": 26, "report": 10}
SESSION_FILES = (
    "sensor_data.csv",
    "audio_16k.wav",
    "audio.wav",
    "metadata.json",
    "whisperx_output.json",
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """A short hash of a JSON-able value (settings, input lists)."""
    blob = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


# ---- re-used outputs still as written -------------------------------------------------


def version_damage(store: Store, run_id: str, kind: str, record: dict) -> str:
    """Why the published ``kind`` (labels, model) must not be re-used, '' when it may: a
    file its pointer recorded is gone or holds other bytes (truncated, edited), or the
    pointer records no files (written before pointers did): a damaged output is made
    again, never taken as the one its inputs made."""
    files = record.get("files")
    if not isinstance(files, dict) or not files:
        return "its pointer records no file hashes"
    prefix = keys.version_prefix(run_id, kind, str(record.get("version")))
    for name, expected in sorted(files.items()):
        try:
            data = store.get_bytes(f"{prefix}/{name}")
        except KeyError:
            return f"{prefix}/{name} is missing"
        if sha256(data) != expected:
            return f"{prefix}/{name} changed after it was published"
    return ""


def sealed(doc: dict) -> dict:
    """``doc`` with ``silkpipe.sealed``: the hash of everything else in it, so a copy cut
    short or edited in the store is told from the one written (is_sealed)."""
    meta = {k: v for k, v in (doc.get("silkpipe") or {}).items() if k != "sealed"}
    plain = {**doc, "silkpipe": meta}
    return {**plain, "silkpipe": {**meta, "sealed": digest(plain)}}


def is_sealed(doc) -> bool:
    """True when ``doc`` is as sealed() wrote it (a doc without a seal is not)."""
    meta = doc.get("silkpipe") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or "sealed" not in meta:
        return False
    return sealed(doc)["silkpipe"]["sealed"] == meta["sealed"]


# ---- the run's inputs ----------------------------------------------------------------


def record_run_inputs(
    store: Store,
    run_id: str,
    sessions: dict[str, dict[str, str]],
    clips: dict[str, str],
    rejected: dict[str, str] | None = None,
    *,
    origins: Mapping[str, str | None] | None = None,
) -> dict:
    """Write ``runs/<id>/inputs.json``: the sessions (file -> sha256) and clips this run owns,
    and (``origins``) the local folders they were uploaded from."""
    record = {"sessions": sessions, "clips": clips, "rejected": rejected or {}}
    if origins:
        record["origins"] = dict(origins)
    keys.put_json(store, keys.run_inputs_key(run_id), record)
    return record


def read_run_inputs(store: Store, run_id: str, *, write: bool = True) -> dict:
    """The run's inputs. A run started without ``silkpipe run`` (a cluster workflow that
    uploaded with ``silkpipe sessions upload``) records the store's current inputs once;
    a reader that must not write (``write`` False: evaluate) takes them unrecorded."""
    key = keys.run_inputs_key(run_id)
    try:
        record = keys.get_json(store, key)
    except KeyError:
        return _record_from_store(store, run_id, write=write)
    except ValueError as err:
        raise InputError(f"not valid JSON: {err}", path=key) from None
    if not isinstance(record, dict) or not isinstance(record.get("sessions"), dict):
        raise InputError("not a run inputs record", path=key)
    record.setdefault("clips", {})
    record.setdefault("rejected", {})
    return record


def _record_from_store(store: Store, run_id: str, write: bool = True) -> dict:
    sessions: dict[str, dict[str, str]] = {}
    for key in store.list("sessions"):
        parts = key.split("/")
        if len(parts) == 3 and parts[2] in SESSION_FILES:
            sessions.setdefault(parts[1], {})[parts[2]] = sha256(store.get_bytes(key))
    clips = {
        k.split("/", 1)[1]: sha256(store.get_bytes(k))
        for k in store.list("clips")
        if k.count("/") == 1 and k.endswith(".csv")
    }
    if not sessions and not clips:
        raise InputError(
            f"the store holds no sessions or clips: run {run_id} would record no inputs "
            "(upload them first with `silkpipe sessions upload`, or is --store mistyped?)",
            path=f"{store.uri}/sessions/",
        )
    if not write:
        return {"sessions": sessions, "clips": clips, "rejected": {}}
    log.info(
        "run %s: recorded the store's %d sessions and %d clips as its inputs",
        run_id,
        len(sessions),
        len(clips),
    )
    return record_run_inputs(store, run_id, sessions, clips)


def origin_of(inputs: dict, key: str) -> str:
    """Where the user's copy of a store input is (``sessions/S/F`` -> the uploaded folder's
    S/F), so an error names the file the user can open; the key itself when the run did
    not record the folder (uploaded by a workflow).

    ``origins`` maps a kind (``sessions``) to a folder, or one input (``sessions/S``, a
    file ``sessions/S/F``) to its own; the longest match wins, and null means the input
    has no user copy (made by silkpipe: a control, an oracle transcript)."""
    origins = inputs.get("origins")
    if not isinstance(origins, dict):
        return key
    parts = key.split("/")
    for n in range(len(parts), 0, -1):
        prefix, rest = "/".join(parts[:n]), "/".join(parts[n:])
        if prefix in origins:
            folder = origins[prefix]
            if isinstance(folder, str) and (rest or n > 1):
                return str(Path(folder) / rest)
            return key
    return key


def clips_origin(inputs: dict, clips_dir: Path | None, place: str = "") -> str:
    """The folder a run's clips came from: ``clips_dir``, the uploaded folder (the
    ``place``-th of several), or the store's ``clips`` prefix."""
    if clips_dir is not None:
        return str(clips_dir)
    prefix = f"{keys.clips_prefix()}/{place}" if place else keys.clips_prefix()
    return origin_of(inputs, f"{prefix}/.").removesuffix("/.")


def clip_places(clips: Mapping[str, str]) -> list[str]:
    """The places ("1", "2", ...) of a run's several clip folders, from its clips' names
    (``<n>/<name>``); [] for the run's one folder."""
    return sorted({name.split("/", 1)[0] for name in clips if "/" in name}, key=int)


def from_scratch_folders(err: BaseException, path: Path, origins: Mapping[Path, str]) -> str:
    """``err`` as one line, naming the user's file instead of its scratch copy: clips are
    read from temporary copies (``origins``: each scratch folder -> the user's folder it
    stands for). The folder that holds ``path`` (or is it) is replaced, else each, longest
    first: never a folder whose name begins another's (``1`` of ``10/x.csv``)."""
    holder = [p for p in (path, path.parent) if p in origins][:1]
    text = one_line(err)
    for scratch in holder or sorted(origins, key=lambda p: -len(str(p))):
        text = text.replace(str(scratch), origins[scratch])
    return text


#: The bad clips named so far (the user's paths) in one `silkpipe run`; None outside one.
_NAMED_CLIPS: ContextVar[set[str] | None] = ContextVar("named_clips", default=None)


def say_skipped_clip(logger, path: Path, why: str, origins: Mapping[Path, str]) -> None:
    """``logger``'s "skipped clip NAME: WHY" for the scratch copy ``path`` (``origins`` as
    from_scratch_folders's), once per user's file within bad_clips_named_once: align and
    train each read the run's clips, and `silkpipe run` named one bad clip twice."""
    user = user_clip_path(path, origins)
    named = _NAMED_CLIPS.get()
    if named is not None:
        if user in named:
            return
        named.add(user)
    logger.warning("skipped clip %s: %s", path.name, why)


def user_clip_path(path: Path, origins: Mapping[Path, str]) -> str:
    """The user's path of the scratch copy ``path`` of a clip (``origins`` as
    from_scratch_folders's)."""
    return f"{origins.get(path.parent, str(path.parent))}/{path.name}"


@contextmanager
def bad_clips_named_once() -> Iterator[None]:
    """The steps run inside name each bad clip once (say_skipped_clip); a step run alone,
    as the Argo workflow runs each, names every bad clip it meets."""
    token = _NAMED_CLIPS.set(set())
    try:
        yield
    finally:
        _NAMED_CLIPS.reset(token)


def session_files(inputs: dict, session: str) -> dict[str, str]:
    files = inputs["sessions"].get(session)
    if files is None:
        raise InputError("not one of this run's sessions (runs/<id>/inputs.json)", session=session)
    return files


def read_input(store: Store, key: str, expected: str, *, session: str | None = None) -> bytes:
    """An input's bytes, checked against the hash the run recorded for it."""
    try:
        data = store.get_bytes(key)
    except KeyError:
        raise InputError("missing in the store", session=session, path=key) from None
    if sha256(data) != expected:
        raise InputError(
            "changed in the store after this run recorded it (another upload "
            "of the same name?): record the run's inputs again with `silkpipe run` or "
            "`silkpipe sessions upload --run-id`",
            session=session,
            path=key,
        )
    return data


def session_input(store: Store, inputs: dict, session: str, name: str) -> bytes:
    files = session_files(inputs, session)
    key = keys.session_key(session, name)
    if name not in files:
        raise InputError(f"{name} is missing", session=session, path=key)
    return read_input(store, key, files[name], session=session)


# ---- per-session failures ------------------------------------------------------------


def record_failure(store: Store, run_id: str, step: str, session: str, err: BaseException) -> str:
    """Write ``failures/<step>/<session>.json``; returns the one-line reason."""
    reason = one_line(err, session=session)
    kind = "input" if isinstance(err, InputError) else "fault"
    keys.put_json(
        store,
        keys.failure_key(run_id, step, session),
        {"session": session, "step": step, "error": reason, "kind": kind},
    )
    return reason


def clear_failure(store: Store, run_id: str, step: str, session: str) -> None:
    """A session that now succeeds loses its old failure record."""
    key = keys.failure_key(run_id, step, session)
    if store.exists(key):
        store.delete(key)


def failure_kinds(store: Store, run_id: str) -> dict[str, str]:
    """session -> "input" or "fault", over every failure record of the run."""
    out: dict[str, str] = {}
    for key in store.list(keys.failures_prefix(run_id)):
        try:
            record = keys.get_json(store, key)
        except (KeyError, ValueError):
            continue
        if isinstance(record, dict):
            name = str(record.get("session") or key.rsplit("/", 1)[-1])
            if out.get(name) != "fault":
                out[name] = "fault" if record.get("kind") == "fault" else "input"
    return out


def isolated(store: Store, run_id: str, step: str, session: str, work) -> tuple[Any, str | None]:
    """Run ``work()`` for one session; any exception becomes that session's failure record.

    A store fault is not the session's: it stops the step, with the session named.
    """
    try:
        result = work()
    except StoreFault as err:
        raise StoreFault(f"session {session}: {err}") from None
    except Exception as err:  # noqa: BLE001 - one bad session never sinks the others
        if not isinstance(err, InputError):
            log.debug("session %s failed", session, exc_info=True)
        return None, record_failure(store, run_id, step, session, err)
    clear_failure(store, run_id, step, session)
    return result, None
