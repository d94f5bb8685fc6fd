"""Spotting gestures in continuous sessions that carry a truth.json (`silkpipe synth`).

Stitched held-out clips (spotting.stitch) put still filler between gestures; a realistic
session (`synth --from-clips --realistic`) is one stream with real non-gesture motion
between gestures, unsaid gestures and a host-arrival clock with backlogs, losses and
stalls: closer to play. Each session is loaded the way the align step loads it (the
session parser's time model) and its truth is moved onto that clock with score-voice's
code (voice_score.session_clock, truth_on_clock). The model is slid over the whole stream
and detected and scored exactly as on stitched streams (spotting.slide, detect, match):
every truth gesture counts, said or not (the model does not hear words); a gesture's event
time is its motion peak inside its truth span; a detection on filler motion or on another
class's gesture is a false positive. A gesture the stream did not deliver is not scored:
none of its rows arrived, or the model's core window on its motion peak (the window
evaluation cuts there) holds too few arrived rows to be cut (dataset.delivered); it is
neither found nor missed, and a detection matching it is no error. The motion between
gestures is truth too (truth.json's filler_motion: walk, idle, noise and baseline
recordings), moved onto the same clock: a walk, idle or noise run lying on filler of its
own class is no error, one on another state's filler is (spotting.match's filler rule).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from silkpipe.dataset import (
    LabelledStream,
    WindowConfig,
    _smoothed_energy,
    delivered,
    session_stream,
)
from silkpipe.errors import InputError, one_line, read_user_text
from silkpipe.sessions import Motion
from silkpipe.spotting import Span, Truth, add_counts, detect, event_scores, match, slide
from silkpipe.vocabulary import EVENT_CLASSES

log = logging.getLogger(__name__)
NEEDS = "spotting on sessions needs synth sessions"


@dataclass
class TruthSession:
    """A session on the aligner's clock: its labelled stream (truth spans as labels, for
    window scores) and every gesture's truth with its motion peak (for events)."""

    stream: LabelledStream
    truth: list[Truth]
    undelivered: int = 0  # truth gestures none of whose rows arrived (not scored)
    filler: list[Span] | None = None  # the motion between gestures; None: not recorded


def load_truth_session(folder: Path) -> TruthSession:
    """One session folder (sensor_data.csv + truth.json) on the session parser's clock."""
    from silkpipe.voice_score import read_truth, session_clock, truth_on_clock

    name = folder.name
    truth = read_truth(folder, NEEDS)
    path = folder / "sensor_data.csv"
    text = read_user_text(path, session=name)
    clock = session_clock(text, truth, name, source=str(path))
    spans = [(a, b, c) for a, b, c in truth_on_clock(clock, truth) if b > a]
    if truth["intervals"] and not spans:  # scored, its detections would all be errors
        raise InputError(
            f"none of its {len(truth['intervals'])} gesture intervals lies on the stream "
            "(times outside sensor_data.csv's rows?): not scored",
            session=name,
            path=str(folder / "truth.json"),
        )
    peaks = [Truth(c, a, b, motion_peak(clock.motion, a, b)) for a, b, c in spans]
    lost = len(truth["intervals"]) - len(spans)
    filler = None
    if "filler_motion" in truth:
        moved = truth_on_clock(clock, {"intervals": truth["filler_motion"]})
        filler = [(a, b, c) for a, b, c in moved if b > a]
    return TruthSession(session_stream(name, clock.motion, spans), peaks, lost, filler)


def motion_peak(motion: Motion, start: float, end: float) -> float:
    """The time of the most energetic (smoothed) sample inside [start, end]: the event
    time spotting.stitch gives a clip; the span's middle when no sample lies inside."""
    i0 = int(np.searchsorted(motion.t, start))
    i1 = int(np.searchsorted(motion.t, end, side="right"))
    if i1 <= i0:
        return (start + end) / 2
    return float(motion.t[i0 + int(np.argmax(_smoothed_energy(motion, i0, i1)))])


def load_truth_sessions(folders: list[Path]) -> tuple[list[TruthSession], dict[str, str]]:
    """Every folder that loads; a bad one is named in one error line and left out, so one
    bad session never sinks the others. Returns (sessions, {name: error})."""
    sessions, errors = [], {}
    for folder in folders:
        try:
            sessions.append(load_truth_session(folder))
        except Exception as err:  # noqa: BLE001 - one bad session never sinks the others
            errors[folder.name] = one_line(err, session=folder.name)
            log.error("%s", errors[folder.name])
    return sessions, errors


def scored_truth(session: TruthSession, cfg: WindowConfig) -> tuple[list[Truth], list[Truth]]:
    """(scored, undelivered): a gesture whose motion-peak window the model's config would
    refuse to cut (too few rows arrived) is not scored; state segments always are."""
    motion = session.stream.motion
    scored: list[Truth] = []
    short: list[Truth] = []
    for t in session.truth:
        centre = min(max(motion.index_of(t.peak), 0), len(motion.t) - 1)
        ok = t.label not in EVENT_CLASSES or delivered(motion.valid, centre, cfg)
        (scored if ok else short).append(t)
    return scored, short


def spot_sessions(predictor, sessions: list[TruthSession], cfg: WindowConfig) -> dict:
    """Event counts and per-class scores of a predictor slid over whole sessions
    (gestures the stream did not deliver are counted apart, not scored)."""
    total: dict = {}
    scored = short = 0
    for s in sessions:
        truth, undelivered = scored_truth(s, cfg)
        times, probs = slide(predictor, s.stream.motion, cfg)
        dets = detect(times, probs, list(predictor.labels), s.stream.motion)
        add_counts(total, match(truth, dets, s.filler, undelivered))
        scored, short = scored + len(truth), short + len(undelivered)
    return {
        "counts": total,
        "per_class": event_scores(total),
        "sessions": len(sessions),
        "gestures": scored,
        "gestures_undelivered": short + sum(s.undelivered for s in sessions),
        "gestures_undelivered_at_peak": short,
    }
