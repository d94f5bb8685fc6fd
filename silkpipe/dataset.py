"""Labelled motion streams -> fixed-length windows, normalisation, grouped splits.

Two label sources become the same :class:`LabelledStream`: button-labelled clips (one
stream per clip, grouped into *collection blocks* by the watch clock) and voice-labelled
sessions (one stream per session, label intervals on the IMU clock). Windows are cut only
from labelled time: short gestures get a window centred on their motion peak (plus
shifted copies for training, see WindowConfig.event_crops), long states are slid. Clips
whose events arrived late hold another moment's motion: they are re-cut at their button
time from the block's events, or dropped (load_clip_streams). Splits are always grouped
(whole blocks/sessions, or contiguous time ranges inside a block with a purge gap), never
random windows: neighbouring clips share events, so a random split leaks.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from silkpipe.copies import content_digest, copy_of
from silkpipe.errors import InputError, read_user_bytes, read_user_text
from silkpipe.labels import Interval, parse_labels_csv
from silkpipe.sessions import CHANNELS, MODEL_CHANNELS, Motion, read_sensor_csv, resample
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES

log = logging.getLogger(__name__)
FEATURE_NAMES = tuple(CHANNELS[i] for i in MODEL_CHANNELS)


@dataclass
class LabelledStream:
    """One motion stream with label intervals on its own clock."""

    name: str
    group: str
    motion: Motion
    intervals: list[Interval]
    kind: str = "session"  # "clip" or "session"
    day: str = ""  # recording date (clips: from their names or session metadata)
    #: a sample that holds no whole gesture: why (motion_span.span_flaw; whole_samples)
    flaw: str | None = None
    #: the clip folder it was read from ("" for sessions); a model records its sources
    source: str = ""


@dataclass(frozen=True)
class WindowConfig:
    """How streams are cut into windows (saved in the model folder's config.json)."""

    rate: float = 50.0
    length: int = 50  # samples per window (1 s at 50 Hz)
    stride: int = 25  # samples between slid windows of a state
    context: int = 10  # extra samples each side, for time-shift augmentation
    min_valid: float = 0.6  # share of in-range samples that must lie outside sensor gaps
    event_crops: int = 3  # training windows per short gesture: the peak, then +-crop_step
    crop_step: int = 5  # samples between those shifted windows (evaluation: peak only)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> WindowConfig:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


@dataclass
class Windows:
    """Windows with context: x (n, length + 2*context, channels) raw features."""

    x: np.ndarray
    y: np.ndarray  # (n,) class index into CLASSES
    groups: np.ndarray  # (n,) group name
    streams: np.ndarray  # (n,) stream name
    times: np.ndarray  # (n,) window centre on the group's clock, seconds
    config: WindowConfig = field(default_factory=WindowConfig)
    #: (n,) False for the extra shifted crops of a gesture (training data, not test data)
    primary: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, mask: np.ndarray) -> Windows:
        primary = None if self.primary is None else self.primary[mask]
        return Windows(
            self.x[mask],
            self.y[mask],
            self.groups[mask],
            self.streams[mask],
            self.times[mask],
            self.config,
            primary,
        )

    def primaries(self) -> Windows:
        """Only one window per gesture (drops the extra shifted crops)."""
        return self if self.primary is None else self.subset(self.primary)

    def core(self) -> np.ndarray:
        """The centred windows without context: what the model sees at inference."""
        c = self.config.context
        return self.x[:, c : c + self.config.length]


# --- loading (clips: silkpipe.clips) ---------------------------------------------------


def session_stream(
    name: str,
    motion: Motion,
    intervals: Iterable[Interval | tuple[float, float, str]],
    group: str | None = None,
) -> LabelledStream:
    """A voice-labelled session: its motion and label intervals on the IMU clock
    (Interval objects or ``(start, end, label)`` tuples)."""
    spans = sorted(Interval(*iv) for iv in intervals)
    for start, end, label in spans:
        if label not in CLASSES:
            raise InputError(f"unknown label {label!r}", session=name)
        if not end > start:
            raise InputError(f"label interval {start}-{end} is empty", session=name)
    return LabelledStream(name, group or name, motion, spans, kind="session")


def load_session_streams(
    sessions_dir: str | Path, *, labels_name: str = "labels.csv", on_error=None
):
    """Session folders with a labels CSV beside sensor_data.csv; returns (streams, skipped).

    A session that cannot be read raises, or with ``on_error(folder, error)`` is reported
    and left out, whatever the exception (training goes on with the others; evaluation
    refuses the folder rather than score a part of it)."""
    from silkpipe.sessions import find_sessions

    streams, skipped = [], []

    def unread(folder: Path, err: Exception) -> None:
        """A stream not read (a pipe, a link out): bad input where labels.csv asks for it."""
        if not (folder / labels_name).is_file():  # skipped as any unlabelled folder, and why
            log.warning("%s", err)
            skipped.append(folder.name)
        elif on_error is None:
            raise err
        else:
            on_error(folder, err)

    folders = find_sessions(sessions_dir, on_error=unread)
    if not folders:
        raise InputError("no session folders with sensor_data.csv", path=str(sessions_dir))
    _name_labels_without_sensor(Path(sessions_dir), labels_name, on_error)
    seen: dict[str, str] = {}  # sha256 of a session's two files -> its name
    for folder in folders:
        labels = folder / labels_name
        if not labels.is_file():
            skipped.append(folder.name)
            continue
        try:
            _refuse_copy(folder, labels, seen)
            stream = _labelled_session(folder, labels)
        except Exception as err:  # noqa: BLE001 - one bad session never sinks the others
            if on_error is None:
                raise
            on_error(folder, err)
            continue
        stream.source = str(sessions_dir)  # what a model trained on (trained_on)
        streams.append(stream)
    return streams, skipped


def _name_labels_without_sensor(root: Path, labels_name: str, on_error) -> None:
    """A sub-folder holding a labels file and no sensor_data.csv (renamed 'sensor_data
    (1).csv' by a download, say) is no session to find_sessions: a labelled session was
    left out without a word. Raised, or reported to ``on_error`` as a bad session."""
    for labels in sorted(root.glob(f"*/{labels_name}")):
        folder = labels.parent
        sensor = folder / "sensor_data.csv"
        if sensor.exists() or sensor.is_symlink():
            continue
        others = sorted(p.name for p in folder.glob("[Ss][Ee][Nn][Ss][Oo][Rr]_[Dd]ata*"))
        held = f" (it holds {', '.join(map(repr, others[:3]))}: not read)" if others else ""
        err = InputError(f"holds {labels_name} but no sensor_data.csv{held}", path=str(folder))
        if on_error is None:
            raise err
        on_error(folder, err)


def _refuse_copy(folder: Path, labels: Path, seen: dict[str, str]) -> None:
    """A session folder whose sensor_data.csv and labels.csv are an earlier one's byte for
    byte (the folder copied, or linked, under a second name) was trained on twice, and
    one copy could be the validation data of a model trained on the other (the store's
    train step leaves such a copy out too). InputError naming both."""
    files = (read_user_bytes(p, session=folder.name) for p in (folder / "sensor_data.csv", labels))
    if (first := copy_of(seen, content_digest(*files), folder.name)) is not None:
        raise InputError(
            f"is session {first}'s sensor_data.csv and labels.csv byte for byte (a copy or a "
            "link of that folder): not read",
            session=folder.name,
            path=str(folder),
        )


def _labelled_session(folder: Path, labels: Path) -> LabelledStream:
    if not labels.resolve().is_relative_to(folder.resolve()):
        raise InputError(
            "is a link out of the session folder: not read", session=folder.name, path=str(labels)
        )
    text = read_user_text(labels, session=folder.name)  # not UTF-8: named by line; no BOM
    intervals = parse_labels_csv(text, source=str(labels), session=folder.name)
    return session_stream(folder.name, session_motion(folder), intervals)


def session_motion(folder: Path) -> Motion:
    """A session folder's sensor_data.csv on the grid, checked as the align step checks it
    (validation): a glitch row is dropped and a span no recording has is refused before
    the grid is sized from it."""
    from silkpipe.validation import check_sensor_streams

    path = folder / "sensor_data.csv"
    raw = read_sensor_csv(path, session=folder.name)
    check_sensor_streams(raw, session=folder.name, path=str(path))
    return resample(raw)


# --- windowing -----------------------------------------------------------------------


def _smoothed_energy(motion: Motion, i0: int, i1: int) -> np.ndarray:
    e = motion.energy()[i0:i1]
    k = min(len(e), 9)
    return np.convolve(e, np.ones(k) / k, mode="same") if k > 1 else e


def window_centres(stream: LabelledStream, cfg: WindowConfig) -> list[tuple[int, str, bool]]:
    """(centre sample index, label, primary) of every window in a stream's labelled time;
    primary is False for a gesture's extra shifted crops."""
    m, out, length = stream.motion, [], cfg.length
    for start, end, label in stream.intervals:
        i0 = max(int(math.ceil(_on_stream(start, m) * m.rate - 1e-6)), 0)
        i1 = min(int(math.floor(_on_stream(end, m) * m.rate + 1e-6)), len(m.t))
        if i1 <= i0:
            continue
        if label in EVENT_CLASSES:  # windows on the gesture's motion peak (and shifted ones)
            peak = i0 + int(np.argmax(_smoothed_energy(m, i0, i1)))
            for k in range(cfg.event_crops):
                shift = (k + 1) // 2 * cfg.crop_step * (1 if k % 2 else -1)
                out.append((peak + shift, label, k == 0))
        elif i1 - i0 <= length:  # a short state: one centred window
            out.append(((i0 + i1) // 2, label, True))
        else:  # a long state: slide
            for s in range(i0, i1 - length + 1, cfg.stride):
                out.append((s + length // 2, label, True))
    return out


def _on_stream(t: float, m: Motion) -> float:
    """Seconds from the stream's start, held within a second of the stream: a label
    reaching 1e308 s overflowed the sample index (exit 1); the windows are the same."""
    return min(max(t - float(m.t[0]), -1.0), len(m.t) / m.rate + 1.0)


def _cut(features: np.ndarray, valid: np.ndarray, centre: int, cfg: WindowConfig):
    """The window around centre with context; out-of-range samples repeat the edge."""
    lo = centre - cfg.length // 2 - cfg.context
    idx = np.arange(lo, lo + cfg.length + 2 * cfg.context)
    return features[idx.clip(0, len(features) - 1)], delivered(valid, centre, cfg)


def delivered(valid: np.ndarray, centre: int, cfg: WindowConfig) -> bool:
    """Whether the core window around centre holds at least min_valid of arrived in-range
    samples: no window is cut where it does not, and a session gesture whose motion-peak
    window does not is not scored (session_spotting), so both refuse the same windows."""
    lo = centre - cfg.length // 2
    core = np.arange(lo, lo + cfg.length)
    inside = core[(core >= 0) & (core < len(valid))]
    return len(inside) > 0 and bool(valid[inside].mean() >= cfg.min_valid)


def make_windows(streams: list[LabelledStream], cfg: WindowConfig | None = None) -> Windows:
    """Cut every stream's labelled time into windows (sensor gaps are skipped)."""
    cfg = cfg or WindowConfig()

    def labelled(stream: LabelledStream, n: int):
        if abs(stream.motion.rate - cfg.rate) > 1e-6:
            raise InputError(
                f"stream rate {stream.motion.rate} Hz, the window config needs {cfg.rate} Hz",
                session=stream.name,
            )
        return [(c, CLASSES.index(label), first) for c, label, first in window_centres(stream, cfg)]

    return _windows_at(streams, cfg, labelled)


def unlabelled_windows(streams: list[LabelledStream], cfg: WindowConfig | None = None) -> Windows:
    """Every stream slid whole every ``cfg.stride`` samples, its labels unused (y = -1): the
    windows a new day's unlabelled recordings give (self-training, silkpipe.adapt)."""
    cfg = cfg or WindowConfig()
    half = cfg.length // 2

    def slid(stream: LabelledStream, n: int):
        if n <= cfg.length:
            return [(n // 2, -1, True)]
        return [(c, -1, True) for c in range(half, n - cfg.length + half + 1, cfg.stride)]

    return _windows_at(streams, cfg, slid)


def _windows_at(streams: list[LabelledStream], cfg: WindowConfig, centres) -> Windows:
    """The windows at ``centres(stream, n_samples)``: (centre, class index, primary) each;
    windows over sensor gaps are skipped."""
    xs, ys, groups, names, times, primary = [], [], [], [], [], []
    for stream in streams:
        feats = stream.motion.features()
        for centre, y, first in centres(stream, len(feats)):
            x, ok = _cut(feats, stream.motion.valid, centre, cfg)
            if not ok:
                continue
            xs.append(x)
            ys.append(y)
            groups.append(stream.group)
            names.append(stream.name)
            times.append(stream.motion.t[0] + centre / stream.motion.rate)
            primary.append(first)
    width = cfg.length + 2 * cfg.context
    x = np.stack(xs) if xs else np.zeros((0, width, len(MODEL_CHANNELS)))
    return Windows(
        x.astype(np.float32),
        np.asarray(ys, dtype=np.int64),
        np.asarray(groups, dtype=object),
        np.asarray(names, dtype=object),
        np.asarray(times, dtype=np.float64),
        cfg,
        np.asarray(primary, dtype=bool),
    )


def concat_windows(parts: list[Windows]) -> Windows:
    """Windows of several sets (same window config) as one."""
    primary = [w.primary if w.primary is not None else np.ones(len(w), bool) for w in parts]
    return Windows(
        np.concatenate([w.x for w in parts]),
        np.concatenate([w.y for w in parts]),
        np.concatenate([w.groups for w in parts]),
        np.concatenate([w.streams for w in parts]),
        np.concatenate([w.times for w in parts]),
        parts[0].config,
        np.concatenate(primary),
    )


# --- normalisation, class weights, splits ----------------------------------------------


def fit_normalisation(windows: Windows) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std over the (training) windows' cores."""
    core = windows.core().reshape(-1, windows.x.shape[-1]).astype(np.float64)
    mean, std = core.mean(axis=0), core.std(axis=0)
    return mean.astype(np.float32), np.where(std > 1e-6, std, 1.0).astype(np.float32)


def class_weights(y: np.ndarray, n_classes: int = len(CLASSES), power: float = 1.0) -> np.ndarray:
    """Inverse-frequency weights to ``power`` (1: balanced, 0.5: softer), 0 for absent classes."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    present = counts > 0
    w = np.zeros(n_classes)
    w[present] = (counts[present].sum() / (present.sum() * counts[present])) ** power
    return w.astype(np.float32)


#: TrainConfig.gesture_balance: how batches draw the gesture classes (noise keeps its share)
GESTURE_BALANCES = ("off", "gbal", "rare")


def gesture_draw_weights(y: np.ndarray, noise: int, mode: str) -> np.ndarray:
    """Per window, its chance of being drawn into a batch. Noise keeps its natural share of
    draws (the prior that keeps within-day noise called noise); the other classes present
    split the rest: equally ("gbal"), or in proportion to their counts with every class
    smaller than the median gesture class raised to that median ("rare", a rule by counts).
    Rare gesture classes are seen more without moving the noise/gesture balance."""
    if mode not in GESTURE_BALANCES[1:]:
        raise ValueError(f"gesture_balance {mode!r}: choose from {', '.join(GESTURE_BALANCES)}")
    counts = np.bincount(y, minlength=noise + 1).astype(np.float64)
    gestures = np.flatnonzero(counts > 0)
    gestures = gestures[gestures != noise]
    share = counts / counts.sum()  # natural shares: noise's is kept as it is
    if len(gestures):
        if mode == "gbal":
            mass = np.ones(len(gestures))
        else:
            mass = np.maximum(counts[gestures], np.median(counts[gestures]))
        share[gestures] = (1.0 - share[noise]) * mass / mass.sum()
    per_window = share / np.maximum(counts, 1)
    return per_window[y] / per_window[y].sum()


def group_names_with_classes(windows: Windows, min_classes: int = 2) -> list[str]:
    return sorted(
        g for g in set(windows.groups) if len(set(windows.y[windows.groups == g])) >= min_classes
    )


def time_range_split(
    windows: Windows, fraction: float = 0.2, fold: int = 0, purge_s: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out one contiguous time range per group and class (fold k of round(1/fraction)).

    Fold boundaries are quantiles of the group's window times, so each fold holds an
    equal share of windows however unevenly the recordings are spread in time.
    Per class, so every fold holds every class of the group (gestures were recorded in
    uneven order). Training windows within ``purge_s`` of a held-out range are dropped,
    so clips that share events at the boundary never straddle the split.
    """
    n_folds = max(round(1 / fraction), 2)
    train = np.zeros(len(windows), dtype=bool)
    held = np.zeros(len(windows), dtype=bool)
    for g, label in sorted(set(zip(windows.groups, windows.y, strict=True))):
        in_g = (windows.groups == g) & (windows.y == label)
        t = windows.times[in_g]
        k = fold % n_folds  # ranges hold equal shares of the group's windows
        a = np.quantile(t, k / n_folds) if k else -np.inf
        b = np.quantile(t, (k + 1) / n_folds) if k < n_folds - 1 else np.inf
        held[in_g] = (t >= a) & (t < b)
        train[in_g] = (t < a - purge_s) | (t >= b + purge_s)
    return train, held


def group_split(windows: Windows, held_groups: list[str]) -> tuple[np.ndarray, np.ndarray]:
    held = np.isin(windows.groups, list(held_groups))
    return ~held, held


def holdout_split(
    windows: Windows, fraction: float = 0.2, fold: int = 0, purge_s: float = 2.0
) -> tuple[np.ndarray, np.ndarray, str]:
    """Whole groups when there are enough labelled groups, else held-out time ranges.

    Returns (train mask, held-out mask, scheme description).
    """
    candidates = group_names_with_classes(windows)
    n_hold = max(1, round(len(candidates) * fraction))
    if len(candidates) >= 3:
        order = candidates[fold % len(candidates) :] + candidates[: fold % len(candidates)]
        held = order[:n_hold]
        train, test = group_split(windows, held)
        if len(set(windows.y[train])) == len(set(windows.y)):
            return train, test, "groups:" + ",".join(held)
    train, test = time_range_split(windows, fraction, fold, purge_s)
    return train, test, f"time-range fold {fold} of {max(round(1 / fraction), 2)}"


# The clip module's names, importable from here as before (semireal, tests, commands).
from silkpipe.clips import (  # noqa: E402
    BLOCK_GAP_S,
    CLIP_ALIGN_TOL_S,
    CLIP_CORE_GAP_S,
    block_indices,
    button_span,
    late_clip_spans,
    load_clip_streams,
)
from silkpipe.clips import clip_core as _clip_core  # noqa: E402

__all__ = [
    "BLOCK_GAP_S",
    "CLIP_ALIGN_TOL_S",
    "CLIP_CORE_GAP_S",
    "_clip_core",
    "block_indices",
    "button_span",
    "late_clip_spans",
    "load_clip_streams",
]
