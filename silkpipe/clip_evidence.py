"""Class evidence from a clip-trained model: does each heard word's class match the motion?

The self-trained class evidence (silkpipe.class_evidence) refits class means at every
candidate offset, so with a handful of words it finds some separation anywhere. When
button-labelled clips are given, what each class looks like is known before any session is
seen: a small linear discriminant (shared covariance, shrunk) on the same motion features
(class_evidence.feature_traces), trained once per run on the clips' gestures and on their
non-gesture motion ("other": walk, idle, noise). At a candidate offset each event word is
scored by the log-probability the model gives its said class at the motion there; at a
wrong offset the words sit on other gestures or on filler and score low.

The test is a label permutation of the same statistic: the model is fixed, only the
pairing of words and motion changes, so under a wrong offset the observed pairing is one
draw among the permutations. A choice among candidate offsets is put into the null the
same way class_evidence.class_test does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.special import logsumexp

from silkpipe.class_evidence import (
    ClassTest,
    features_at,
    permutation_p,
    raw_features,
    testable_classes,
    window_max,
)
from silkpipe.sessions import Motion
from silkpipe.vocabulary import EVENT_CLASSES

#: The model's classes: the event classes (sorted, as class_evidence.event_words numbers
#: them) and everything that is no gesture.
EVENTS = tuple(sorted(EVENT_CLASSES))
MODEL_CLASSES = (*EVENTS, "other")
#: Training rows of a gesture clip: its motion peak and these shifts (s), so the model
#: holds under the word-to-peak jitter of speech.
JITTER_S = (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3)
#: A clip or session window may lie this much in sensor gaps (resampling interpolates
#: across them; short button clips have many).
GAP_SHARE = 0.5
OTHER_STEP_S = 0.25  # spacing of the training rows of a non-gesture clip
SHRINK = 0.2  # covariance shrinkage toward its diagonal
RIDGE = 1e-3  # ... plus this (standardised units): a feature constant in the clips is no error
FLOOR = np.log(0.02)  # a word's log-probability never counts below this
LAG_STEP_S = 0.05  # grid of a lag profile (lag_margin)


@dataclass
class ClipModel:
    """A linear discriminant over feature_traces rows (standardised)."""

    mean: np.ndarray  # (f,) feature mean
    scale: np.ndarray  # (f,) feature std
    centres: np.ndarray  # (k, f) class means, standardised
    precision: np.ndarray  # (f, f) inverse of the shared covariance
    counts: dict[str, int]  # training rows per class
    # what it was trained on: "clips" (labelled clips) or "sessions" (other sessions' labels,
    # silkpipe.session_classes); the class test and the gate name the route by it
    source: str = "clips"

    def log_proba(self, feats: np.ndarray) -> np.ndarray:
        """(n, k) log posterior of MODEL_CLASSES (equal priors); NaN rows stay NaN."""
        x = (feats - self.mean) / self.scale
        d = x[:, None, :] - self.centres[None, :, :]
        score = -0.5 * np.einsum("nkf,fg,nkg->nk", d, self.precision, d)
        known = np.isfinite(self.centres).all(axis=1)
        score[:, ~known] = -np.inf
        ok = np.isfinite(x).all(axis=1)
        out = np.full(score.shape, np.nan)
        out[ok] = score[ok] - logsumexp(score[ok], axis=1, keepdims=True)
        return out


#: The feature windows (seconds before, after the expected peak; after may be negative):
#: the window of class_evidence split in three, so a shifted gesture looks different.
WINDOWS = ((0.5, -0.15), (0.15, 0.25), (-0.25, 0.7))


GRAVITY_S = 0.5  # the arm's pose: gravity's direction in the device frame, mean over this


def clip_traces(motion: Motion) -> np.ndarray:
    """(n, 18) the five motion features' largest values in each of WINDOWS, and the
    direction of gravity in the device frame around the peak (how the arm is held)."""
    raw = raw_features(motion)
    peaks = [window_max(motion, raw, a, b, GAP_SHARE) for a, b in WINDOWS]
    grav = motion.data[:, 10:13].astype(np.float64)
    grav /= np.maximum(np.linalg.norm(grav, axis=1, keepdims=True), 1e-9)
    pose = uniform_filter1d(grav, max(int(round(GRAVITY_S * motion.rate)), 1), axis=0)
    return np.concatenate([*peaks, pose], axis=1)


def clip_rows(motion: Motion, label: str) -> np.ndarray:
    """Training rows of one clip: around its motion peak for a gesture, spread for the rest."""
    traces = clip_traces(motion)
    t0 = float(motion.t[0])
    if label in EVENT_CLASSES:
        energy = np.where(motion.valid, motion.energy(), -np.inf)
        peak = float(motion.t[int(np.argmax(energy))])
        times = peak + np.array(JITTER_S)
    else:
        times = np.arange(t0, float(motion.t[-1]), OTHER_STEP_S)
    rows = features_at(traces, t0, motion.rate, times)
    return rows[np.isfinite(rows).all(axis=1)]


def fit_clip_model(clips: list[tuple[Motion, str]]) -> ClipModel | None:
    """The model of labelled clips (motion, label); None without two event classes to tell
    apart (a model of one class cannot score a class sequence)."""
    xs, ys = [], []
    for motion, label in clips:
        rows = clip_rows(motion, label)
        xs.append(rows)
        ys.append(np.full(len(rows), class_index(label)))
    if not xs:
        return None
    return fit_rows(np.concatenate(xs), np.concatenate(ys))


def class_index(label: str) -> int:
    """The model class of a label: its event class, else "other"."""
    return MODEL_CLASSES.index(label) if label in EVENTS else len(EVENTS)


def fit_rows(
    x: np.ndarray, y: np.ndarray, source: str = "clips", min_rows: int = 3
) -> ClipModel | None:
    """The shrunk shared-covariance discriminant of feature rows ``x`` of classes ``y``
    (MODEL_CLASSES indices); a class with fewer than ``min_rows`` rows gets no centre. None
    without two such event classes and "other"."""
    present = [k for k in range(len(MODEL_CLASSES)) if (y == k).sum() >= min_rows]
    if sum(k < len(EVENTS) for k in present) < 2 or len(EVENTS) not in present:
        return None
    keep = np.isin(y, present)
    x, y = x[keep], y[keep]
    mean, scale = x.mean(axis=0), np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    z = (x - mean) / scale
    # a class without clips gets no centre (NaN): the model never gives it probability
    centres = np.stack(
        [
            z[y == k].mean(axis=0) if k in present else np.full(z.shape[1], np.nan)
            for k in range(len(MODEL_CLASSES))
        ]
    )
    within = z - centres[y]
    cov = within.T @ within / max(len(z) - len(present), 1)
    cov = (1 - SHRINK) * cov + SHRINK * np.diag(np.diag(cov)) + RIDGE * np.eye(len(cov))
    counts = {c: int((y == k).sum()) for k, c in enumerate(MODEL_CLASSES)}
    return ClipModel(mean, scale, centres, np.linalg.inv(cov), counts, source)


def word_log_proba(
    model: ClipModel, traces: np.ndarray, t0: float, rate: float, times: np.ndarray
) -> np.ndarray:
    """(n, events) floored log-probability of each event class at each word's IMU time."""
    lp = model.log_proba(features_at(traces, t0, rate, times))[:, : len(EVENTS)]
    return np.maximum(lp, FLOOR)


def clip_scores(
    model: ClipModel,
    traces: np.ndarray,
    t0: float,
    rate: float,
    times: np.ndarray,
    labels: np.ndarray,
    lags: np.ndarray,
    missing: float | None = None,
) -> np.ndarray:
    """Mean log-probability of the said classes at each candidate lag: NaN words (off the
    motion) skipped, or scored ``missing`` so that every lag is judged on the same words."""
    out = []
    for lag in lags:
        lp = word_log_proba(model, traces, t0, rate, times + lag)
        said = lp[np.arange(len(labels)), labels]
        if missing is not None:
            said = np.where(np.isfinite(said), said, missing)
        out.append(float(np.nanmean(said)) if np.isfinite(said).any() else float(FLOOR))
    return np.array(out)


def clip_test(
    model: ClipModel,
    traces: np.ndarray,
    t0: float,
    rate: float,
    times: np.ndarray,
    labels: np.ndarray,
    *,
    around: np.ndarray | None = None,
    min_per_class: int = 2,
    permutations: int = 2000,
    seed: int = 0,
) -> ClassTest:
    """Label-permutation test of the said classes' mean log-probability at IMU ``times``;
    when they were chosen among shifts ``around`` them, each permutation gets its best
    shift too."""
    around = np.zeros(1) if around is None or not len(around) else np.asarray(around)
    here = word_log_proba(model, traces, t0, rate, times)
    ok = np.isfinite(here).all(axis=1)
    labels = labels[ok]
    classes, testable = testable_classes(labels, min_per_class)
    if not testable:
        return ClassTest(0.0, 1.0, len(labels), classes, testable=False, model=model.source)
    stack = [
        np.nan_to_num(word_log_proba(model, traces, t0, rate, times + d)[ok], nan=FLOOR)
        for d in around
    ]
    rows = np.arange(len(labels))
    observed = float(here[ok][rows, labels].mean())
    rng = np.random.default_rng(seed)
    perms = np.stack([rng.permutation(labels) for _ in range(permutations)])
    null = np.max([lp[rows[None, :], perms].mean(axis=1) for lp in stack], axis=0)
    p = permutation_p(null, observed)
    return ClassTest(round(observed, 4), p, len(labels), classes, model=model.source)


@dataclass
class BoundClips:
    """A clip model with one session's feature traces, computed once for every lag scored."""

    model: ClipModel
    traces: np.ndarray
    t0: float
    rate: float

    def scores(
        self, times: np.ndarray, labels: np.ndarray, lags: np.ndarray, missing=None
    ) -> np.ndarray:
        return clip_scores(
            self.model, self.traces, self.t0, self.rate, times, labels, lags, missing
        )

    def test(self, times: np.ndarray, labels: np.ndarray, around: np.ndarray) -> ClassTest:
        return clip_test(self.model, self.traces, self.t0, self.rate, times, labels, around=around)

    def said(self, times: np.ndarray, labels: np.ndarray, lags: np.ndarray) -> np.ndarray:
        """(lags, words) log-probability of each word's said class at IMU ``times`` + each
        lag; NaN where the word is off the motion."""
        rows = np.arange(len(labels))
        return np.stack(
            [
                word_log_proba(self.model, self.traces, self.t0, self.rate, times + lag)[
                    rows, labels
                ]
                for lag in lags
            ]
        )


@dataclass
class LagProfile:
    """The said classes' scores at every shift d (|d| <= reach_s) of a placement at IMU
    ``times``: what lag_margin and common_margin both judge, scored once for both."""

    clips: BoundClips
    times: np.ndarray
    labels: np.ndarray
    reach_s: float

    @cached_property
    def shifts(self) -> np.ndarray:
        return np.round(np.arange(-self.reach_s, self.reach_s + LAG_STEP_S / 2, LAG_STEP_S), 6)

    @cached_property
    def said(self) -> np.ndarray:
        """(shifts, words): clips.said at each shift."""
        return self.clips.said(self.times, self.labels, self.shifts)

    @cached_property
    def floored(self) -> np.ndarray:
        """Each shift's mean score, a word off the motion scored FLOOR (clip_scores'
        ``missing``), so every shift is judged on the same words."""
        return np.array([float(np.nanmean(np.where(np.isfinite(r), r, FLOOR))) for r in self.said])

    def spread(self) -> float:
        return max(float(np.std(self.floored)), 1e-9)

    def away(self, away_s: float) -> np.ndarray:
        return np.abs(self.shifts) >= away_s - 1e-9

    def margin(self, away_s: float) -> tuple[float | None, float | None]:
        """lag_margin's margin and best shift away."""
        far = self.away(away_s)
        if not far.any():
            return None, None
        best = int(np.argmax(np.where(far, self.floored, -np.inf)))
        here = self.floored[int(np.argmin(np.abs(self.shifts)))]
        return round(float((here - self.floored[best]) / self.spread()), 3), float(
            self.shifts[best]
        )

    def common_margin(self, away_s: float) -> float | None:
        """common_margin's least margin on common words (None: no shift with enough)."""
        here = self.said[int(np.argmin(np.abs(self.shifts)))]
        on_here = np.isfinite(here)
        need = max(COMMON_MIN_WORDS, int(np.ceil(COMMON_SHARE * on_here.sum())))
        there = self.said[self.away(away_s)]
        both = np.isfinite(there) & on_here[None, :]
        count = both.sum(axis=1)
        ok = count >= need
        if not ok.any():
            return None
        at_here = np.where(both, here[None, :], 0.0).sum(axis=1)[ok] / count[ok]
        at_there = np.where(both, there, 0.0).sum(axis=1)[ok] / count[ok]
        return round(float(np.min(at_here - at_there) / self.spread()), 3)


def lag_margin(
    clips: BoundClips, times: np.ndarray, labels: np.ndarray, away_s: float, reach_s: float
) -> tuple[float | None, float | None]:
    """How clearly the said classes fit best where they are placed (IMU ``times``): the
    model's score there less its best score at shifts d with away_s <= |d| <= reach_s, over
    the scores' spread within reach_s, rounded as reported; and that best d ((None, None)
    when no shift lies that far). Words placed a gesture period or more off still carry
    their true classes, so they score better nearer the true lag. A word shifted off the
    motion scores FLOOR (as in clip_test), so a lag near the motion's ends is not judged
    on the few words left there."""
    return LagProfile(clips, times, labels, reach_s).margin(away_s)


#: common_margin: a shift is judged where the words on the motion at both lags are at least
#: this share of those on the motion at the chosen lag, and COMMON_MIN_WORDS.
COMMON_SHARE = 0.6
COMMON_MIN_WORDS = 3


def common_margin(
    clips: BoundClips, times: np.ndarray, labels: np.ndarray, away_s: float, reach_s: float
) -> float | None:
    """lag_margin judged on common words: at each shift d (away_s <= |d| <= reach_s) the
    said classes' mean log-probability at IMU ``times`` less that at ``times`` + d, both
    over the words on the motion at both lags, in spreads of lag_margin's profile; the
    least over the shifts where those words are enough (COMMON_SHARE, COMMON_MIN_WORDS);
    None where none is. lag_margin scores a word off the motion FLOOR, class_choice and the
    class test skip it: a lag where the words that would score badly fall off the motion
    can look better or worse than it is (bench/notes/fp46.txt)."""
    return LagProfile(clips, times, labels, reach_s).common_margin(away_s)


def bind(model: ClipModel, motion: Motion) -> BoundClips:
    return BoundClips(model, clip_traces(motion), float(motion.t[0]), motion.rate)


def clip_model_from_folder(folder, on_error=None) -> ClipModel | None:
    """The clip model of a local clips folder (either layout); None when it cannot tell two
    event classes apart. Clips are taken as cut (not re-cut at their button time: the
    re-cut drops most short gesture clips, and the model needs their motion peaks)."""
    return clip_model_from_folders([folder], on_error)


def clip_model_from_folders(folders: list, on_error=None) -> ClipModel | None:
    """The clip model of several local clips folders' clips together (a run's clip
    folders of several days); as clip_model_from_folder for one."""
    from silkpipe.clips import load_clip_streams

    streams = [
        st
        for folder in folders
        for st in load_clip_streams(folder, realign=False, on_error=on_error)
    ]
    return fit_clip_model([(st.motion, st.intervals[0].label) for st in streams])
