"""Error types and the exit-status rule every command follows.

Exit status: 0 success, 2 bad input (the user can fix a file, a name or an option), 1 a
fault (the store, the disk, a bug). Every error is one line naming the session and file.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BAD_INPUT = 2
FAULT = 1
_ctrl_c = {"pressed": False}
_stopped_by = {"signal": 2}  # SIGINT, or SIGTERM: the exit status is 128 + it


def on_ctrl_c(signum, frame) -> None:
    """SIGINT (and SIGTERM, SIGHUP) handler: remember the press and the signal, then raise
    KeyboardInterrupt as Python's does.

    Python drops an exception raised inside a weakref or ``__del__`` callback ("Exception
    ignored"), and the plotting libraries run many: a Ctrl-C there printed a traceback and
    the command went on to exit 0. The press is kept, so check_ctrl_c still stops it."""
    _ctrl_c["pressed"] = True
    _stopped_by["signal"] = signum
    if _held["depth"]:
        _held["pending"] = True  # ctrl_c_held raises it once its steps are done
        return
    # Raised now, so one held before is not kept to be raised again: a second press landing
    # as a hold ended, after its depth dropped but before it cleared the flag, left the flag
    # set for the next hold (bad_input_sweep58).
    _held["pending"] = False
    raise KeyboardInterrupt


_held = {"depth": 0, "pending": False}


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM (where on_ctrl_c answers them) wait while steps that must happen
    together run, and are raised once they are done: a press between the two moves that
    publish `evaluate --report`'s pair left the new metrics.json beside the old
    confusion.png (bad_input_sweep57). A kill (-9) cannot be held."""
    _held["depth"] += 1
    try:
        yield
    finally:
        _held["depth"] -= 1
        pending = not _held["depth"] and _held["pending"]
        if pending:  # raised below; where the steps failed, their error goes on instead
            _held["pending"] = False
    if pending:
        raise KeyboardInterrupt


@contextmanager
def ctrl_c_answered(restore: bool = True) -> Iterator[None]:
    """A command runs: no press yet; on_ctrl_c answers SIGINT and SIGTERM where each has
    Python's default handler (not ignored, nor set by the caller), unless the command runs
    outside the main thread (the signals are not its caller's to set there). SIGTERM (`kill
    PID`, a service stop, timeout) had killed the command at once, before its cleanup ran,
    and a run stopped in its train step left its work folders in TMPDIR
    (bad_input_sweep50); it now exits 143, as the shell's. SIGHUP (the terminal closed, an
    ssh link dropped) did the same (bad_input_sweep57): exit 129; under `nohup` it stays
    ignored.

    On the way out the caller's handlers and unraisable hook are put back: a program that
    called ``cli.main`` and went on had a later ``kill`` raise KeyboardInterrupt in its own
    code instead of stopping it. Not when ``restore`` is False (the silkpipe process itself,
    cli.entry): a press Python drops while the process shuts down (a worker pool's exit
    handler) stays quiet instead of printing a traceback under the command's last line."""
    import signal

    _ctrl_c["pressed"] = False
    _held["pending"] = False
    _stopped_by["signal"] = signal.SIGINT
    defaults: dict[int, Any] = {
        signal.SIGINT: signal.default_int_handler,
        signal.SIGTERM: signal.SIG_DFL,
        signal.SIGHUP: signal.SIG_DFL,  # the terminal closed, an ssh link dropped
    }
    hook = sys.unraisablehook
    answered = [signum for signum, default in defaults.items() if _answer(signum, default)]
    if signal.SIGINT in answered:
        sys.unraisablehook = _quiet_dropped_ctrl_c
    try:
        yield
    finally:
        if restore:
            for signum in answered:
                signal.signal(signum, defaults[signum])
            sys.unraisablehook = hook


def _answer(signum, default) -> bool:
    """on_ctrl_c answers ``signum`` if it still has Python's ``default`` handler and this is
    the main thread; whether it now does."""
    import signal

    if signal.getsignal(signum) is not default:
        return False
    try:
        signal.signal(signum, on_ctrl_c)
    except ValueError:  # not the main thread
        return False
    return True


def interrupted_status() -> int:
    """The exit status of a command stopped by Ctrl-C (130), SIGTERM (143) or SIGHUP (129)."""
    return 128 + int(_stopped_by["signal"])


def _quiet_dropped_ctrl_c(unraisable) -> None:
    """A Ctrl-C Python dropped is not printed as "Exception ignored" and a traceback: the
    command stops at check_ctrl_c and says so in one line. Anything else is printed."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def ctrl_c_pressed() -> bool:
    return _ctrl_c["pressed"]


def check_ctrl_c() -> None:
    """KeyboardInterrupt if Ctrl-C was pressed (even where Python dropped the exception)."""
    if _ctrl_c["pressed"]:
        raise KeyboardInterrupt


def shown(name: str) -> str:
    """A session or file name as an error line shows it: a newline or other control
    character in a folder name is escaped (\\n), so the line stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


class InputError(Exception):
    """Bad input: names the session and the file and says what is wrong."""

    def __init__(self, message: str, *, session: str | None = None, path: str | None = None):
        self.session = session
        self.path = path
        where = []
        if session:
            where.append(f"session {shown(session)}")
        if path:
            where.append(f"file {shown(path)}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class PartialFailure(Exception):
    """A run finished, but some sessions or steps failed; ``code`` is the exit status
    (2 when every failure was bad input, 1 when any was a fault)."""

    def __init__(self, message: str, code: int = FAULT):
        super().__init__(message)
        self.code = code


@contextmanager
def before_the_session() -> Iterator[None]:
    """Around the checks of a command's options and store made before its SESSION is read:
    a failure there is marked, and the command's line names no session (`transcribe S
    --beam-size 40` said 'session S: --beam-size ...', blaming a session never read)."""
    try:
        yield
    except Exception as err:
        err.not_the_session = True  # type: ignore[attr-defined]
        raise


def blamed_session(err: BaseException, session: str | None) -> str | None:
    """The session a command's error line names: none for a failure before_the_session."""
    return None if getattr(err, "not_the_session", False) else session


def one_line(err: BaseException, *, session: str | None = None, path: str | None = None) -> str:
    """``err`` as one line; names the session and file when the message does not already."""
    from silkpipe.store import StoreError  # bad input too: its message says what is wrong

    text = " ".join(str(err).split()) or type(err).__name__
    if not isinstance(err, InputError | OSError | StoreError):
        text = f"{type(err).__name__}: {text}"
    where = [
        w
        for w in (
            f"session {shown(session)}" if session else "",
            f"file {shown(path)}" if path else "",
        )
        if w and w not in text
    ]
    text = f"{', '.join(where)}: {text}" if where else text
    return text[:500]


def exit_status(err: BaseException) -> int:
    """2 for bad input, 1 for a fault."""
    from silkpipe.store import StoreError

    return BAD_INPUT if isinstance(err, InputError | StoreError) else FAULT


@contextmanager
def writing_to(path: str | Path) -> Iterator[None]:
    """An OSError that names no file (a write that ran out of room says "[Errno 28] No
    space left on device" and nothing of where) is raised as one naming ``path``, the
    folder or file the user gave; one that names its file is left as it is."""
    try:
        yield
    except OSError as err:
        if err.filename is None:
            raise OSError(f"cannot write {path}: {err.strerror or err}") from err
        raise


def read_user_bytes(path: Path, *, session: str | None = None) -> bytes:
    """A user's file's bytes; one the OS will not hand over (no permission, an I/O error)
    is InputError naming it, so the caller can leave that session out and go on."""
    try:
        return path.read_bytes()
    except OSError as err:
        why = err.strerror or type(err).__name__
        raise InputError(f"cannot read: {why}", session=session, path=str(path)) from None


def not_utf8(err: UnicodeDecodeError) -> str:
    """Where and why bytes are not UTF-8 ("line N: ..."): a wrong byte deep in a long
    file is found by its line, not by reading the whole file in another tool."""
    line = err.object.count(b"\n", 0, err.start) + 1
    return f"line {line}: not UTF-8 text ({err.reason}, byte 0x{err.object[err.start]:02x})"


def read_user_text(path: Path, *, session: str | None = None) -> str:
    """A user's UTF-8 text file (read_user_bytes), without the byte-order mark a Windows
    editor writes first; bytes that are not UTF-8 are InputError naming the file and the
    first bad byte's reason."""
    data = read_user_bytes(path, session=session)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(not_utf8(err), session=session, path=str(path)) from None


def parse_json(
    data: str | bytes,
    *,
    session: str | None = None,
    path: str | None = None,
    unique: bool = True,
):
    """JSON text -> its value; anything the parser refuses is InputError naming the file.

    Besides malformed text that covers bytes that are not UTF-8, an integer longer than
    Python converts (ValueError) and nesting deeper than the parser recurses
    (RecursionError): both are bad input, not faults. A byte-order mark before the text
    (Windows editors write one) is skipped, as in the CSVs: the parser takes it from bytes,
    not from text. With ``unique`` (every file a user gives: a session's metadata.json, a
    transcript, a truth.json, a model's config.json; bad_input_sweep60), a key given twice
    with two values is InputError too.
    """
    import json

    if isinstance(data, str):
        data = data.removeprefix("\ufeff")
    try:
        return json.loads(data, object_pairs_hook=_one_value_a_key if unique else None)
    except _KeyTwice as err:
        raise InputError(str(err), session=session, path=path) from None
    except (ValueError, RecursionError) as err:
        raise InputError(f"invalid JSON: {err}", session=session, path=path) from None


class _KeyTwice(Exception):
    """A JSON object giving one key two values (parse_json's ``unique``)."""


def _one_value_a_key(pairs: list[tuple[str, Any]]) -> dict:
    """An object's pairs as a dict, refusing a key given twice with two values: the parser
    keeps the last without a word (a date corrected by a line added above the old one)."""
    out: dict = {}
    for key, value in pairs:
        if key in out and out[key] != value:
            said = f"{out[key]!r:.60} and {value!r:.60}"
            raise _KeyTwice(f"key {key!r:.60} given twice, with two values ({said}): keep one")
        out[key] = value
    return out


def json_number(value: Any) -> float | None:
    """A JSON value as a finite float, else None: a bool, a string, NaN or an infinity is
    none, and so is an integer past a float's range (a 400-digit number: float() raises
    OverflowError there, and numpy's isfinite TypeError)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def folder_file(folder: Path, name: str, what: str, *, session: str | None = None) -> Path | None:
    """``folder/name`` checked before anything reads it; None when there is no such entry.

    A link that leads out of ``folder`` is InputError (nothing outside the folders given is
    read), and so is a folder or named pipe of that name (reading a pipe waits for ever)."""
    path = Path(folder) / name
    if not (path.exists() or path.is_symlink()):
        return None
    if not path.resolve().is_relative_to(Path(folder).resolve()):
        raise InputError(f"is a link out of the {what}: not read", session=session, path=str(path))
    if not path.is_file():
        raise InputError(
            "is not a regular file (a folder, a pipe or a broken link): not read",
            session=session,
            path=str(path),
        )
    return path
