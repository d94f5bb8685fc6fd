"""Button-labelled clips: their names, their three dialects, late delivery, blocks and days.

A clip folder is one of two layouts, told apart by ``session_metadata.json``:

- **device-ns** (clips-dev): ``<class>_<ms>_to_<ms>.csv`` named by button press/release
  (host epoch ms), ``baseline_noise_<epoch s>.csv`` and ``<class>_<ms>_seg_NNN.csv`` noise
  segments; the session CSV header, unused sensor columns ``0.0``, ``timestamp`` in watch
  nanoseconds. Neighbouring clips share events; the watch clock restarts between
  collection blocks; some clips' events were delivered late (see late_clip_spans).
- **sample** (clips-20251014): ``<class>_sampleNN.csv`` (a fixed-length sample) and
  ``<class>_continuous.csv`` (one long recording), columns by name in any order plus
  ``gesture``, ``sample``, ``stance``, ``collection_mode``; unused sensor columns empty;
  ``timestamp`` in seconds from the sample's start (sample NN is placed at NN *
  SAMPLE_SLOT_S on the block's clock). ``session_metadata.json`` gives the session id
  (the block) and date (the day).

Every clip becomes a :class:`~silkpipe.dataset.LabelledStream` with its block and day.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from silkpipe.copies import content_digest, copy_of
from silkpipe.errors import InputError, not_utf8, parse_json, shown
from silkpipe.labels import Interval
from silkpipe.sessions import HEADER as SESSION_HEADER
from silkpipe.sessions import (
    IGNORED_SENSORS,
    SENSOR_COLUMNS,
    Motion,
    RawStreams,
    cut_off,
    read_sensor_csv,
    resample,
    restart_row,
)
from silkpipe.validation import check_readings, check_sensor_streams
from silkpipe.vocabulary import CLIP_CLASS_MAP, clip_class

log = logging.getLogger(__name__)

#: A gap this long in a clip's events splits off stray events shared with a neighbour.
CLIP_CORE_GAP_S = 0.5
#: A gap this long between clips on the watch clock starts a new collection block.
BLOCK_GAP_S = 600.0
#: A clip whose events end further than this from where its block's other clips put the
#: button release holds another moment's motion (the watch's delivery lag grew for a
#: stretch of the clips-dev block; see README for what that did).
CLIP_ALIGN_TOL_S = 1.5
METADATA_NAME = "session_metadata.json"
#: Sample-dialect clips carry no shared clock; sample NN is placed at NN * SAMPLE_SLOT_S on
#: its block's clock, so held-out time ranges are runs of consecutive samples of a class.
SAMPLE_SLOT_S = 10.0
#: Largest sample number NN: beyond it NN * SAMPLE_SLOT_S swamps the sample's own seconds
#: in float64 (a name of 200 digits put every row at one time).
MAX_SAMPLE = 100_000
RATE = 50.0
#: No recording is dated before the Unix epoch (see date_problem).
EARLIEST_DAY = dt.date(1970, 1, 1)
#: Nor after the first day of the next century: a date past it is a placeholder (the last day of a
#: far year) or a time in the wrong unit, whatever this machine's clock reads.
LATEST_DAY = dt.date(2100, 1, 1)

_BUTTON = re.compile(r"_(\d{13})_to_(\d{13})$")
_BUTTON_SHAPE = re.compile(r"_(\d+)_to_(\d+)$")
_EPOCH_S = re.compile(r"_(\d{10})$")
_SEGMENT = re.compile(r"_(\d{13})_seg_(\d+)$")
_SAMPLE = re.compile(r"^(?P<cls>[a-z_]+?)_sample(?P<n>\d+)$")
_CONTINUOUS = re.compile(r"^(?P<cls>[a-z_]+?)_continuous$")
#: How file managers name a copy: "x copy", "x copy 2" (macOS), "x - Copy", "x (1)"
#: (Windows), "x (copy)" (GNOME).
_FILE_COPY = re.compile(r"(?i)( - copy| copy(?: \d+)?| \(\d+\)| \(copy\))$")
#: Sample-dialect columns: sensor values, then the extra columns it may carry.
SAMPLE_VALUE_COLUMNS = tuple(c for c in SESSION_HEADER if c not in ("sensor", "timestamp"))
SAMPLE_REQUIRED = (*SAMPLE_VALUE_COLUMNS, "sensor", "timestamp", "gesture")
SAMPLE_OPTIONAL = ("sample", "stance", "collection_mode")


@dataclass(frozen=True)
class ClipName:
    """What a clip's file name says: its class and, when named, its host time."""

    stem: str
    label: str  # vocabulary class
    name_class: str  # file-name class, e.g. turn_left
    dialect: str  # "device-ns" or "sample"
    button: tuple[float, float] | None = None  # press/release, host epoch seconds
    host_time: float | None = None  # any host epoch seconds the name holds
    sample: int | None = None  # NN of <class>_sampleNN; None for a continuous recording

    @property
    def host_end(self) -> float | None:
        """Host epoch seconds when the clip's recording ended: the button release, or the
        second a ``baseline_noise_<s>`` name holds (saved when the recording stopped). A
        noise segment's time is its recording's start, so it has none."""
        if self.button is not None:
            return self.button[1]
        return self.host_time if _EPOCH_S.search(self.stem) else None


def is_continuous(stem: str) -> bool:
    """A sample-dialect recording of one long activity (``<class>_continuous``), which
    sessions play in pieces cut anywhere."""
    return bool(_CONTINUOUS.match(stem))


def parse_clip_name(path: Path) -> ClipName:
    """A clip file's name -> ClipName; InputError naming the file when it names no class."""
    stem = path.stem
    if copy := _FILE_COPY.search(stem):
        raise InputError(
            f"clip name ends in {copy.group(1).strip()!r}, as a file manager names a copy "
            f"of {stem[: copy.start()]}.csv: not read (its recording would count twice, "
            "its button time lost; rename it if it is another recording)",
            path=str(path),
        )
    m = _SAMPLE.match(stem) or _CONTINUOUS.match(stem)
    if m and m.group("cls") in CLIP_CLASS_MAP:
        sample = int(m.group("n")) if "n" in m.groupdict() else None
        return ClipName(
            stem, CLIP_CLASS_MAP[m.group("cls")], m.group("cls"), "sample", sample=sample
        )
    label = clip_class(stem)
    if label is None:
        raise InputError(f"clip name {path.name!r} names no known class", path=str(path))
    name_class = max((p for p in CLIP_CLASS_MAP if stem == p or stem.startswith(p + "_")), key=len)
    if why := _button_problem(stem):  # its time would be lost without a word
        raise InputError(why, path=str(path))
    button = button_span(stem)
    host = button[0] if button else None
    if host is None and (e := _EPOCH_S.search(stem)):
        host = float(e.group(1))
    elif host is None and (s := _SEGMENT.search(stem)):
        host = int(s.group(1)) / 1000.0
    day = dt.datetime.fromtimestamp(host, dt.UTC).date() if host is not None else None
    if day and (why := date_problem(day, path)):
        raise InputError(f"clip name's host time ({day}) is {why}: not read", path=str(path))
    return ClipName(stem, label, name_class, "device-ns", button, host)


def _button_problem(stem: str) -> str:
    """Why a clip name's button span cannot be read ('' when it can, or names none): read
    without it, the clip was never checked for late delivery (realign_block). Seconds for
    milliseconds (``jump_1760841417_to_1760841419``) were read as a time of no button."""
    if m := _BUTTON.search(stem):
        if int(m[2]) > int(m[1]):
            return ""
        return (
            "clip name's button span ends no later than it starts (released before "
            "pressed?): not read"
        )
    if m := _BUTTON_SHAPE.search(stem):
        return (
            f"clip name's button span {m[1]}_to_{m[2]} is not two epoch milliseconds of 13 "
            "digits each: not read (its button time would be lost)"
        )
    return ""


def button_span(stem: str) -> tuple[float, float] | None:
    """Button press and release (epoch seconds) from ``<class>_<ms>_to_<ms>``, if named."""
    m = _BUTTON.search(stem)
    if not m:
        return None
    start, end = int(m.group(1)) / 1000.0, int(m.group(2)) / 1000.0
    return (start, end) if end > start else None


def utc_day(epoch_s: float) -> str:
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).date().isoformat()


def date_problem(day: dt.date, source: str | Path = "") -> str:
    """Why ``day`` cannot be the date of a recording ('' when it can): after LATEST_DAY or
    before 1970, the epoch the recorders' clocks count from. Such a date (a clip folder
    dated 9999-12-31) was scored as a day of its own, a leave-day-out fold of recordings of
    no day. A day after this machine's tomorrow is only warned about, naming ``source`` (the
    file that dates it): the bound was the clock's, and a machine whose clock was wrong
    (behind) refused every good recording."""
    if day > LATEST_DAY:
        return f"in the future (after {LATEST_DAY.isoformat()})"
    if day < EARLIEST_DAY:
        return "before 1970, the epoch the recorders' clocks count from"
    _warn_if_after_clock(day, str(source))
    return ""


def _warn_if_after_clock(day: dt.date, source: str) -> None:
    """One warning a folder for a recording dated after this machine's tomorrow (UTC, a
    day's grace), naming the first such file: its date, or the machine's clock, is wrong.
    A folder of 300 such clips says so once, and each folder is named."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    folder = str(Path(source).parent) if source else ""
    if day > tomorrow and folder not in _CLOCK_WARNED:
        _CLOCK_WARNED.add(folder)
        log.warning(
            "%sa recording is dated %s, after this machine's clock (%s UTC): check the "
            "recording's date, or the clock; it is read as dated",
            f"{source}: " if source else "",
            day.isoformat(),
            (tomorrow - dt.timedelta(days=1)).isoformat(),
        )


#: The folders a clock warning was given for (one a folder and process).
_CLOCK_WARNED: set[str] = set()


# --- device-ns dialect: cores, blocks, late delivery ------------------------------------


def clip_core(raw: RawStreams) -> tuple[float, float]:
    """The span of the densest run of events: drops stray events from neighbouring clips."""
    t = np.sort(np.concatenate([v for v in raw.times.values()]))
    cuts = np.flatnonzero(np.diff(t) > CLIP_CORE_GAP_S)
    starts = np.concatenate([[0], cuts + 1])
    ends = np.concatenate([cuts, [len(t) - 1]])
    best = int(np.argmax(ends - starts))
    return float(t[starts[best]]), float(t[ends[best]])


def block_indices(spans: list[tuple[float, float]]) -> list[list[int]]:
    """Collection blocks of spans sorted by start: the watch clock restarts between blocks,
    so a gap of more than BLOCK_GAP_S after the latest end starts a new one."""
    blocks: list[list[int]] = []
    last_end = -math.inf
    for i, (start, end) in enumerate(spans):
        if start - last_end > BLOCK_GAP_S:
            blocks.append([])
        blocks[-1].append(i)
        last_end = max(last_end, end)
    return blocks


def late_clip_spans(
    cores: list[tuple[float, float]], buttons: list[tuple[float, float] | None]
) -> dict[int, tuple[float, float]]:
    """Clips of one block whose events were delivered late -> their true watch-clock span.

    A clip's offset is its last event (watch clock) minus its button release (epoch).
    Late delivery only ever makes it smaller, so the on-time epoch->watch mapping is the
    upper envelope of the block's offsets (their 90th percentile), which stays right even
    when most clips were late; a clip off by more than CLIP_ALIGN_TOL_S is late and its
    button span mapped through that offset is where its motion really is.
    """
    named = [i for i, b in enumerate(buttons) if b is not None]
    if len(named) < 3:
        return {}
    offsets = np.array([cores[i][1] - buttons[i][1] for i in named])  # type: ignore[index]
    nominal = float(np.percentile(offsets, 90))
    return {
        i: (buttons[i][0] + nominal, buttons[i][1] + nominal)  # type: ignore[index]
        for i, off in zip(named, offsets, strict=True)
        if abs(off - nominal) > CLIP_ALIGN_TOL_S
    }


def merge_raw(raws: list[RawStreams]) -> RawStreams:
    """One event stream from clips sharing a watch clock (shared events kept once)."""
    merged = RawStreams(path="<block>", dialect="clip")
    for sensor in SENSOR_COLUMNS:
        t = np.concatenate([r.times[sensor] for r in raws if sensor in r.times])
        v = np.concatenate([r.values[sensor] for r in raws if sensor in r.times])
        t, first = np.unique(t, return_index=True)
        merged.times[sensor], merged.values[sensor] = t, v[first]
    return merged


@dataclass
class LoadedClip:
    """One clip as read, before block grouping: name, events, core span, motion."""

    name: ClipName
    raw: RawStreams
    core: tuple[float, float]
    motion: Motion | None
    realigned: bool = False


#: A late clip re-cut at its button time is kept only when that span holds at least
#: LATE_MIN_EVENTS of the events a sensor makes there at RATE (per sensor), spread so that
#: LATE_MIN_VALID of its resampled grid has events around it; else it is dropped, so no
#: label (training window or semi-real truth) sits on motion that is mostly missing.
LATE_MIN_EVENTS = 0.4
LATE_MIN_VALID = 0.5


@dataclass
class Recut:
    """A late clip re-cut at its button time: its span on the watch clock and its motion
    there (None: dropped, too few events there; see LATE_MIN_EVENTS)."""

    start: float
    end: float
    motion: Motion | None


def recut_late(
    cores: list[tuple[float, float]],
    buttons: list[tuple[float, float] | None],
    raws: list[RawStreams],
    rate: float = RATE,
) -> dict[int, Recut]:
    """The late-delivery rule, the one the model's loader and semireal share: clips of one
    block that late_clip_spans finds late -> their re-cut from all the block's events."""
    late = late_clip_spans(cores, buttons)
    if not late:
        return {}
    merged = merge_raw(raws)
    out = {}
    for i, (start, end) in late.items():
        motion = resample(merged, rate=rate, start=start, end=end)
        events = min(int(((t >= start) & (t <= end)).sum()) for t in merged.times.values())
        kept = events >= LATE_MIN_EVENTS * RATE * (end - start)
        kept = kept and motion.valid.mean() >= LATE_MIN_VALID
        out[i] = Recut(start, end, motion if kept else None)
    return out


def realign_block(items: list[LoadedClip], rate: float = RATE) -> list[str]:
    """Re-cut late clips (recut_late) at their button time, or drop them (motion None).
    Returns the names of the clips moved."""
    recuts = recut_late(
        [it.core for it in items], [it.name.button for it in items], [it.raw for it in items], rate
    )
    for i, recut in recuts.items():
        items[i].motion = recut.motion
        items[i].realigned = True
    return [items[i].name.stem for i in recuts]


def block_day(items: list[LoadedClip]) -> str:
    """The UTC date most of a block's named clips were recorded on ("" if none is named)."""
    days = [utc_day(it.name.host_time) for it in items if it.name.host_time is not None]
    return max(set(days), key=days.count) if days else ""


#: What to do with a clip of the other dialect than its folder's.
OWN_FOLDER = "give each dialect a folder of its own (--clips A --clips B)"


def _read_device_ns(path: Path, rate: float) -> LoadedClip:
    name = parse_clip_name(path)
    if name.dialect == "sample":
        raise InputError(
            "a sample-dialect clip (<class>_sampleNN or <class>_continuous) in a folder "
            "without session_metadata.json (a sample-"
            f"dialect folder needs its day's one; a device clip folder has none): {OWN_FOLDER}",
            path=str(path),
        )
    raw = read_sensor_csv(path)
    if raw.dialect != "clip":
        raise InputError("timestamps are not watch nanoseconds (not a clip)", path=str(path))
    check_readings(raw, session="", path=str(path))
    core = clip_core(raw)
    if core[1] <= core[0]:  # one grid point, yet windows would be cut around it
        raise InputError("all its events share one timestamp: no motion", path=str(path))
    return LoadedClip(name, raw, core, resample(raw, rate=rate, start=core[0], end=core[1]))


def load_device_ns_clips(
    paths: list[Path], *, realign: bool = True, on_error=None, progress: bool = False
) -> list:
    """device-ns clips -> LabelledStreams grouped into collection blocks (see module doc)."""
    from silkpipe.dataset import LabelledStream
    from silkpipe.progress import progress_bar

    loaded = []
    for path in progress_bar(paths, desc="clips", unit="clip", enabled=progress):
        try:
            loaded.append(_read_device_ns(path, RATE))
        except InputError as err:
            if on_error is None:
                raise
            on_error(path, err)
    loaded.sort(key=lambda it: it.core[0])
    streams = []
    for members in block_indices([it.core for it in loaded]):  # as-recorded watch times
        items = [loaded[i] for i in members]
        block, day = f"block-{int(items[0].core[0])}", block_day(items)
        moved = realign_block(items) if realign else []
        dropped = [it.name.stem for it in items if it.motion is None]
        if moved:
            log.warning(
                "%s: %d clips held motion from another time; %d re-cut at their button time, "
                "%d dropped (too few events there): %s",
                block,
                len(moved),
                len(moved) - len(dropped),
                len(dropped),
                ", ".join(dropped[:5])
                + (f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""),
            )
        for it in items:
            if it.motion is None:
                continue
            m = it.motion
            span = Interval(float(m.t[0]), float(m.t[-1]) + 1.0 / m.rate, it.name.label)
            streams.append(LabelledStream(it.name.stem, block, m, [span], kind="clip", day=day))
    return streams


#: Names macOS writes beside each file it zips or copies to a foreign disk (AppleDouble:
#: the file's Finder metadata, not its data): ``._walk_sample01.csv`` was read as a clip,
#: named and skipped, so every train on a folder unzipped from a Mac ended "partial".
APPLEDOUBLE_PREFIX = "._"


def clip_csvs(folder) -> list[Path]:
    """The folder's CSV files, sorted, without macOS's AppleDouble companions."""
    return sorted(
        p for p in Path(folder).glob("*.csv") if not p.name.startswith(APPLEDOUBLE_PREFIX)
    )


def clip_folder_files(folder: Path, on_error=None) -> list[Path]:
    """The files that make a clip folder: its clip CSVs, and session_metadata.json where
    the sample dialect has one (without it those clips cannot be read). Copies of a clip
    folder (the store, a step's scratch folder) must carry all of them. A link out of the
    folder is never read: InputError naming it, or with ``on_error(path, error)`` reported
    there and left out."""
    folder = Path(folder)
    files = clip_csvs(folder)
    meta = folder / METADATA_NAME
    if why := metadata_problem(folder):
        raise InputError(why, path=str(meta))
    return _inside_folder(folder, files + [meta] if meta.is_file() else files, on_error)


def metadata_problem(folder) -> str:
    """Why the folder's session_metadata.json, where it has one, is not read ('' when it
    is, or there is none): a link out, a folder, a pipe, a broken link. Every clip of the
    folder needs it, so it is never skipped as a bad clip is (the clips would then read as
    the other dialect, each refused): the folder is refused naming it."""
    meta = Path(folder) / METADATA_NAME
    if not (meta.exists() or meta.is_symlink()):
        return ""
    return _unreadable(Path(folder).resolve(), meta)


def read_session_metadata(folder: Path) -> dict:
    """session_metadata.json of a sample-dialect folder, checked: session_id, date, duration."""
    path = folder / METADATA_NAME
    if reason := _unreadable(folder.resolve(), path):
        raise InputError(reason, path=str(path))
    try:
        meta = parse_json(path.read_text(encoding="utf-8"), path=str(path))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read: {err}", path=str(path)) from None
    if not isinstance(meta, dict):
        raise InputError("expected a JSON object", path=str(path))
    if not isinstance(meta.get("session_id"), str) or not meta["session_id"]:
        raise InputError("session_id is missing or not a string", path=str(path))
    try:
        day = dt.datetime.fromisoformat(str(meta.get("date"))).date()
    except ValueError:
        raise InputError(f"date {meta.get('date')!r} is not an ISO date", path=str(path)) from None
    if why := date_problem(day, path):
        raise InputError(f"date {meta['date']!r} is {why}: no recording's date", path=str(path))
    meta["day"] = day.isoformat()
    duration = meta.get("recording_duration_sec")
    if (
        not isinstance(duration, int | float)
        or isinstance(duration, bool)
        or not 0 < duration < math.inf  # NaN fails both comparisons
    ):
        raise InputError(
            f"recording_duration_sec {duration!r} is not a positive number", path=str(path)
        )
    gestures = meta.get("gestures_completed", [])
    if not isinstance(gestures, list) or not all(isinstance(g, str) for g in gestures):
        raise InputError("gestures_completed is not a list of names", path=str(path))
    return meta


def _sample_header(header: list[str], path: Path) -> dict[str, int]:
    """Each column's index, or InputError saying what is wrong with the header: a column
    given twice was named as "unknown or repeated column(s) []", and names in quotes (a
    spreadsheet's export) as every column missing (bad_input_sweep57)."""
    names = [h.strip() for h in header]
    if quoted := [n for n in names if len(n) > 1 and n[0] == n[-1] == '"']:
        raise InputError(
            f"line 1: column names in quotes ({quoted[0][:40]}): clips are read unquoted; "
            "save it without quotes",
            path=str(path),
        )
    cols = {n: i for i, n in enumerate(names)}
    missing = [c for c in SAMPLE_REQUIRED if c not in cols]
    if missing:
        raise InputError(f"line 1: missing column(s) {', '.join(missing)}", path=str(path))
    if twice := sorted({n for n in names if names.count(n) > 1}):  # '' too: an extra comma
        said = ", ".join(map(repr, twice))
        raise InputError(f"line 1: column(s) {said} given twice", path=str(path))
    if unknown := [c for c in cols if c not in SAMPLE_REQUIRED + SAMPLE_OPTIONAL]:
        said = ", ".join(map(repr, unknown))
        raise InputError(f"line 1: unknown column(s) {said}", path=str(path))
    return cols


def parse_sample_csv(path: Path, name: ClipName) -> RawStreams:
    """One sample-dialect CSV -> per-sensor events (times in seconds from the sample start).

    Columns are found by name; each row must fill its own sensor's columns with numbers
    and name the clip's gesture; step rows are dropped."""
    lines, ended = _sample_lines(path)
    cols = _sample_header(lines[0].split(","), path)
    if not ended and len(lines) > 1 and cut_off(lines[-2:], cols["timestamp"]):
        raise InputError(
            f"line {len(lines)}: last row is cut off (no final newline): file truncated?",
            path=str(path),
        )
    sensor_col, time_col, gesture_col = cols["sensor"], cols["timestamp"], cols["gesture"]
    used = {s: [cols[SAMPLE_VALUE_COLUMNS[c]] for c in idx] for s, idx in SENSOR_COLUMNS.items()}
    rows: dict[str, list[list[float]]] = {s: [] for s in SENSOR_COLUMNS}
    in_order: list[tuple[int, float]] = []  # (line, time) of each row read, in file order
    dropped = 0
    for line_no, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        row = [cell.strip() for cell in line.split(",")]  # ', ' of a spreadsheet export
        if len(row) != len(cols):
            raise InputError(
                f"line {line_no}: {len(row)} fields, expected {len(cols)}", path=str(path)
            )
        if row[gesture_col] != name.name_class:
            if line.strip() == lines[0].strip():  # compared only off the clip's class
                raise InputError(
                    f"line {line_no}: the header line again (two files joined into one?)",
                    path=str(path),
                )
            raise InputError(
                f"line {line_no}: gesture {row[gesture_col][:40]!r} but the file "
                f"name says {name.name_class!r}",
                path=str(path),
            )
        sensor = row[sensor_col]
        if sensor in IGNORED_SENSORS:
            dropped += 1
            continue
        if sensor not in used:
            raise InputError(f"line {line_no}: unknown sensor {sensor[:40]!r}", path=str(path))
        rows[sensor].append(_numbers(row, [*used[sensor], time_col], lines[0], line_no, path))
        in_order.append((line_no, rows[sensor][-1][-1]))
    _refuse_restarted(in_order, path)
    return _as_streams(rows, dropped, path)


#: A drop of a sample file's running median time larger than this (seconds) is another
#: sample's rows or a restarted clock: no real sample steps back at all, and a sample lasts
#: about as long as the sessions' threshold (RESTART_DROP_S), so a short one appended passed.
SAMPLE_RESTART_DROP_S = 0.1


def _refuse_restarted(in_order: list[tuple[int, float]], path: Path) -> None:
    """A sample file whose times go back and on from there (another sample's rows appended
    to it, a clock restarted): its rows carry their times, so the two were read as one
    sample, interleaved, and trained on without a word (bad_input_sweep59). Real sample
    files never step back; rows written in reverse still read: their order is turned first,
    so a pause in the motion is not taken for a restart (bad_input_sweep60)."""
    times = np.array([t for _, t in in_order])
    steps = np.diff(times)
    reverse = np.count_nonzero(steps < 0) > np.count_nonzero(steps > 0)
    row = restart_row(-times if reverse else times, SAMPLE_RESTART_DROP_S)
    if row is not None:
        raise InputError(
            f"line {in_order[row + 1][0]}: the times go {'up' if reverse else 'back'} from "
            f"{times[row]:.6g} s to {times[row + 1]:.6g} s and go on from there: two samples "
            "in one file (one appended to the other), or a clock restarted? give each sample "
            "its own file",
            path=str(path),
        )


def _sample_lines(path: Path) -> tuple[list[str], bool]:
    """The lines of a sample CSV (a leading byte-order mark dropped), and whether the file
    ends with a newline (a copy cut off mid-row does not)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(not_utf8(err), path=str(path)) from None
    if not text.strip():
        raise InputError("clip file is empty", path=str(path))
    return text.splitlines(), text.endswith(("\n", "\r"))


def _numbers(row: list[str], idx: list[int], header: str, line_no: int, path: Path) -> list:
    try:
        values = [float(row[i]) for i in idx]
    except ValueError:
        values = []
    if len(values) != len(idx) or not all(math.isfinite(v) for v in values):
        bad = next(i for i in idx if not _finite(row[i]))
        field = header.split(",")[bad].strip()
        raise InputError(
            f"line {line_no}: field {field} is {row[bad][:40]!r}, not a number", path=str(path)
        )
    return values


def _finite(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _as_streams(rows: dict[str, list[list[float]]], dropped: int, path: Path) -> RawStreams:
    streams = RawStreams(path=str(path), dialect="sample", dropped_rows=dropped)
    for sensor, values in rows.items():
        if not values:
            raise InputError(f"no rows for sensor {sensor}", path=str(path))
        arr = np.asarray(values, dtype=np.float64)
        order = np.argsort(arr[:, -1], kind="stable")
        t, vals = arr[order, -1], arr[order, :-1]
        keep = np.concatenate([[True], np.diff(t) > 0])  # duplicate stamps: keep the first
        _refuse_shared_times(sensor, keep, path)
        streams.times[sensor], streams.values[sensor] = t[keep], vals[keep]
    return streams


def is_sample_folder(folder: Path) -> bool:
    """A clip folder of the sample dialect: it has session_metadata.json (see module doc)."""
    return (Path(folder) / METADATA_NAME).exists()


def read_sample_clip(path: Path) -> tuple[ClipName, RawStreams]:
    """One sample-dialect clip: its name and its events on the block's clock (sample NN
    placed at NN * SAMPLE_SLOT_S, a continuous recording at 0); InputError naming it."""
    name = parse_clip_name(path)
    if name.dialect != "sample":
        raise InputError(
            "a device clip (<class>_<epoch ms>...) in a sample-dialect folder (it has "
            f"session_metadata.json): {OWN_FOLDER}",
            path=str(path),
        )
    if (name.sample or 0) > MAX_SAMPLE:
        raise InputError(
            f"clip name {path.name[:80]!r} is not <class>_sampleNN (NN up to "
            f"{MAX_SAMPLE}) or <class>_continuous",
            path=str(path),
        )
    raw = parse_sample_csv(path, name)
    check_sensor_streams(raw, session="", path=str(path))  # before the grid is sized
    if name.sample is not None:
        _refuse_overlong(raw, path)
    offset = (name.sample or 0) * SAMPLE_SLOT_S
    raw.times = {sensor: t + offset for sensor, t in raw.times.items()}
    return name, raw


#: Share of a sensor's rows sharing their time with another of its rows, beyond which the
#: times are coarser than the sensor (real sample files: none share one).
SHARED_TIME_SHARE = 0.25


def _refuse_shared_times(sensor: str, keep: np.ndarray, path: Path) -> None:
    """Rows that mostly share one time with other readings (times cut to whole seconds, or
    each row twice): only the first of each time was kept, so the motion between was lost
    without a word (walk_continuous.csv cut to seconds trained a model that learnt nothing;
    bench/notes/comment_figures52.md)."""
    shared = int(np.count_nonzero(~keep))
    if shared > SHARED_TIME_SHARE * len(keep) and shared < len(keep) - 1:  # one time: spanless
        raise InputError(
            f"{shared} of {len(keep)} {sensor} rows share their time with another row: the "
            "times are coarser than the sensor (rounded, or rows written twice?)",
            path=str(path),
        )


def _refuse_overlong(raw: RawStreams, path: Path) -> None:
    """A sample longer than its slot (times in ms where seconds belong): it ran into the
    next samples' slots and was read as a long still recording of its class, without a
    word. Real samples last up to about 3 s."""
    lo = min(float(t[0]) for t in raw.times.values())
    hi = max(float(t[-1]) for t in raw.times.values())
    if hi - lo > SAMPLE_SLOT_S:
        raise InputError(
            f"the sample spans {hi - lo:.6g} s, longer than a sample's {SAMPLE_SLOT_S:g} s "
            "slot (the recorder's samples last a few seconds): times in ms, or two "
            "recordings in one file?",
            path=str(path),
        )


def load_sample_clips(folder: Path, paths: list[Path], *, on_error=None) -> list:
    """Sample-dialect clips -> LabelledStreams; the whole folder is one block on one day.
    A sample's flaw says when it holds no whole gesture (motion_span.span_flaw)."""
    from silkpipe.dataset import LabelledStream
    from silkpipe.motion_span import span_flaw

    meta = read_session_metadata(folder)
    block = f"session-{meta['session_id']}"
    streams = []
    taken: dict[tuple[str, int | None], str] = {}  # (class, NN) -> the first file for it
    copies: dict[str, str] = {}  # sha256 of a file's bytes -> the first file holding them
    for path in paths:
        try:
            name, raw = read_sample_clip(path)
            _refuse_second_file(taken, name, path)
            refuse_copy(copies, path)
            motion = resample(raw, rate=RATE)
            flaw = None if name.sample is None else span_flaw(raw.times, raw.values)
        except InputError as err:
            if on_error is None:
                raise
            on_error(path, err)
            continue
        span = Interval(float(motion.t[0]), float(motion.t[-1]) + 1.0 / motion.rate, name.label)
        streams.append(
            LabelledStream(
                name.stem, block, motion, [span], kind="clip", day=meta["day"], flaw=flaw
            )
        )
    return streams


def _refuse_second_file(taken: dict, name: ClipName, path: Path) -> None:
    """A sample number is one slot of the block's clock: a second file for it
    (``jump_sample1.csv`` beside ``jump_sample01.csv``, a copy) would count that sample
    twice, laid over the first; InputError naming both."""
    key = (name.name_class, name.sample)
    if name.sample is not None and key in taken:
        raise InputError(
            f"is sample {name.sample} of {name.name_class} as {taken[key]} is (two files "
            "for one sample, a copy?): not read",
            path=str(path),
        )
    taken[key] = path.name


def refuse_copy(copies: dict, path: Path) -> None:
    """A sample file holding another's bytes (a copy saved under the next number, a link
    to it in the folder) was read as one more recording of its class, at another slot of
    the block's clock: trained twice, and held out while trained on. InputError naming
    the first file; no real recording repeats another byte for byte."""
    if (first := copy_of(copies, content_digest(path.read_bytes()), path.name)) is not None:
        raise InputError(
            f"holds the same bytes as {first} (a copy, or a link to it?): not read",
            path=str(path),
        )


def _inside_folder(folder: Path, paths: list[Path], on_error) -> list[Path]:
    """The regular files that resolve inside ``folder``; a link out, or a folder, pipe or
    broken link named like a clip (reading a pipe would wait forever), is an error (or
    reported)."""
    root, kept = folder.resolve(), []
    for path in paths:
        reason = _unreadable(root, path)
        if not reason:
            kept.append(path)
            continue
        err = InputError(reason, path=str(path))
        if on_error is None:
            raise err
        on_error(path, err)
    return kept


def _unreadable(root: Path, path: Path) -> str:
    """Why ``path`` in the clips folder ``root`` is not read ('' when it is)."""
    target = _resolved_unless_loop(path)
    if target is None:
        return "is a symlink loop: not read"
    if not target.is_relative_to(root):
        return "is a link out of the clips folder: not read"
    if not path.is_file():
        return "is not a regular file (a folder, a pipe or a broken link): not read"
    return ""


def load_clip_streams(
    clips_dir: str | Path, *, progress: bool = False, on_error=None, realign: bool = True
) -> list:
    """Every clip in a folder as a LabelledStream with its block and day, either layout.

    A bad clip raises InputError naming it, or, with ``on_error(path, error)``, is reported
    there and skipped; so is a link out of the folder (nothing outside it is read).
    device-ns clips whose events were delivered late are re-cut at their button time or
    dropped (realign_block)."""
    folder = Path(clips_dir)
    if why := folder_problem(folder):
        raise InputError(f"clips folder {why}", path=str(folder))
    paths = [p for p in clip_folder_files(folder, on_error) if p.suffix == ".csv"]
    if not paths:
        raise InputError(f"no clip CSV files{clips_hint(folder)}", path=str(folder))
    if is_sample_folder(folder):
        streams = load_sample_clips(folder, paths, on_error=on_error)
    else:
        streams = load_device_ns_clips(paths, realign=realign, on_error=on_error, progress=progress)
    if not streams:
        raise InputError("no readable clips", path=str(folder))
    streams.sort(key=lambda st: (st.group, st.motion.t[0], st.name))
    for st in streams:
        st.source = str(folder)
    return streams


def load_clip_folders(folders: list, **options) -> list:
    """Every clip of several folders as one list of LabelledStreams (load_clip_folder_sets)."""
    return [st for loaded in load_clip_folder_sets(folders, **options) for st in loaded]


def load_clip_folder_sets(folders: list, **options) -> list[list]:
    """Each folder's clips as LabelledStreams (load_clip_streams ``options`` for each). A
    stream is known by its name from here on (windows, folds, flaws, days), and
    sample-dialect names (``jump_sample01``) repeat from day to day; so where a name is
    taken already, the later folder's streams are named ``<block>/<name>``. The same folder
    given twice is an error: its clips would count twice."""
    sets: list[list] = []
    names: set[str] = set()
    blocks: set[tuple[str, str]] = set()  # (block, clip name): the same clip twice
    for folder in distinct_folders(folders):
        loaded = load_clip_streams(folder, **options)
        clash = sorted(blocks.intersection((st.group, st.name) for st in loaded))
        if clash:
            raise InputError(
                f"clip {clash[0][1]} of {clash[0][0]} is in another clips folder too "
                "(a copy of the same collection block?)",
                path=str(folder),
            )
        blocks.update((st.group, st.name) for st in loaded)
        if names.intersection(st.name for st in loaded):
            for st in loaded:
                st.name = f"{st.group}/{st.name}"
        names.update(st.name for st in loaded)
        sets.append(loaded)
    return sets


def distinct_folders(
    folders: list, flags: list[str] | None = None, both: str = "", *, last_only: bool = False
) -> list[Path]:
    """The clip folders as Paths; the same folder given twice (by any path: a link,
    ``../x``) is an error, as its clips would count twice. ``flags``, the option each
    folder came from, name the two options when they differ, and ``both`` says what
    that would do (one folder as --clips and --train-clips: trained on and tested).
    ``last_only`` checks the last folder against the others only (train's new day)."""
    seen: dict[Path, tuple[str, str]] = {}
    for n, folder in enumerate(folders):
        flag = flags[n] if flags else ""
        key = resolved(folder, f"{flag} folder" if flag else "clips folder")
        if key in seen and (not last_only or n == len(folders) - 1):
            first, first_flag = seen[key]
            why = f"both as {first_flag} and {flag}" if first_flag != flag else "twice"
            harm = both if first_flag != flag and both else "its clips would count twice"
            what = "folder" if first_flag != flag else "clips folder"
            raise InputError(f"{what} given {why} (also as {first}): {harm}", path=str(folder))
        seen.setdefault(key, (str(folder), flag))
    return [Path(folder) for folder in folders]


def resolved(folder, what: str = "clips folder") -> Path:
    """``folder`` with its links and ``..`` resolved; a symlink loop is InputError naming
    it as ``what``."""
    target = _resolved_unless_loop(Path(folder))
    if target is None:
        raise InputError(f"{what} is a symlink loop, not a folder", path=str(folder))
    return target


def _resolved_unless_loop(path: Path) -> Path | None:
    """``path`` with its links and ``..`` resolved, or None when it is a symlink loop:
    pathlib raises RuntimeError for a loop, which would read as a fault, not bad input."""
    try:
        return path.resolve()
    except RuntimeError:
        return None


def clips_hint(folder: Path) -> str:
    """What a folder without clip CSV files holds where that is a common slip ('' if not):
    names ending in .CSV (a clip's name ends in .csv), or the clips one folder down (an
    unpacked archive's own folder)."""
    try:
        entries = sorted(Path(folder).iterdir())
    except OSError:
        return ""
    upper = [p for p in entries if p.suffix.lower() == ".csv" and p.suffix != ".csv"]
    if upper:
        return f" ({len(upper)} name(s) end in {upper[0].suffix}, not .csv)"
    subs = [p for p in entries if p.is_dir() and not p.is_symlink()]
    if sessions := [p for p in subs if (p / "sensor_data.csv").is_file()]:
        return (
            f" (its sub-folder {shown(sessions[0].name)} is a session, with sensor_data.csv:"
            " a folder of sessions, not of clips?)"
        )
    for sub in subs:
        if inner := len([p for p in clip_csvs(sub) if _clip_named(p)]):
            return f" (its sub-folder {shown(sub.name)} holds {inner}: give that folder)"
    return ""


def _clip_named(path: Path) -> bool:
    try:
        parse_clip_name(path)
    except InputError:
        return False
    return True


def output_folder_problem(folder) -> str:
    """Why ``folder`` cannot be written as a folder ('' when it can: a folder, or nothing
    there yet): a file, a symlink loop or a link to nothing (each ended in an error of the
    write, "File exists" or "Not a directory", after the work was done)."""
    path = Path(folder)
    if path.is_dir() or not (path.exists() or path.is_symlink()):
        return ""
    if not path.exists() and _resolved_unless_loop(path) is not None:
        return "is a link to nothing, not a folder"
    return folder_problem(path)


def folder_problem(folder) -> str:
    """Why ``folder`` cannot be read as a folder ('' when it can), for one error line:
    missing, a file, a symlink loop or a link to nothing."""
    path = Path(folder)
    if path.is_dir():
        return ""
    if path.is_symlink():
        if _resolved_unless_loop(path) is None:
            return "is a symlink loop, not a folder"
        return "is missing" if not path.exists() else "is a file, not a folder"
    return "is a file, not a folder" if path.exists() else "is missing"
