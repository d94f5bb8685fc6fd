"""Unlabelled session time a first model calls noise, labelled noise for a second model.

Voice labels leave most of a session unlabelled: the filler motion between gestures (mostly
noise-like actions), unsaid gestures and the rest of each state. A model trained on the
labels alone sees few noise windows, so on held-out clips it calls noise a gesture or a
state; that, not the gestures, is where perfectly labelled sessions trail the clip model
(bench/notes/gap48.txt). Labelling all unlabelled time noise teaches unsaid gestures and
states as noise; only the windows a model of the labels itself calls noise with high
probability are taken (TrainConfig.unlabelled_noise), no truth used.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from silkpipe.dataset import LabelledStream, WindowConfig, make_windows, session_stream
from silkpipe.locks import temp_scratch
from silkpipe.model import Predictor

log = logging.getLogger(__name__)
#: seconds kept clear of every label: a label's edges are not exact
MARGIN_S = 0.3


def unlabelled_spans(stream: LabelledStream, margin: float = MARGIN_S) -> list[tuple]:
    """The stream's time at least ``margin`` s clear of every label, as noise spans."""
    t0, t1 = float(stream.motion.t[0]), float(stream.motion.t[-1])
    spans, cur = [], t0
    for start, end, _ in sorted(stream.intervals) + [(t1 + margin, t1 + margin, "")]:
        if start - margin - cur >= 1 / stream.motion.rate:
            spans.append((cur, start - margin, "noise"))
        cur = max(cur, end + margin)
    return spans


def noise_probability(predictor: Predictor, windows: np.ndarray) -> np.ndarray:
    """P(noise) of each window under the model (softmax of its written logits)."""
    if len(windows) == 0:
        return np.zeros(0)
    logits = np.concatenate(
        [predictor.logits(windows[i : i + 512]) for i in range(0, len(windows), 512)]
    )
    logits = logits - logits.max(axis=1, keepdims=True)
    prob = np.exp(logits)
    return (prob / prob.sum(axis=1, keepdims=True))[:, list(predictor.labels).index("noise")]


def _merged(centres: np.ndarray, half: float) -> list[tuple]:
    """Noise spans of ``half`` s either side of each centre, overlaps merged."""
    out: list[tuple] = []
    for c in np.sort(centres):
        if out and c - half <= out[-1][1]:
            out[-1] = (out[-1][0], c + half, "noise")
        else:
            out.append((c - half, c + half, "noise"))
    return out


def with_unlabelled_noise(streams: list[LabelledStream], cfg, train_fn) -> list[LabelledStream]:
    """``streams`` with the unlabelled windows a model of their labels calls noise with
    probability >= cfg.unlabelled_noise labelled noise. ``train_fn(streams, folder, cfg)``
    trains that first model (the same settings, the option off)."""
    window: WindowConfig = cfg.window
    half = window.length / window.rate / 2
    with temp_scratch("silkpipe-unlabelled-") as tmp:
        first = tmp / "labels-only"
        train_fn(streams, first, replace(cfg, unlabelled_noise=0.0))
        predictor = Predictor(first)  # loaded once, not once per session
        out, added = [], 0.0
        for stream in streams:
            gaps = unlabelled_spans(stream)
            spans: list[tuple] = []
            if gaps:
                w = make_windows([session_stream(stream.name, stream.motion, gaps)], window)
                keep = noise_probability(predictor, w.core()) >= cfg.unlabelled_noise
                spans = _merged(w.times[keep], half)
            labels = [(iv.start, iv.end, iv.label) for iv in stream.intervals]
            out.append(
                replace(
                    stream,
                    intervals=session_stream(stream.name, stream.motion, labels + spans).intervals,
                )
            )
            added += sum(b - a for a, b, _ in spans)
    log.info("unlabelled session time called noise: %.0f s labelled noise", added)
    return out
