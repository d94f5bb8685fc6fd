"""run's transcribe step says where each transcript came from: on a re-run it showed
"transcribe: 4/4 session, 7 s" and nothing of re-use, as align and the report did not
either (walk52)."""

from __future__ import annotations

import logging

import badinputs

from silkpipe.pipeline import transcribe_all, upload_inputs
from silkpipe.steps import TranscribeConfig
from silkpipe.store import open_store

OWN = badinputs.GOOD[0]  # carries whisperx_output.json: no recogniser runs


def test_the_transcribe_step_says_what_it_transcribed_and_what_it_re_used(tmp_path, caplog):
    files = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
    badinputs.copy_session(OWN, tmp_path / "sessions", OWN, files=files)
    store_uri = str(tmp_path / "store")
    sessions = upload_inputs(open_store(store_uri), tmp_path / "sessions", run_id="r")
    said = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="silkpipe.pipeline"):
            failed = transcribe_all(
                store_uri, "r", sessions, TranscribeConfig(), workers=1, progress=False
            )
        assert failed == {}
        said += [r.getMessage() for r in caplog.records if r.name == "silkpipe.pipeline"]
    assert said == [
        "transcripts: 1 the session's own whisperx_output.json",
        "transcripts: 1 re-used from this run",
    ]
