"""Label error per spoken word: where a session's output labels put each said gesture."""

from __future__ import annotations

import numpy as np
import pytest

from silkpipe.word_labels import (
    spoken_words,
    word_false_pass,
    word_label_errors,
    word_summary,
)

OFFSET = 5.0  # t_session = t_audio + OFFSET
#: Four spoken gestures (session time) and one the player kept quiet.
GESTURES = [
    (10.0, 11.0, "jump", True),
    (20.0, 20.8, "punch", True),
    (25.0, 26.0, "turn", False),
    (40.0, 41.2, "turn", True),
    (50.0, 51.0, "jump", True),
]


def _truth() -> dict:
    """A realistic truth: every gesture, which were said, and each word 0.1 s after its
    gesture starts (a gesture of the same class 1 s before a word is not its gesture)."""
    return {
        "offset_s": OFFSET,
        "gestures": [{"class": c, "start": a, "end": b, "spoken": s} for a, b, c, s in GESTURES],
        "commands": [
            {"class": c, "audio_start": a + 0.1 - OFFSET, "imu_time": a + 0.1}
            for a, _, c, s in GESTURES
            if s
        ],
    }


def _rows(clock_error_after_30s: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows on the rebuilt clock, the same rows in session time), 150 rows/s for 60 s: the
    rebuilt clock is right up to 30 s and ``clock_error_after_30s`` off after (a loss
    sized wrong)."""
    true = np.arange(0.0, 60.0, 1 / 150)
    return true + np.where(true > 30.0, clock_error_after_30s, 0.0), true


def _labels_at(offset_s: float, words) -> list:
    """Labels as the align step places them at ``offset_s``: each starting 0.05 s after
    its word on the label clock (word_to_peak less event_lead)."""
    return [(w.audio_start + offset_s + 0.05, w.audio_start + offset_s + 0.7, w.cls) for w in words]


def test_words_pair_with_the_gestures_they_name():
    words = spoken_words(_truth())
    assert [(w.cls, w.start) for w in words] == [
        ("jump", 10.0),
        ("punch", 20.0),
        ("turn", 40.0),
        ("jump", 50.0),
    ]
    # a session without "gestures" (synth, block sessions): its intervals are the gestures
    plain = {"intervals": [[10.0, 11.0, "jump"], [12.0, 13.0, "walk"]], "commands": []}
    plain["commands"] = [{"class": "walk", "audio_start": 7.2, "imu_time": 12.2}]
    assert [(w.cls, w.start, w.end) for w in spoken_words(plain)] == [("walk", 12.0, 13.0)]


def test_a_clock_fault_puts_words_off_where_the_offset_is_right():
    """The offset is exactly right, but the rebuilt clock runs 1 s fast after 30 s: the
    labels of the two words after 30 s mark rows made 1 s before their gestures. The offset
    error calls the session right; word by word half its labels are 1 s off."""
    words = spoken_words(_truth())
    rows, true = _rows(1.0)
    errors = word_label_errors(words, _labels_at(OFFSET, words), OFFSET, 1.0, rows, true)
    assert errors == [pytest.approx(e, abs=0.01) for e in (0.15, 0.15, -0.85, -0.85)]
    summary = word_summary(errors)
    assert summary["words"] == 4 and summary["unlabelled"] == 0
    assert summary["within_0_3s"] == 0.5 and summary["within_0_5s"] == 0.5
    assert summary["over_0_5s"] == 0.5
    assert summary["median_abs_error_s"] == pytest.approx(0.5, abs=0.01)
    row = {"excluded": False, "offset_error": 0.0, "word_labels": summary}
    assert word_false_pass(row)
    assert not word_false_pass({**row, "excluded": True})  # only sessions through the gate
    # a right clock: every label within 0.3 s, no word-level false pass
    right = word_summary(
        word_label_errors(words, _labels_at(OFFSET, words), OFFSET, 1.0, *_rows(0.0))
    )
    assert right["within_0_3s"] == 1.0 and not word_false_pass({**row, "word_labels": right})


def test_a_clock_error_can_cancel_an_offset_error():
    """The fit is 0.6 s late, the rebuilt clock 0.6 s fast from the start: the offset error
    says off, yet every label marks the rows of its gesture (stop 43's 575_03)."""
    words = spoken_words(_truth())
    true = np.arange(0.0, 60.0, 1 / 150)
    fitted = OFFSET + 0.6
    errors = word_label_errors(words, _labels_at(fitted, words), fitted, 1.0, true + 0.6, true)
    assert errors == [pytest.approx(0.15, abs=0.01)] * 4


def test_a_word_without_its_own_label_has_none():
    """The first word's label is missing; a label of another class, and one of its class
    2 s later (the next gesture's), are not its label."""
    words = spoken_words(_truth())
    labels = _labels_at(OFFSET, words)[1:]
    labels += [(10.1, 10.8, "punch"), (12.3, 13.0, "jump")]
    errors = word_label_errors(words, labels, OFFSET, 1.0, *_rows(0.0))
    assert errors[0] is None and all(e is not None for e in errors[1:])
    summary = word_summary(errors)
    assert summary["unlabelled"] == 1 and summary["within_0_3s"] == 0.75
    # no offset (refused before the search): every word unlabelled
    assert word_label_errors(words, labels, None, 1.0, *_rows(0.0)) == [None] * 4
    empty = word_summary([])
    assert empty["words"] == 0 and empty["median_abs_error_s"] is None


def test_the_fitted_scale_places_the_words():
    """A count-clock fit's scale: t_label = a * t_audio + offset."""
    words = spoken_words(_truth())
    rows, true = _rows(0.0)
    scale = 0.99
    fitted = OFFSET + 0.01 * 30.0  # right at audio time 30 s, the scale's error elsewhere
    labels = [
        (scale * w.audio_start + fitted + 0.05, scale * w.audio_start + fitted + 0.7, w.cls)
        for w in words
    ]
    errors = word_label_errors(words, labels, fitted, scale, rows, true)
    expected = [0.15 + 0.01 * (30.0 - w.audio_start) for w in words]
    assert errors == [pytest.approx(e, abs=0.01) for e in expected]
