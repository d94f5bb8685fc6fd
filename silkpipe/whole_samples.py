"""Which labelled recordings teach their class: samples that hold no whole gesture do not.

A sample-dialect recording (clips-20251014) is cut to a fixed length by the recorder, so
some hold no whole gesture (motion_span.span_flaw: "still", "cut at start", "cut at end";
bench/notes/sample_census.txt). A "jump" sample where the wrist never moved, or that holds
only the tail of a jump, labels motion that is not a jump as one: trained on, it teaches
the class the wrong motion (bench/notes/flawtrain.txt: a model trained on such samples
called another day's noise jump). So such a jump, punch or turn sample makes no
training window, and neither does a still noise sample (no motion: not the non-game
motion noise stands for). A cut noise sample is still noise motion and trains; walk and
idle are states, a still or cut one is still one (realistic.whole_gestures, the same rule
for play). Evaluation scores every window: the left-out samples stay test windows, and
are counted wherever they are left out (never silently dropped).
"""

from __future__ import annotations

import logging

import numpy as np

from silkpipe.dataset import LabelledStream, Windows
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES, STATE_CLASSES

log = logging.getLogger(__name__)


def untrained_reason(stream: LabelledStream) -> str | None:
    """Why this stream's windows are no training windows (its flaw), or None."""
    if stream.flaw is None or not stream.intervals:
        return None
    label = stream.intervals[0].label
    if label in EVENT_CLASSES or (label == "noise" and stream.flaw == "still"):
        return stream.flaw
    return None


def _warn_unlearned(before: np.ndarray, kept: np.ndarray) -> None:
    """Name each class whose windows were all left out: the model will not learn it."""
    for label in sorted({CLASSES[i] for i in before} - {CLASSES[i] for i in kept}):
        log.warning("no %s sample holds a whole gesture: the model will not learn %s", label, label)


def flawed_windows(windows: Windows, streams: list[LabelledStream]) -> np.ndarray:
    """(n,) True for windows of a jump, punch, turn or noise sample that holds no whole
    gesture (trained on or not: a cut noise sample trains, but holds no whole one). A walk or
    idle sample is a state: still or cut, it is still one."""
    flawed = {
        st.name
        for st in streams
        if st.flaw is not None and st.intervals and st.intervals[0].label not in STATE_CLASSES
    }
    return np.isin(windows.streams, list(flawed))


def trainable(
    windows: Windows,
    streams: list[LabelledStream],
    mask: np.ndarray | None = None,
    warn: bool = True,
) -> tuple[np.ndarray, dict]:
    """(mask less the windows of untrained samples, what was left out): the count of
    samples and windows left out of ``mask`` (all windows by default), by class and reason.
    A class none of whose samples is whole is named in a warning (``warn``: off where the
    mask is only a part of what trains, e.g. a few-shot calibration set)."""
    mask = np.ones(len(windows), bool) if mask is None else mask
    reasons = {st.name: r for st in streams if (r := untrained_reason(st)) is not None}
    out = mask & ~np.isin(windows.streams, list(reasons))
    left = mask & ~out
    if warn:
        _warn_unlearned(windows.y[mask], windows.y[out])
    by_class: dict[str, dict[str, int]] = {}
    for name in sorted(set(windows.streams[left])):
        cls = CLASSES[int(windows.y[left & (windows.streams == name)][0])]
        per = by_class.setdefault(cls, {})
        per[reasons[name]] = per.get(reasons[name], 0) + 1
    report = {
        "samples": sum(sum(v.values()) for v in by_class.values()),
        "windows": int(left.sum()),
        "by_class": by_class,
    }
    return out, report


def describe(report: dict) -> str:
    """One line for logs and the evaluate output ('' when nothing was left out)."""
    if not report.get("samples"):
        return ""
    parts = [
        f"{cls} " + ", ".join(f"{why} {n}" for why, n in sorted(per.items()))
        for cls, per in sorted(report["by_class"].items())
    ]
    return (
        f"{report['samples']} samples hold no whole gesture ({'; '.join(parts)}): their "
        f"{report['windows']} windows are not trained on"
    )


def merge(reports: list[dict]) -> dict:
    """The reports of several training sets (e.g. a model's clips and calibration clips)."""
    by_class: dict[str, dict[str, int]] = {}
    for r in reports:
        for cls, per in r["by_class"].items():
            mine = by_class.setdefault(cls, {})
            for why, n in per.items():
                mine[why] = mine.get(why, 0) + n
    return {
        "samples": sum(r["samples"] for r in reports),
        "windows": sum(r["windows"] for r in reports),
        "by_class": by_class,
    }


def whole_score(y: np.ndarray, pred: np.ndarray, whole: np.ndarray, labels) -> dict:
    """The score on the windows of samples that hold a whole gesture (``whole``): how much
    of the error lies on recorder faults (the main score keeps every window)."""
    from silkpipe.evaluation import scores

    f1 = scores(y[whole], pred[whole], labels)["macro_f1"] if whole.any() else None
    return {
        "whole_sample_macro_f1": f1,
        "whole_sample_windows": int(whole.sum()),
        "flawed_sample_windows": int((~whole).sum()),
    }


def whole_line(result: dict, score: str = "macro-F1") -> str:
    """The second score line of a result carrying whole_score's keys (the first keeps
    every window)."""
    f1 = result["whole_sample_macro_f1"]
    return (
        f"  on whole-gesture samples only: {score} {'-' if f1 is None else f'{f1:.3f}'} "
        f"({result['whole_sample_windows']} windows; the {result['flawed_sample_windows']} "
        "on samples that hold no whole gesture are scored above)"
    )
