"""Class evidence for the offset search: do the words' classes match the motion there?

Motion energy cannot tell one jump from the next, so in a run of gestures an audio shift
of one gesture period fits almost as well as the true offset. What the gestures look like
can tell them apart wherever the spoken sequence changes class: at the true offset the
jump words sit on hard vertical pushes and the turn words on spins about gravity, at a
shifted one the pairs are mixed up.

The model is self-trained at each candidate offset: the event words' motion features
(largest linear acceleration, vertical and horizontal push, spin about gravity and gyro
rate around the expected peak) are grouped by spoken class, and the share of their
variance the classes explain (``separation``) says how well a per-class model fitted
there explains which word is which. A label-permutation test of the same statistic is
fair under any offset, so it doubles as a gate: words whose classes do not match the
motion at the chosen offset are refused whatever their energy says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from silkpipe.sessions import Motion
from silkpipe.vocabulary import EVENT_CLASSES

#: Feature window around an event's expected motion peak (seconds before, after).
BEFORE_S, AFTER_S = 0.5, 0.7


@dataclass
class ClassTest:
    # the statistic: share of feature variance the spoken classes explain (0..1); for the
    # clip model (model "clips"), the said classes' mean log-probability (FLOOR..0)
    separation: float
    p_value: float  # share of label permutations scoring at least as well (1: untested)
    words: int  # event words with motion under them
    classes: int  # event classes with at least min_per_class words
    testable: bool = True
    model: str = "self"  # "self": self-trained here; "clips": silkpipe.clip_evidence


def feature_traces(motion: Motion, gap_share: float = 0.0) -> np.ndarray:
    """(n, 5) log features per grid point: the largest |linear accel|, vertical and
    horizontal accel, spin about gravity and |gyro| in the window around it; NaN where more
    than ``gap_share`` of the window lies in sensor gaps (0: any gap)."""
    return window_max(motion, raw_features(motion), BEFORE_S, AFTER_S, gap_share)


def raw_features(motion: Motion) -> np.ndarray:
    """(n, 5) per grid point: |linear accel|, vertical and horizontal accel, spin about
    gravity, |gyro|."""
    accel = motion.data[:, 0:3].astype(np.float64)
    gyro = motion.data[:, 3:6].astype(np.float64)
    grav = motion.data[:, 10:13].astype(np.float64)
    grav /= np.maximum(np.linalg.norm(grav, axis=1, keepdims=True), 1e-9)
    norm = np.linalg.norm(accel, axis=1)
    vert = np.abs(np.einsum("ij,ij->i", accel, grav))
    horiz = np.sqrt(np.maximum(norm**2 - vert**2, 0.0))
    spin = np.abs(np.einsum("ij,ij->i", gyro, grav))
    return np.stack([norm, vert, horiz, spin, np.linalg.norm(gyro, axis=1)], axis=1)


def window_max(
    motion: Motion, raw: np.ndarray, before_s: float, after_s: float, gap_share: float
) -> np.ndarray:
    """log1p of the largest ``raw`` in [t - before_s, t + after_s] per grid point; NaN where
    more than ``gap_share`` of that window lies in sensor gaps."""
    a, b = int(round(before_s * motion.rate)), int(round(after_s * motion.rate))
    size = a + b + 1
    out = _shifted(maximum_filter1d(raw, size, axis=0, mode="nearest"), size // 2 - a)
    invalid = (~motion.valid).astype(np.float64)
    gaps = _shifted(uniform_filter1d(invalid, size, mode="nearest"), size // 2 - a)
    out = np.log1p(out)
    out[gaps > gap_share + 1e-9] = np.nan
    return out


def _shifted(x: np.ndarray, k: int) -> np.ndarray:
    """y[i] = x[i + k], the edge rows repeated beyond the ends."""
    idx = np.clip(np.arange(len(x)) + k, 0, len(x) - 1)
    return x[idx]


def event_words(times: np.ndarray, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(times, class index) of the jump/punch/turn words."""
    keep = [i for i, c in enumerate(classes) if c in EVENT_CLASSES]
    names = sorted(EVENT_CLASSES)
    return times[keep], np.array([names.index(classes[i]) for i in keep], dtype=int)


def features_at(traces: np.ndarray, t0: float, rate: float, times: np.ndarray) -> np.ndarray:
    """Trace rows at IMU times (NaN outside the stream)."""
    idx = np.round((times - t0) * rate).astype(int)
    out = np.full((len(times), traces.shape[1]), np.nan)
    inside = (idx >= 0) & (idx < len(traces))
    out[inside] = traces[idx[inside]]
    return out


def separation(feats: np.ndarray, labels: np.ndarray) -> float:
    """Share of the (standardised) feature variance explained by the labels' class means."""
    ok = np.isfinite(feats).all(axis=1)
    x, y = feats[ok], labels[ok]
    if len(x) < 3:
        return 0.0
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 1e-9, std, 1.0)
    total = float((x**2).sum()) or 1.0
    between = sum(float((y == k).sum() * (x[y == k].mean(axis=0) ** 2).sum()) for k in set(y))
    return between / total


def class_scores(
    traces: np.ndarray,
    t0: float,
    rate: float,
    times: np.ndarray,
    labels: np.ndarray,
    lags: np.ndarray,
) -> np.ndarray:
    """separation of the words at each candidate lag (``t_imu = t_audio + lag``)."""
    return np.array(
        [separation(features_at(traces, t0, rate, times + lag), labels) for lag in lags]
    )


def class_test(
    traces: np.ndarray,
    t0: float,
    rate: float,
    times: np.ndarray,
    labels: np.ndarray,
    *,
    around: np.ndarray | None = None,
    min_per_class: int = 3,
    permutations: int = 500,
    seed: int = 0,
) -> ClassTest:
    """Label-permutation test of ``separation`` at IMU times ``times``. When the times were
    chosen among shifts ``around`` them for their separation, each permutation is scored
    at its best shift too, so the choice does not lift the test."""
    around = np.zeros(1) if around is None or not len(around) else around
    stack = [features_at(traces, t0, rate, times + d) for d in around]
    feats = features_at(traces, t0, rate, times)
    ok = np.isfinite(feats).all(axis=1)
    feats, labels = feats[ok], labels[ok]
    stack = [f[ok] for f in stack]
    classes, testable = testable_classes(labels, min_per_class)
    if not testable:
        return ClassTest(0.0, 1.0, len(labels), classes, testable=False)
    observed = separation(feats, labels)
    rng = np.random.default_rng(seed)
    perms = [rng.permutation(labels) for _ in range(permutations)]
    null = np.array([max(separation(f, perm) for f in stack) for perm in perms])
    return ClassTest(round(observed, 4), permutation_p(null, observed), len(labels), classes)


def testable_classes(labels: np.ndarray, min_per_class: int) -> tuple[int, bool]:
    """(how many classes have min_per_class words, whether a permutation test of the words
    can tell anything: two such classes and enough words)."""
    counts = np.bincount(labels) if len(labels) else np.zeros(1)
    classes = int((counts >= min_per_class).sum())
    return classes, classes >= 2 and len(labels) >= 2 * min_per_class


def z_over(observed: float, null: np.ndarray) -> tuple[float, float]:
    """(z, p) of an observed statistic over its null sample (the shuffles' best qualities)."""
    z = float((observed - null.mean()) / (null.std() or 1.0))
    return z, float((1 + (null >= observed).sum()) / (1 + len(null)))


def permutation_p(null: np.ndarray, observed: float) -> float:
    """One-sided p of ``observed`` among the permutations' statistics (the observed
    labelling counts as one of them, so p is never 0)."""
    return float((1 + (null >= observed - 1e-12).sum()) / (1 + len(null)))
