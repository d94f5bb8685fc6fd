"""The artifact store: one key layout (DESIGN.md), a local-folder and a MinIO/S3 backend.

Keys are '/'-separated relative paths such as ``runs/<run-id>/labels/<session>.csv``.
Every write is whole or nothing: the file backend writes a temp file and renames it,
the S3 backend sends one PUT. Credentials come from the environment and are never
part of ``uri`` or any message.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from silkpipe.locks import drop_if_dead, tmp_path, writer_state, writing

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # whole name: fullmatch
_PLACE = re.compile(r"[1-9][0-9]{0,3}")  # a clip folder's place on the command line


class StoreError(Exception):
    """A store could not be opened or a key is invalid (bad input: exit status 2)."""


class StoreFault(OSError):
    """The store failed to read or write a key (disk full, read-only, not a folder): a
    fault, not bad input. The message names the key and the store."""


def check_name(name: str, what: str = "name") -> str:
    """A session, run or file name: no slashes, no '..', no leading dot."""
    why = _name_problem(name)
    if why:
        raise StoreError(f"invalid {what} {name!r}: {why}")
    return name


def _name_problem(name: str) -> str:
    """Why ``name`` cannot be a key part ('' when it can): the reason the user can act on."""
    if not name:
        return "it is empty"
    if len(name) > 128:
        return f"{len(name)} characters, at most 128"
    if not name[0].isascii() or not name[0].isalnum():
        return "must start with a letter or digit"
    if ".." in name:
        return "must not contain '..'"
    if not _NAME.fullmatch(name):  # "$" of match let a trailing newline through
        return "use letters, digits, '.', '_', '-' only"
    return ""


def check_key(key: str) -> str:
    """A relative key made of valid names: no traversal, no absolute path."""
    if not key or key.startswith("/") or "\\" in key:
        raise StoreError(f"invalid key {key!r}")
    for part in key.split("/"):
        check_name(part, "key part")
    return key


class Store(Protocol):
    uri: str

    def put_bytes(self, key: str, data: bytes) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...


class FileStore:
    """Artifacts in a local folder (the embedded default)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).absolute()
        self.uri = f"file://{self.root}"
        try:
            self.root.stat()
        except FileNotFoundError:
            if self.root.is_symlink():  # written through, its folders could not be made
                raise StoreError(f"store path {self.root} is a link to nothing") from None
        except OSError as err:  # a link loop (ELOOP), a file on the way (ENOTDIR)
            raise StoreError(f"store path {self.root}: {err.strerror}") from None
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"store path {self.root} is a file, not a folder")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            write_whole(path, data)
        except OSError as err:
            self._drop_empty_folders(path)  # a full disk left a session's folder empty
            raise self._fault("cannot write", key, err) from None

    def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None
        except OSError as err:
            raise self._fault("cannot read", key, err) from None

    def _fault(self, what: str, key: str, err: OSError) -> StoreFault:
        reason = err.strerror or type(err).__name__
        fault = StoreFault(f"{what} {key} in store {self.root}: {reason}")
        fault.errno = err.errno
        return fault

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        """The keys under ``prefix``. A hidden file or folder is never a key (check_name):
        a writer's temp file, or the scratch folder a killed ``evaluate --report`` into the
        store leaves (evaluation.write_report), which get_bytes would refuse as a key."""
        base = self.root / prefix.rstrip("/") if prefix else self.root
        if not base.is_dir():
            return []
        keys = []
        for path in base.rglob("*"):
            key = path.relative_to(self.root)
            if path.is_file() and not any(part.startswith(".") for part in key.parts):
                keys.append(key.as_posix())
        return sorted(keys)

    def delete(self, key: str) -> None:
        """Delete ``key``, then the folders that delete left empty (a replaced version's,
        a deleted figures folder's), up to the store's root: a folder with anything in it,
        another writer's temp file too, is kept (write_whole makes a folder removed under
        it again)."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as err:
            raise self._fault("cannot delete", key, err) from None
        self._drop_empty_folders(path)

    def _drop_empty_folders(self, path: Path) -> None:
        """Remove the folders above ``path`` left empty, up to the store's root (delete)."""
        for folder in path.parents:
            if folder == self.root or self.root not in folder.parents:
                break
            try:
                folder.rmdir()
            except FileNotFoundError:
                continue  # removed by another delete meanwhile
            except OSError:
                break  # not empty: in use


def write_whole(path: Path, data: bytes) -> None:
    """Publish ``data`` as ``path`` whole or not at all: a temp file in the same folder,
    renamed over it, so a reader never sees half a file and a failed write keeps the old one.

    An OSError names ``path`` (not the temp file), the file the caller asked for; one
    making its folder names the folder (a file where the folder should be).
    """
    try:
        fd, tmp = _temp_beside(path)
    except OSError as err:
        if err.filename is None or Path(err.filename).parent == path.parent:
            err.filename = str(path)  # the temp file's error; making the folder keeps its name
        raise
    try:
        with os.fdopen(fd, "wb") as handle:  # closes fd on every path, a failed chmod too
            _take_umask_mode(fd)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError) and err.errno is not None:
            # naming path, not the temp file: a new error, as one whose filename2 is set
            # to None prints "... 'path' -> None"
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise


def _temp_beside(path: Path, tries: int = 3) -> tuple[int, str]:
    """A new temp file in ``path``'s folder, made first: a delete that emptied the folder
    (FileStore.delete) may remove it between making it and the temp file, so it is made
    again."""
    for _ in range(tries - 1):
        try:
            return _make_temp(path)
        except FileNotFoundError:
            continue
    return _make_temp(path)


def _make_temp(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphaned_temps(path.parent)
    return tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", dir=path.parent)


def _take_umask_mode(fd: int) -> None:
    """Give the temp file the mode ``open()`` would (mkstemp makes 0600). A file system that
    keeps its own modes (vfat, some network mounts) refuses chmod: its mode stands."""
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP):
            raise


def replace_folder(new: Path, path: Path) -> None:
    """Publish the finished folder ``new`` as ``path``: the old folder is moved aside, ``new``
    renamed in, then the old one deleted. Writing into ``path`` file by file left, after a
    kill or a full disk, a mix of the old model's files and the new one's.

    The old folder waits at ``<path>.old``: a failed rename puts it back, and one a kill
    left there is settled by the next call (put back, or deleted when ``path`` is whole)."""
    old = path.with_name(f"{path.name}.old")
    _settle_aside(old, path)
    if path.exists():
        path.rename(old)
    try:
        new.rename(path)
    except BaseException:
        if old.exists():
            old.rename(path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _settle_aside(old: Path, path: Path) -> None:
    """A folder a killed replace_folder left aside: the one in use when ``path`` is missing
    (killed between the renames), else a leftover (killed before deleting it)."""
    if not old.exists():
        return
    if path.exists():
        shutil.rmtree(old)
    else:
        old.rename(path)


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` sets it, racing threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_orphaned_temps(folder: Path) -> bool:
    """Delete temp files whose writer process is gone (killed mid-write, e.g. SIGKILL);
    whether there was one.

    A temp file is named after its writer's pid, so another live process's write in
    progress is never touched.
    """
    removed = False
    for tmp in folder.glob(".tmp-*-*"):
        try:
            pid = int(tmp.name.split("-")[1])
            os.kill(pid, 0)
        except ValueError:
            continue  # not one of ours
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
            removed = True
        except PermissionError:
            pass  # alive, another user's process
    return removed


class S3Store:
    """Artifacts in a MinIO (or any S3-protocol) bucket, through the ``minio`` SDK.

    Endpoint and credentials come from ``SILKPIPE_S3_ENDPOINT`` (host:port),
    ``SILKPIPE_S3_ACCESS_KEY``/``SILKPIPE_S3_SECRET_KEY`` (falling back to
    ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``) and ``SILKPIPE_S3_SECURE`` (0/1).
    """

    def __init__(self, bucket: str, prefix: str = "", *, create_bucket: bool = True):
        from minio import Minio

        endpoint = os.environ.get("SILKPIPE_S3_ENDPOINT", "")
        if not endpoint:
            raise StoreError("s3:// store needs SILKPIPE_S3_ENDPOINT (host:port of MinIO/S3)")
        access = os.environ.get("SILKPIPE_S3_ACCESS_KEY") or os.environ.get("AWS_ACCESS_KEY_ID")
        secret = os.environ.get("SILKPIPE_S3_SECRET_KEY") or os.environ.get("AWS_SECRET_ACCESS_KEY")
        if not access or not secret:
            raise StoreError("s3:// store needs SILKPIPE_S3_ACCESS_KEY and SILKPIPE_S3_SECRET_KEY")
        secure = os.environ.get("SILKPIPE_S3_SECURE", "0") in ("1", "true", "yes")
        try:
            self.client = Minio(endpoint, access_key=access, secret_key=secret, secure=secure)
        except ValueError as err:
            raise StoreError(f"invalid S3 endpoint {endpoint!r}: {err}") from None
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            check_key(self.prefix)
        self.uri = f"s3://{bucket}/{self.prefix}".rstrip("/")
        from minio.error import S3Error
        from urllib3.exceptions import HTTPError

        try:
            if not self.client.bucket_exists(bucket):
                if not create_bucket:  # a reader: a mistyped bucket is not made, empty
                    raise StoreError(f"bucket {bucket!r} does not exist at {endpoint}")
                self.client.make_bucket(bucket)
        except (S3Error, HTTPError, ValueError) as err:
            raise StoreError(
                f"cannot open bucket {bucket!r} at {endpoint}: {type(err).__name__}: "
                f"{str(err)[:200]}"
            ) from None

    def _object(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fault(self, what: str, key: str, err: Exception) -> StoreFault:
        """A failed request as one line: the S3 error code or the connection error, never
        the request's headers (they carry the signature)."""
        reason = getattr(err, "code", None) or type(err).__name__
        return StoreFault(f"{what} {key} in store {self.uri}: {reason}")

    def put_bytes(self, key: str, data: bytes) -> None:
        from minio.error import S3Error
        from urllib3.exceptions import HTTPError

        name = self._object(key)
        try:
            self.client.put_object(self.bucket, name, io.BytesIO(data), len(data))
        except (S3Error, HTTPError) as err:
            raise self._fault("cannot write", key, err) from None

    def get_bytes(self, key: str) -> bytes:
        from minio.error import S3Error
        from urllib3.exceptions import HTTPError

        try:
            response = self.client.get_object(self.bucket, self._object(key))
        except S3Error as err:
            if err.code in ("NoSuchKey", "NoSuchObject"):
                raise KeyError(key) from None
            raise self._fault("cannot read", key, err) from None
        except HTTPError as err:
            raise self._fault("cannot read", key, err) from None
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, self._object(key))
            return True
        except S3Error as err:
            if err.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                return False
            raise

    def list(self, prefix: str) -> list[str]:
        full = (
            self._object(prefix.rstrip("/")) + "/"
            if prefix
            else (self.prefix + "/" if self.prefix else "")
        )
        cut = len(self.prefix) + 1 if self.prefix else 0
        objects = self.client.list_objects(self.bucket, prefix=full, recursive=True)
        return sorted(obj.object_name[cut:] for obj in objects)

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, self._object(key))


def open_store(uri: str, *, create: bool = True) -> Store:
    """``file:///path``, a bare path, or ``s3://bucket[/prefix]``. A command that only
    reads (``create`` False) is refused a bucket that does not exist, not given a new one."""
    parsed = urlparse(uri)
    if "@" in parsed.netloc:  # never echo the URI: it holds a secret
        raise StoreError(
            "the store URI must not hold credentials: set SILKPIPE_S3_ACCESS_KEY and "
            "SILKPIPE_S3_SECRET_KEY (from a Kubernetes Secret) instead"
        )
    if parsed.scheme == "file" and parsed.netloc not in ("", "localhost"):
        raise StoreError(f"file:// store URI names a host {parsed.netloc!r}: use file:///PATH")
    if parsed.scheme == "file" and not parsed.path:  # else the current folder is the store
        raise StoreError(f"store URI {uri!r} names no folder (an unset shell variable?)")
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StoreError(f"store URI {uri!r} names no bucket")
        return S3Store(parsed.netloc, parsed.path, create_bucket=create)
    if parsed.scheme in ("", "file"):
        store = FileStore(parsed.path if parsed.scheme == "file" else uri)
        if create:
            _refuse_root_in_model(store.root)
        return store
    raise StoreError(f"unknown store scheme {parsed.scheme!r} in {uri!r}: use file:// or s3://")


def _refuse_root_in_model(root: Path) -> None:
    """A folder store made in a model folder (`--store out/model`) or inside one: the next
    `train --out out` replaced that folder whole (replace_folder), the store's sessions and
    runs deleted with it."""
    from silkpipe.model_files import model_folder_problem

    if why := model_folder_problem(root):
        raise StoreError(
            f"store path {root} {why}: train --out replaces it whole, the store with it; "
            "give a folder of its own"
        )


def folder_store_around(path: Path) -> Path | None:
    """The folder store ``path`` is, or lies inside (None when neither): a folder whose
    runs/ holds a run's inputs.json (run_inputs_key: every run records one first)."""
    here = Path(path).resolve()
    for folder in (here, *here.parents):
        if any((folder / "runs").glob("*/inputs.json")):
            return folder
    return None


def put_json(store: Store, key: str, value: Any) -> None:
    store.put_bytes(key, json.dumps(value, indent=2, sort_keys=True).encode())


def get_json(store: Store, key: str) -> Any:
    return json.loads(store.get_bytes(key))


def put_file(store: Store, key: str, path: str | Path) -> None:
    store.put_bytes(key, Path(path).read_bytes())


def delete_prefix(store: Store, prefix: str) -> None:
    """Delete every key under ``prefix`` (a folder store removes the folders it empties)."""
    for key in store.list(prefix):
        store.delete(key)


def download_prefix(
    store: Store, prefix: str, dest: str | Path, names: list[str] | None = None
) -> Path:
    """Copy every key under ``prefix`` (only ``names`` if given) into ``dest``; returns dest.
    Each file is written whole or not at all (write_whole): a full disk keeps the earlier copy."""
    dest = Path(dest)
    wanted = None if names is None else {f"{prefix.rstrip('/')}/{n}" for n in names}
    for key in store.list(prefix):
        if wanted is not None and key not in wanted:
            continue
        write_whole(dest / key[len(prefix.rstrip("/")) + 1 :], store.get_bytes(key))
    return dest


# Key layout (DESIGN.md "Artifacts"): one function per kind of key, so no step
# builds a key by hand.
def session_prefix(session: str) -> str:
    return f"sessions/{check_name(session, 'session name')}"


def session_key(session: str, name: str) -> str:
    """One input file of a session as uploaded: ``sessions/<session>/<name>``."""
    return f"{session_prefix(session)}/{check_name(name, 'file name')}"


def clips_prefix() -> str:
    return "clips"


def clip_key(name: str) -> str:
    """``clips/<name>``; a clip of the n-th of a run's several clip folders is named
    ``<n>/<name>`` (as train keys them) and kept apart as ``clips/<n>/<name>``."""
    place, _, file = name.rpartition("/")
    if place and not _PLACE.fullmatch(place):
        raise StoreError(f"invalid clip name {name!r}: a folder part must be its place 1, 2, ...")
    return f"{clips_prefix()}/{place + '/' if place else ''}{check_name(file, 'clip name')}"


def failures_prefix(run_id: str, step: str | None = None) -> str:
    base = f"{run_prefix(run_id)}/failures"
    return f"{base}/{check_name(step, 'step')}" if step else base


def report_key(run_id: str) -> str:
    return f"{report_prefix(run_id)}/index.html"


def transcript_cache_key(audio_sha256: str, config_hash: str) -> str:
    return f"cache/transcripts/{audio_sha256}/{config_hash}.json"


def run_prefix(run_id: str) -> str:
    return f"runs/{check_name(run_id, 'run id')}"


def transcripts_prefix(run_id: str) -> str:
    return f"{run_prefix(run_id)}/transcripts"


def transcript_key(run_id: str, session: str) -> str:
    return f"{transcripts_prefix(run_id)}/{check_name(session, 'session name')}.json"


def run_inputs_key(run_id: str) -> str:
    """The run's own list of sessions and clips (names and sha256): every step reads it."""
    return f"{run_prefix(run_id)}/inputs.json"


def failure_key(run_id: str, step: str, session: str) -> str:
    return f"{run_prefix(run_id)}/failures/{check_name(step, 'step')}/{check_name(session)}.json"


def failure_name(key: str) -> str:
    """The session (or clip) a failure_key names."""
    return key.rsplit("/", 1)[-1].removesuffix(".json")


def pointer_key(run_id: str, kind: str) -> str:
    """``runs/<id>/<kind>.json``: names the published version of a label set or model."""
    return f"{run_prefix(run_id)}/{check_name(kind, 'artifact kind')}.json"


def version_prefix(run_id: str, kind: str, version: str) -> str:
    return f"{run_prefix(run_id)}/{check_name(kind, 'artifact kind')}/{check_name(version)}"


def labels_prefix(run_id: str, version: str | None = None) -> str:
    """A label set's folder; ``version=None`` is the unversioned layout of older runs."""
    return version_prefix(run_id, "labels", version) if version else f"{run_prefix(run_id)}/labels"


def labels_summary_key(labels_folder: str) -> str:
    """The summary of a label set (its sessions, failures, exclusions) in ``labels_folder``."""
    return f"{labels_folder}/summary.json"


def labels_key(run_id: str, session: str, ext: str = "csv", version: str | None = None) -> str:
    return f"{labels_prefix(run_id, version)}/{check_name(session, 'session name')}.{ext}"


def label_rounds_key(run_id: str, session: str, version: str) -> str:
    """The verdicts of one session that its published labels replaced (earlier rounds)."""
    return f"{labels_prefix(run_id, version)}/{ROUNDS}/{check_name(session, 'session name')}.json"


def label_rounds_session(name: str) -> str | None:
    """The session a label set's file ``name`` (relative to its version) holds the replaced
    verdicts of; None for any other file."""
    if name.startswith(f"{ROUNDS}/") and name.endswith(".json"):
        return name[len(ROUNDS) + 1 : -len(".json")]
    return None


#: The folder of a label set holding each session's replaced verdicts (label_rounds_key).
ROUNDS = "rounds"


def model_prefix(run_id: str, version: str | None = None) -> str:
    """A model's folder; ``version=None`` is the unversioned layout of older runs."""
    return version_prefix(run_id, "model", version) if version else f"{run_prefix(run_id)}/model"


#: The UTC time a version name begins with (new_version, version_time).
VERSION_TIME = "v%Y%m%dT%H%M%S"


def new_version() -> str:
    """A fresh version name: UTC time (sorts by age) and random bits (never reused)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime(VERSION_TIME) + "-" + os.urandom(4).hex()


def version_time(name: str):
    """The time a new_version name was made (naive UTC), or None for a name of another form."""
    from datetime import datetime

    try:
        return datetime.strptime(name.split("-", 1)[0], VERSION_TIME)
    except ValueError:
        return None


def published(store: Store, run_id: str, kind: str) -> dict | None:
    """The pointer of the run's published ``kind`` (labels, model), or None if none."""
    try:
        record = get_json(store, pointer_key(run_id, kind))
    except (KeyError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("version"), str) else None


def published_prefix(store: Store, run_id: str, kind: str) -> str:
    """Where the run's current label set or model lives (the older flat layout as fallback)."""
    record = published(store, run_id, kind)
    if record is None:
        return f"{run_prefix(run_id)}/{kind}"
    return version_prefix(run_id, kind, record["version"])


def publish(store: Store, run_id: str, kind: str, version: str, record: dict) -> None:
    """Switch ``kind`` to ``version`` in one write, then delete the versions it replaced.

    Everything under the version prefix must be written before (inside ``filling``): a
    reader follows the pointer, so it sees the old version whole or the new one whole. The
    pointer records each file's sha256 (``files``), so a re-use can tell a file damaged
    since from the one published (steps.common.version_damage). A version another process
    of this machine is still filling (its writer mark held) is kept: deleting its files
    left that writer publishing a version with files missing.
    """
    import hashlib

    prefix = version_prefix(run_id, kind, version) + "/"
    files = {
        key[len(prefix) :]: hashlib.sha256(store.get_bytes(key)).hexdigest()
        for key in store.list(prefix)
    }
    put_json(store, pointer_key(run_id, kind), {**record, "version": version, "files": files})

    def gone(other: str) -> bool:
        state = writer_state(version_mark(store, run_id, kind, other))
        return other != version and state != "writing"

    delete_versions(store, run_id, kind, f"{run_prefix(run_id)}/{kind}/", gone)


def delete_versions(store: Store, run_id: str, kind: str, folder: str, gone) -> dict[str, bool]:
    """Delete the files of every version under ``folder`` (``<folder><version>/...``) that
    ``gone(version)`` (asked once a version) says is gone, then the run's marks of ``kind``
    held by no process (drop_dead_marks) and, in a folder store, what killed writers left
    there (prune_versions); returns the verdicts. A label set's or model's switch
    (publish) and a report's (report._drop_replaced_figures) walk their versions so."""
    verdicts: dict[str, bool] = {}
    for key in store.list(folder):
        version = key[len(folder) :].split("/", 1)[0]
        if version not in verdicts:
            verdicts[version] = gone(version)
        if verdicts[version]:
            store.delete(key)
    drop_dead_marks(store, run_id, kind)  # their versions' files are deleted just above
    if isinstance(store, FileStore):
        keep = {v for v, dead in verdicts.items() if not dead}
        prune_versions(store.root / folder, keep, empty=kind != "report")
    return verdicts


@contextmanager
def filling(store: Store, run_id: str, kind: str, version: str):
    """Hold the writer mark of ``version`` of ``kind`` while it is written and published:
    publish keeps it meanwhile, and a writer that fails before its switch deletes it."""

    def undo() -> None:
        if (published(store, run_id, kind) or {}).get("version") != version:
            delete_prefix(store, version_prefix(run_id, kind, version))

    with writing(version_mark(store, run_id, kind, version), undo):
        yield


def version_mark(store: Store, run_id: str, kind: str, version: str) -> Path:
    """The writer mark (locks.writing) of a label set's, model's or report's figures ``version``
    (``kind`` "labels", "model", "report"), in TMPDIR."""
    return tmp_path(f"{kind}-{version}", f"{store.uri} {run_id}", ".lock")


def drop_dead_marks(store: Store, run_id: str, kind: str) -> list[str]:
    """Delete the writer marks in TMPDIR of the run's ``kind`` held by no process (their
    writers died or failed; locks.drop_if_dead); the versions whose marks went. Call it once
    their files are deleted: a mark left tells the next writer that a folder is nobody's.
    A writer killed before its first file left a mark beside no folder, which no walk of
    the store's versions meets: each stayed in TMPDIR for ever."""
    pattern = version_mark(store, run_id, kind, "*")
    head, tail = pattern.name.split("*")
    dropped = []
    for mark in sorted(pattern.parent.glob(pattern.name)):
        if drop_if_dead(mark):
            dropped.append(mark.name[len(head) : -len(tail)])
    return dropped


def prune_versions(folder: Path, keep: set[str], *, empty: bool = True) -> None:
    """Under the versions ``folder`` but those in ``keep``: the temp files of writers gone
    (a writer killed inside its first file's write left its version folder holding a
    hidden temp file only, which no key lists, so no switch deleted it; a live writer's are
    kept, _remove_orphaned_temps), then, deepest first, the folders of such a version and,
    with ``empty``, every empty folder (left by stores before FileStore.delete removed what
    it emptied); rmdir keeps any that hold a file, and a writer whose folder goes makes it
    again (write_whole). A report's sweep keeps empty folders (another report's, not yet
    filled: report._drop_replaced_figures)."""
    if not folder.is_dir():
        return
    folders = sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
    folders = [p for p in folders if p.relative_to(folder).parts[0] not in keep]
    killed = {p.relative_to(folder).parts[0] for p in folders if _remove_orphaned_temps(p)}
    for path in folders:
        if empty or path.relative_to(folder).parts[0] in killed:
            try:
                path.rmdir()
            except OSError:
                continue


def report_prefix(run_id: str) -> str:
    return f"{run_prefix(run_id)}/report"


def report_figures_prefix(run_id: str, version: str | None = None) -> str:
    """``report/figures/<version>``: the PNG files of one page (report.build_report);
    without ``version`` the folder of every page's."""
    figures = f"{report_prefix(run_id)}/figures"
    return f"{figures}/{check_name(version)}" if version else figures


def manifest_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}/manifest.json"
