"""review38b: every silkpipe evaluate/train/synth/transcribe command a caller types, run
through the command's refusal of options that would do nothing (its _refuse_unused).

Callers: README.md (inline and sh blocks), the Makefile's recipes and bench/notes/*.sh.
(The WorkflowTemplate's commands are pinned by tests/test_workflows.py, the README's by
tests/test_readme_commands.py.) Shell variables become 1; a command that does
not parse as written (a placeholder for a number, a prose fragment) is counted as such and
listed, not refused. Usage: PYTHONPATH=$PWD python bench/notes/review38b.py
"""

from __future__ import annotations

import importlib
import re
import shlex
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from test_readme_commands import ParseError, all_commands, cli_parser, shell_lines  # noqa: E402

from silkpipe.errors import InputError  # noqa: E402

COMMANDS = ("evaluate", "train", "synth", "transcribe")
#: A shell variable (a number stands for it: it parses as a count, a seed and a path).
VARIABLE = re.compile(r"\$[({]?\w+(\[@\])?[)}]?")
REDIRECT = re.compile(r"\s\d?>|[|;&]")
CALL = re.compile(r"silkpipe(?:\.cli)?\s+(" + "|".join(COMMANDS) + r")\b(.*)")


def caller_commands() -> list[tuple[str, list[str]]]:
    """(where, argv) of every evaluate/train/synth/transcribe command the callers type."""
    out = []
    for where, tokens in all_commands((REPO / "README.md").read_text()):
        args = tokens[1:] if tokens[0] in ("silkpipe", ".venv/bin/silkpipe") else tokens
        if args and args[0] in COMMANDS:
            out.append((f"README.md:{where}", args))
    shells = [REPO / "Makefile", *sorted((REPO / "bench" / "notes").glob("*.sh"))]
    for path in shells:
        for line, text in shell_lines(path.read_text(), 1):
            if m := CALL.search(text):
                rest = VARIABLE.sub("1", REDIRECT.split(m.group(2))[0])
                try:
                    out.append((f"{path.name}:{line}", [m.group(1), *shlex.split(rest)]))
                except ValueError:
                    out.append((f"{path.name}:{line}", [m.group(1), "(unsplittable)"]))
    return out


def verdict(argv: list[str]) -> str:
    try:
        args = cli_parser().parse_args(argv)
    except (ParseError, SystemExit) as err:
        return f"not parsed as written ({err})"
    try:
        importlib.import_module(f"silkpipe.commands.{argv[0]}")._refuse_unused(args)
    except InputError as err:
        return f"REFUSED: {err}"
    return "ok"


def main() -> None:
    rows = [(where, argv, verdict(argv)) for where, argv in caller_commands()]
    for where, argv, why in rows:
        if why != "ok":
            print(f"{where}: {' '.join(argv)}: {why}")
    counts = {k: sum(why.startswith(k) for *_, why in rows) for k in ("ok", "not", "REFUSED")}
    print(
        f"{len(rows)} commands: {counts['ok']} ok, {counts['not']} not parsed as written, "
        f"{counts['REFUSED']} refused"
    )


if __name__ == "__main__":
    main()
