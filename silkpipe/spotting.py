"""Spotting gestures in a continuous stream, scored per event, the way the model is used.

Held-out clips are stitched into one stream per block (in recording order, with a still
filler between them whose gravity blends from one clip to the next, so the model cannot
find clip edges by a jump in orientation). The model is slid over the whole stream at a
fixed stride: no window is placed using the truth. Window probabilities are smoothed,
each step takes its argmax, and every run of one class becomes one detection. A gesture
run (jump, punch, turn) is timed where the stream's own motion peaks inside it (its span
widened by PEAK_MARGIN_S; the same smoothed energy the truth uses, computed on the stream,
never on the truth): the model is most confident after the motion, often by more than
MATCH_S, so timing by confidence turned found gestures into a miss plus a false positive
(bench/notes/spot_energy_timing.txt). A state run (walk, idle, noise) is timed at its most
confident step. Scoring (MATCH_S = 0.5 s):

- event classes (jump, punch, turn): the truth time is the motion peak of the clip; a
  detection matches a true event of its class within MATCH_S, one-to-one;
- state classes (walk, idle, noise): a detection run matches when it overlaps a true
  segment of its class widened by MATCH_S; a segment is found when any run matches.

Unmatched runs are false positives, except idle or noise runs that cover no gesture and
peak inside no other state's segment (the filler and a clip's quiet start are still:
calling them idle or noise is right). Where the motion between gestures is known (a
realistic session's filler truth), the wrist decides for every state class alike: a walk,
idle or noise run lying on filler of its own class is no error (nor a find: filler pieces
are fragments nobody asked for), one lying on another state's filler is an error. A run
lies on filler by most of its span, not by its most confident step: a state run claims
its whole span, and a filler gap is a chain of short pieces of mixed classes that one
step can land on while the run mostly covers another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from silkpipe.dataset import LabelledStream, WindowConfig, _smoothed_energy
from silkpipe.sessions import Motion
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES

MATCH_S = 0.5
STRIDE = 5  # samples between slid windows (0.1 s at 50 Hz)
SMOOTH = 7  # steps of probability smoothing (chosen with MIN_RUN on the selection fold)
MIN_RUN = 5  # steps a run needs to count as a detection
PEAK_MARGIN_S = 0.25  # a gesture run's span is widened by this to find its motion peak (dev)
FILLER_S = (0.5, 2.0)  # filler length between stitched clips, drawn uniformly
BACKGROUND = frozenset({"idle", "noise"})


@dataclass
class Truth:
    label: str
    start: float
    end: float
    peak: float  # the motion peak (event time of a gesture)


@dataclass
class Stitched:
    """A stitched stream: its motion and the truth of every clip in it."""

    name: str
    motion: Motion
    truth: list[Truth]


def _filler(prev: Motion, nxt: Motion, n: int, rng: np.random.Generator) -> np.ndarray:
    """n still samples: zero motion plus a little sensor noise, gravity blended across."""
    data = np.zeros((n, prev.data.shape[1]), dtype=np.float32)
    w = np.linspace(0, 1, n)[:, None]
    g = (1 - w) * prev.data[-1, 10:13] + w * nxt.data[0, 10:13]
    data[:, 10:13] = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-6)
    data[:, 6] = 1.0  # identity quaternion: the model never reads it
    data[:, 0:6] = rng.normal(0, 0.05, size=(n, 6))
    return data


def stitch(streams: list[LabelledStream], name: str, seed: int = 0) -> Stitched:
    """One stream from clips in the given order, with still filler between them."""
    rng = np.random.default_rng(seed)
    rate = streams[0].motion.rate
    parts, valid, truth, t = [], [], [], 0.0
    for i, st in enumerate(streams):
        m = st.motion
        if i:
            n = int(rng.uniform(*FILLER_S) * rate)
            parts.append(_filler(streams[i - 1].motion, m, n, rng))
            valid.append(np.ones(n, dtype=bool))
            t += n / rate
        label = st.intervals[0].label
        peak = int(np.argmax(_smoothed_energy(m, 0, len(m.t))))
        truth.append(Truth(label, t, t + len(m.t) / rate, t + peak / rate))
        parts.append(m.data)
        valid.append(m.valid)
        t += len(m.t) / rate
    data = np.concatenate(parts).astype(np.float32)
    grid = np.arange(len(data)) / rate
    return Stitched(name, Motion(grid, rate, data, np.concatenate(valid)), truth)


def slide(predictor, motion: Motion, cfg: WindowConfig, stride: int = STRIDE):
    """Class probabilities of windows slid over the whole stream -> (centre times on the
    stream's clock, probs)."""
    feats = motion.features()
    starts = np.arange(0, len(feats) - cfg.length + 1, stride)
    if len(starts) == 0:
        return np.zeros(0), np.zeros((0, len(CLASSES)))
    windows = np.stack([feats[s : s + cfg.length] for s in starts])
    logits = np.concatenate(
        [predictor.logits(windows[i : i + 512]) for i in range(0, len(windows), 512)]
    )
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    return motion.t[0] + (starts + cfg.length / 2) / motion.rate, probs


def detect(times: np.ndarray, probs: np.ndarray, labels: list[str], motion: Motion) -> list[tuple]:
    """Runs of the smoothed argmax over a stream -> detections (label, start, end, time):
    a gesture run at the stream's motion peak in it, a state run at its most confident step."""
    if len(times) == 0:
        return []
    kernel = np.ones(SMOOTH) / SMOOTH
    smooth = np.stack(
        [np.convolve(probs[:, j], kernel, mode="same") for j in range(probs.shape[1])], 1
    )
    best = smooth.argmax(axis=1)
    energy = _smoothed_energy(motion, 0, len(motion.t))
    cuts = np.flatnonzero(np.diff(best)) + 1
    out = []
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(best)], strict=True):
        if b - a < MIN_RUN:
            continue
        k = int(best[a])
        start, end = float(times[a]), float(times[b - 1])
        at = float(times[a + int(np.argmax(smooth[a:b, k]))])
        if labels[k] in EVENT_CLASSES:
            at = _motion_peak(motion.t, energy, start, end, at)
        out.append((labels[k], start, end, at))
    return out


def _motion_peak(t: np.ndarray, energy: np.ndarray, start: float, end: float, at: float) -> float:
    """Where the stream's smoothed energy peaks in [start, end] widened by PEAK_MARGIN_S;
    ``at`` where nothing moved there (rows that never arrived hold no energy)."""
    i0 = int(np.searchsorted(t, start - PEAK_MARGIN_S))
    i1 = int(np.searchsorted(t, end + PEAK_MARGIN_S, side="right"))
    if i1 <= i0 or energy[i0:i1].max() <= 0:
        return at
    return float(t[i0 + int(np.argmax(energy[i0:i1]))])


Span = tuple[float, float, str]  # (start, end, class) of a filler piece


def match(
    truth: list[Truth],
    detections: list[tuple],
    filler: list[Span] | None = None,
    unscored: list[Truth] | None = None,
) -> dict[str, dict[str, int]]:
    """Per class: tp (true events/segments found), fn, fp (detections matching nothing).
    ``filler``: the recorded motion between gestures, on the truth's clock; None where
    there is none to know (stitched streams: their filler is synthetic stillness).
    ``unscored``: truths matched like the others but counted nowhere (gestures the stream
    did not deliver): neither found nor missed, and a detection of their class they take is
    no error (a run of another class over one is judged as over any gesture)."""
    every = truth + (unscored or [])
    counts = {c: {"tp": 0, "fn": 0, "fp": 0} for c in CLASSES}
    for cls in CLASSES:
        dets = [d for d in detections if d[0] == cls]
        true = [t for t in every if t.label == cls]
        if cls in EVENT_CLASSES:
            found, used = _match_events([t.peak for t in true], [d[3] for d in dets])
        else:
            found, used = _match_segments(true, dets)
        scored = sum(1 for t in truth if t.label == cls)  # truth comes first in ``true``
        counts[cls]["tp"] += sum(1 for i in found if i < scored)
        counts[cls]["fn"] += scored - sum(1 for i in found if i < scored)
        counts[cls]["fp"] += sum(
            1 for i, d in enumerate(dets) if i not in used and not _excused(d, every, filler)
        )
    return counts


def _match_events(peaks: list[float], times: list[float]) -> tuple[set[int], set[int]]:
    """Greedy one-to-one matching, closest pairs first, within MATCH_S -> (indices of the
    peaks found, indices of the times used)."""
    pairs = sorted((abs(p - t), i, j) for i, p in enumerate(peaks) for j, t in enumerate(times))
    seen_t, used = set(), set()
    for gap, i, j in pairs:
        if gap <= MATCH_S and i not in seen_t and j not in used:
            seen_t.add(i)
            used.add(j)
    return seen_t, used


def _match_segments(true: list[Truth], dets: list[tuple]) -> tuple[set[int], set[int]]:
    used: set[int] = set()
    found = set()
    for i, t in enumerate(true):
        hits = {
            j for j, d in enumerate(dets) if d[1] <= t.end + MATCH_S and d[2] >= t.start - MATCH_S
        }
        if hits:
            found.add(i)
        used |= hits
    return found, used


def _excused(det: tuple, truth: list[Truth], filler: list[Span] | None) -> bool:
    """An unmatched state run that is no error. Without filler truth: an idle/noise run on
    still or unlabelled time (_background). With it, what the wrist did between gestures
    decides for walk, idle and noise alike: most of the run's span on filler of its own
    class is right, on another state's filler wrong; elsewhere the rule without it holds."""
    label, start, end, _ = det
    if filler is None or label in EVENT_CLASSES:
        return _background(det, truth)
    if _on_other_truth(det, truth):
        return False
    span = end - start
    for cls in sorted({c for _, _, c in filler}, key=lambda c: c != label):
        if 2 * _covered(start, end, [(a, b) for a, b, c in filler if c == cls]) > span:
            return cls == label
    return label in BACKGROUND


def _background(det: tuple, truth: list[Truth]) -> bool:
    """An idle/noise run is no error where the stream is still or unlabelled: it must not
    span a gesture's peak nor peak inside another state's segment."""
    return det[0] in BACKGROUND and not _on_other_truth(det, truth)


def _on_other_truth(det: tuple, truth: list[Truth]) -> bool:
    """The run spans a gesture's motion peak or peaks inside another state's segment."""
    label, start, end, peak = det
    for t in truth:
        if t.label in EVENT_CLASSES and start <= t.peak <= end:
            return True
        if t.label not in EVENT_CLASSES and t.label != label and t.start <= peak <= t.end:
            return True
    return False


def _covered(start: float, end: float, spans: list[tuple[float, float]]) -> float:
    """Seconds of [start, end] inside the union of spans (filler pieces overlap where
    they are crossfaded)."""
    cuts = sorted((max(a, start), min(b, end)) for a, b in spans if b > start and a < end)
    total, reach = 0.0, start
    for a, b in cuts:
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def event_scores(counts: dict[str, dict[str, int]]) -> dict[str, dict]:
    """Per class precision/recall/F1 from summed counts (classes with no truth and no
    detection are left out)."""
    out = {}
    for cls, c in counts.items():
        if not (c["tp"] + c["fn"] + c["fp"]):
            continue
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[cls] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), **c}
    return out


def add_counts(total: dict, counts: dict) -> dict:
    for cls, c in counts.items():
        row = total.setdefault(cls, {"tp": 0, "fn": 0, "fp": 0})
        for k in row:
            row[k] += c[k]
    return total


def stitched_streams(streams: list[LabelledStream], seed: int = 0) -> list[Stitched]:
    """One stitched stream per block, clips in recording order: by watch second, then by
    name (sample-dialect clips all start at 0 and were recorded class by class)."""
    out = []
    for g, group in enumerate(sorted({st.group for st in streams})):
        members = sorted(
            (st for st in streams if st.group == group),
            key=lambda st: (round(float(st.motion.t[0])), st.name),
        )
        out.append(stitch(members, group, seed + g))
    return out


def spot(predictor, streams: list[LabelledStream], cfg: WindowConfig, seed: int = 0) -> dict:
    """Event counts and scores of a predictor over stitched streams of these clips."""
    total: dict = {}
    for s in stitched_streams(streams, seed):
        times, probs = slide(predictor, s.motion, cfg)
        dets = detect(times, probs, list(predictor.labels), s.motion)
        add_counts(total, match(s.truth, dets))
    return {"counts": total, "per_class": event_scores(total)}
