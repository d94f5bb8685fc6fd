"""CLI wrappers, one module per step; see silkpipe.cli."""

import argparse
import dataclasses
import math
from collections.abc import Sequence

from silkpipe.errors import InputError

#: Where an option notes that it was on the command line (record_given).
GIVEN = "given_options"

STORE_HELP = "artifact store: a folder, file://PATH or s3://BUCKET/PREFIX"


def add_store_args(parser, run_help: str) -> None:
    """``--store`` and ``--run-id``, the two options every store-to-store step takes."""
    parser.add_argument("--store", required=True, help=STORE_HELP)
    parser.add_argument("--run-id", required=True, help=run_help)


CLIPS_HELP = "folder of button-labelled clips (<class>_....csv; see silkpipe.clips)"


def add_dir_option(
    parser, flag: str, purpose: str, *, clips: bool = False, repeat: bool = False, **kwargs
) -> None:
    """A folder option (``--clips``, ``--out``, ...), declared the same way by every command:
    metavar DIR unless given, ``repeat`` to take several; a clip folder's help says once
    what a clip folder is, then ``purpose``."""
    kwargs.setdefault("metavar", "DIR")
    if repeat:
        kwargs["action"] = "append"
    parser.add_argument(flag, help=f"{CLIPS_HELP}: {purpose}" if clips else purpose, **kwargs)


def record_given(parser: argparse.ArgumentParser) -> None:
    """Every option of ``parser`` and its sub-commands notes its flag (its first one) in
    ``args.given_options`` when it is on the command line: a default cannot tell "not
    given" from "given as the default", and an option that does nothing in the mode given
    must be refused (refuse_unused), not ignored."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                record_given(sub)
        elif action.option_strings and not isinstance(action, argparse._HelpAction):
            action.__class__ = _recording(type(action))


_RECORDING: dict[type, type] = {}


def _recording(base: type) -> type:
    """``base`` (an argparse Action class) that also notes its flag as given."""
    if base in _RECORDING.values():
        return base
    if base not in _RECORDING:

        def call(self, parser, namespace, values, option_string=None):
            given = vars(namespace).setdefault(GIVEN, set())
            if self.option_strings[0] in given:
                first = getattr(namespace, self.dest, None)
                _refuse_second_value(self, first, values, option_string)
            given.add(self.option_strings[0])
            base.__call__(self, parser, namespace, values, option_string)

        _RECORDING[base] = type(f"Noted{base.__name__}", (base,), {"__call__": call})
    return _RECORDING[base]


def _refuse_second_value(action: argparse.Action, first, second, option_string=None) -> None:
    """A one-value option given again with another value: argparse kept the last, so
    ``--run-id a ... --run-id b`` (an alias and an edited line) ran on b without a word;
    and so did a switch given both ways (``--shift ... --no-shift``)."""
    if isinstance(action, argparse.BooleanOptionalAction):
        was, now = action.option_strings[0 if first else 1], option_string
        if now != was:
            raise argparse.ArgumentError(
                action, f"given both ways ({was}, then {now}): give one of them once"
            )
    if isinstance(action, argparse._StoreAction) and first != second:
        raise argparse.ArgumentError(
            action, f"given twice ({first!r}, then {second!r}): it takes one value, give it once"
        )


def refuse_unused(args, flags, why: str) -> None:
    """InputError naming the first of ``flags`` that was given: ``why`` it would do
    nothing in the mode given (a demanding user expects it refused, not ignored)."""
    for flag in flags:
        if flag in getattr(args, GIVEN, ()):
            raise InputError(f"{flag} {why}")


def refuse_below_one(args, dests: Sequence[str]) -> None:
    """InputError naming the first count option among ``dests`` given under 1 (a count of
    epochs, seeds, workers, threads: 0 or less ran a default, or nothing)."""
    for dest in dests:
        value = getattr(args, dest, None)
        if value is not None and value < 1:
            raise InputError(f"--{dest.replace('_', '-')} must be at least 1, not {value}")


def refuse_above(args, most: dict[str, int]) -> None:
    """InputError naming the first count option among ``most`` given over its bound (a
    count of epochs, seeds, rounds: past it a typo that ran for ever, or filled memory)."""
    for dest, high in most.items():
        value = getattr(args, dest, None)
        if value is not None and value > high:
            raise InputError(f"--{dest.replace('_', '-')} must be at most {high}, not {value}")


#: The two spellings of the store-mode test split option (add_test_split_option).
TEST_SPLIT_FLAGS = ("--no-test-split", "--test-split")


def add_test_split_option(parser) -> None:
    """``--no-test-split`` (as typed) or ``--test-split true|false`` (as the workflow's
    ``test-split`` parameter passes it): whether the store-mode train step holds out a
    test set to score the model (steps.train); default on."""
    parser.add_argument(
        "--no-test-split",
        dest="test_split",
        action="store_false",
        help="store mode: hold out no test set, train on every window (every day); the "
        "model has no held-out score: score the setup with evaluate --cv (see README)",
    )
    parser.add_argument(
        "--test-split",
        dest="test_split",
        type=_true_or_false,
        metavar="true|false",
        help="the same as a value (the workflow's test-split parameter): false is "
        "--no-test-split (default true: hold out whole sessions/blocks as a test set)",
    )
    parser.set_defaults(test_split=True)


def chosen_test_split(args) -> bool:
    """The test split asked for; both spellings at once contradict each other (with
    ``--test-split true`` argparse let the last win silently): refused."""
    if set(TEST_SPLIT_FLAGS) <= getattr(args, GIVEN, set()):
        raise InputError("--no-test-split and --test-split both given: give one")
    return bool(args.test_split)


def _true_or_false(text: str) -> bool:
    """``true`` or ``false`` (any case), as an Argo parameter holds a boolean."""
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"{text!r} is neither true nor false")
    return text.lower() == "true"


def add_adapt_options(parser) -> None:
    """How self-training on a new day's unlabelled recordings runs (silkpipe.adapt)."""
    from silkpipe.adapt import AdaptConfig

    add_config_options(parser, AdaptConfig, prefix="adapt_", title="adapting (silkpipe.adapt)")


def adapt_flags() -> list[str]:
    """The flags add_adapt_options adds (each acts only where self-training runs)."""
    from silkpipe.adapt import AdaptConfig

    return config_flags(AdaptConfig, prefix="adapt_")


def adapt_config(args):
    from silkpipe.adapt import AdaptConfig

    return config_from(args, AdaptConfig(), prefix="adapt_")


#: TrainConfig fields with an option of their own in every command that trains (--epochs,
#: --seed, --device, --threads), so not generated by add_training_settings.
OWN_TRAINING_OPTIONS = ("max_epochs", "seed", "device", "threads")


def add_training_settings(parser, *, skip=(), scope: str = "") -> None:
    """--device, --threads and one option per other TrainConfig and WindowConfig field:
    how a model trains, spelled alike in every command that trains one (train, evaluate
    --cv); ``skip`` names fields that command cannot use, ``scope`` starts each help."""
    from silkpipe.dataset import WindowConfig
    from silkpipe.training import TrainConfig

    base = TrainConfig()
    parser.add_argument(
        "--device",
        choices=("cpu", "cuda", "auto"),
        help=f"{scope}where to train (default cpu; cuda uses bf16 autocast)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help=f"{scope}torch CPU threads, 1 to {MAX_THREADS} (default {base.threads}: one wins "
        "on a busy machine; "
        "another count sums in another order, so it trains another model)",
    )
    skip = (*OWN_TRAINING_OPTIONS, *skip)
    title = f"{scope}every other training setting"
    add_config_options(parser, TrainConfig, title=title, skip=skip)
    add_config_options(parser, WindowConfig, prefix="window_", title=f"{scope}window settings")


def training_flags(skip=()) -> list[str]:
    """The flags add_training_settings adds (with the same ``skip``)."""
    from silkpipe.dataset import WindowConfig
    from silkpipe.training import TrainConfig

    skip = (*OWN_TRAINING_OPTIONS, *skip)
    generated = config_flags(TrainConfig, skip=skip) + config_flags(WindowConfig, prefix="window_")
    return ["--device", "--threads", *generated]


def training_config(args, cfg):
    """``cfg`` (a preset, --epochs and --seed applied) with --device, --threads and the
    add_training_settings options given replaced, checked: train and evaluate --cv build
    the settings they train with alike."""
    from silkpipe.training import with_overrides

    cfg = config_from(args, with_overrides(cfg, device=args.device, threads=args.threads))
    window = config_from(args, cfg.window, prefix="window_")
    _refuse_window_rate(window.rate)
    return dataclasses.replace(cfg, window=window)


def _refuse_window_rate(rate: float) -> None:
    """Clips and sessions are resampled at one rate only: windows at another cannot be
    cut, and every stream was read before make_windows said so, naming a clip as a
    session."""
    from silkpipe.sessions import DEFAULT_RATE

    if rate != DEFAULT_RATE:
        raise InputError(
            f"setting WindowConfig.rate is {rate!r}: every clip and session is resampled at "
            f"{DEFAULT_RATE:g} Hz, so windows can only be cut at that rate (--window-rate)"
        )


def raise_if_failed(
    store, run_id: str, failed: dict[str, str], step: str, clips: Sequence[str] = ()
) -> None:
    """PartialFailure when sessions failed or ``clips`` were named and skipped (the output
    was made without them): exit 2 if all were bad input, 1 if any session's was a fault."""
    from silkpipe.errors import PartialFailure

    if not (failed or clips):
        return
    parts = []
    if failed:
        names = ", ".join(sorted(failed))
        parts.append(
            f"{len(failed)} session(s) failed in {step} ({names[:300]}); "
            f"reasons in runs/{run_id}/failures/{step}/"
        )
    if clips:
        parts.append(counted(clips, "clip(s) skipped") + ", each named above")
    raise PartialFailure("; ".join(parts), failure_code(store, run_id, failed))


def counted(names: Sequence[str], what: str) -> str:
    """ "N <what> (name, name, ...)" for a closing `partial:` line, names escaped and cut
    short."""
    from silkpipe.errors import shown

    return f"{len(names)} {what} ({', '.join(map(shown, names))[:300]})"


def failure_code(store, run_id: str, sessions) -> int:
    """The exit status of a partial output: FAULT when any of ``sessions`` failed by a fault
    (the run's failures records), else BAD_INPUT."""
    from silkpipe.errors import BAD_INPUT, FAULT
    from silkpipe.steps.common import failure_kinds

    if not sessions:
        return BAD_INPUT
    kinds = failure_kinds(store, run_id)
    return FAULT if any(kinds.get(s) == "fault" for s in sessions) else BAD_INPUT


def _parser_for(value, annotation: str):
    """An argparse type for a config field: its default's type; 'none' for optional ones."""
    if isinstance(value, bool):
        return None
    base = type(value) if value is not None else float
    if "None" not in str(annotation):
        return base

    def parse(text: str):
        return None if text.lower() == "none" else base(text)

    return parse


def add_config_options(parser, cls, *, skip=(), prefix: str = "", title: str = "") -> None:
    """One ``--option`` per field of a config dataclass (kebab-case, ``prefix`` first), so
    every setting can be set from the command line; given options only are kept."""
    group = parser.add_argument_group(title or f"{cls.__name__} settings")
    for field, value, flag in _option_fields(cls, skip, prefix):
        kwargs = {
            "dest": f"cfg_{prefix}{field.name}",
            "default": argparse.SUPPRESS,
            "help": f"{cls.__name__}.{field.name} (default {value})",
        }
        if isinstance(value, bool):
            group.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
        else:
            parse = _parser_for(value, str(field.type))
            group.add_argument(flag, type=parse, metavar="X", **kwargs)


def config_flags(cls, *, skip=(), prefix: str = "") -> list[str]:
    """The flags add_config_options adds for ``cls`` (with the same ``skip`` and ``prefix``)."""
    return [flag for _, _, flag in _option_fields(cls, skip, prefix)]


def _option_fields(cls, skip, prefix: str):
    """(field, default value, flag) of each field of ``cls`` that gets an option."""
    defaults = cls()
    for field in dataclasses.fields(cls):
        value = getattr(defaults, field.name)
        if field.name not in skip and not dataclasses.is_dataclass(value):
            yield field, value, "--" + (prefix + field.name).replace("_", "-")


def config_from(args, cfg, *, prefix: str = ""):
    """``cfg`` with the fields given as ``add_config_options`` options replaced, checked
    (check_config)."""
    given = {
        name[len("cfg_") + len(prefix) :]: value
        for name, value in vars(args).items()
        if name.startswith(f"cfg_{prefix}")
    }
    given = {k: v for k, v in given.items() if k in {f.name for f in dataclasses.fields(cfg)}}
    return check_config(dataclasses.replace(cfg, **given))


_ANY: tuple[float | None, float | None] = (None, None)  # any finite number
_MAX_S = 6 * 3600.0  # longest session (validation.MAX_SPAN_S): no alignment span is longer
_ALIGN_SPANS = (
    *("search_s", "event_window_s", "punch_window_s", "noise_window_s", "noise_run_s"),
    *("max_state_s", "state_label_s", "bump_sigma_s", "smooth_s", "snap_s", "edge_s"),
    *("min_state_piece_s", "rate_reach_s", "clip_agree_s", "class_peak_away_s", "loss_spread_s"),
    *("energy_before_start_s", "settle_s", "loss_bracket_split_s", "loss_split_local_s"),
)
_ALIGN_SHARES = (
    *("event_burst_share", "noise_burst_share", "class_keep", "max_signature_p"),
    *("max_energy_p", "contradict_p", "class_contradict_p", "class_confirm_p"),
    *("clip_pass_p", "clip_energy_p", "clip_support_p", "settle_share"),
)
SEEDS = (0, 2**32 - 1)  # the seeds numpy and torch take: every seed option's range
#: Most CPU threads a model may be given (train's torch, transcribe's CTranslate2): more
#: cores than any machine this runs on has; 100000 ended in libgomp "Out of memory" (train,
#: exit 1) or a segfault (transcribe, exit 139), and 1024 on 2 cores ran an epoch for minutes.
MAX_THREADS = 256
#: Most epochs one training may be asked for: hundreds of times the default, several times
#: the longest run in the notes. The one-cycle schedule spreads its warm-up over every epoch
#: asked for, so a count typed too large trained at its lowest rate for as long as anyone
#: waited (bad_input_sweep57).
MAX_EPOCHS = 10_000
#: Most seeds a score averages (evaluate --cv --seeds, score-voice --seeds), each a whole
#: training per fold: far past the handful the notes average. A count typed too large
#: ended in MemoryError before the first fold, the seed list built whole.
MAX_SEEDS = 1000
#: Most self-training rounds (--adapt-rounds), each a whole training: the default is a
#: couple and the notes tried a handful; a count typed too large trained round after round.
MAX_ADAPT_ROUNDS = 100
#: Ranges [low, high] (None: open) of the numeric settings that have one. Outside them a
#: library fails deep inside (ZeroDivisionError, torch: exit 1), a grid is sized from the
#: value (--search 1e9 s: 745 GiB), or a model trained 0 epochs is published. Sizes that
#: multiply (blocks x conv x kernel x hidden x batch) are held to one memory budget besides
#: (TrainConfig.check_settings).
LIMITS: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "TrainConfig": {
        **dict.fromkeys(("batch_size", "conv", "kernel", "hidden"), (1, 4096)),
        "blocks": (1, 64),  # 4096 conv blocks filled 6 GiB and failed allocating (exit 1)
        "max_epochs": (1, MAX_EPOCHS),
        "threads": (1, MAX_THREADS),
        # windows an epoch draws (the voice preset: 512); 1e9 filled 6 GiB (exit 1)
        "min_epoch_windows": (0, 1_000_000),
        **dict.fromkeys(("patience", "min_epochs", "val_fold"), (0, None)),
        **dict.fromkeys(("lr", "weight_decay", "purge_s", "scale", "jitter", "warp"), (0, None)),
        **dict.fromkeys(("label_smoothing", "drop", "dropout", "ema_decay", "swa_start"), (0, 1)),
        "bursty": (0, 1),  # a share of windows
        **dict.fromkeys(("rotate_deg", "yaw_deg"), (0, 360)),
        "val_fraction": (0.01, 0.9),
        "seed": SEEDS,
        "class_weight_power": _ANY,
    },
    "WindowConfig": {
        "rate": (1, 1000),
        "length": (1, 3000),
        "stride": (1, None),
        "event_crops": (1, 64),  # windows per gesture: 1e8 ended in MemoryError (exit 1)
        "context": (0, 3000),  # samples each side of a window: a window's length at most
        "crop_step": (0, None),
        "min_valid": (0, 1),
    },
    "AdaptConfig": {"share": (0.01, 1), "rounds": (1, MAX_ADAPT_ROUNDS)},
    "AlignConfig": {
        **dict.fromkeys(_ALIGN_SPANS, (0, _MAX_S)),
        **dict.fromkeys(("event_lead_s", "word_to_peak_s", "noise_centre_s"), (-_MAX_S, _MAX_S)),
        **dict.fromkeys(_ALIGN_SHARES, (0, 1)),
        "refine_s": (0.02, _MAX_S),  # one grid step at least: 0 left nothing to search
        "class_peak_reach_s": (0.1, 120.0),  # the lag profile's grid is sized from it
        "rate_edge_share": (0, None),
        "loss_split_words": (1, None),
        "energy_allowance": (0, None),  # below 0 it would lift the level over min_quality;
        # at or over min_quality it would drop it to chance (check_energy_allowance)
        "shuffles": (1, 10_000),
        "seed": SEEDS,
    },
    "ClockConfig": {
        "stall_s": (0, _MAX_S),
        "pace_drop": (0, 1),
        "recent_pace_s": (0, _MAX_S),
        "queue_window_s": (0, _MAX_S),
        "realtime_after_s": (0, _MAX_S),
    },
}


def check_config(cfg):
    """``cfg`` if every number in it is finite and in its LIMITS range (nested configs
    too) and its own ``check_settings()`` (bounds between fields) passes; else InputError
    naming the setting (each option's help names its field)."""
    limits = LIMITS.get(type(cfg).__name__, {})
    for field in dataclasses.fields(cfg):
        value = getattr(cfg, field.name)
        if dataclasses.is_dataclass(value):
            check_config(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        low, high = limits.get(field.name, _ANY)
        if not math.isfinite(value) or (low is not None and value < low):
            raise InputError(_out_of_range(cfg, field.name, value, low, high))
        if high is not None and value > high:
            raise InputError(_out_of_range(cfg, field.name, value, low, high))
    check_settings = getattr(cfg, "check_settings", None)
    if callable(check_settings):
        check_settings()  # a config's bounds between fields, where it has any
    return cfg


#: Settings a command's own option sets under another name: the error names the option too.
_OPTION_OF = {"max_epochs": "--epochs", "rounds": "--adapt-rounds"}


def _out_of_range(cfg, name: str, value, low, high) -> str:
    span = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
    option = f" ({_OPTION_OF[name]})" if name in _OPTION_OF else ""
    return (
        f"setting {type(cfg).__name__}.{name}{option} is {value!r}: it must be a number in {span}"
    )
