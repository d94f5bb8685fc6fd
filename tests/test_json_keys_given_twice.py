"""A key given twice with two values in a JSON file a user gives: the parser kept the last
without a word. Only session_metadata.json refused it (bad_input_sweep59); a session's
metadata.json, a transcript, a truth.json and a model's config.json read on (a date or a
word's time corrected by a line added above the old one; bad_input_sweep60)."""

from __future__ import annotations

import json
import shutil

import pytest

from silkpipe.errors import InputError
from silkpipe.transcripts import load_transcript
from silkpipe.voice_score import read_truth

SESSION = "20251017_143217_session"


def _said_twice(err: pytest.ExceptionInfo, key: str, path) -> None:
    text = str(err.value)
    assert f"key {key!r} given twice, with two values" in text and str(path) in text, text


def test_a_sessions_metadata_date_given_twice_is_named_and_dates_nothing(
    tmp_path, data_dir, caplog
):
    """As the train step reads it from the store: a broken metadata.json is named and
    dates nothing (it only dates a session); the later date was taken without a word."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.steps.common import read_run_inputs
    from silkpipe.steps.train import _metadata
    from silkpipe.store import open_store

    folder = tmp_path / "sessions" / SESSION
    shutil.copytree(data_dir / "sessions" / SESSION, folder)
    meta = folder / "metadata.json"
    text = meta.read_text()
    meta.write_text(
        text.replace('"duration_sec"', '"recording_date": "2025-10-18",\n "duration_sec"')
    )
    store = open_store(str(tmp_path / "store"))
    upload_inputs(store, tmp_path / "sessions", run_id="r")
    assert _metadata(store, read_run_inputs(store, "r"), SESSION) == {}
    (said,) = [r.getMessage() for r in caplog.records if "given twice" in r.getMessage()]
    assert "key 'recording_date' given twice, with two values" in said and str(meta) in said


def test_a_transcript_word_start_given_twice_is_refused(tmp_path):
    path = tmp_path / "whisperx_output.json"
    word = '{"word": "jump", "start": 1.0, "end": 1.3, "start": 4.0}'
    segment = {"text": "jump", "start": 1.0, "end": 1.3, "words": ["WORD"]}
    path.write_text(json.dumps({"segments": [segment]}).replace('"WORD"', word))
    with pytest.raises(InputError) as err:
        load_transcript(path, session="s")
    _said_twice(err, "start", path)


def test_a_truth_json_key_given_twice_is_refused(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "truth.json").write_text('{"offset_s": 1.0, "events": [], "offset_s": 2.0}')
    with pytest.raises(InputError) as err:
        read_truth(folder)
    _said_twice(err, "offset_s", folder / "truth.json")


def test_a_key_repeated_with_its_own_value_still_reads(tmp_path):
    path = tmp_path / "whisperx_output.json"
    path.write_text('{"segments": [], "language": "en", "language": "en"}')
    assert load_transcript(path, session="s") == []
