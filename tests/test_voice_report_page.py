"""What score-voice shows: its words line says every figure as a share of the words, and
its page wraps the summary's long lines and says which strip is the truth (walk52)."""

from __future__ import annotations

from silkpipe.voice_report import _word_lines, write_report

PASSED_WORDS = {
    "words": 93,
    "unlabelled": 16,
    "within_0_3s": 0.65,
    "within_0_5s": 0.77,
    "over_0_5s": 0.05,
    "median_abs_error_s": 0.125,
}


def _result() -> dict:
    offset = {"within_0_3s": 1.0, "sessions": 0, "within_1s": 1.0, "median_abs_error_s": 0}
    offset |= {"word_false_passes": 0, "passed_words": PASSED_WORDS}
    return {
        "backend": "faster-whisper",
        "sessions": {},
        "offset": offset,
        "labels": {},
        "controls": {"excluded": 0, "n": 0},
        "models": {},
        "errors": [],
    }


def test_words_without_a_label_are_a_share_beside_the_other_shares():
    """It read "... more than 0.5 s off: 5%, no label: 16": a count among shares."""
    (line,) = [x for x in _word_lines(_result()["offset"]) if "no label" in x]
    assert "no label: 17% (16);" in line


def test_the_page_wraps_the_summary_and_names_the_truth_strip(tmp_path):
    page = write_report(tmp_path, _result(), {}).read_text()
    assert "white-space:pre-wrap" in page  # a long line ran past the page's edge
    assert "the strip under the motion is the truth" not in page  # that strip is the words
    assert "solid strip, the true labels" in page


def test_scores_on_evaluation_clips_the_sessions_were_built_from_say_so():
    """score-voice --clips clips-dev on sessions built from clips-dev scored every model on
    151 clips it was trained on; only the JSON's eval_clips_seen_in_training said so, the
    printed macro-F1s read as held out (walk52)."""
    from silkpipe.voice_report import summary_lines

    result = _result() | {"models": {"voice": {"macro_f1": 0.5}, "clips": {"macro_f1": 0.6}}}
    assert not [x for x in summary_lines(result) if "not wholly held out" in x]
    printed = summary_lines(result | {"eval_clips_seen_in_training": ["a", "b"]})
    (note,) = [x for x in printed if "not wholly held out" in x]
    assert note.startswith("note: 2 of the evaluation clips (--clips) were trained on")
