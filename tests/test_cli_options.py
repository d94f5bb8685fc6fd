"""Folder options are declared once (commands.add_dir_option) and read the same everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path

from silkpipe.cli import build_parser
from silkpipe.commands import CLIPS_HELP


def _subparsers(parser: argparse.ArgumentParser, prefix: str = ""):
    """(command path, parser) of every sub-command, nested ones included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}", sub
                yield from _subparsers(sub, f"{prefix}{name} ")


def _options(flag_names: set[str]) -> dict[str, argparse.Action]:
    out = {}
    for command, sub in _subparsers(build_parser()):
        for action in sub._actions:
            for flag in set(action.option_strings) & flag_names:
                out[f"{command} {flag}"] = action
    return out


def test_every_clip_folder_option_says_what_a_clip_folder_is():
    clips = _options({"--clips", "--from-clips", "--train-clips"})
    assert set(clips) >= {
        "train --clips",
        "evaluate --clips",
        "run --clips",
        "score-voice --clips",
        "sessions upload --clips",
        "synth --from-clips",
    }
    for name, action in clips.items():
        assert action.help.startswith(CLIPS_HELP + ": "), name
        assert action.metavar in {"DIR", "CLIPS_DIR", "EVAL_CLIPS_DIR"}, name


def test_out_options_take_a_folder():
    outs = _options({"--out"})
    assert set(outs) == {"train --out", "synth --out"}
    assert all(a.metavar in {"DIR", "OUT_DIR"} for a in outs.values())


def test_folder_options_parse_as_each_command_reads_them():
    parser = build_parser()
    args = parser.parse_args(["evaluate", "--clips", "a", "--clips", "b"])
    assert args.clips == ["a", "b"]  # repeatable: several days
    args = parser.parse_args(["sessions", "upload", "d", "--store", "s", "--clips", "c"])
    assert args.clips == Path("c")
    args = parser.parse_args(["train", "--clips", "c", "--out", "o"])
    assert (args.clips, args.out) == ("c", "o")
