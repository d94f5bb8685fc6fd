"""Training-only data in cross-validation: a voice run's labelled sessions, or a clip folder
(``evaluate --train-clips``), added to every fold.

Voice labels are not truth, and a clip folder given for training is another day's data, so
these recordings are never scored; they only widen what each fold trains on ("train on
every other day you have", as `train --clips A --clips B` ships). A recording made on a day a fold
tests, or the day before or after it, is left out of that fold (same-day data would leak the
test day; clip days are UTC dates, session days the local date metadata.json gives, and the
two differ by up to a day), and so is one whose recording date is unknown; a fold that tests
a recording of unknown date trains on none. Each such case is named in a note.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import numpy as np

from silkpipe.clips import date_problem
from silkpipe.dataset import LabelledStream, Windows

log = logging.getLogger(__name__)

#: A session folder named after its start, e.g. 20251017_143627_session.
_NAME_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})_")


@dataclass(frozen=True)
class TrainingOnlyConfig:
    """Where the training-only sessions come from: runs of one artifact store."""

    store: str
    run_ids: tuple[str, ...]


@dataclass
class TrainingOnlyRun:
    """One run's labelled sessions (their ``day`` set), as the train step reads them; or,
    with ``kind`` "clips", one clip folder's clips (``run_id``: the folder as given)."""

    run_id: str
    streams: list[LabelledStream]
    kind: str = "voice"


def recording_day(metadata: dict, name: str) -> str:
    """A session's recording date (YYYY-MM-DD) from metadata.json's recording_date, else
    from a folder name that starts with the date; '' when neither tells it. A malformed
    or impossible recording_date (clips.date_problem) is named in a warning (it decides
    which folds the session trains)."""
    value = metadata.get("recording_date")
    try:
        dated = dt.datetime.fromisoformat(str(value)).date()
    except ValueError:
        why = "is not an ISO date"
    else:
        if not (why := date_problem(dated, f"{name}/metadata.json")):
            return dated.isoformat()
        why = f"is {why}"  # 9999-12-31: a day no other recording is near, in every fold
    day = _name_day(name)
    if value is not None:
        log.warning(
            "session %s: metadata.json recording_date %r %s: %s",
            name,
            value,
            why,
            dated_by_name(day),
        )
    return day


def dated_by_name(day: str) -> str:
    """What a session whose metadata cannot date it falls back on (``day``: its name's)."""
    return f"dated {day} by its folder name" if day else "date unknown, it trains no fold"


def _name_day(name: str) -> str:
    """The date a folder name starts with (YYYYMMDD_), '' when it starts with none or with
    one no recording has (clips.date_problem)."""
    m = _NAME_DATE.match(name)
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return ""
    return day.isoformat() if day and not date_problem(day, name) else ""


def tagged(runs: list[TrainingOnlyRun]) -> list[LabelledStream]:
    """Every run's streams named ``run:session`` (two runs may hold the same session)."""
    from dataclasses import replace

    return [
        replace(st, name=f"{r.run_id}:{st.name}", group=f"{r.run_id}:{st.group}")
        for r in runs
        for st in r.streams
    ]


def describe_runs(runs: list[TrainingOnlyRun], windows: Windows | None) -> list[dict]:
    """Per run: its sessions with their day and labelled seconds per class (a clip folder:
    its clip count and days), the run's labelled seconds per class, and its windows in the
    protocol's classes."""
    out = []
    names = windows.streams.astype(str) if windows is not None else np.array([], str)
    for r in runs:
        sessions, total = [], {}  # type: list[dict], dict[str, float]
        for st in r.streams:
            per: dict[str, float] = {}
            for a, b, label in st.intervals:
                per[label] = round(per.get(label, 0.0) + (b - a), 1)
                total[label] = round(total.get(label, 0.0) + (b - a), 1)
            sessions.append({"session": st.name, "day": st.day, "labelled_s": per})
        mine = np.char.startswith(names, f"{r.run_id}:")
        about: dict = {"run_id": r.run_id, "sessions": sessions}
        if r.kind == "clips":  # hundreds of clips: their count and days, not each one
            days = sorted({s["day"] for s in sessions})
            about = {"clips": r.run_id, "kind": "clips", "clip_count": len(sessions), "days": days}
        about.update(labelled_s=dict(sorted(total.items())), windows=int(mine.sum()))
        out.append(about)
    return out


def tested_days(windows: Windows, streams: list[LabelledStream], test: np.ndarray) -> set[str]:
    """The days a fold tests: each tested stream's day, else the date its name starts with
    (``--sessions`` folders are loaded without a day); '' for one neither dates."""
    day = {st.name: st.day or recording_day({}, st.name) for st in streams}
    return {day[n] for n in set(windows.streams[test])}


def fold_mask(days: np.ndarray, test_days: set[str], fold: str) -> tuple[np.ndarray, list[str]]:
    """(training-only windows a fold may train on, notes): none of a day the fold tests or
    next to it (local and UTC dates), none of an unknown day; none at all when the fold
    tests a recording of unknown date (any recording could be of its day)."""
    if "" in test_days:
        why = f"{fold}: tests recordings of unknown date: no training-only recording trains it"
        return np.zeros(len(days), bool), [why]
    same = np.isin(days, sorted({d for t in test_days for d in _next_to(t)}))
    unknown = days == ""
    notes = [
        f"{fold}: training-only recordings of {d} left out (the fold tests that day or one "
        "next to it)"
        for d in sorted(set(days[same]))
    ]
    if unknown.any():
        notes.append(f"{fold}: training-only recordings of unknown recording date left out")
    return ~same & ~unknown, notes


def _next_to(day: str) -> set[str]:
    """``day`` and, for an ISO date, the days before and after it."""
    try:
        d = dt.date.fromisoformat(day)
    except ValueError:
        return {day}
    return {d.isoformat()} | {n.isoformat() for n in (_shifted(d, -1), _shifted(d, 1)) if n}


def _shifted(d: dt.date, days: int) -> dt.date | None:
    """``d`` moved by ``days``; None past the calendar's ends: a clip folder dated
    9999-12-31 or 0001-01-01 has no next or previous day (it ended every leave-day-out
    with 'OverflowError: date value out of range', exit 1, naming nothing)."""
    try:
        return d + dt.timedelta(days=days)
    except OverflowError:
        return None


def format_runs(described: list[dict]) -> list[str]:
    """Lines for the cross-validation text output."""
    lines = []
    for r in described:
        secs = ", ".join(f"{c} {v:.0f} s" for c, v in r["labelled_s"].items())
        if r.get("kind") == "clips":
            days = ", ".join(d or "unknown date" for d in r["days"])
            lines.append(
                f"  training only (clips, never scored): clips {r['clips']}, "
                f"{r['clip_count']} clips of {days} ({secs}; "
                f"{r['windows']} windows in the protocol's classes)"
            )
            continue
        days = ", ".join(sorted({s["day"] or "unknown date" for s in r["sessions"]}))
        lines.append(
            f"  training only (voice labels, never scored): run {r['run_id']}, "
            f"{len(r['sessions'])} sessions of {days} ({secs}; "
            f"{r['windows']} windows in the protocol's classes)"
        )
    return lines
