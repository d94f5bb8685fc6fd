"""Sensor streams: parse both CSV dialects, resample to a uniform grid, derive gravity.

Two dialects share one header (DESIGN.md): *session* files carry host-arrival seconds
and empty cells for the other sensors' columns; *clip* files carry watch nanoseconds,
zero-filled columns, out-of-order rows and ``step_detector`` rows. Both become a
:class:`Motion`: one uniform time grid with accel, gyro, a sign-continuous quaternion
and the gravity direction, plus a mask of grid points that fall in a gap.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from silkpipe.errors import InputError, folder_file, not_utf8, one_line, parse_json
from silkpipe.watch_clock import WATCH_COLUMNS, rebuild_clock, spacing_pairs

log = logging.getLogger(__name__)

HEADER = (
    "accel_x",
    "accel_y",
    "accel_z",
    "gyro_x",
    "gyro_y",
    "gyro_z",
    "rot_w",
    "rot_x",
    "rot_y",
    "rot_z",
    "sensor",
    "timestamp",
)
#: Which columns each sensor fills.
SENSOR_COLUMNS: dict[str, tuple[int, ...]] = {
    "linear_acceleration": (0, 1, 2),
    "gyroscope": (3, 4, 5),
    "rotation_vector": (6, 7, 8, 9),
}
IGNORED_SENSORS = frozenset({"step_detector", "step_counter"})
#: Channel names of Motion.data, in order.
CHANNELS = (
    "accel_x",
    "accel_y",
    "accel_z",
    "gyro_x",
    "gyro_y",
    "gyro_z",
    "quat_w",
    "quat_x",
    "quat_y",
    "quat_z",
    "grav_x",
    "grav_y",
    "grav_z",
)
#: Channels that generalise across sessions (no compass heading): the model's input.
MODEL_CHANNELS = (0, 1, 2, 3, 4, 5, 10, 11, 12)
DEFAULT_RATE = 50.0
DEFAULT_MAX_GAP = 0.5  # seconds without a sample before the grid is marked missing
NANOSECOND_THRESHOLD = 1e12  # timestamps above this are watch nanoseconds (clip dialect)


@dataclass
class RawStreams:
    """Per-sensor samples as read: times in seconds (sorted) and values."""

    path: str
    dialect: str  # "session" or "clip"
    times: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    dropped_rows: int = 0
    # Session dialect: how the watch clock was rebuilt (watch_clock.TimeModel.to_json()),
    # and per row in file order the arrival time and the rebuilt time (for plots).
    time_model: dict = field(default_factory=dict)
    clock_rows: np.ndarray | None = None  # (n, 2): arrival seconds, rebuilt seconds

    def span(self) -> tuple[float, float]:
        starts = [t[0] for t in self.times.values() if len(t)]
        ends = [t[-1] for t in self.times.values() if len(t)]
        return min(starts), max(ends)

    def rates(self) -> dict[str, float]:
        out = {}
        for name, t in self.times.items():
            out[name] = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0
        return out


@dataclass
class Motion:
    """A uniformly resampled IMU stream. ``data[:, i]`` is ``CHANNELS[i]``."""

    t: np.ndarray  # seconds on the source clock, uniform
    rate: float
    data: np.ndarray  # (n, 13) float32
    valid: np.ndarray  # (n,) bool: False inside gaps longer than max_gap
    source: str = ""
    time_model: dict = field(default_factory=dict)  # from RawStreams (session dialect)

    @property
    def duration(self) -> float:
        return float(len(self.t) / self.rate)

    def features(self) -> np.ndarray:
        """The model's input channels: accel, gyro, gravity direction."""
        return self.data[:, MODEL_CHANNELS]

    def energy(self) -> np.ndarray:
        """Motion energy per grid point: |linear acceleration| + |gyro| (0 in gaps)."""
        e = np.linalg.norm(self.data[:, 0:3], axis=1) + np.linalg.norm(self.data[:, 3:6], axis=1)
        return np.where(self.valid, e, 0.0)

    def index_of(self, time_s: float) -> int:
        return int(round((time_s - self.t[0]) * self.rate))


def read_sensor_csv(path: str | Path, *, session: str | None = None) -> RawStreams:
    """Parse a sensor CSV of either dialect. Errors name the file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("sensor file is missing", session=session, path=str(path)) from None
    except UnicodeDecodeError as err:
        raise InputError(not_utf8(err), session=session, path=str(path)) from None
    return parse_sensor_csv(text, source=str(path), session=session)


def parse_sensor_csv(text: str, *, source: str, session: str | None = None) -> RawStreams:
    """Parse sensor CSV text of either dialect (``source`` names it in errors).

    Stages: check the header and the last row, read the rows per sensor, rebuild the watch
    clock (session dialect), then sort each sensor's samples by time.
    """
    text = text.removeprefix("\ufeff")  # a byte-order mark (Windows editors) is no header
    if not text.strip():
        raise InputError("sensor file is empty", session=session, path=source)
    # The format has no quoting, so a plain split is exact (and has no field-size limit).
    lines = text.splitlines()
    names = _check_header(lines, text, source, session)
    rows = _read_rows(lines, names, source, session)
    streams = RawStreams(path=source, dialect="session", dropped_rows=rows.dropped)
    all_times = [b[-1] for kept in rows.buffers.values() for b in kept[:1]]
    if not all_times:
        raise InputError("no sensor rows", session=session, path=source)
    nanoseconds = max(all_times) > NANOSECOND_THRESHOLD
    streams.dialect = "clip" if nanoseconds else "session"
    if not nanoseconds:
        _refuse_spanless(rows.buffers, rows.watch, session, source)
        _refuse_scattered(rows.buffers, session, source)
        _refuse_reordered(rows, session, source)
        arrival = _arrival_times(rows.buffers, rows.sensors)
        _refuse_restarted(arrival, session, source)
        _refuse_repeated(rows, session, source)
        _rebuild_watch_times(streams, rows.buffers, rows.sensors, rows.watch, arrival)
    _sort_streams(streams, rows.buffers, nanoseconds)
    missing = [s for s in SENSOR_COLUMNS if s not in streams.times]
    if missing:
        raise InputError(
            f"no rows for sensor(s) {', '.join(missing)}", session=session, path=source
        )
    return streams


_WATCH_HEADERS = {(name,) for name in WATCH_COLUMNS}


@dataclass
class _Rows:
    """The kept rows of one file, per sensor, before any clock is rebuilt."""

    buffers: dict[str, list[list[float]]]  # per sensor: its values then the time, per row
    sensors: list[str]  # sensor of each kept row, in file order
    watch: list[float]  # the watch-clock column, when the file has one
    dropped: int  # step_detector / step_counter rows
    backwards: int = 0  # rows whose time lies before the row above's
    first_back: tuple[int, float, float] | None = None  # (line, its time, the one above)
    last_time: float = -math.inf
    copies: int = 0  # data lines equal to the data line above, every column
    first_copy: int = 0  # the line number of the first such


def _check_header(lines: list[str], text: str, path: str, session: str | None) -> tuple:
    """The header's column names; refuse a foreign header or a cut-off last row."""
    header = lines[0].split(",")
    names = tuple(h.strip() for h in header)
    if names != HEADER and not (names[:12] == HEADER and names[12:] in _WATCH_HEADERS):
        raise InputError(
            f"line 1: unexpected header {','.join(header)[:120]!r}; expected {','.join(HEADER)}"
            f" (optionally followed by {' or '.join(WATCH_COLUMNS)})",
            session=session,
            path=path,
        )
    if len(lines) > 1 and not text.endswith(("\n", "\r")) and cut_off(lines[-2:]):
        raise InputError(
            f"line {len(lines)}: last row is cut off (no final newline): file truncated?",
            session=session,
            path=path,
        )
    return names


def _read_rows(lines: list[str], names: tuple, path: str, session: str | None) -> _Rows:
    """Every data row into its sensor's buffer; ignored sensors are counted, not kept."""
    rows = _Rows(buffers={name: [] for name in SENSOR_COLUMNS}, sensors=[], watch=[], dropped=0)
    above = None
    for line_no, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        if line == above:
            rows.copies += 1
            rows.first_copy = rows.first_copy or line_no
        above = line
        row = line.split(",")
        if len(row) != len(names):
            raise InputError(
                f"line {line_no}: {len(row)} fields, expected {len(names)}",
                session=session,
                path=path,
            )
        sensor = row[10].strip()  # as the header's names and float() take ' 0.5'
        if sensor not in SENSOR_COLUMNS and tuple(cell.strip() for cell in row) == names:
            raise InputError(  # compared only where the sensor is unknown: every row paid
                f"line {line_no}: the header line again (two files joined into one?)",
                session=session,
                path=path,
            )
        if sensor in IGNORED_SENSORS:
            rows.dropped += 1
            continue
        values = _row_values(row, sensor, line_no, path, session)
        if values[-1] < rows.last_time:
            rows.backwards += 1
            rows.first_back = rows.first_back or (line_no, values[-1], rows.last_time)
        rows.last_time = values[-1]
        if len(names) > 12:
            rows.watch.append(_watch_seconds(row[12], names[12], line_no, session, path))
        rows.buffers[sensor].append(values)
        rows.sensors.append(sensor)
    return rows


def _row_values(
    row: list[str], sensor: str, line_no: int, path: str, session: str | None
) -> list[float]:
    """One row's sensor values followed by its timestamp; errors name the line and field."""
    columns = SENSOR_COLUMNS.get(sensor)
    if columns is None:
        raise InputError(
            f"line {line_no}: unknown sensor {sensor[:40]!r}", session=session, path=path
        )
    try:
        values = [float(row[c]) for c in columns]
        values.append(float(row[11]))
    except ValueError:
        bad = next(c for c in (*columns, 11) if not _is_float(row[c]))
        raise InputError(
            f"line {line_no}: field {HEADER[bad]} is {row[bad][:40]!r}, not a number",
            session=session,
            path=path,
        ) from None
    if not all(math.isfinite(v) for v in values):
        bad = next(i for i, v in enumerate(values) if not math.isfinite(v))
        name = HEADER[(*columns, 11)[bad]]
        raise InputError(f"line {line_no}: field {name} is not finite", session=session, path=path)
    return values


def _sort_streams(
    streams: RawStreams, buffers: dict[str, list[list[float]]], nanoseconds: bool
) -> None:
    """Each sensor's samples in time order (clip rows arrive out of order), in seconds."""
    for sensor, rows in buffers.items():
        if not rows:
            continue
        arr = np.asarray(rows, dtype=np.float64)
        t = arr[:, -1] / 1e9 if nanoseconds else arr[:, -1]
        order = np.argsort(t, kind="stable")
        t, vals = t[order], arr[order, :-1]
        keep = np.concatenate([[True], np.diff(t) > 0])  # duplicate stamps: keep the first
        streams.times[sensor] = t[keep]
        streams.values[sensor] = vals[keep]


def _watch_seconds(cell: str, name: str, line_no: int, session: str | None, path: str) -> float:
    """A watch-clock cell in seconds: ``timestamp_ns`` is nanoseconds, ``watch_timestamp``
    seconds."""
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(
            f"line {line_no}: field {name} is {cell[:40]!r}, not a finite number",
            session=session,
            path=str(path),
        )
    return value / 1e9 if name == "timestamp_ns" else value


def _refuse_spanless(
    buffers: dict[str, list[list[float]]], watch: list[float], session: str | None, path: str
) -> None:
    """Arrival times that never move give the clock nothing to rebuild from or check against:
    refuse them before a count clock makes up a time line."""
    times = [r[-1] for rows in buffers.values() for r in rows]
    if not watch and len(times) > 1 and min(times) == max(times):
        raise InputError(
            f"all {len(times)} timestamps are equal ({times[0]:.6g} s): the file "
            "holds no time span to align",
            session=session,
            path=path,
        )


def _refuse_scattered(
    buffers: dict[str, list[list[float]]], session: str | None, path: str
) -> None:
    """Rows spanning more than a session can last that form no one recording (times in
    nanoseconds or ms where seconds belong) are refused before the clock rebuild, which
    sizes its arrays by the span (a session in ns ran out of memory:
    bench/notes/bad_input_sweep47.txt). A few glitch rows far off still pass, as they do
    after the rebuild."""
    from silkpipe.validation import MAX_SPAN_S, main_body  # validation imports this module

    times = np.sort([r[-1] for rows in buffers.values() for r in rows])
    if len(times) and times[-1] - times[0] > MAX_SPAN_S:
        main_body(times, session=session or "", path=path)


#: Rows on either side of a row in the running median that finds a restarted clock: up to
#: this many glitch rows in a row move no median (validation.MAX_GLITCH_ROWS).
RESTART_HALF_WINDOW = 10
#: A drop of the running median time larger than this (seconds) is a restarted clock.
RESTART_DROP_S = 1.0


def _arrival_times(buffers: dict[str, list[list[float]]], order: list[str]) -> np.ndarray:
    """Each kept row's arrival time, in file order (``order``: each row's sensor)."""
    sensor_of = np.asarray(order)
    arrival = np.empty(len(order))
    for sensor, rows in buffers.items():
        if rows:
            arrival[sensor_of == sensor] = [r[-1] for r in rows]
    return arrival


def _refuse_restarted(arrival: np.ndarray, session: str | None, path: str) -> None:
    """Two recordings joined into one file, the second's clock starting again: one step
    back, so the row order check passes, and the clock rebuilt from the rows as they come
    made one long timeline; the gate then blamed the commands.
    ``arrival``: _arrival_times."""
    row = restart_row(arrival)
    if row is not None:
        raise InputError(
            f"data row {row + 2}: the times go back from {arrival[row]:.6g} s to "
            f"{arrival[row + 1]:.6g} s and go on from there: the clock restarted (two "
            "recordings joined into one file?); give each its own session",
            session=session,
            path=path,
        )


def restart_row(times: np.ndarray, drop_s: float = RESTART_DROP_S) -> int | None:
    """The row (index into ``times``, in file order) after which the times drop by more
    than ``drop_s`` and go on from there (a clock restarted), or None. A running median
    passes glitch rows; the real and realistic files read so far never drop that way
    (bench/notes/comment_figures52.md)."""
    width = 2 * RESTART_HALF_WINDOW + 1
    if len(times) <= width:
        return None
    median = np.median(np.lib.stride_tricks.sliding_window_view(times, width), axis=1)
    drops = np.diff(median)
    at = int(np.argmin(drops))
    if -drops[at] <= drop_s:
        return None
    return at + int(np.argmin(np.diff(times[at : at + width + 1])))  # the step back


# Share of rows whose arrival time steps back, beyond which the file is not in the order the
# recorder wrote it (a glitch row or two joined recordings step back once or twice).
REORDERED_SHARE = 0.01


def _refuse_reordered(rows: _Rows, session: str | None, path: str) -> None:
    """A session file whose rows are not in arrival order (sorted by another column,
    shuffled, reversed): the watch clock is rebuilt from the file's row order, so it would
    be made up, and the gate then blamed the commands. Refused, naming the first such row."""
    if rows.first_back is None or rows.backwards <= REORDERED_SHARE * len(rows.sensors):
        return
    line, t, above = rows.first_back
    raise InputError(
        f"line {line}: time {t:.6g} s lies before the row above's ({above:.6g} s), as in "
        f"{rows.backwards} of {len(rows.sensors)} rows: the rows are not in the order they "
        "arrived (sorted by another column, or shuffled?), and the watch clock is rebuilt "
        "from that order",
        session=session,
        path=path,
    )


# Share of rows that are exact copies of the row above, beyond which the file was written
# with its rows repeated (every row twice: half the rows). A recorder that stamps a batch of
# readings with one time writes different readings, no copies.
REPEATED_SHARE = 0.25


def _refuse_repeated(rows: _Rows, session: str | None, path: str) -> None:
    """A session file with every row written twice (each followed by an exact copy): the
    watch clock is rebuilt from the rows as they come, so the timeline came out stretched
    and the gate then blamed the commands. Refused, naming the first copy; which copy is
    the recorder's cannot be told, so no row is dropped behind the user's back."""
    data_rows = len(rows.sensors) + rows.dropped
    if rows.copies <= REPEATED_SHARE * data_rows:
        return
    raise InputError(
        f"line {rows.first_copy}: an exact copy of the row above, as are {rows.copies} of "
        f"{data_rows} rows: the rows were written repeated (each followed by a copy?), and "
        "the watch clock rebuilt from them would stretch the timeline; write each row once",
        session=session,
        path=path,
    )


def _rebuild_watch_times(
    streams: RawStreams,
    buffers: dict[str, list[list[float]]],
    order: list[str],
    watch: list[float],
    arrival: np.ndarray,
) -> None:
    """Replace each session row's arrival time (``arrival``: _arrival_times) by its rebuilt
    watch time (watch_clock)."""
    sensor_of = np.asarray(order)
    pairs = spacing_pairs(
        sensor_of,
        np.asarray([r[:3] for r in buffers["gyroscope"]], dtype=np.float64).reshape(-1, 3),
        np.asarray([r[:4] for r in buffers["rotation_vector"]], dtype=np.float64).reshape(-1, 4),
    )
    rebuilt, model = rebuild_clock(arrival, np.asarray(watch) if watch else None, pairs=pairs)
    for sensor, rows in buffers.items():
        for r, t in zip(rows, rebuilt[sensor_of == sensor], strict=True):
            r[-1] = float(t)
    streams.time_model = model.to_json()
    streams.clock_rows = np.stack([arrival, rebuilt], axis=1)


def cut_off(last_two: list[str], time_col: int = 11) -> bool:
    """True when the unterminated last row is a truncated copy's, not a complete row that
    only lacks the final newline: too few fields, or a timestamp (column ``time_col``)
    with fewer digits than the row before it has (cut mid-number)."""
    row = last_two[-1].split(",")
    prev = last_two[0].split(",")  # the row (or header) before: the field count to match
    if len(row) != len(prev) or len(row) <= time_col or not _is_float(row[time_col]):
        return True

    def digits(text: str) -> int:
        return len(text.strip().lstrip("+-").replace(".", "").lstrip("0"))

    return _is_float(prev[time_col]) and digits(row[time_col]) + 2 < digits(prev[time_col])


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def continuous_quaternions(q: np.ndarray) -> np.ndarray:
    """Flip signs so consecutive quaternions lie in the same hemisphere (q and -q agree)."""
    q = q.copy()
    if len(q) < 2:
        return q
    dots = np.einsum("ij,ij->i", q[1:], q[:-1])
    flips = np.concatenate([[False], dots < 0])
    sign = np.where(np.cumsum(flips) % 2 == 1, -1.0, 1.0)
    return q * sign[:, None]


def gravity_direction(q: np.ndarray) -> np.ndarray:
    """World 'up' seen in the device frame, from a (w, x, y, z) rotation vector quaternion.

    It keeps the watch's tilt and drops the compass heading, which identifies the
    session rather than the gesture.
    """
    w, x, y, z = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    return np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=1)


def resample(
    raw: RawStreams,
    rate: float = DEFAULT_RATE,
    max_gap: float = DEFAULT_MAX_GAP,
    start: float | None = None,
    end: float | None = None,
) -> Motion:
    """Interpolate every sensor onto one grid; grid points inside long gaps are invalid."""
    span_start, span_end = raw.span()
    start = span_start if start is None else start
    end = span_end if end is None else end
    n = max(int(math.floor((end - start) * rate)) + 1, 1)
    grid = start + np.arange(n) / rate
    data = np.zeros((n, len(CHANNELS)), dtype=np.float64)
    valid = np.ones(n, dtype=bool)
    for sensor, cols in (
        ("linear_acceleration", slice(0, 3)),
        ("gyroscope", slice(3, 6)),
        ("rotation_vector", slice(6, 10)),
    ):
        t, v = raw.times[sensor], raw.values[sensor]
        if sensor == "rotation_vector":
            v = continuous_quaternions(v)
        for j in range(v.shape[1]):
            data[:, cols.start + j] = np.interp(grid, t, v[:, j])
        valid &= _near_samples(grid, t, max_gap)
    quat = data[:, 6:10]
    norms = np.linalg.norm(quat, axis=1, keepdims=True)
    quat /= np.where(norms > 0, norms, 1.0)
    data[:, 10:13] = gravity_direction(quat)
    return Motion(
        t=grid,
        rate=rate,
        data=data.astype(np.float32),
        valid=valid,
        source=raw.path,
        time_model=raw.time_model,
    )


def _near_samples(grid: np.ndarray, t: np.ndarray, max_gap: float) -> np.ndarray:
    """True where the samples on both sides of a grid point are at most max_gap apart."""
    right = np.searchsorted(t, grid, side="left").clip(0, len(t) - 1)
    left = (right - 1).clip(0, len(t) - 1)
    exact = t[right] == grid
    gap = t[right] - t[left]
    inside = (grid >= t[0]) & (grid <= t[-1])
    return inside & ((gap <= max_gap) | exact)


@dataclass
class Session:
    """A session folder: its name, files and metadata."""

    name: str
    folder: Path
    metadata: dict

    @property
    def sensor_path(self) -> Path:
        return self.folder / "sensor_data.csv"

    @property
    def audio_path(self) -> Path | None:
        for name in ("audio_16k.wav", "audio.wav"):
            if (self.folder / name).is_file():
                return self.folder / name
        return None

    @property
    def transcript_path(self) -> Path | None:
        path = self.folder / "whisperx_output.json"
        return path if path.is_file() else None

    def motion(self, rate: float = DEFAULT_RATE) -> Motion:
        return resample(read_sensor_csv(self.sensor_path, session=self.name), rate=rate)


def load_session(folder: str | Path) -> Session:
    """Open a session folder; a bad or missing metadata.json is an error naming the file."""
    from silkpipe.store import StoreError, check_name

    folder = Path(folder)
    name = folder.name
    try:
        check_name(name, "session name")
    except StoreError as err:
        raise InputError(str(err), session=name, path=str(folder)) from None
    if not folder.is_dir():
        raise InputError("session folder is missing", session=name, path=str(folder))
    if not (folder / "sensor_data.csv").is_file():
        raise InputError("sensor_data.csv is missing", session=name, path=str(folder))
    meta_path = folder / "metadata.json"
    metadata: dict = {}
    if meta_path.is_file():
        metadata = parse_json(meta_path.read_bytes(), session=name, path=str(meta_path))
        if not isinstance(metadata, dict):
            raise InputError("metadata is not a JSON object", session=name, path=str(meta_path))
    return Session(name=name, folder=folder, metadata=metadata)


def find_sessions(root: str | Path, on_error=None) -> list[Path]:
    """Session folders under root: every sub-folder holding a sensor_data.csv. One whose
    folder or sensor_data.csv links out of root is left out (nothing outside the folder
    given is read); so is one whose sensor_data.csv is a folder, a named pipe (reading it
    would wait for ever) or a broken link. Each is named in a warning, or given to
    ``on_error(folder, error)``: a command that reads the folder's sessions counts it as
    skipped input (exit 2), as a session it could not parse."""
    root, found = Path(root), []
    for path in sorted(root.glob("*/sensor_data.csv")):
        name = path.parent.name
        try:
            folder_file(root, f"{name}/{path.name}", "sessions folder", session=name)
        except InputError as err:
            if on_error is None:
                log.warning("%s", err)
            else:
                on_error(path.parent, err)
            continue
        found.append(path.parent)
    return found


def named_into(refused: dict[str, str]):
    """An ``on_error`` for find_sessions: each session left out is said in one error line,
    kept in ``refused`` under its name, so the command's closing line counts it."""

    def left_out(folder: Path, err: Exception) -> None:
        refused[folder.name] = one_line(err)
        log.error("%s", refused[folder.name])

    return left_out
