"""README.md as a new user reads it: every command it shows runs as written.

A user copies commands from the README. Each ``silkpipe`` command there must name a real
sub-command and only options its parser has (exactly, no abbreviation), with values its
choices allow; each ``make X`` a target ``make help`` lists; each ``python -m M`` a module
that exists and has the options given; each repo file it names (bench notes, modules,
charts) must exist; each ``module.name`` it names must resolve, to the value it quotes.
Nothing is run: commands are parsed by the real argparse parser, and none may give an
option its command refuses as doing nothing where given (its _refuse_unused).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import functools
import importlib
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from silkpipe.cli import build_parser
from silkpipe.errors import InputError

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
#: The README and the measurement histories moved out of it: commands, paths and names
#: quoted there are read and copied by users too, so every document is checked alike.
HISTORIES = (
    "clock_history.md",
    "voice_path_history.md",
    "gesture_model_history.md",
    "bad_input_history.md",
)
DOCUMENTS = (README, *(REPO / "bench" / "notes" / name for name in HISTORIES))
#: Where a path must start to be a repo path (the rest are store keys, data, outputs).
REPO_DIRS = ("bench", "silkpipe", "tests", "charts", "images", "workflows", ".ci")
SILKPIPE = ("silkpipe", ".venv/bin/silkpipe")
#: Files a bare name in prose may mean (data and artifact names like truth.json are not).
REPO_FILE = re.compile(r"[\w.-]+\.(txt|py|sh|md|yaml)")
#: Dotted names from outside the package the README quotes: Android's sensor API, an Argo
#: ``depends`` expression on the template's align task.
FOREIGN = {"SensorEvent.timestamp", "align.Errored"}
#: Dotted snippets that are file names (data, artifacts, the model tiny.en), not code.
FILE_SUFFIXES = tuple(".json .csv .wav .html .png .en .txt .py .sh .md .yaml".split())


def readme_snippets(text: str) -> list[tuple[int, str]]:
    """(line, text) of every inline code span and every line of a ``sh`` block; a span
    broken over lines is joined, a shell line continued with a backslash too."""
    out: list[tuple[int, str]] = []
    blocks = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
    for m in blocks.finditer(text):
        if m.group(1) in ("sh", "bash"):
            out += shell_lines(m.group(2), text.count("\n", 0, m.start(2)) + 1)
    prose = blocks.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for m in re.finditer(r"(?<!`)`([^`]+)`(?!`)", prose):
        out.append((prose.count("\n", 0, m.start()) + 1, " ".join(m.group(1).split())))
    return out


def shell_lines(block: str, first: int) -> list[tuple[int, str]]:
    """(line, text) of each command of a shell block, backslash continuations joined."""
    out: list[tuple[int, str]] = []
    parts: list[str] = []
    for i, line in enumerate(block.splitlines()):
        parts.append(line.removesuffix("\\"))
        if not line.endswith("\\"):
            out.append((first + i - len(parts) + 1, " ".join(parts)))
            parts = []
    return out


def commands(snippet: str) -> list[list[str]]:
    """The simple commands in a snippet (split at ``&&`` and ``;``), comments and the
    ``[...]`` brackets around optional parts dropped, a ``<described value>`` one word."""
    out: list[list[str]] = [[]]
    for token in shlex.split(re.sub(r"<[^<>]*>", "VALUE", snippet), comments=True):
        if token in ("&&", ";"):
            out.append([])
        elif token.strip("[]"):
            out[-1].append(token.strip("[]"))
    return [c for c in out if c]


def all_commands(text: str) -> list[tuple[int, list[str]]]:
    return [(line, c) for line, snippet in readme_snippets(text) for c in commands(snippet)]


class ParseError(Exception):
    """What argparse would have printed before exiting 2."""


@functools.cache
def cli_parser() -> argparse.ArgumentParser:
    """The real parser, raising ParseError instead of exiting."""
    parser = build_parser()

    def fail(message: str):
        raise ParseError(message)

    for sub in [parser, *subparsers(parser)]:
        sub.error = fail  # type: ignore[method-assign]
    return parser


def subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every sub-command's parser, nested ones included."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out += [sub, *subparsers(sub)]
    return out


def subcommand_names() -> set[str]:
    subs = [a for a in cli_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(subs[0].choices)


def subcommand(tokens: list[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser of the (possibly nested) sub-command ``tokens`` start with and the
    tokens after its name; KeyError when a name is not a sub-command."""
    parser, rest = cli_parser(), tokens
    while rest and not rest[0].startswith("-"):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            break
        parser, rest = subs[0].choices[rest[0]], rest[1:]
    return parser, rest


def option_problems(parser: argparse.ArgumentParser, tokens: list[str]) -> list[str]:
    """Options ``parser`` lacks (exact names only: the README shows the full spelling) and
    values outside an option's choices (``a|b`` names alternatives)."""
    actions = {flag: a for a in parser._actions for flag in a.option_strings}
    problems = []
    for i, token in enumerate(tokens):
        flag, _, value = token.partition("=")
        if not flag.startswith("--") or flag == "--option":  # --option: any option
            continue
        if flag not in actions:
            problems.append(f"no option {flag}")
            continue
        if not value and actions[flag].nargs != 0 and i + 1 < len(tokens):
            value = tokens[i + 1]
        choices = actions[flag].choices
        if choices and value:
            bad = [v for v in value.split("|") if v not in choices]
            problems += [f"{flag} {v}: not one of {sorted(choices)}" for v in bad]
    return problems


def silkpipe_problems(tokens: list[str]) -> list[str]:
    """Why ``silkpipe ARGS`` would not run as written. A fragment in prose may leave out
    what is required (``align --class-channel-weight 0``) and give a number as a
    placeholder (``--seed S``), never more."""
    args = [t for t in tokens if t != "COMMAND"]  # `silkpipe COMMAND --help`
    try:
        parser, rest = subcommand(args)
    except KeyError as err:
        return [f"no sub-command {err}"]
    problems = option_problems(parser, rest)
    if problems or "COMMAND" in tokens:
        return problems
    try:
        parsed = cli_parser().parse_args(args)
    except ParseError as err:
        fragment = str(err).startswith("the following arguments are required")
        ends_at_option = "expected one argument" in str(err) and rest[-1].startswith("--")
        placeholder = re.search(r"invalid \w+ value: '[A-Z][A-Z0-9_]*'$", str(err))
        if not (fragment or ends_at_option or placeholder):
            return [str(err)]
        return []
    return refusals(parsed)


def refusals(args: argparse.Namespace) -> list[str]:
    """The option the command would refuse, before reading anything, as given where it
    would do nothing (its module's ``_refuse_unused``): a README command must not show one."""
    refuse = getattr(sys.modules[args.func.__module__], "_refuse_unused", None)
    try:
        if refuse is not None:
            refuse(args)
    except InputError as err:
        return [f"refused: {err}"]
    return []


@functools.cache
def make_help() -> str:
    """What ``make help`` prints: one target and its help text a line."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def make_targets() -> frozenset[str]:
    """The targets ``make help`` lists, as a user sees them."""
    return frozenset(re.findall(r"^\s+(\S+)", make_help(), re.M))


def workflow_parameters() -> set[str]:
    text = (REPO / "workflows" / "silkpipe_workflow.py").read_text()
    return set(re.findall(r'"([a-z][a-z0-9-]*)":', text))


def make_problems(tokens: list[str]) -> list[str]:
    """``make TARGET VAR=value``: each target exists and ``make help`` lists it; the
    ``-p NAME=value`` workflow parameters in ARGS exist in the WorkflowTemplate."""
    problems = []
    for token in tokens[1:]:
        name, is_var, value = token.partition("=")
        if is_var and name == "ARGS":
            problems += param_problems(shlex.split(value))
        elif not is_var and token not in make_targets():
            problems.append(f"make {token}: no target that `make help` lists")
    return problems


def param_problems(tokens: list[str]) -> list[str]:
    names = [tokens[i + 1].split("=")[0] for i, t in enumerate(tokens[:-1]) if t == "-p"]
    return [f"-p {n}: no such workflow parameter" for n in names if n not in workflow_parameters()]


def python_problems(tokens: list[str]) -> list[str]:
    """``python -m bench [NAME]``, ``python -m bench.MODULE --option``: the module (and the
    benchmark NAME) exist, and the options are declared in the module's source."""
    if tokens[1:2] != ["-m"] or len(tokens) < 3:
        return []
    module, rest = tokens[2], tokens[3:]
    if module in ("silkpipe", "silkpipe.cli"):
        return silkpipe_problems(rest)
    path = REPO.joinpath(*module.split("."))
    source = path / "__main__.py" if path.is_dir() else path.with_suffix(".py")
    if not source.is_file():
        return [f"no module {module}"]
    if module == "bench":
        names = [t for t in rest if not t.startswith("-")]
        return [f"no benchmark bench/bench_{n}.py" for n in names if not bench_exists(n)]
    text = source.read_text()
    flags = [t.split("=")[0] for t in rest if t.startswith("--")]
    return [f"{module}: no option {f}" for f in flags if f'"{f}"' not in text]


def bench_exists(name: str) -> bool:
    return (REPO / "bench" / f"bench_{name}.py").is_file()


def command_problems(text: str) -> list[str]:
    """``line: command: problem`` for every command in ``text`` that would not run."""
    out = []
    for line, tokens in all_commands(text):
        if tokens[0] in SILKPIPE:
            problems = silkpipe_problems(tokens[1:])
        elif tokens[0] in subcommand_names() and tokens[1:2] and tokens[1].startswith("--"):
            problems = silkpipe_problems(tokens)  # `train --sessions DIR` in prose
        elif tokens[0] == "make":
            problems = make_problems(tokens)
        elif tokens[0] in ("python", "python3", "-p"):
            problems = python_problems(tokens) if tokens[0] != "-p" else param_problems(tokens)
        elif tokens[0].startswith("--"):
            problems = bare_option_problems(tokens)
        else:
            continue
        out += [f"{line}: {' '.join(tokens)}: {p}" for p in problems]
    return out


@functools.cache
def other_options() -> frozenset[str]:
    """Options of the non-CLI commands the README names (benchmarks, workflows.submit)."""
    sources = [*(REPO / "bench").glob("*.py"), REPO / "workflows" / "submit.py"]
    return frozenset(f for p in sources for f in re.findall(r'"(--[a-z0-9-]+)"', p.read_text()))


def bare_option_problems(tokens: list[str]) -> list[str]:
    """An option quoted alone in prose (``--spot``, ``--preset within-day|cross-day``)
    belongs to some command: fine if one parser takes it as written."""
    flag = tokens[0].split("=")[0]
    parsers = [p for p in subparsers(cli_parser()) if flag in p._option_string_actions]
    if not parsers:
        known = flag in other_options() or flag == "--option"
        return [] if known else [f"no option {flag}"]
    verdicts = [option_problems(p, tokens) for p in parsers]
    return [] if any(not v for v in verdicts) else verdicts[0]


def path_problems(text: str) -> list[str]:
    """``line: path: missing`` for every repo path the README names (``a.{py,txt}`` is two),
    and every bare note or config file name (``label_where.txt``) found nowhere in the repo."""
    out = []
    for line, snippet in readme_snippets(text):
        if re.fullmatch(rf"({'|'.join(map(re.escape, REPO_DIRS))})/[^\s<>]*", snippet):
            out += [f"{line}: {p}: missing" for p in expand(snippet) if not repo_path(p)]
        elif REPO_FILE.fullmatch(snippet) and not repo_path(snippet):
            out.append(f"{line}: {snippet}: in no folder of the repo")
    return out


def expand(path: str) -> list[str]:
    """``a.{py,txt}`` -> ``a.py``, ``a.txt`` (the one brace the README uses)."""
    m = re.search(r"\{([^}]*)\}", path)
    if not m:
        return [path]
    return [path[: m.start()] + alt + path[m.end() :] for alt in m.group(1).split(",")]


def repo_path(path: str) -> bool:
    """A path from the repo root, or a bare file name in the root or any source folder."""
    if "/" in path:
        return (REPO / path.removeprefix("../")).exists() and not path.startswith("../")
    return (REPO / path).exists() or any(
        next((REPO / d).rglob(path), None) for d in REPO_DIRS if (REPO / d).is_dir()
    )


def name_problems(text: str) -> list[str]:
    """``line: name: problem`` for every ``module.name`` / ``Class.field`` the README names
    that does not resolve, or whose quoted default (``TrainConfig.threads = 1``) differs;
    and every snake_case or kebab-case name it quotes that no source file holds."""
    dotted = re.compile(r"([A-Za-z_]\w*(?:\.\w+)+)(?:\(\))?(?: = (.+))?")
    word = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)+\*?")
    out = []
    for line, snippet in readme_snippets(text):
        m = dotted.fullmatch(snippet)
        if m and not snippet.endswith(FILE_SUFFIXES) and m.group(1) not in FOREIGN:
            out += [f"{line}: {snippet}: {p}" for p in resolve_problems(m.group(1), m.group(2))]
        elif word.fullmatch(snippet) and snippet.rstrip("*") not in sources():
            out.append(f"{line}: {snippet}: in no source file")
    return out


@functools.cache
def sources() -> str:
    """The text a quoted name must occur in: package, benchmarks and notes, workflows,
    chart, Makefile, the dependency list."""
    paths = [*(REPO / "silkpipe").rglob("*.py"), *(REPO / "bench").rglob("*.py")]
    paths += [*(REPO / "workflows").glob("*.py"), *(REPO / "charts").rglob("*.yaml")]
    return "\n".join(p.read_text() for p in [*paths, REPO / "Makefile", REPO / "pyproject.toml"])


def resolve_problems(name: str, quoted: str | None) -> list[str]:
    """Resolve ``head.attr...`` from a silkpipe module (``commands.LIMITS``), a silkpipe
    class (``TrainConfig.select``) or a bench/workflows module file; compare a quoted
    default."""
    head, *attrs = name.split(".")
    if head in ("bench", "workflows"):
        found = REPO.joinpath(head, *attrs).with_suffix(".py").is_file()
        return [] if found else ["no such module"]
    owners = [importlib.import_module(m) for m in owner_modules(head)]
    modules = [o for o in owners if o.__name__.rsplit(".", 1)[-1] == head]
    objects = modules or [getattr(o, head) for o in owners if hasattr(o, head)] or owners
    if not objects:
        return ["no such module or class in silkpipe"]
    values = [v for v in (lookup(o, attrs) for o in objects) if v is not MISSING]
    if not values:
        return ["does not resolve"]
    if quoted is not None and ast.literal_eval(quoted) not in values:
        return [f"the code says {values[0]!r}"]
    return []


def owner_modules(head: str) -> list[str]:
    """silkpipe modules that are ``head`` or define a class ``head``."""
    if head == "silkpipe":
        return ["silkpipe"]
    package = REPO / "silkpipe"
    if (package / f"{head}.py").is_file() or (package / head / "__init__.py").is_file():
        return [f"silkpipe.{head}"]
    pattern = re.compile(rf"^class {re.escape(head)}\b", re.M)
    return [
        ".".join(p.relative_to(REPO).with_suffix("").parts)
        for p in sorted(package.rglob("*.py"))
        if pattern.search(p.read_text())
    ]


MISSING = object()


def lookup(obj, attrs: list[str]):
    """``obj.a.b``: submodules imported, dataclass fields by their default; MISSING if not."""
    for attr in attrs:
        if hasattr(obj, attr):
            obj = getattr(obj, attr)
        elif isinstance(obj, type) and dataclasses.is_dataclass(obj):
            fields = {f.name: f for f in dataclasses.fields(obj)}
            if attr not in fields:
                return MISSING
            obj = fields[attr].default
        else:
            try:
                obj = importlib.import_module(f"{obj.__name__}.{attr}")
            except (AttributeError, ModuleNotFoundError):
                return MISSING
    return obj


def document_ids() -> list[str]:
    return [str(doc.relative_to(REPO)) for doc in DOCUMENTS]


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_ids())
def test_every_command_in_the_readme_runs_as_written(document):
    """Sub-commands, options, choices, make targets, benchmarks, workflow parameters."""
    assert command_problems(document.read_text()) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_ids())
def test_every_repo_file_the_readme_names_exists(document):
    assert path_problems(document.read_text()) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_ids())
def test_every_code_name_the_readme_quotes_exists(document):
    assert name_problems(document.read_text()) == []


def test_the_readme_links_every_history_it_checks():
    """A history moved out of the README is checked only while the README links it: a file
    renamed without its link (or its entry here) would drop out of reach of both."""
    text = README.read_text()
    assert [doc for doc in DOCUMENTS[1:] if f"({doc.relative_to(REPO)})" not in text] == []
    assert all(doc.is_file() for doc in DOCUMENTS)


def test_make_help_lists_the_targets_a_user_types():
    """The README points users at `make help` for the full list."""
    typed = {"install", "run", "test", "sample", "validate", "submit", "e2e", "bench"}
    assert typed <= make_targets()


def test_make_help_names_real_files():
    """A help text that points at a file (kind config, chart README) points at one."""
    dirs = "|".join(map(re.escape, REPO_DIRS))
    named = re.findall(rf"\b((?:{dirs})/[\w./-]*\w)", make_help())
    assert named, "make help names no repo file: the check checks nothing"
    assert [p for p in named if not (REPO / p).exists()] == []


def test_the_checker_sees_drift():
    """A renamed option, a bad choice, a moved note, an unknown target or module, a wrong
    quoted default: each is one problem naming its line."""
    text = "\n".join(
        [
            "```sh",
            "silkpipe evaluate --cv all --clips A \\",
            "    --seedz 2",
            "```",
            "`silkpipe evaluate --cv all-days` and `--spots`, `silkpipe trian --clips A`, `train --sesions D`",
            "`make voice-bench` `make voice-benhc` `python -m bench trainng` `-p gpu=1`",
            "`python -m bench.voice_path --run D14` `bench/notes/nothere.txt` `nothere.txt`",
            "`TrainConfig.threads = 2` `session_classes.NOTHERE` `scale_tie_zz`",
        ]
    )
    found = command_problems(text) + path_problems(text) + name_problems(text)
    expected = [
        ("2", "no option --seedz"),
        ("5", "--cv all-days: not one of"),
        ("5", "no option --spots"),
        ("5", "no sub-command 'trian'"),
        ("5", "train --sesions D: no option --sesions"),
        ("6", "make voice-benhc: no target"),
        ("6", "no benchmark bench/bench_trainng.py"),
        ("6", "-p gpu: no such workflow parameter"),
        ("7", "bench.voice_path: no option --run"),
        ("7", "bench/notes/nothere.txt: missing"),
        ("7", "nothere.txt: in no folder of the repo"),
        ("8", "the code says 1"),
        ("8", "session_classes.NOTHERE: does not resolve"),
        ("8", "scale_tie_zz: in no source file"),
    ]
    assert len(found) == len(expected), found
    for problem, (line, what) in zip(found, expected, strict=True):
        assert problem.startswith(f"{line}: ") and what in problem, (problem, what)


def test_the_checker_sees_an_option_the_cli_refuses():
    """A README command that parses but gives an option where it would do nothing is one
    problem: the CLI refuses it (exit 2) before reading anything."""
    text = "`silkpipe evaluate --model M --clips C --preset default` `evaluate --cv all --seed 3`"
    (problem,) = command_problems(text)
    assert problem.startswith("1: ") and "refused: --preset acts on --cv folds only" in problem


def help_problems(root: argparse.ArgumentParser) -> list[str]:
    """``prog: --option`` for every option a help text or description of the CLI names
    that no parser of it has (a renamed option the help still points users to)."""
    parsers = [root, *subparsers(root)]
    known = {flag for p in parsers for flag in p._option_string_actions}
    out = []
    for parser in parsers:
        texts = [parser.description or "", *(a.help or "" for a in parser._actions)]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                texts += [choice.help or "" for choice in action._choices_actions]
        flags = {f for text in texts for f in re.findall(r"--[a-z][a-z0-9-]*", text)}
        out += [f"{parser.prog}: {flag}" for flag in sorted(flags - known)]
    return out


def test_cli_help_names_only_real_options():
    assert help_problems(cli_parser()) == []


def test_the_help_check_sees_a_renamed_option():
    parser = argparse.ArgumentParser(prog="x", description="as --out says")
    parser.add_argument("--in", help="read it (see --outfile)")
    parser.add_argument("--out", help="write it")
    assert help_problems(parser) == ["x: --outfile"]
