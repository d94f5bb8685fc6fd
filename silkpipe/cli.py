"""The ``silkpipe`` command: one sub-command per step, each in ``silkpipe/commands/``.

Every command module exposes ``register(subparsers)`` which adds its parser and sets
``func`` to a handler ``(args) -> dict | None``. The handler's dict of figures is
recorded as the step's metrics (pushed to a Pushgateway when one is configured).
Bad input exits with status 2 and one line saying what is wrong.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from silkpipe.errors import InputError, PartialFailure
from silkpipe.store import StoreError

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        from silkpipe import metrics

        with metrics.step_metrics(args) as record:
            result = args.func(args)
            if isinstance(result, dict):
                record(result)
    except (InputError, StoreError, FileNotFoundError) as err:
        print(f"silkpipe {args.command}: error: {err}", file=sys.stderr)
        _record_failure(args, err)
        return 2
    except PartialFailure as err:
        print(f"silkpipe {args.command}: partial: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _record_failure(args: argparse.Namespace, err: Exception) -> None:
    """A per-session step that failed leaves runs/<id>/failures/<step>/<session>.json."""
    session, run_id, uri = (getattr(args, k, None) for k in ("session", "run_id", "store"))
    if not (session and run_id and uri):
        return
    try:
        from silkpipe.store import check_name, open_store, put_json, run_prefix

        check_name(session, "session name")  # never build a key from an unchecked name
        put_json(
            open_store(uri),
            f"{run_prefix(run_id)}/failures/{args.command}/{session}.json",
            {"session": session, "step": args.command, "error": str(err)},
        )
    except Exception as store_err:  # the failure record is best effort
        logging.getLogger(__name__).warning("could not record failure: %s", store_err)


if __name__ == "__main__":
    sys.exit(main())
