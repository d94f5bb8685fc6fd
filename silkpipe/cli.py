"""The ``silkpipe`` command: one sub-command per step, each in ``silkpipe/commands/``.

Every command module exposes ``register(subparsers)`` which adds its parser and sets
``func`` to a handler ``(args) -> dict | None``. The handler's dict of figures is
recorded as the step's metrics (pushed to a Pushgateway when one is configured).
Exit status: 0 success, 2 bad input, 1 a fault (store, disk, bug); every error is one line
on stderr naming the session and file. Per-session failures are recorded by the steps
themselves (``runs/<id>/failures/<step>/<session>.json``).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from silkpipe.commands import record_given
from silkpipe.errors import (
    BAD_INPUT,
    PartialFailure,
    before_the_session,
    blamed_session,
    check_ctrl_c,
    ctrl_c_answered,
    ctrl_c_pressed,
    exit_status,
    interrupted_status,
    one_line,
)

#: What Ctrl-C leaves: every output is written whole (temp file, then renamed) and switched
#: in last, so what finished is kept and the same command re-uses it.
INTERRUPTED = "finished results are kept whole, nothing half-written is used; run it again to go on"

COMMAND_MODULES = (
    "synth",
    "transcribe",
    "align",
    "train",
    "evaluate",
    "report",
    "run",
    "sessions",
    "score_voice",
)


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors on one line, as every other error: it printed the whole
    usage first (50 lines for align) and the line saying what was wrong came last."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (options: {self.prog} -h)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="silkpipe",
        description="Voice-labelled smartwatch motion recordings -> gesture models.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"silkpipe.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"silkpipe.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    record_given(parser)
    return parser


def main(argv: list[str] | None = None, *, restore: bool = True) -> int:
    """Run one command; its exit status. Ctrl-C and SIGTERM are answered while it runs
    (from before the commands' imports: they take seconds, and a press there too is one
    line, not an import traceback); ``restore``: the caller's handlers are put back after."""
    with ctrl_c_answered(restore=restore), _wrapped("stderr", _DroppingStderr):
        return _run(argv)


def entry() -> NoReturn:
    """The ``silkpipe`` process (its script, ``python -m silkpipe``): main, then exit with
    its status, the handlers left answering to the end (errors.ctrl_c_answered).

    A signal answered inside code Python runs from a string (``exec(text)``: dataclasses and
    namedtuples build their methods so, in torch's lazy imports too) marks the process as
    stopped by an unhandled Ctrl-C, even once main handled it; under ``python -m`` Python
    then ended by SIGINT, not the status (SIGTERM mid-training gave -2, not 143, one run in
    twenty). A string run cleanly clears that mark, so the status stands."""
    status = main(restore=False)
    exec("")  # clears the stale mark (CPython's run_eval_code_obj resets it on each run)
    sys.exit(status)


def _run(argv: list[str] | None) -> int:
    if why := _no_current_folder():
        _say(f"{_named(argv)}: error: {why}")
        return BAD_INPUT
    try:
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:
        return _interrupted(_named(argv))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # urllib3 logs each retry of an S3 request as a long WARNING: an endpoint nobody listens
    # on printed five before the command's one error line. -v shows them.
    logging.getLogger("urllib3").setLevel(logging.DEBUG if args.verbose else logging.ERROR)
    try:
        from tqdm.contrib.logging import logging_redirect_tqdm

        from silkpipe import metrics

        with before_the_session():  # an option's fault: the line names no session
            _refuse_empty(build_parser(), args)
            _refuse_empty_words(sys.argv[1:] if argv is None else argv)
        with (
            _wrapped("stdout", _NamedStdout),
            logging_redirect_tqdm(),
            metrics.step_metrics(args) as record,
        ):
            result = args.func(args)
            check_ctrl_c()  # pressed where Python dropped the KeyboardInterrupt
            if isinstance(result, dict):
                record({k: v for k, v in result.items() if isinstance(v, int | float)})
            sys.stdout.flush()  # its fault said here, in one line, not at the exit
    except PartialFailure as err:
        if not ctrl_c_pressed():
            _say(f"{_command(args)}: partial: {err}")
            return err.code
        return _interrupted(_command(args))
    except KeyboardInterrupt:  # Ctrl-C: one line saying what is left, not silence
        return _interrupted(_command(args))
    except Exception as err:  # noqa: BLE001 - every failure is one line and an exit status
        if ctrl_c_pressed():  # what the press broke (a child it killed) after Python dropped it
            return _interrupted(_command(args))
        if args.verbose and exit_status(err) != 2:  # a fault or a bug: show where
            logging.getLogger(__name__).exception("%s failed", args.command)
        reason = one_line(err, session=blamed_session(err, getattr(args, "session", None)))
        _say(f"{_command(args)}: error: {reason}")
        return exit_status(err)
    return 0


class _NamedStdout:
    """sys.stdout while a command runs: a write or flush it refuses with no file named
    (stdout redirected to a full disk: `sessions list > /dev/full`) says it was stdout; the
    line said "[Errno 28] No space left on device" and no more (bad_input_sweep59). A closed
    pipe stays BrokenPipeError (`evaluate --cv --report DIR | head` goes on into cv.json).
    A stdout closed before the command began (`>&-`: Python gives None) refuses a write
    alike; a command that writes nothing there is not failed for it (bad_input_sweep60)."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with _naming_stdout():
            if self._stream is None:
                raise OSError(errno.EBADF, "it was closed when the command began (`>&-`?)")
            return self._stream.write(text)

    def flush(self) -> None:
        if self._stream is not None:  # nothing can have been written to a closed one
            with _naming_stdout():
                self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def _naming_stdout() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as err:
        if err.filename is not None:
            raise
        why = err.strerror or str(err)
        raise OSError(f"cannot write stdout (the command's output): {why}") from err


@contextmanager
def _wrapped(stream: str, wrapper: type) -> Iterator[None]:
    """sys.<stream> ("stdout" or "stderr") is ``wrapper`` around it until the block ends
    (unless the block put another in its place)."""
    real = getattr(sys, stream)
    setattr(sys, stream, wrapper(real))
    try:
        yield
    finally:
        if isinstance(getattr(sys, stream), wrapper):
            setattr(sys, stream, real)


class _DroppingStderr:
    """sys.stderr while a command runs: a line it can no longer take (stderr on a full disk,
    `2>/dev/full`, or closed, `2>&-`: Python gives None, and print sent the lines to stdout)
    is dropped, not raised. Progress and log lines are no result: raising failed the command
    after its work (train lost its model); the exit status still says how it ended
    (bad_input_sweep60)."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            if self._stream is not None:
                self._stream.write(text)
        except OSError:
            pass
        return len(text)

    def flush(self) -> None:
        try:
            if self._stream is not None:
                self._stream.flush()
        except OSError:
            pass

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _no_current_folder() -> str | None:
    """Why this process has no current folder (it was deleted while the shell was in it),
    or None. Relative paths name nothing there, and torch's import ended the process with
    "Intel oneMKL FATAL ERROR: Cannot load .../libtorch_cpu.so.", exit 2, whatever paths
    were given (bad_input_sweep58)."""
    import os

    try:
        os.getcwd()
    except FileNotFoundError:
        return (
            "the current folder no longer exists (deleted while this shell was in it): "
            "cd to a folder that does, and run it again"
        )
    return None


def _refuse_empty(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """An argument given as '' (``--store "$STORE"`` with STORE unset) named the current
    folder: ``--store ''`` wrote the store into it, over the sessions folder being read."""
    from silkpipe.commands import GIVEN
    from silkpipe.errors import InputError

    given = vars(args).get(GIVEN, set())
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                _refuse_empty(chosen, args)
            continue
        if action.option_strings and action.option_strings[0] not in given:
            continue
        value = getattr(args, action.dest, None)
        if "" in (value if isinstance(value, list) else [value]):
            name = action.option_strings[0] if action.option_strings else action.metavar
            raise InputError(f"{name or action.dest} is empty (an unset shell variable?)")


def _refuse_empty_words(argv: list[str]) -> None:
    """An empty word an option converts (``sessions upload ''``: DIR is Path('.') once
    parsed), refused as _refuse_empty refuses the others, naming the option before it."""
    from silkpipe.errors import InputError

    for i, word in enumerate(argv):
        if word.startswith("--") and word.endswith("="):
            raise InputError(f"{word[:-1]} is empty (an unset shell variable?)")
        if word == "":
            before = argv[i - 1] if i and argv[i - 1].startswith("-") else ""
            name = before or f"argument {i + 1} ({' '.join(argv[:i])} ...)"
            raise InputError(f"{name} is empty (an unset shell variable?)")


def _command(args: argparse.Namespace) -> str:
    """'silkpipe COMMAND [ACTION]': the lines of `sessions upload` name the action too."""
    action = getattr(args, "action", None)
    return " ".join(["silkpipe", args.command, *([action] if action else [])])


def _named(argv: list[str] | None) -> str:
    """'silkpipe COMMAND' as the command line names it, before it is parsed."""
    words = [word for word in (sys.argv[1:] if argv is None else argv) if word[:1] != "-"]
    return " ".join(["silkpipe", *words[:1]])


def _interrupted(command: str) -> int:
    """Ctrl-C or SIGTERM: one line saying what is left, and the exit status a shell gives it."""
    _say(f"{command}: interrupted: {INTERRUPTED}")
    return interrupted_status()


def _close_bars() -> None:
    """Close the progress bars a failure or Ctrl-C left open: each still drawn ends its
    line, and none is drawn again after the closing line (the failed frames keep them)."""
    from tqdm import tqdm

    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()


def _say(line: str) -> None:
    """One line on stderr, on a line of its own even if a progress bar was drawn; none
    where stderr can no longer be written (its terminal closed)."""
    _close_bars()
    try:
        if sys.stdout is not None:  # None: closed when the command began (`>&-`)
            sys.stdout.flush()
        sys.stderr.write("\r\033[K" + line + "\n" if sys.stderr.isatty() else line + "\n")
        sys.stderr.flush()
    except OSError:  # the terminal is gone (SIGHUP): the exit status still says it
        pass


if __name__ == "__main__":
    entry()
