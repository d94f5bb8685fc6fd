"""Folder options are declared once (commands.add_dir_option) and read the same everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from silkpipe.cli import build_parser, main
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
    assert args.clips == [Path("c")]  # repeatable with --run-id (clips/1/, clips/2/)
    args = parser.parse_args(["run", "d", "--clips", "c", "--clips", "e"])
    assert args.clips == ["c", "e"]  # repeatable: several days (issue 22)
    args = parser.parse_args(["train", "--clips", "c", "--clips", "d", "--out", "o"])
    assert (args.clips, args.out) == (["c", "d"], "o")  # repeatable: several days


# ---- numbers no run can use: refused up front, naming the setting ----------------------

BAD_NUMBERS = [
    (["train", "--batch-size", "0"], "TrainConfig.batch_size"),  # was ZeroDivisionError
    (["train", "--lr", "nan"], "TrainConfig.lr"),  # was a torch ValueError (exit 1)
    (["train", "--epochs", "0"], "TrainConfig.max_epochs"),  # published an untrained model
    (["train", "--seed", "-1"], "TrainConfig.seed"),
    (["train", "--threads", "0"], "TrainConfig.threads"),
    (["train", "--kernel", "0"], "TrainConfig.kernel"),
    (["train", "--window-stride", "0"], "WindowConfig.stride"),
    (["train", "--val-fraction", "0"], "TrainConfig.val_fraction"),
    (["train", "--adapt-to", "IN", "--adapt-share", "inf"], "AdaptConfig.share"),
    (["evaluate", "--cv", "time-range", "--epochs", "-1"], "TrainConfig.max_epochs"),
    (["evaluate", "--cv", "time-range", "--batch-size", "0"], "TrainConfig.batch_size"),
    (["evaluate", "--cv", "all", "--rotate-deg", "400"], "TrainConfig.rotate_deg"),
    (["evaluate", "--cv", "time-range", "--window-length", "0"], "WindowConfig.length"),
    (["evaluate", "--cv", "time-range", "--threads", "0"], "TrainConfig.threads"),
    (["evaluate", "--cv", "time-range", "--window-rate", "25"], "WindowConfig.rate"),  # L3
    (["train", "--window-rate", "100"], "WindowConfig.rate"),  # failed after every clip was read
    (["align", "--search", "1e9"], "AlignConfig.search_s"),  # was a 745 GiB grid
    (["align", "--event-window", "nan"], "AlignConfig.event_window_s"),  # looped for ever
    (["align", "--search-s", "1e9"], "AlignConfig.search_s"),  # run's spelling, less align-
    (["align", "--max-state-s", "-1"], "AlignConfig.max_state_s"),
    (["align", "--refine-s", "0"], "AlignConfig.refine_s"),
    (["align", "--shuffles", "1000000000"], "AlignConfig.shuffles"),
    (["run", "IN", "--align-bump-sigma-s", "-1"], "AlignConfig.bump_sigma_s"),
    (["align", "--energy-allowance", "5"], "AlignConfig.energy_allowance"),  # 5 for .5
    (["align", "--min-quality", "0.4"], "AlignConfig.energy_allowance"),  # level under 0
    (["run", "IN", "--align-energy-allowance", "4"], "AlignConfig.energy_allowance"),
    (["synth", "OUT", "--offset", "nan"], "--offset"),  # was ValueError (exit 1)
    (["synth", "--from-clips", "IN", "--out", "OUT", "--max-session", "0"], "--max-session"),
    (["synth", "--from-clips", "IN", "--out", "OUT", "--drift", "1e12"], "--drift"),  # taken
    (["synth", "--from-clips", "IN", "--out", "OUT", "--drift=-2e4"], "--drift"),
    (["synth", "OUT", "--seed", str(2**64)], "--seed"),  # was taken (sweep 52)
    # sweep 56: sizes with no upper bound, each ended exit 1 (or worse) after training began
    (["train", "--threads", "100000"], "TrainConfig.threads"),  # libgomp: Out of memory
    (["evaluate", "--cv", "time-range", "--threads", "257"], "TrainConfig.threads"),
    (["train", "--blocks", "4096"], "TrainConfig.blocks"),  # 6 GiB, then can't allocate
    (["train", "--conv", "4096", "--hidden", "4096"], "TrainConfig.conv"),  # each in range
    (["evaluate", "--cv", "time-range", "--batch-size", "4096", "--conv", "1024"], "GiB"),
    (["train", "--window-event-crops", "100000000"], "WindowConfig.event_crops"),  # MemoryError
    (["train", "--min-epoch-windows", "1000000000"], "TrainConfig.min_epoch_windows"),
    (["train", "--window-context", "100000"], "WindowConfig.context"),
    # sweep 56: the end of a range where nothing is learnt (a model at chance, exit 0)
    (["train", "--weight-average", "ema", "--ema-decay", "1"], "TrainConfig.ema_decay"),
    (["train", "--dropout", "1"], "TrainConfig.dropout"),
    (["evaluate", "--cv", "time-range", "--label-smoothing", "1"], "TrainConfig.label_smoothing"),
    # sweep 57: counts of whole trainings with no upper bound (ran for ever, or MemoryError)
    (["train", "--epochs", "100000000"], "TrainConfig.max_epochs (--epochs) is 100000000"),
    (["evaluate", "--cv", "time-range", "--epochs", "10001"], "TrainConfig.max_epochs"),
    (["evaluate", "--cv", "time-range", "--seeds", "1001"], "--seeds"),  # 1e10: MemoryError
    (
        ["train", "--adapt-to", "IN", "--adapt-rounds", "100000"],
        "AdaptConfig.rounds (--adapt-rounds)",
    ),
    (
        ["evaluate", "--cv", "leave-day-out", "--adapt", "--adapt-rounds", "101"],
        "AdaptConfig.rounds",
    ),
]


@pytest.mark.parametrize("argv, words", BAD_NUMBERS, ids=[" ".join(a) for a, _ in BAD_NUMBERS])
def test_numbers_no_run_can_use_are_bad_input_naming_the_setting(tmp_path, capsys, argv, words):
    """Refused before anything is read or written: exit 2, one line naming the setting."""
    folders = {"IN": str(tmp_path / "in"), "OUT": str(tmp_path / "out")}
    argv = [folders.get(a, a) for a in argv]
    if argv[0] in ("train", "evaluate"):
        argv += ["--clips", str(tmp_path / "in")]
    if argv[0] == "train":
        argv += ["--out", str(tmp_path / "out")]
    if argv[0] in ("align", "run"):
        argv += ["--store", str(tmp_path / "store"), "--run-id", "r"]
    rc = main(argv)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1 and words in lines[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "store").exists()


def test_align_takes_the_field_names_run_spells_with_align_prefix():
    """`align --search-s` is `run --align-search-s` (and the older `--search` still works)."""
    from silkpipe.cli import build_parser

    def aligned(*opts: str) -> dict:
        args = build_parser().parse_args(["align", "--store", "s", "--run-id", "r", *opts])
        return {k: getattr(args, k) for k in ("search", "event_window", "max_state")}

    new = aligned("--search-s", "7", "--event-window-s", "0.9", "--max-state-s", "3")
    old = aligned("--search", "7", "--event-window", "0.9", "--max-state", "3")
    assert new == old == {"search": 7.0, "event_window": 0.9, "max_state": 3.0}


# ---- options that would do nothing in the mode given: refused, not ignored ---------------

UNUSED = [
    (["evaluate", "--model", "M", "--clips", "IN", "--epochs", "3"], "--epochs"),
    (["evaluate", "--model", "M", "--clips", "IN", "--preset", "cross-day"], "--preset"),
    (["evaluate", "--model", "M", "--clips", "IN", "--preset", "default"], "--preset"),
    (["evaluate", "--model", "M", "--clips", "IN", "--seeds", "1"], "--seeds"),
    (["evaluate", "--model", "M", "--clips", "IN", "--shots", "3"], "--shots"),
    (["evaluate", "--model", "M", "--clips", "IN", "--adapt"], "--adapt"),
    (["evaluate", "--model", "M", "--clips", "IN", "--adapt-rounds", "1"], "--adapt-rounds"),
    (["evaluate", "--model", "M", "--clips", "IN", "--rotate-deg", "30"], "--rotate-deg"),
    (["evaluate", "--model", "M", "--clips", "IN", "--no-balanced"], "--balanced"),
    (["evaluate", "--model", "M", "--clips", "IN", "--gesture-balance", "rare"], "--gesture"),
    (["evaluate", "--model", "M", "--clips", "IN", "--window-length", "100"], "--window-length"),
    (["evaluate", "--model", "M", "--clips", "IN", "--threads", "2"], "--threads"),
    (["evaluate", "--model", "M", "--clips", "IN", "--device", "cpu"], "--device"),
    (["evaluate", "--cv", "time-range", "--clips", "IN", "--model", "M"], "--model"),
    (["evaluate", "--cv", "time-range", "--clips", "IN", "--spot"], "--spot"),
    (["evaluate", "--cv", "time-range", "--clips", "IN", "--backend", "onnx"], "--backend"),
    (
        ["evaluate", "--cv", "leave-day-out", "--clips", "IN", "--adapt-share", ".5"],
        "--adapt-share",
    ),
    (["train", "--store", "OUT", "--run-id", "r", "--out", "OUT"], "--out"),
    (["train", "--store", "OUT", "--run-id", "r", "--sessions", "IN"], "--sessions"),
    (["train", "--clips", "IN", "--out", "OUT", "--force"], "--force"),
    (["train", "--clips", "IN", "--out", "OUT", "--adapt-rounds", "1"], "--adapt-rounds"),
    (["synth", "OUT", "--realistic"], "--realistic"),
    (["synth", "OUT", "--gestures", "6"], "--gestures"),
    (["synth", "OUT", "--max-session", "60"], "--max-session"),
    (["synth", "--from-clips", "IN", "--out", "OUT", "--sessions", "2"], "--sessions"),
    (["synth", "--from-clips", "IN", "--out", "OUT", "--gestures", "6"], "--gestures"),
    (["synth", "--from-clips", "IN", "--out", "OUT", "--pace", "fast"], "--pace"),
    (
        ["synth", "--from-clips", "IN", "--out", "OUT", "--realistic", "--max-session", "60"],
        "--max-session",
    ),
    (["synth", "--from-clips", "IN", "--out", "OUT", "--realistic", "--sparse", "0"], "--sparse"),
    (["synth", "--from-clips", "IN", "OUT", "--out", "OUT"], "OUT_DIR or --out"),
    (["transcribe", "s", "--store", "OUT", "--run-id", "r", "--align-model", "x"], "--align-model"),
    (["score-voice", "IN", "--clips", "IN", "--oracle", "--backend", "whisperx"], "--backend"),
    (["score-voice", "IN", "--clips", "IN", "--oracle", "--model", "IN"], "--model"),
    (["score-voice", "IN", "--clips", "IN", "--workers", "2", "--oracle"], "--workers"),
    (
        ["transcribe", "s", "--store", "OUT", "--run-id", "r", "--backend", "whisperx"]
        + ["--chunk-length", "30"],
        "--chunk-length",
    ),
]


@pytest.mark.parametrize("argv, flag", UNUSED, ids=[" ".join(a) for a, _ in UNUSED])
def test_an_option_that_would_do_nothing_is_refused_naming_it(tmp_path, capsys, argv, flag):
    """Given where it has no effect (even as its default value), an option is bad input:
    exit 2, one line naming it, nothing read or written."""
    (tmp_path / "in").mkdir()
    folders = {"IN": str(tmp_path / "in"), "OUT": str(tmp_path / "out"), "M": str(tmp_path)}
    rc = main([folders.get(a, a) for a in argv])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1 and flag in lines[0], err
    assert "nothing" in lines[0] or "ignore" in lines[0], err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "typed", [["--sessions", "100000000"], ["--clips-per-class", "1000000000"]]
)
def test_synth_counts_past_their_bound_are_refused_before_anything_is_made(typed):
    """--sessions 1e8 wrote sessions until the disk was full, --clips-per-class 1e9 ended in
    MemoryError (bad_input_sweep57). The check itself is called: without it synth runs."""
    from silkpipe.commands import synth
    from silkpipe.errors import InputError

    args = build_parser().parse_args(["synth", "OUT", *typed])
    with pytest.raises(InputError, match=f"{typed[0]} must be at most"):
        synth._check_numbers(args)


def test_score_voice_counts_past_their_bound_are_refused_before_any_session_is_read(
    tmp_path, capsys
):
    """--epochs and --seeds as train and evaluate bound them (bad_input_sweep57)."""
    for typed in (["--epochs", "100000000"], ["--seeds", "100000"]):
        argv = ["score-voice", str(tmp_path / "none"), "--clips", str(tmp_path / "none"), *typed]
        rc = main(argv)
        lines = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
        assert rc == 2 and len(lines) == 1
        assert f"error: {typed[0]} must be at most" in lines[0], lines


@pytest.mark.parametrize(
    "typed, flag",
    [(["--epochs", "0"], "--epochs"), (["--epochs", "-1"], "--epochs")]
    + [(["--seeds", "0"], "--seeds"), (["--workers", "0"], "--workers")],
)
def test_score_voice_counts_under_one_are_refused_before_any_session_is_read(
    tmp_path, capsys, typed, flag
):
    """--epochs 0 trained the default 30 epochs, --epochs -1 none (an untrained model's
    macro-F1 printed as the score), --seeds 0 one seed, each exit 0 (bad_input_sweep51):
    refused as train and evaluate refuse them, before the sessions folder is looked at."""
    argv = ["score-voice", str(tmp_path / "none"), "--clips", str(tmp_path / "none"), *typed]
    rc = main(argv)
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1
    assert f"error: {flag} must be at least 1, not {typed[1]}" in lines[0]


@pytest.mark.parametrize(
    "typed, flag",
    [
        (["--pre=cross-day"], "--preset"),  # an abbreviation, its value after "="
        (["--epo", "2"], "--epochs"),
        (["--seed=1", "--seed", "1"], "--seed"),  # given twice (one value)
        (["--adapt-sh", ".5"], "--adapt-share"),  # a config option (default SUPPRESS)
    ],
)
def test_an_option_is_told_given_however_it_is_typed(tmp_path, capsys, typed, flag):
    """record_given notes the option argparse matched, not the text typed: an
    abbreviation, --opt=value or a repeat is refused under the option's own name."""
    (tmp_path / "in").mkdir()
    rc = main(["evaluate", "--model", str(tmp_path), "--clips", str(tmp_path / "in"), *typed])
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1 and f"error: {flag} acts on --cv folds only" in lines[0]


@pytest.mark.parametrize("protocol", ["time-range", "leave-block-out", "all"])
@pytest.mark.parametrize("new_day", [["--adapt"], ["--shots", "3"], ["--shots", "0"]])
def test_new_day_options_with_another_protocol_are_refused_before_any_clip_loads(
    tmp_path, capsys, protocol, new_day
):
    """--adapt and --shots need a test day that is a new day (leave-day-out): with another
    protocol they were refused only once the clips had loaded (here: an empty folder, named
    instead of the option)."""
    (tmp_path / "in").mkdir()
    rc = main(["evaluate", "--cv", protocol, "--clips", str(tmp_path / "in"), *new_day])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1, err
    assert f"{new_day[0]} acts on --cv leave-day-out folds only" in lines[0], err


def test_shots_that_leave_no_test_sample_are_bad_input(tmp_path, capsys):
    """--shots K as large as the test day: every sample became a shot and the fold scored
    macro-F1 0.000 on no windows (exit 0); now refused naming the option."""
    import badinputs

    dev = badinputs.clips_subset(tmp_path / "dev", per_class=1)
    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    argv = ["evaluate", "--cv", "leave-day-out", "--clips", str(dev), "--clips", str(day)]
    rc = main([*argv, "--epochs", "1", "--shots", "1000"])
    err = capsys.readouterr().err
    assert rc == 2 and "--shots 1000 takes every test sample" in err, err[-2000:]


def test_python_dash_m_silkpipe_is_the_cli(monkeypatch, capsys):
    """``python -m silkpipe`` works where the console script is not on PATH."""
    import runpy

    monkeypatch.setattr("sys.argv", ["silkpipe", "--help"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("silkpipe", run_name="__main__")
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: silkpipe ")


def test_training_defaults_in_help_are_numbers_not_field_names():
    """`--help` shows the default a user gets, not the dataclass field that holds it."""
    from silkpipe.training import TrainConfig

    base = TrainConfig()
    helps = {
        name: action.help for name, action in _options({"--epochs", "--seed", "--threads"}).items()
    }
    expected = {
        "train --epochs": base.max_epochs,
        "train --seed": base.seed,
        "train --threads": base.threads,
        "evaluate --epochs": base.max_epochs,
        "evaluate --seed": base.seed,
        "score-voice --epochs": base.max_epochs,
    }
    for name, value in expected.items():
        assert f"(default {value}" in helps[name], name
        assert "TrainConfig." not in helps[name], name


IGNORED_ELSEWHERE = [
    # each was accepted and had no effect (exit 0)
    (["train", "--clips", "IN", "--out", "OUT", "--adapt-share", "0.5"], "--adapt-share"),
    (["train", "--clips", "IN", "--out", "OUT", "--adapt-rounds", "1"], "--adapt-rounds"),
    (["train", "--store", "STORE", "--run-id", "r", "--adapt-rounds", "1"], "--adapt-rounds"),
    (["sessions", "list", "--store", "STORE", "--sessions-per-pod", "3"], "--sessions-per-pod"),
]


@pytest.mark.parametrize(
    "argv, flag", IGNORED_ELSEWHERE, ids=[" ".join(a) for a, _ in IGNORED_ELSEWHERE]
)
def test_an_option_that_would_do_nothing_there_is_refused(tmp_path, capsys, argv, flag):
    (tmp_path / "in").mkdir()
    (tmp_path / "store" / "sessions" / "s1").mkdir(parents=True)
    (tmp_path / "store" / "sessions" / "s1" / "sensor_data.csv").write_text("t\n")
    folders = {"IN": tmp_path / "in", "OUT": tmp_path / "out", "STORE": tmp_path / "store"}
    rc = main([str(folders[a]) if a in folders else a for a in argv])
    err = capsys.readouterr().err
    assert rc == 2 and flag in err, err
    assert not (tmp_path / "out").exists()


def test_model_and_preset_options_say_their_default():
    helps = {name: action.help for name, action in _options({"--model", "--preset"}).items()}
    assert "(default: the bundled tiny.en)" in helps["run --model"]
    assert "(default default)" in helps["train --preset"] % {"default": "default"}
    assert "(default default)" in helps["evaluate --preset"] % {"default": "default"}


def test_check_config_runs_each_configs_own_check_of_its_fields_together():
    """A config's bounds between fields live on it (check_settings), nested ones too, not
    in check_config: any config that defines the hook is checked."""
    import dataclasses

    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    @dataclasses.dataclass
    class Span:
        low: float = 0.0
        high: float = 1.0

        def check_settings(self) -> None:
            if self.low >= self.high:
                raise InputError("setting Span.low must be below Span.high")

    @dataclasses.dataclass
    class Outer:
        span: Span = dataclasses.field(default_factory=Span)

    assert check_config(Outer()).span.high == 1.0
    with pytest.raises(InputError, match="Span.low"):
        check_config(Outer(Span(low=2.0)))


# ---- a one-value option given twice ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["align", "--store", "S", "--run-id", "a", "--run-id", "b"],
        ["run", "IN", "--store", "S", "--run-id", "a", "--run-id", "b"],
        ["train", "--clips", "IN", "--out", "A", "--out", "B"],
        ["synth", "--from-clips", "IN", "--out", "A", "--seed", "1", "--seed", "2"],
    ],
    ids=["align --run-id", "run --run-id", "train --out", "synth --seed"],
)
def test_a_one_value_option_given_twice_with_two_values_is_refused(tmp_path, capsys, argv):
    """argparse kept the last value: ``--run-id a ... --run-id b`` ran on b without a word.
    Refused on one line naming the option and both values, nothing read or written."""
    argv = [str(tmp_path / a) if a in ("IN", "S", "A", "B") else a for a in argv]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "given twice" in line and argv[-2] in line and "it takes one value" in line, line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--clips", "IN", "--out", "A", "--shift", "--no-shift"],
        ["evaluate", "--cv", "all", "--clips", "IN", "--no-pool", "--pool"],
        [
            "run",
            "IN",
            "--store",
            "S",
            "--run-id",
            "r",
            "--align-turn-snap-spin",
            "--no-align-turn-snap-spin",
        ],
    ],
    ids=["train --shift", "evaluate --pool", "run --align-turn-snap-spin"],
)
def test_a_switch_given_both_ways_is_refused(tmp_path, capsys, argv):
    """``--shift ... --no-shift`` (an edited line, a base command and an override) trained
    with the last without a word, as two values of one option did (sweep 56)."""
    argv = [str(tmp_path / a) if a in ("IN", "S", "A") else a for a in argv]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"given both ways ({argv[-2]}, then {argv[-1]})" in line, line
    assert list(tmp_path.iterdir()) == []


def test_the_same_value_twice_and_repeatable_options_are_taken():
    parser = build_parser()
    args = parser.parse_args(["align", "--store", "s", "--run-id", "a", "--run-id", "a"])
    assert args.run_id == "a"
    args = parser.parse_args(["train", "--clips", "c", "--out", "o", "--shift", "--shift"])
    assert args.cfg_shift is True
    args = parser.parse_args(["train", "--clips", "c", "--clips", "d", "--out", "o"])
    assert args.clips == ["c", "d"]


def test_every_argument_error_is_one_line_naming_where_the_options_are(capsys):
    """argparse printed the whole usage first (50 lines for align), the error line last."""
    for argv, words in (
        (["align", "--store", "s"], "required: --run-id"),
        (["nonesuch"], "invalid choice: 'nonesuch'"),
        (["align", "--store", "s", "--run-id", "r", "--min-quality", "x"], "--min-quality"),
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert words in line and line.endswith(" -h)"), line


@pytest.mark.parametrize("width", ["33", "100000"])
def test_transcribe_beam_size_past_its_bound_is_refused_before_any_decoding(
    tmp_path, capsys, width
):
    """`transcribe S --beam-size 100000` filled 23 GiB within a minute and the OOM killer
    ended it (exit 137, sweep 55): refused, one line, before the store is opened."""
    argv = ["transcribe", "s", "--store", str(tmp_path / "store"), "--run-id", "r"]
    rc = main([*argv, "--beam-size", width])
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1
    assert f"--beam-size must be at most 32, not {width}" in lines[0]
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize(
    "option, most",
    [("--threads", 256), ("--batch-size", 64), ("--chunk-length", 30)],
)
def test_transcribe_counts_past_their_bound_are_refused_before_the_store(
    tmp_path, capsys, option, most
):
    """`transcribe S --threads 100000` ended in a segfault (exit 139) as the model loaded;
    `--batch-size 100000` decoded every speech chunk of the audio at once (3.4 GiB on 12
    minutes, growing with the audio); `--chunk-length 200` (45 too) a segfault on 12 minutes
    of audio, and 60 kept half its words (sweep 56): refused, one line, before the store."""
    argv = ["transcribe", "s", "--store", str(tmp_path / "store"), "--run-id", "r"]
    rc = main([*argv, option, "100000"])
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert rc == 2 and len(lines) == 1
    assert f"{option} must be at most {most}, not 100000" in lines[0]
    assert not (tmp_path / "store").exists()


def test_every_preset_fits_the_training_memory_budget():
    """The budget (training.MAX_TRAINING_BYTES) refuses typos, never a preset or the default."""
    from silkpipe.commands import check_config
    from silkpipe.training import PRESETS, TrainConfig, with_overrides

    for name, preset in PRESETS.items():
        for batch in (None, 1024):
            assert check_config(with_overrides(TrainConfig(), **preset, batch_size=batch)), name


@pytest.mark.parametrize("option", [["--beam-size", "40"], ["--threads", "0"], ["--model", ""]])
def test_a_transcribe_option_error_names_no_session(tmp_path, capsys, option):
    """`transcribe S --beam-size 40` said 'session S: --beam-size ...' (sweep 55): the
    session, never read, was named as at fault. An option's line now names no session; a
    session's own failure still names it (as does a store fault that stopped it)."""
    (tmp_path / "store").mkdir()
    where = ["--store", str(tmp_path / "store"), "--run-id", "r"]
    assert main(["transcribe", "s1", *where, *option]) == 2
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert line.startswith("silkpipe transcribe: error: ") and "s1" not in line, line
    assert main(["transcribe", "../x", *where]) == 2  # the session's own: named
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert "session ../x" in line or "'../x'" in line, line


def test_a_current_folder_deleted_under_the_shell_is_one_line(tmp_path):
    """A shell whose current folder was deleted (a scratch folder cleared by another job):
    torch's import ended every command with "Intel oneMKL FATAL ERROR: Cannot load
    .../libtorch_cpu.so.", exit 2, even with absolute paths (bad_input_sweep58). It is one
    line saying so, exit 2, before anything is read."""
    import badinputs

    gone = tmp_path / "gone"
    gone.mkdir()
    code = (
        "import os, sys; from silkpipe.cli import main;"
        f"os.chdir({str(gone)!r}); os.rmdir({str(gone)!r});"
        "sys.exit(main(sys.argv[1:]))"
    )
    argv = ["train", "--clips", str(tmp_path / "clips"), "--out", str(tmp_path / "out")]
    proc = badinputs.python_program(code, *argv)
    assert proc.returncode == 2 and "FATAL" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines() == [
        "silkpipe train: error: the current folder no longer exists (deleted while this shell "
        "was in it): cd to a folder that does, and run it again"
    ]
    assert not (tmp_path / "out").exists()
