"""Checks on values read from input files, made before anything is sized from them.

A sensor stream's time span decides how large the resampled grid is, and a transcript's
word times decide where labels go: one glitch row (a timestamp of 1e9 s among rows of a
ten-minute session) would otherwise ask for hundreds of GiB or hours of work. A glitch
row far from the rest is named and dropped; a file whose rows do not form one recording
is refused with a reason the user can act on.
"""

from __future__ import annotations

import logging

import numpy as np

from silkpipe.errors import InputError
from silkpipe.sessions import RawStreams
from silkpipe.transcripts import Command

log = logging.getLogger(__name__)

#: Longest session accepted (seconds): a longer span is a clock glitch, not a recording.
MAX_SPAN_S = 6 * 3600.0
#: Rows this far (seconds) from the main body of the stream are not part of the recording.
MAX_HOLE_S = 600.0
#: Glitch rows dropped at most: more than this is a broken file, refused.
MAX_GLITCH_ROWS = 10
#: Largest sensor reading accepted (m/s², rad/s, unit quaternion): beyond it a value is a
#: corrupt field, and squaring it in the motion energy overflows float32 (quality NaN).
MAX_READING = 1e6


def check_sensor_streams(raw: RawStreams, *, session: str, path: str) -> list[str]:
    """Drop glitch rows in place and refuse streams no grid can be built from.

    Returns one note per dropped row (for the session's report).
    """
    check_readings(raw, session=session, path=path)
    times = np.sort(np.concatenate([t for t in raw.times.values()]))
    lo, hi = main_body(times, session=session, path=path)
    notes = []
    for sensor, t in raw.times.items():
        keep = (t >= lo) & (t <= hi)
        for value in t[~keep]:
            notes.append(
                f"{sensor} row at {value:.6g} s lies outside the recording "
                f"({lo:.3f}-{hi:.3f} s): dropped"
            )
        raw.times[sensor], raw.values[sensor] = t[keep], raw.values[sensor][keep]
        if len(raw.times[sensor]) < 2:
            raise InputError(f"fewer than 2 {sensor} rows", session=session, path=path)
    for note in notes:
        log.warning(
            "%s: %s",
            ", ".join(filter(None, (session and f"session {session}", f"file {path}"))),
            note,
        )
    if hi - lo <= 0:
        raise InputError(
            f"all {len(times)} timestamps are equal ({lo:.6g} s): the file "
            "holds no time span to align",
            session=session,
            path=path,
        )
    if hi - lo > MAX_SPAN_S:
        raise InputError(
            f"timestamps span {hi - lo:.0f} s, more than the {MAX_SPAN_S:.0f} s "
            "a session can last: clock glitch?",
            session=session,
            path=path,
        )
    return notes


def check_readings(raw: RawStreams, *, session: str, path: str) -> None:
    """Refuse a reading no sensor makes (see MAX_READING)."""
    for sensor, values in raw.values.items():
        if not len(values):
            continue
        big = np.abs(values) > MAX_READING
        if big.any():
            row, col = (int(i) for i in np.argwhere(big)[0])
            raise InputError(
                f"{sensor} reading {values[row, col]:.3g} at {raw.times[sensor][row]:.3f} s is "
                f"not a physical value (|v| > {MAX_READING:g}): corrupt field?",
                session=session,
                path=path,
            )


def main_body(times: np.ndarray, *, session: str, path: str) -> tuple[float, float]:
    """The time range of the largest run of rows without a hole over MAX_HOLE_S."""
    cuts = np.flatnonzero(np.diff(times) > MAX_HOLE_S) + 1
    bounds = np.concatenate([[0], cuts, [len(times)]])
    sizes = np.diff(bounds)
    main = int(np.argmax(sizes))
    outside = len(times) - int(sizes[main])
    if outside > MAX_GLITCH_ROWS:
        raise InputError(
            f"rows form {len(sizes)} stretches separated by more than {MAX_HOLE_S:.0f} s "
            f"({outside} rows outside the largest): two recordings in one file, or a clock "
            "jump?",
            session=session,
            path=path,
        )
    return float(times[bounds[main]]), float(times[bounds[main + 1] - 1])


def usable_commands(
    commands: list[Command], span: tuple[float, float], search_s: float
) -> tuple[list[Command], list[dict]]:
    """Commands whose time could fall on the motion; the rest are rejected with a reason.

    The window is generous (the recording's length again on each side, plus the offset
    search), so only glitch times such as 1e9 s are dropped, never a stretched clock.
    """
    t0, t1 = span
    margin = (t1 - t0) + search_s
    kept, rejected = [], []
    for c in commands:
        if t0 - margin <= c.start <= t1 + margin:
            kept.append(c)
        else:
            rejected.append(
                {
                    "word": c.text,
                    "start": c.start,
                    "reason": f"at {c.start:.6g} s, far outside the sensor recording "
                    f"({t0:.1f}-{t1:.1f} s): a glitch time",
                }
            )
    return kept, rejected


def clocks_overlap(commands: list[Command], span: tuple[float, float], search_s: float) -> str:
    """'' when some command can land on the motion at an offset searched; else the reason."""
    if not commands:
        return ""
    first, last = min(c.start for c in commands), max(c.start for c in commands)
    if last + search_s < span[0] or first - search_s > span[1]:
        return (
            f"audio and sensor clocks do not overlap: commands at {first:.1f}-{last:.1f} s, "
            f"motion at {span[0]:.1f}-{span[1]:.1f} s, offsets searched only "
            f"+-{search_s:g} s"
        )
    return ""
