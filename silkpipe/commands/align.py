"""`silkpipe align`: the join step over all sessions of a run."""

from __future__ import annotations

import logging
from pathlib import Path

from silkpipe.commands import (
    add_config_options,
    add_dir_option,
    add_store_args,
    config_from,
    raise_if_failed,
)
from silkpipe.steps import AlignConfig, align_run
from silkpipe.store import open_store

log = logging.getLogger(__name__)


#: --min-quality is a base the gate raises (the help said a session needs it to be trained
#: on: 4.0, while energy alone passes from 5.5 by default).
_DEFAULTS = AlignConfig()
MIN_QUALITY_HELP = (
    "the gate's base level of label quality (z over shuffled commands); with the class "
    "channels (the default search) the gate raises it by --class-channel-lift "
    f"({_DEFAULTS.class_channel_lift:g}), and energy alone passes a session at the raised "
    "level less --energy-allowance: "
    f"{_DEFAULTS.min_quality + _DEFAULTS.class_channel_lift - _DEFAULTS.energy_allowance:g} "
    "by default (see README, 'Why a session is refused') (default %(default)s)"
)


def register(sub) -> None:
    p = sub.add_parser(
        "align",
        help="align spoken commands to the IMU stream of every session (the join step)",
        description=(
            "For every session with a transcript in the run: extract command words, estimate "
            "the audio->IMU clock offset, write label intervals and a report, and gate sessions "
            "whose labels do not match motion (excluded from training)."
        ),
    )
    add_store_args(p, run_help="run whose transcripts are aligned")
    p.add_argument(
        "--force",
        action="store_true",
        help="align again although labels from the same inputs exist (the gate still applies)",
    )
    _add_seconds(p, "--search-s", "--search", "largest audio->IMU offset searched, in seconds")
    p.add_argument(
        "--min-quality",
        type=float,
        default=AlignConfig.min_quality,
        help=MIN_QUALITY_HELP,
    )
    _add_seconds(
        p,
        "--event-window-s",
        "--event-window",
        "label window around a jump/turn, before it is cut to the motion burst "
        "(punch: --punch-window-s)",
    )
    _add_seconds(
        p,
        "--max-state-s",
        "--max-state",
        "how long a walk/idle command predicts motion in the offset search, at most "
        "(the label's own length is --state-label-s)",
    )
    add_dir_option(
        p,
        "--clips",
        "the offset search and the gate use their class model "
        "(default: the run's own clips, if it has any)",
        clips=True,
    )
    # options above: each also under the field's name, as `run --align-<field>` spells it
    named = ("search_s", "min_quality", "event_window_s", "max_state_s")
    add_config_options(p, AlignConfig, title="every other alignment setting", skip=named)
    p.set_defaults(func=run)


def _add_seconds(p, name: str, older: str, what: str) -> None:
    """An AlignConfig duration under its field's name and its older spelling (kept)."""
    dest = older.removeprefix("--").replace("-", "_")
    default = getattr(AlignConfig, name.removeprefix("--").replace("-", "_"))
    p.add_argument(
        name,
        older,
        dest=dest,
        type=float,
        default=default,
        metavar="SECONDS",
        help=f"{what} (default %(default)s)",
    )


def run(args) -> dict:
    cfg = config_from(
        args,
        AlignConfig(
            search_s=args.search,
            min_quality=args.min_quality,
            event_window_s=args.event_window,
            max_state_s=args.max_state,
        ),
    )
    clips = Path(args.clips) if args.clips else None
    figures = align_run(open_store(args.store), args.run_id, cfg, force=args.force, clips_dir=clips)
    say_gate(figures)
    figures.pop("excluded")
    failed, skipped = figures.pop("failed"), figures.pop("clips_skipped")
    raise_if_failed(open_store(args.store), args.run_id, failed, "align", clips=skipped)
    return figures


def say_gate(figures: dict) -> None:
    """One line per session the gate excluded, with its reason, and how many passed: a
    user who aligned a run (``align`` or ``run``) learns what will be trained on without
    opening the store."""
    for session, reason in figures["excluded"].items():
        log.info("session %s excluded: %s", session, reason)
    total = figures["sessions_ok"] + figures["sessions_failed"]
    failed = f", {figures['sessions_failed']} failed" if figures["sessions_failed"] else ""
    log.info("%d of %d sessions through the gate%s", figures["sessions_usable"], total, failed)
