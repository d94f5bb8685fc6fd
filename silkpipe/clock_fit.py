"""Scale and offset between the audio clock and a rebuilt (count) IMU clock.

The count clock assumes the watch's steady rate; a rate off by a percent stretches it by
a percent, which over a few minutes moves late words by seconds. So for ``count``
sessions the aligner fits ``t_imu = a * t_audio + b`` with ``a`` in [0.97, 1.03], or only
within the bound of a rate read off the arrival envelope (``clock_scales``).

Searching more scales finds higher chance peaks too: a raw maximum over scales drifts to
small ``a`` (a shorter command train fits anything better). The statistic is made fair
the way the offset search already is: at every scale the commands are scored against
their shuffles *at that scale*, the best scale is taken, and every shuffle gets the same
maximisation over scales before the observed maximum is compared with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from silkpipe.alignment import AlignConfig, offset_fit, search_signal
from silkpipe.class_evidence import z_over
from silkpipe.sessions import Motion
from silkpipe.transcripts import Command

#: Clock-rate factors tried for count-clock sessions.
SCALES = tuple(np.round(np.arange(0.97, 1.03 + 1e-9, 0.0025), 4))


def clock_scales(time_model: dict) -> tuple[float, ...]:
    """The scales searched for a session: 1 alone unless the clock counts rows; for a
    count clock those of SCALES within the rate's bound (``rate_uncertainty``, unbounded
    when the rate was not read off the arrival envelope), 1 always among them."""
    if time_model.get("kind") != "count":
        return (1.0,)
    bound = float(time_model.get("rate_uncertainty", 1.0))
    return tuple(float(a) for a in SCALES if abs(a - 1.0) <= bound + 1e-9) or (1.0,)


@dataclass
class ScaleFit:
    scale: float  # a in t_imu = a * t_audio + b
    offset_s: float  # b
    confidence: float
    quality: float  # best per-scale quality over the shuffles' best, in their std
    p_value: float  # share of shuffles whose best scale scored at least as well
    per_scale: list[list[float]]  # [a, quality at a]
    at_edge: bool = False  # the best lag lies at the edge of the offset search
    candidates: list[float] = field(default_factory=lambda: [0.0])  # class-aware choice's
    class_channels: bool = False  # the search that won at the best scale used class channels
    # the shuffles' best quality over the scales, standardised as ``quality`` reads it
    null_quality: np.ndarray = field(default_factory=lambda: np.zeros(0))


def scaled(commands: list[Command], scale: float) -> list[Command]:
    """Commands with their audio times multiplied by ``scale``."""
    return [replace(c, start=c.start * scale, end=c.end * scale) for c in commands]


def fit_scale_offset(
    motion: Motion, commands: list[Command], cfg: AlignConfig, scales=SCALES, clips=None
) -> ScaleFit:
    """The (a, b) whose commands match the motion best, with a p-value fair to the search."""
    from silkpipe.class_evidence import feature_traces

    signal = search_signal(motion, cfg)
    traces = feature_traces(motion)
    fits = [offset_fit(signal, motion, scaled(commands, a), cfg, traces, clips) for a in scales]
    observed = np.array([f.quality for f in fits])
    best = _nearest_to_one(scales, observed, cfg.scale_tie_z)
    null_best = np.max([f.null_quality for f in fits], axis=0)
    quality, p_value = z_over(float(observed[best]), null_best)
    return ScaleFit(
        scale=float(scales[best]),
        offset_s=fits[best].offset_s,
        confidence=fits[best].confidence,
        quality=quality,
        p_value=p_value,
        per_scale=[[float(a), round(float(q), 3)] for a, q in zip(scales, observed, strict=True)],
        at_edge=fits[best].at_edge,
        candidates=fits[best].candidates,
        class_channels=fits[best].class_channels,
        null_quality=(null_best - null_best.mean()) / (null_best.std() or 1.0),
    )


def _nearest_to_one(scales, observed: np.ndarray, tie_z: float) -> int:
    """Index of the scale closest to 1 (the rebuilt clock's own rate) among those scoring
    within ``tie_z`` of the best: qualities are z over the shuffles, so scales closer than
    that are not told apart by the words, and a pick among them only moves the offset."""
    near = np.flatnonzero(observed >= observed.max() - tie_z)
    return int(near[np.argmin(np.abs(np.asarray(scales, float)[near] - 1.0))])


def within_reach(
    commands: list[Command], motion: Motion, cfg: AlignConfig, scales=(1.0,)
) -> tuple[list[Command], list[Command]]:
    """(commands some searched (a, b) can put on the IMU stream, the rest).

    Audio often runs on past the last sensor row (143627's far past it:
    bench/notes/voice_path_history.md), and such words can only be unlabelled: keeping them
    would only add noise to
    the offset search and its shuffles.
    """
    lo, hi = float(motion.t[0]) - cfg.search_s, float(motion.t[-1]) + cfg.search_s
    reach: list[Command] = []
    beyond: list[Command] = []
    for c in commands:
        ok = max(scales) * c.end >= lo and min(scales) * c.start <= hi
        (reach if ok else beyond).append(c)
    return reach, beyond
