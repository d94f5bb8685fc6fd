"""Lock files and work folders in TMPDIR, held with flock: the paths every process of this
machine finds for one store and run (or one --out folder), built in one place."""

from __future__ import annotations

import fcntl
import glob
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


def tmp_path(what: str, identity: str, suffix: str = "") -> Path:
    """``TMPDIR/silkpipe-<what>-<hash of identity><suffix>``: the same path in every process
    for one ``identity`` (a store's URI, a resolved folder), which may not fit a file name;
    ``suffix`` ".lock" names the lock file beside a work folder's path."""
    where = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"silkpipe-{what}-{where}{suffix}"


@contextmanager
def one_training(path: Path, what: str):
    """Hold the training lock file ``path`` (``what`` names it in the waiting line): two
    `run`s of one store and run id at once shared the fixed work folder, and the first to
    finish deleted it under the other (its train step failed, exit 1); two `train --out
    DIR` shared DIR/model.partial. The lock file sits in TMPDIR; its holder deletes it when
    done, so a waiter that locked a deleted file locks the path's new one instead."""
    handle = _locked_file_at(path, f"{what} is training in another process: waiting for it")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()  # releases the lock


@contextmanager
def folder_held(folder: Path, what: str):
    """Hold a lock on ``folder`` itself (made if missing): a lock file in TMPDIR is not
    seen by a process with another TMPDIR (two batch jobs, each given its own scratch),
    and two `train --out DIR` trained into one DIR/model.partial (one exit 1, "No such
    file or directory: ...model.onnx"). Where the file system cannot lock a folder (some
    network mounts), nothing is held here and the TMPDIR lock alone guards."""
    folder.mkdir(parents=True, exist_ok=True)
    with folder_locked(folder, f"{what} is training in another process: waiting for it"):
        yield


@contextmanager
def folder_locked(folder: Path, waiting: str):
    """An exclusive flock on the existing ``folder`` itself (``waiting`` is logged when
    another process holds it): no file is added to a user's folder. Where the file system
    cannot lock a folder (some network mounts), nothing is held."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            _lock(fd, waiting)
        except OSError as err:
            log.debug("cannot lock %s (%s): not held", folder, err)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def scratch_in(folder: Path, prefix: str) -> Iterator[Path]:
    """A new scratch folder in ``folder``, locked by this process from the moment it exists
    (made under ``folder``'s own lock, which a cleaner holds too), so that abandoned() never
    takes a live writer's scratch for a killed one's; deleted when done."""
    with folder_locked(folder, ""):
        made, fd = _made_locked(folder, prefix)
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)
        os.close(fd)  # releases the lock


def _made_locked(folder: Path, prefix: str) -> tuple[Path, int]:
    """A new folder in ``folder`` and the descriptor that holds its flock (close it to
    release); where the file system cannot lock, none is held and abandoned() keeps it."""
    made = Path(tempfile.mkdtemp(dir=folder, prefix=prefix))
    fd = os.open(made, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as err:
        log.debug("cannot lock %s (%s)", made, err)
    return made, fd


@contextmanager
def temp_scratch(prefix: str) -> Iterator[Path]:
    """A scratch folder in TMPDIR, locked while in use and deleted when done, once the ones
    of this ``prefix`` that killed processes left (kill -9, the OOM killer: nothing else
    deletes them) are dropped: each `run` killed in its train step left a
    silkpipe-unlabelled-* folder in TMPDIR for good (bad_input_sweep58). A live writer's
    is locked, and kept."""
    with _locked_in_tmpdir(prefix, unfinished=False) as made:
        try:
            yield made
        finally:
            shutil.rmtree(made, ignore_errors=True)


UNFINISHED = ".unfinished"  # in a temp_output folder until its command ends well


@contextmanager
def temp_output(prefix: str) -> Iterator[Path]:
    """A folder in TMPDIR for a command's results (score-voice's store when none is given),
    kept when the command ends well, deleted when it fails; one a killed process left
    (still marked UNFINISHED, no lock held) is dropped by the next, as temp_scratch's are:
    each score-voice killed stayed in TMPDIR for good (bad_input_sweep59). A finished
    one, or one made before the mark existed, is never dropped."""
    with _locked_in_tmpdir(prefix, unfinished=True) as made:
        yield made
        (made / UNFINISHED).unlink()


@contextmanager
def _locked_in_tmpdir(prefix: str, *, unfinished: bool) -> Iterator[Path]:
    """A new folder TMPDIR/``prefix``*, locked until the block ends and deleted if it fails,
    once the abandoned ones are dropped (with ``unfinished``: those still marked). TMPDIR's
    own lock is not taken (`train --out $TMPDIR` holds it for the whole training): the
    folder is locked (and marked) under a name the cleaner does not read, then renamed."""
    folder = Path(tempfile.gettempdir())
    drop_abandoned(folder, prefix, UNFINISHED if unfinished else None)
    hidden, fd = _made_locked(folder, f".making-{prefix}")  # the lock stays through the rename
    made = hidden.with_name(hidden.name.removeprefix(".making-"))
    try:
        if unfinished:
            (hidden / UNFINISHED).touch()
        hidden.rename(made)
        yield made
    except BaseException:
        shutil.rmtree(made if made.exists() else hidden, ignore_errors=True)
        raise
    finally:
        os.close(fd)  # releases the lock


def drop_abandoned(folder: Path, prefix: str, marked: str | None = None) -> None:
    """Delete the scratch folders named ``prefix``* in ``folder`` whose writers were killed
    (abandoned); with ``marked``, only those holding that file."""
    for scratch in folder.glob(f"{glob.escape(prefix)}*"):
        if marked and not (scratch / marked).is_file():
            continue
        if scratch.is_dir() and not scratch.is_symlink() and abandoned(scratch):
            shutil.rmtree(scratch, ignore_errors=True)


def abandoned(folder: Path) -> bool:
    """Whether ``folder`` (a scratch_in folder) is no live writer's: its lock could be taken
    (its writer was killed). False while a writer holds it, or where locks do not work."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:  # BlockingIOError: held; another: cannot tell
        return False
    finally:
        os.close(fd)  # releases the lock taken


def _lock(file, waiting: str | None) -> None:
    """An exclusive flock on ``file`` (an open file or a descriptor), logging ``waiting``
    first when another process holds it."""
    try:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if waiting:
            log.info("%s", waiting)
        fcntl.flock(file, fcntl.LOCK_EX)


def _is_file_at(handle, path: Path) -> bool:
    """Whether the open ``handle`` is still the file at ``path`` (not one deleted since)."""
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


@contextmanager
def writing(path: Path, undo: Callable[[], None]):
    """Hold the writer mark ``path`` while a writer fills a folder that nothing links yet
    (a report's figures, a label set's or model's version): deleted when the work is done.
    A writer that fails (an exception, Ctrl-C) first calls ``undo`` (delete what it wrote),
    then deletes its mark, so nothing of it is left; a mark is left, held by no process,
    only by a writer killed or whose ``undo`` failed too, so the next writer knows at once
    that the folder is nobody's (writer_state)."""
    handle = _locked_file_at(path)
    try:
        try:
            yield
        except BaseException:
            _undo_then_unmark(path, undo)
            raise
        path.unlink(missing_ok=True)
    finally:
        handle.close()  # releases the mark: a killed process's is released by the kernel


def _locked_file_at(path: Path, waiting: str | None = None):
    """The file at ``path`` (created if missing), open and locked, waiting for its holder
    (``waiting`` is logged when it must). A lock won on a file deleted meanwhile (a
    training lock's holder deletes it when done; drop_if_dead deletes a writer mark
    created but not yet locked) is a lock on no file at ``path``: opened and locked again."""
    while True:
        handle = open(path, "a")
        try:
            _lock(handle, waiting)
            if _is_file_at(handle, path):
                return handle
        except BaseException:
            handle.close()
            raise
        handle.close()


def _undo_then_unmark(path: Path, undo: Callable[[], None]) -> None:
    """A failed writer's clean-up: the mark goes only once what it wrote is gone (a store
    that fails the deletes too keeps the mark, which tells the next writer)."""
    try:
        undo()
    except Exception as err:  # noqa: BLE001 - the writer's own error is the one raised
        log.debug("could not delete what a failed writer wrote (%s): the next one will", err)
        return
    path.unlink(missing_ok=True)


def writer_state(path: Path) -> str | None:
    """ "writing" while a process of this machine holds the writer mark ``path``, "dead"
    when the mark is left and no process holds it (its writer died or failed), None with
    no mark here (its writer finished, or ran on another machine or before the marks)."""
    with _probed(path) as state:
        return state


def drop_if_dead(path: Path) -> bool:
    """Delete the writer mark ``path`` when no process holds it (writer_state "dead"), under
    its lock so that no writer takes it meanwhile; whether it was deleted. A writer killed
    before its first file left such a mark beside no folder: nothing else deletes it."""
    with _probed(path) as state:
        if state == "dead":
            path.unlink(missing_ok=True)
    return state == "dead"


@contextmanager
def _probed(path: Path) -> Iterator[str | None]:
    """writer_state's answer, the mark's lock held meanwhile when it is "dead"."""
    try:
        handle = open(path)  # never created here: a missing mark stays missing
    except OSError:
        yield None
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield "writing"
            return
        yield "dead" if _is_file_at(handle, path) else None  # a finished writer's: gone
