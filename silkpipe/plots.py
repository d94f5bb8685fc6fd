"""PNG figures for the run report (matplotlib, Agg: no display needed).

Each function writes one PNG to ``path`` (a file path or a binary file object) so the
report can both store it as an artifact and embed it in the HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from silkpipe.vocabulary import CLASSES  # noqa: E402

CLASS_COLOURS = {
    "jump": "#d62728",
    "punch": "#ff7f0e",
    "turn": "#9467bd",
    "walk": "#2ca02c",
    "idle": "#1f77b4",
    "noise": "#7f7f7f",
}
DPI = 100
ROW_SECONDS = 60.0  # a timeline row: one minute on the IMU clock


def _field(item: Any, name: str, index: int) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    if hasattr(item, name):
        return getattr(item, name)
    return item[index]


def _spans(items: Iterable[Any]) -> list[tuple]:
    """(start, end, label) of Interval objects, mappings or tuples."""
    names = ("start", "end", "label")
    return [tuple(_field(iv, n, i) for i, n in enumerate(names)) for iv in items]


def _save(fig, path: str | IO[bytes]) -> None:
    fig.savefig(path, format="png", dpi=DPI)
    plt.close(fig)


def _motion_magnitude(motion: Any) -> tuple[np.ndarray, np.ndarray]:
    """|linear acceleration| on the IMU clock, NaN in gaps (so gaps show as gaps)."""
    if isinstance(motion, tuple):
        t, mag = motion
        return np.asarray(t, float), np.asarray(mag, float)
    t = np.asarray(motion.t, float)
    mag = np.linalg.norm(np.asarray(motion.data[:, 0:3], float), axis=1)
    valid = np.asarray(getattr(motion, "valid", np.ones(len(t), bool)), bool)
    return t, np.where(valid, mag, np.nan)


#: Inches above a timeline's first row for its title, and for the row of its class legend.
TITLE_HEAD_IN = 0.45
LEGEND_ROW_IN = 0.25


def timeline_png(
    path: str | IO[bytes],
    motion: Any,
    words: Iterable[Any],
    intervals: Iterable[Any],
    offset_s: float | None,
    title: str,
    truth: Iterable[Any] | None = None,
    scale: float = 1.0,
) -> None:
    """IMU magnitude, command words and label bands of one session on the IMU clock.

    ``motion``: a ``sessions.Motion`` or ``(t, magnitude)``. ``words``: items with
    ``word``, ``start`` (audio clock) and optionally ``cls`` (a gesture class; words
    without one are drawn as grey ticks). ``intervals``: items with start, end, label
    (IMU clock). Words are shifted by ``offset_s`` (t_imu = t_audio + offset); with no
    offset they are drawn unshifted and the title says so. ``truth`` (optional, same shape
    as ``intervals``): the true labels, drawn as a solid strip under the motion. ``scale``:
    the clock-rate factor of a count-clock session (t_imu = scale * t_audio + offset).
    """
    t, mag = _motion_magnitude(motion)
    shift = offset_s if offset_s is not None else 0.0
    span = (float(np.nanmin(t)), float(np.nanmax(t))) if len(t) else (0.0, 1.0)
    # long sessions wrap into rows of ROW_SECONDS so a word stays readable at page width
    n_rows = max(1, int(np.ceil((span[1] - span[0]) / ROW_SECONDS - 1e-9)))
    fig, axes = _timeline_axes(n_rows)
    intervals = _spans(intervals)
    words = [w for w in words if _field(w, "start", 1) is not None]
    finite = mag[np.isfinite(mag)]
    ymax = float(np.percentile(finite, 99.5)) * 1.1 if len(finite) else 1.0
    truth = _spans(truth or [])
    seen = {label for _, _, label in intervals + truth}
    for row in range(n_rows):
        ax_motion, ax_words = axes[2 * row], axes[2 * row + 1]
        lo = span[0] + row * ROW_SECONDS
        hi = lo + ROW_SECONDS if n_rows > 1 else span[1]
        _draw_bands(ax_motion, ax_words, intervals, truth, lo, hi)
        _draw_motion(ax_motion, t, mag, lo, hi, ymax)
        _draw_words(ax_words, words, lo, hi, scale, shift)
        for ax in (ax_motion, ax_words):
            ax.set_xlim(lo, hi)
        ax_words.set_yticks([])
        ax_words.set_ylim(0, 1)
        ax_words.set_ylabel("words", fontsize=8)
        ax_words.tick_params(labelsize=8)
    axes[-1].set_xlabel("seconds on the IMU clock", fontsize=9)
    _timeline_title(axes[0], title, offset_s, scale, bool(truth), seen)
    head = TITLE_HEAD_IN + (LEGEND_ROW_IN if seen else 0.0)
    fig.subplots_adjust(
        left=0.06, right=0.99, top=1 - head / fig.get_figheight(), bottom=0.05 / fig.get_figheight()
    )
    _save(fig, path)


def _timeline_axes(n_rows: int) -> tuple[Any, list[Any]]:
    """Per row a motion axis over a words axis, with an empty spacer axis between rows."""
    fig, grid = plt.subplots(
        3 * n_rows,
        1,
        figsize=(14, 0.6 + 2.7 * n_rows),
        gridspec_kw={"height_ratios": [3, 1, 0.55] * n_rows, "hspace": 0.08},
        squeeze=False,
    )
    for spacer in grid[2::3, 0]:
        spacer.set_axis_off()
    return fig, [ax for i, ax in enumerate(grid[:, 0]) if i % 3 != 2]


def _draw_bands(
    ax_motion, ax_words, intervals: list[tuple], truth: list[tuple], lo: float, hi: float
) -> None:
    """Label intervals as bands across both axes; true labels as a strip under the motion."""
    for start, end, label in intervals:
        if float(end) < lo or float(start) > hi:
            continue
        colour = CLASS_COLOURS.get(label, "#cccccc")
        for ax in (ax_motion, ax_words):
            ax.axvspan(float(start), float(end), color=colour, alpha=0.25, linewidth=0)
    for start, end, label in truth:
        if float(end) >= lo and float(start) <= hi:
            ax_motion.axvspan(
                float(start),
                float(end),
                ymin=0,
                ymax=0.07,
                linewidth=0,
                color=CLASS_COLOURS.get(label, "#cccccc"),
            )


def _draw_motion(
    ax_motion, t: np.ndarray, mag: np.ndarray, lo: float, hi: float, ymax: float
) -> None:
    """The acceleration magnitude of one row (one second of margin either side)."""
    inside = (t >= lo - 1) & (t <= hi + 1)
    ax_motion.plot(t[inside], mag[inside], color="black", linewidth=0.6)
    ax_motion.set_ylim(0, max(ymax, 1e-3))
    ax_motion.set_ylabel("|accel| m/s²", fontsize=8)
    ax_motion.tick_params(labelbottom=False, labelsize=8)


def _draw_words(
    ax_words, words: list[Any], lo: float, hi: float, scale: float, shift: float
) -> None:
    """Command words as coloured lines with their class; other words as grey ticks."""
    for word in words:
        cls = word.get("cls") if isinstance(word, Mapping) else getattr(word, "cls", None)
        x = scale * float(_field(word, "start", 1)) + shift
        if not lo <= x <= hi:
            continue
        if cls in CLASS_COLOURS:
            ax_words.axvline(x, color=CLASS_COLOURS[cls], linewidth=1.5)
            ax_words.text(
                x,
                0.95,
                cls,
                rotation=90,
                va="top",
                ha="right",
                fontsize=7,
                color=CLASS_COLOURS[cls],
            )
        else:
            ax_words.axvline(x, ymax=0.25, color="#999999", linewidth=0.6)
    if not words:
        ax_words.text(
            0.5,
            0.5,
            "no transcript words",
            ha="center",
            va="center",
            transform=ax_words.transAxes,
            color="#999999",
        )


def _timeline_title(
    ax, title: str, offset_s: float | None, scale: float, has_truth: bool, seen: set
) -> None:
    """Title with the offset (and clock factor) used, and a legend of the classes shown."""
    shown = "not estimated (words unshifted)" if offset_s is None else f"{offset_s:+.2f} s"
    if offset_s is not None and scale != 1.0:
        shown += f", clock factor {scale:.4f}"
    strip = " (bottom strip: true labels)" if has_truth else ""
    handles = [Patch(color=CLASS_COLOURS[c], alpha=0.4, label=c) for c in CLASSES if c in seen]
    # the legend is a row of its own between the title and the axes: inside them it hid
    # the motion and the labels of the first row's end
    ax.set_title(f"{title} — audio→IMU offset {shown}{strip}", pad=18 if handles else 6)
    if handles:
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=8,
            ncol=len(handles),
            frameon=False,
            borderaxespad=0.1,
        )


def _series(history: Any) -> dict[str, list[float]]:
    """history.json as series: accepts a list of per-epoch dicts or a dict of lists
    (optionally under an ``epochs``/``history`` key)."""
    if isinstance(history, Mapping):
        for key in ("epochs", "history"):
            if key in history and isinstance(history[key], list | dict):
                return _series(history[key])
        return {
            k: [float(x) for x in v]
            for k, v in history.items()
            if isinstance(v, list) and v and all(isinstance(x, int | float) for x in v)
        }
    series: dict[str, list[float]] = {}
    for row in history or []:
        if isinstance(row, Mapping):
            for k, v in row.items():
                if isinstance(v, int | float) and k != "epoch":
                    series.setdefault(k, []).append(float(v))
    return series


def training_curves_png(path: str | IO[bytes], history: Any) -> None:
    """Loss curves on the left, score curves (F1, accuracy) on the right, per epoch."""
    series = _series(history)
    if not series:
        raise ValueError("history holds no per-epoch numbers")
    loss = {k: v for k, v in series.items() if "loss" in k}
    scores = {k: v for k, v in series.items() if "loss" not in k and ("f1" in k or "acc" in k)}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, group, ylabel in ((axes[0], loss, "loss"), (axes[1], scores, "score")):
        for name, values in group.items():
            ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if group:
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, f"no {ylabel} recorded", ha="center", transform=ax.transAxes)
    axes[1].set_ylim(0, 1)
    fig.suptitle("training curves")
    fig.tight_layout()
    _save(fig, path)


def class_bars_png(
    path: str | IO[bytes], rows: Sequence[tuple[str, Mapping[str, float]]], ylabel: str
) -> None:
    """Stacked bars per session of a per-class quantity (commands, labelled seconds)."""
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(rows) + 3), 3.4))
    names = [name for name, _ in rows]
    bottom = np.zeros(len(rows))
    for cls in CLASSES:
        values = np.array([float(r.get(cls, 0) or 0) for _, r in rows])
        if values.any():
            ax.bar(names, values, bottom=bottom, color=CLASS_COLOURS[cls], label=cls)
            bottom += values
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    if bottom.any():
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    _save(fig, path)


def clock_png(path: str | IO[bytes], rows: np.ndarray, model: Mapping, title: str) -> None:
    """Arrival time against the rebuilt watch time, one point per row (file order).

    On a real-time stream the points lie on the diagonal; a queue on the watch shows as
    arrival running late (above it), a loss as a step of the rebuilt clock. The backlog
    (arrival minus rebuilt time, its floor at 0) is drawn below. A loss the clock could
    not place (``spread_losses``) shades the rows it may lie among: up to half of it off.
    """
    rows = np.asarray(rows, float)
    step = max(len(rows) // 5000, 1)  # enough points to see the shape
    arrival, rebuilt = rows[::step, 0], rows[::step, 1]
    fig, (ax, ax_lag) = plt.subplots(
        2, 1, figsize=(7, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    lo, hi = float(rebuilt.min()), float(rebuilt.max())
    ax.plot([lo, hi], [lo, hi], color="#bbbbbb", linewidth=1, label="real time")
    ax.plot(rebuilt, arrival, ".", markersize=1.5, color="#1f77b4", label="rows")
    ax.set_ylabel("arrival time s (host)", fontsize=9)
    lag = arrival - rebuilt
    ax_lag.plot(rebuilt, lag - np.percentile(lag, 1), color="#d62728", linewidth=0.8)
    ax_lag.set_ylabel("backlog s", fontsize=9)
    ax_lag.set_xlabel("rebuilt watch time s", fontsize=9)
    for a in (ax, ax_lag):
        a.tick_params(labelsize=8)
        for k, (*_, start, end) in enumerate(model.get("spread_losses") or []):
            label = "loss not placed" if a is ax and k == 0 else None
            a.axvspan(start, end, color="#ff7f0e", alpha=0.15, label=label)
    ax.legend(loc="upper left", fontsize=8)
    kind = model.get("kind", "?")
    rate = model.get("rows_per_s")
    ax.set_title(
        f"{title}: time model {kind}" + (f" ({rate:g} rows/s)" if rate else ""), fontsize=10
    )
    fig.tight_layout()
    _save(fig, path)
