"""Label error per spoken word: where a session's output labels put each said gesture.

The offset error (fitted offset minus the true one) ignores the session's rebuilt clock:
a clock that misplaces a loss moves every label after it while the offset stays right, and
a clock error can cancel an offset error (issue 24, bench/notes/sc43.txt). This scores what
a user gets instead: for each spoken word, the label silkpipe placed for it on the output
label timeline (rebuilt clock, fitted offset and scale), mapped back to true time through
the rows it marks, against the true gesture the word names.

Reference point: the start, label start against gesture start, for every class. A label
is shorter than its gesture (an event label is cut to the motion burst, a walk/idle label
covers only the first seconds after its word), so centres differ by half the difference in
length even where the label sits right; starts agree (bench/notes/word44.txt). A word
inside a longer noise-run label (noise_run_words in a row) has no start of its own: none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A word's label is the one of its class whose start is nearest the word's time x on the
#: label clock (clock_scale * audio time + offset), among those starting in [x - before,
#: x + after]: an event label starts word_to_peak_s - event_lead_s after it, give or take
#: the snap to its peak, a state label at it (later where cut to agreeing motion), and
#: Whisper's word times are not the true ones.
SEARCH_BEFORE_S = 0.5
SEARCH_AFTER_S = 1.5
#: The per-word tolerances scored, and the share of words more than OFF_S off that makes a
#: passed session a word-level false pass (issue 24).
WITHIN_S = (0.3, 0.5)
OFF_S = 0.5
OFF_SHARE = 0.2
#: A word names a gesture of its class starting this near its session time (a player speaks
#: a little before or after starting: realistic.speech_script's reaction lag).
PAIR_S = 1.5


@dataclass(frozen=True)
class SpokenWord:
    """A said command and the true gesture it names (session time, truth.json's clock)."""

    cls: str
    audio_start: float
    start: float
    end: float


def spoken_words(truth: dict) -> list[SpokenWord]:
    """Each truth command paired with the true gesture of its class it names: realistic
    sessions list their spoken gestures (truth.json "gestures"), other sessions their
    intervals. A command is paired with the nearest unpaired gesture of its class whose
    start lies within PAIR_S of the word's session time; commands without one are left out."""
    if "gestures" in truth:
        spans = [(g["start"], g["end"], g["class"]) for g in truth["gestures"] if g["spoken"]]
    else:
        spans = [(a, b, c) for a, b, c in truth["intervals"]]
    free = sorted(spans)
    out = []
    for c in sorted(truth.get("commands", []), key=lambda c: c["audio_start"]):
        at = c.get("imu_time")
        if at is None or "class" not in c:
            continue
        near = [s for s in free if s[2] == c["class"] and abs(s[0] - at) <= PAIR_S]
        if near:
            best = min(near, key=lambda s: abs(s[0] - at))
            free.remove(best)
            out.append(SpokenWord(c["class"], float(c["audio_start"]), best[0], best[1]))
    return out


def word_label_errors(
    words: list[SpokenWord],
    intervals: list,
    offset_s: float | None,
    clock_scale: float,
    rows: np.ndarray,
    true_times: np.ndarray,
) -> list[float | None]:
    """Per word: its label's start in true time minus its gesture's start (s), None where
    no label of its class starts near where the fit put the word. ``intervals``:
    (start, end, label) on the label clock; ``rows``/``true_times``: every sensor row's
    time on that clock and in session time (voice_score.SessionClock)."""
    if offset_s is None or not len(rows):
        return [None] * len(words)
    order = np.argsort(rows, kind="stable")
    xp, fp = rows[order], true_times[order]
    out: list[float | None] = []
    for w in words:
        x = clock_scale * w.audio_start + offset_s
        start = label_start(w.cls, x, intervals)
        out.append(None if start is None else round(float(np.interp(start, xp, fp)) - w.start, 3))
    return out


def label_start(cls: str, x: float, intervals: list) -> float | None:
    """The start (label clock) of the label of class ``cls`` placed for a word at ``x``:
    the nearest start to x in the search window (None: no label there)."""
    starts = [
        a for a, _, c in intervals if c == cls and x - SEARCH_BEFORE_S <= a <= x + SEARCH_AFTER_S
    ]
    return min(starts, key=lambda a: abs(a - x)) if starts else None


def word_summary(errors: list[float | None]) -> dict:
    """A session's per-word figures: shares are of every spoken word (a word with no label
    is neither within nor off), the median over labelled words."""
    n = len(errors)
    got = np.abs([e for e in errors if e is not None])
    out: dict = {"words": n, "unlabelled": n - len(got)}
    out["median_abs_error_s"] = round(float(np.median(got)), 3) if len(got) else None
    for tol in WITHIN_S:
        key = f"within_{str(tol).replace('.', '_')}s"
        out[key] = round(float((got <= tol).sum() / n), 4) if n else None
    out["over_0_5s"] = round(float((got > OFF_S).sum() / n), 4) if n else None
    out["errors_s"] = errors
    return out


def word_false_pass(row: dict) -> bool:
    """A session through the gate with more than OFF_SHARE of its words' labels more than
    OFF_S off (the offset reading: silkpipe.voice_score.session_row's false_pass)."""
    words = row.get("word_labels") or {}
    return not row.get("excluded", True) and (words.get("over_0_5s") or 0.0) > OFF_SHARE
