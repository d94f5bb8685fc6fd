"""Label intervals and the labels CSV: the one type and the one reader.

The align step writes ``start,end,label`` rows (seconds on the session's IMU clock);
training, evaluation and voice scoring read them back through :func:`parse_labels_csv`,
so every reader agrees (labels are stripped, classes and spans checked the same way).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from silkpipe.errors import InputError
from silkpipe.vocabulary import CLASSES

HEADER = ("start", "end", "label")


@dataclass(order=True)
class Interval:
    """A labelled span [start, end) in seconds on one clock. Mutable, because alignment
    trims and merges spans in place; unpacks as ``start, end, label``; sorts by start."""

    start: float
    end: float
    label: str

    def __iter__(self) -> Iterator:
        return iter((self.start, self.end, self.label))


def intervals_to_csv(intervals: list[Interval]) -> str:
    """The labels CSV text: a header, then one row per interval, times to the millisecond."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for iv in intervals:
        writer.writerow([f"{iv.start:.3f}", f"{iv.end:.3f}", iv.label])
    return buf.getvalue()


def parse_labels_csv(
    text: str, *, source: str, session: str | None = None, skip_bad: bool = False
) -> list[Interval]:
    """Labels CSV text -> intervals; errors name the session, ``source`` and the line.

    ``skip_bad`` drops malformed rows (and every row of a file without the header) instead
    of raising: the report shows what it can and never fails on one bad file.
    """
    rows = _csv_rows(text, source, session, skip_bad)
    _, header = next(rows, (1, None))
    if header is None or tuple(h.strip() for h in header) != HEADER:
        if skip_bad:
            return []
        raise InputError("line 1: expected header start,end,label", session=session, path=source)
    out = []
    for line_no, row in rows:
        if not row:
            continue
        try:
            out.append(_interval(row, line_no, source, session))
        except InputError:
            if not skip_bad:
                raise
    return out


def _csv_rows(
    text: str, source: str, session: str | None, skip_bad: bool
) -> Iterator[tuple[int, list[str]]]:
    """The csv module's rows of ``text``, each with the line it begins on. A row it
    cannot read (a NUL byte, a cell over its 131072-character limit, as a quote never
    closed makes of the rest of the file) is InputError naming the line (it was the
    module's own Error: exit 1, no file named), or with ``skip_bad`` the end of the rows."""
    reader = csv.reader(io.StringIO(text))
    while True:
        start = reader.line_num + 1  # the line the row begins on (a quoted cell spans lines)
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            if skip_bad:
                return
            raise InputError(
                f"line {start}: not a readable CSV row ({err})",
                session=session,
                path=source,
            ) from None
        yield start, row


def _interval(row: list[str], line_no: int, source: str, session: str | None) -> Interval:
    """One ``start,end,label`` row; the label is stripped, the class, span and times checked.
    A row '-inf,inf,walk' passes the span check (inf > -inf) but no window or clock can hold
    it (it ended `train --sessions` with an OverflowError): times must be finite."""
    try:
        start, end, label = float(row[0]), float(row[1]), row[2].strip()
    except (ValueError, IndexError):
        why = f"line {line_no}: bad row {_shown_row(row)}"
        raise InputError(why, session=session, path=source) from None
    if label not in CLASSES or not end > start:
        why = f"line {line_no}: bad interval {_shown_row(row)}"
        raise InputError(why, session=session, path=source)
    if not (math.isfinite(start) and math.isfinite(end)):
        why = f"label {label} at {start}-{end} s: its times must be finite numbers"
        raise InputError(why, session=session, path=source)
    return Interval(start, end, label)


def _shown_row(row: list[str], limit: int = 200) -> str:
    """A row as an error line shows it: its repr, cut at ``limit`` characters (a quote
    never closed made one cell of the rest of the file, and the line held all of it)."""
    text = repr(row)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def read_labels_csv(path: str | Path, *, session: str | None = None) -> list[Interval]:
    """A labels CSV file -> intervals (a missing file is an error naming it)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("labels file is missing", session=session, path=str(path))
    return parse_labels_csv(path.read_text(), source=str(path), session=session)
