"""Transcripts and command extraction on the real WhisperX outputs."""

from __future__ import annotations

import json

import pytest

from silkpipe.errors import InputError, one_line
from silkpipe.transcripts import Word, extract_commands, load_transcript, parse_transcript

# Commands per class in each real WhisperX transcript (../shared/data), as extracted.
EXPECTED = {
    "20251017_143217_session": {"jump": 6, "punch": 36, "turn": 14, "walk": 32, "idle": 5, "noise": 22},
    "20251017_143627_session": {"jump": 45, "punch": 155, "turn": 80, "walk": 263, "idle": 40, "noise": 30},
    "20251017_125600_session": {"jump": 78, "punch": 195, "turn": 59, "walk": 244, "idle": 48, "noise": 23},
    "20251017_135458_session": {"jump": 55, "punch": 118, "turn": 93, "walk": 96, "idle": 24, "noise": 22},
    "20251017_141539_session": {"jump": 60, "punch": 101, "turn": 63, "walk": 55, "idle": 43, "noise": 26},
}  # fmt: skip


def test_real_transcripts_command_counts(data_dir):
    found = {}
    for path in sorted(data_dir.glob("*/*/whisperx_output.json")):
        extraction = extract_commands(load_transcript(path))
        found[path.parent.name] = extraction.counts()
        times = [c.start for c in extraction.commands]
        assert times == sorted(times)
    assert found == EXPECTED


def words(*texts):
    return [Word(t, float(i), float(i) + 0.3, 0.9) for i, t in enumerate(texts)]


def test_whole_words_only_and_mishearings():
    got = extract_commands(words("return", "turned", "Jump!", "Idol", "either", "noice", "attack"))
    assert [c.cls for c in got.commands] == ["jump", "idle", "idle", "noise", "punch"]


def test_phrases_take_the_first_word_time():
    got = extract_commands(words("walk", "start", "this", "is", "noise", "turn", "left"))
    assert [(c.cls, c.start, c.text) for c in got.commands] == [
        ("walk", 0.0, "walk start"),
        ("noise", 2.0, "this is noise"),
        ("turn", 5.0, "turn left"),
    ]


def test_untimed_and_low_score_words_are_rejected_with_reason():
    ws = [Word("jump", None, None, None), Word("punch", 1.0, 1.2, 0.01)]
    got = extract_commands(ws, min_score=0.1)
    assert got.commands == []
    assert [r["reason"] for r in got.rejected] == ["no timestamp", "score 0.01 < 0.1"]


def test_plain_whisper_probability_and_word_segments():
    ws = parse_transcript(
        {"word_segments": [{"word": " Punch", "start": 1, "end": 2, "probability": 0.7}]}
    )
    assert ws == [Word(" Punch", 1.0, 2.0, 0.7)]


def test_empty_transcript_yields_no_commands():
    assert extract_commands(parse_transcript({"segments": []})).commands == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "not a JSON object"),
        ({"text": "hi"}, "neither 'segments' nor 'word_segments'"),
        ({"segments": [{"words": [{"word": "jump", "start": "x"}]}]}, "start is 'x'"),
        ({"segments": "nope"}, "'segments' is not a list"),
    ],
)
def test_garbled_transcripts(data, message):
    with pytest.raises(InputError, match=message):
        parse_transcript(data, session="s", path="t.json")


def test_invalid_json_file(tmp_path):
    path = tmp_path / "whisperx_output.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match="invalid JSON"):
        load_transcript(path, session="s")


def test_a_time_too_large_for_a_float_is_bad_input_naming_the_word():
    """A word time written as a 401-digit integer raised OverflowError in the finite check:
    the transcribe step recorded it as a fault (run exit 1), not as the user's bad file."""
    import pytest

    from silkpipe.errors import InputError

    doc = {"segments": [{"words": [{"word": "jump", "start": 10**400, "end": 1.0}]}]}
    with pytest.raises(InputError, match=r"segments\[0\]\.words\[0\]: start is an integer too"):
        parse_transcript(doc, session="s", path="whisperx_output.json")


def test_a_transcript_appended_to_itself_is_refused_naming_the_first_copy(data_dir, tmp_path):
    """Its segments twice: every command came twice at one time and the labels were cut
    differently (86 -> 143 labels of 20251017_143217), without a word."""
    real = data_dir / "sessions" / "20251017_143217_session" / "whisperx_output.json"
    doc = json.loads(real.read_text())
    first = len(doc["segments"])
    doc["segments"] += doc["segments"]
    path = tmp_path / "whisperx_output.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as refused:
        load_transcript(path, session="s")
    line = one_line(refused.value)
    assert "session s" in line and str(path) in line and "\n" not in line
    assert f"segments[{first}].words[0] is a copy of an earlier word" in line


def test_a_stray_copied_word_is_read(data_dir):
    real = data_dir / "sessions" / "20251017_143217_session" / "whisperx_output.json"
    doc = json.loads(real.read_text())
    words = doc["segments"][0]["words"]
    words.append(dict(words[0]))
    assert len(parse_transcript(doc, session="s")) == 171


def test_segments_with_text_but_no_word_list_are_refused_naming_them(data_dir):
    """Whisper run without word timestamps: every segment keeps its text, none a word list.
    Read as no words, the session was excluded as "only 0 command(s) found" (20251017_143217:
    115 commands said), blaming the speech."""
    real = data_dir / "sessions" / "20251017_143217_session" / "whisperx_output.json"
    doc = json.loads(real.read_text())
    for segment in doc["segments"]:
        del segment["words"]
    del doc["word_segments"]
    with pytest.raises(InputError) as refused:
        parse_transcript(doc, session="s", path="whisperx_output.json")
    line = one_line(refused.value)
    assert "segments[0] has text but no 'words' list" in line
    assert "without word timestamps" in line and "session s" in line


def test_segments_with_empty_word_lists_still_read_as_no_words():
    """A transcript of silence (segments with a words list, empty) is no words, not bad."""
    doc = {"segments": [{"text": " you", "start": 0.0, "end": 1.0, "words": []}]}
    assert parse_transcript(doc) == []
