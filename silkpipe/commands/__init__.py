"""CLI wrappers, one module per step; see silkpipe.cli."""

import argparse
import dataclasses

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


def add_adapt_options(parser) -> None:
    """How self-training on a new day's unlabelled recordings runs (silkpipe.adapt)."""
    from silkpipe.adapt import AdaptConfig

    add_config_options(parser, AdaptConfig, prefix="adapt_", title="adapting (silkpipe.adapt)")


def adapt_config(args):
    from silkpipe.adapt import AdaptConfig

    return config_from(args, AdaptConfig(), prefix="adapt_")


def raise_if_failed(store, run_id: str, failed: dict[str, str], step: str) -> None:
    """PartialFailure when sessions failed: exit 2 if all were bad input, 1 if any fault."""
    from silkpipe.errors import BAD_INPUT, FAULT, PartialFailure
    from silkpipe.steps.common import failure_kinds

    if not failed:
        return
    kinds = failure_kinds(store, run_id)
    code = FAULT if any(kinds.get(s) == "fault" for s in failed) else BAD_INPUT
    names = ", ".join(sorted(failed))
    raise PartialFailure(
        f"{len(failed)} session(s) failed in {step} ({names[:300]}); "
        f"reasons in runs/{run_id}/failures/{step}/",
        code,
    )


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
    defaults = cls()
    for field in dataclasses.fields(cls):
        value = getattr(defaults, field.name)
        if field.name in skip or dataclasses.is_dataclass(value):
            continue
        flag = "--" + (prefix + field.name).replace("_", "-")
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


def config_from(args, cfg, *, prefix: str = ""):
    """``cfg`` with the fields given as ``add_config_options`` options replaced."""
    given = {
        name[len("cfg_") + len(prefix) :]: value
        for name, value in vars(args).items()
        if name.startswith(f"cfg_{prefix}")
    }
    given = {k: v for k, v in given.items() if k in {f.name for f in dataclasses.fields(cfg)}}
    return dataclasses.replace(cfg, **given)
