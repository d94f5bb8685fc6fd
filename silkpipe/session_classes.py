"""A class model from the run's other sessions: what each gesture class looks like under the
labels of sessions the gate passed (no clips needed).

Without clips the only class evidence is self-trained (silkpipe.class_evidence), and that
refits class means at every candidate offset, so with a handful of words it fits itself to
shifted words too. A model trained once on other sessions is as fixed as a clip-trained one
(silkpipe.clip_evidence): the tested session never shaped it, so its label-permutation p is
fair. It is the same discriminant, trained on passed sessions' motion under their labels: each
event label's motion peak (with the clip model's jitter) and walk, idle and noise labels as
"other". The align step fits it after a first pass and re-aligns the refused sessions with it,
round after round while new sessions pass; a session is never tested with a model that saw
its own labels.
"""

from __future__ import annotations

import numpy as np

from silkpipe.alignment import AlignConfig
from silkpipe.class_evidence import features_at
from silkpipe.clip_evidence import (
    EVENTS,
    JITTER_S,
    OTHER_STEP_S,
    ClipModel,
    class_index,
    clip_traces,
    fit_rows,
)
from silkpipe.gate import FIXED_MODELS, gate_levels
from silkpipe.labels import Interval
from silkpipe.sessions import Motion

#: A model needs this many passed sessions ...
MIN_SESSIONS = 1
#: ... and this many event labels of a class for that class to get a centre (two such
#: classes at least; a realistic session holds only a few jumps and punches:
#: bench/notes/comment_figures52.md).
MIN_LABELS = 2
#: Re-alignment rounds at most (each round's model holds the sessions passed so far).
ROUNDS = 3
#: Sessions the first pass passed on motion energy alone below sure_quality answer to the
#: class model of the run's other passed sessions (weak_energy_pass).
VETO = True
#: Model classes of the labels (noise is non-gesture motion, as in the clips' "other").
OTHER_LABELS = frozenset({"walk", "idle", "noise"})


def session_rows(motion: Motion, intervals: list[Interval]) -> tuple[np.ndarray, np.ndarray]:
    """(feature rows, MODEL_CLASSES indices) of one session's labels: around each event
    label's motion peak, and spread over its walk, idle and noise labels."""
    traces = clip_traces(motion)
    t0 = float(motion.t[0])
    energy = np.where(motion.valid, motion.energy(), -np.inf)
    times: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for iv in intervals:
        if iv.label in EVENTS:
            lo, hi = np.searchsorted(motion.t, [iv.start, iv.end])
            if hi <= lo or not np.isfinite(energy[lo:hi]).any():
                continue
            at = np.array(JITTER_S) + float(motion.t[lo + int(np.argmax(energy[lo:hi]))])
        elif iv.label in OTHER_LABELS:
            at = np.arange(iv.start, iv.end, OTHER_STEP_S)
        else:
            continue
        times.append(at)
        ys.append(np.full(len(at), class_index(iv.label)))
    if not times:
        return np.zeros((0, traces.shape[1])), np.zeros(0, dtype=int)
    rows = features_at(traces, t0, motion.rate, np.concatenate(times))
    ok = np.isfinite(rows).all(axis=1)
    return rows[ok], np.concatenate(ys)[ok]


def fit_session_model(sessions: list[tuple[Motion, list[Interval]]]) -> ClipModel | None:
    """The class model of passed sessions (motion, labels); None with fewer than
    MIN_SESSIONS of them or fewer than two event classes of MIN_LABELS labels each."""
    if len(sessions) < MIN_SESSIONS:
        return None
    parts = [session_rows(motion, intervals) for motion, intervals in sessions]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    return fit_rows(x, y, source="sessions", min_rows=MIN_LABELS * len(JITTER_S))


def weak_energy_pass(
    excluded: bool, gate: str, quality: float | None, class_model: str, cfg: AlignConfig
) -> bool:
    """A pass on motion energy alone below sure_quality, with no fixed class model behind it.

    An offset one gesture period off fits energy almost as well, and no energy figure tells
    the two apart; a class model that never saw the session can. So the align step (and the
    controls) re-align such a session with the model of the run's other passed sessions, and
    the gate's rules with a fixed model decide: refused where the model's best lag lies
    elsewhere (``disagree``), moved where it confirms another energy peak (``moved``)."""
    return bool(
        VETO
        and not excluded
        and gate == "energy"
        and class_model not in FIXED_MODELS
        and quality is not None
        and quality < gate_levels(cfg).sure_quality
    )


def settings() -> dict:
    """What a session-class verdict depends on besides the sessions (for re-use keys)."""
    return {
        "min_sessions": MIN_SESSIONS,
        "min_labels": MIN_LABELS,
        "rounds": ROUNDS,
        "veto": VETO,
    }
