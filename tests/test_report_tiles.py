"""The report's summary tiles say what this run did: audio a session brought its own
transcript for was not transcribed here."""

from __future__ import annotations

import json
import re

from silkpipe.report import _load_artifacts, _summary_section
from silkpipe.store import FileStore, put_json

OWN = "20251017_143217_session"  # carries whisperx_output.json: no ASR ran on it
HEARD = "20251017_110929_session"  # transcribed by silkpipe
RUN = "r"


def _tiles(store) -> dict[str, str]:
    page = "".join(_summary_section(store, _load_artifacts(store, RUN)))
    return dict(re.findall(r'<div class="tile">([^<]+)<b>([^<]+)</b></div>', page))


def test_audio_transcribed_counts_only_sessions_transcribed_here(tmp_path, data_dir):
    store = FileStore(tmp_path / "store")
    for name in (OWN, HEARD):
        meta = (data_dir / "sessions" / name / "metadata.json").read_bytes()
        store.put_bytes(f"sessions/{name}/metadata.json", meta)
    assert json.loads(store.get_bytes(f"sessions/{OWN}/metadata.json"))["audio_duration_sec"] > 200
    own = json.loads((data_dir / "sessions" / OWN / "whisperx_output.json").read_text())
    own["silkpipe"] = {"backend": "session-whisperx-output", "source": "whisperx_output.json"}
    put_json(store, f"runs/{RUN}/transcripts/{OWN}.json", own)
    heard = {"segments": [], "silkpipe": {"audio_seconds": 16.9, "wall_seconds": 6.5}}
    put_json(store, f"runs/{RUN}/transcripts/{HEARD}.json", heard)
    put_json(store, f"runs/{RUN}/inputs.json", {"sessions": {OWN: {}, HEARD: {}}})
    tiles = _tiles(store)
    assert tiles["audio transcribed"] == "17 s"  # not 17 + the 229 s OWN's metadata names
    assert tiles["transcription speed"] == "2.6× real time"


def test_no_session_transcribed_here_shows_no_speed(tmp_path, data_dir):
    store = FileStore(tmp_path / "store")
    meta = (data_dir / "sessions" / OWN / "metadata.json").read_bytes()
    store.put_bytes(f"sessions/{OWN}/metadata.json", meta)
    own = json.loads((data_dir / "sessions" / OWN / "whisperx_output.json").read_text())
    own["silkpipe"] = {"backend": "session-whisperx-output"}
    put_json(store, f"runs/{RUN}/transcripts/{OWN}.json", own)
    put_json(store, f"runs/{RUN}/inputs.json", {"sessions": {OWN: {}}})
    tiles = _tiles(store)
    assert tiles["audio transcribed"] == "—" and tiles["transcription speed"] == "—"


def test_a_session_refused_before_any_offset_shows_no_clock_factor_or_p(tmp_path, data_dir):
    """align writes clock_scale 1.0 and signature_p 1.0 for a session it never fitted
    (too few commands): the page must not show them as measured."""
    from silkpipe.report import _clock

    store = FileStore(tmp_path / "store")
    csv = (data_dir / "sessions" / HEARD / "sensor_data.csv").read_bytes()
    store.put_bytes(f"sessions/{HEARD}/sensor_data.csv", csv)
    refused = {
        "excluded": True,
        "reason": "only 2 command(s) found; at least 4 needed",
        "offset_s": None,
        "clock_scale": 1.0,
        "signature_p": 1.0,
        "unlabelled_commands": 0,
    }
    _, line = _clock(store, {"session": HEARD, "report": refused})
    assert "no offset estimated" in line and "only 2 command(s)" in line
    assert "class-signature p 1.000" not in line and "clock factor 1.0000" not in line
    fitted = {**refused, "excluded": False, "offset_s": 0.5, "signature_p": 0.02}
    _, line = _clock(store, {"session": HEARD, "report": fitted})
    assert "offset +0.50 s, class-signature p 0.020" in line


def test_labelled_counts_no_session_the_gate_excluded(tmp_path):
    """An excluded session's label file holds no interval: 'labelled 2, excluded 1' for
    one labelled session misread as two."""
    store = FileStore(tmp_path / "store")
    put_json(store, f"runs/{RUN}/labels/{OWN}.json", {"excluded": False, "quality": 5.5})
    refused = {"excluded": True, "reason": "only 2 command(s) found; at least 4 needed"}
    put_json(store, f"runs/{RUN}/labels/{HEARD}.json", refused)
    put_json(store, f"runs/{RUN}/inputs.json", {"sessions": {OWN: {}, HEARD: {}}})
    tiles = _tiles(store)
    assert (tiles["sessions"], tiles["labelled"], tiles["excluded"]) == ("2", "1", "1")


def test_a_run_id_reused_on_other_sessions_shows_only_the_run_s_own(tmp_path):
    """run A --run-id r, then run B --run-id r: A's transcript stays under runs/r, but
    inputs.json and the label set hold B's sessions only, and so must the page."""
    from silkpipe.report import build_report, run_sessions

    store = FileStore(tmp_path / "store")
    earlier, own = "20260105_100030_session", [OWN, HEARD]
    for name in [earlier, *own]:
        put_json(store, f"runs/{RUN}/transcripts/{name}.json", {"segments": []})
    for name in own:
        put_json(store, f"runs/{RUN}/labels/{name}.json", {"excluded": False, "quality": 6.0})
    put_json(store, f"runs/{RUN}/labels/summary.json", {"sessions": own, "failed": {}})
    put_json(store, f"runs/{RUN}/inputs.json", {"sessions": {name: {} for name in own}})
    assert run_sessions(store, RUN) == sorted(own)
    assert _tiles(store)["sessions"] == "2"
    page = store.get_bytes(build_report(store, RUN)).decode()
    assert earlier not in page and OWN in page and HEARD in page


def test_without_inputs_json_a_transcribed_session_is_still_shown(tmp_path):
    """A run whose inputs were never recorded names its sessions by what it wrote."""
    from silkpipe.report import run_sessions

    store = FileStore(tmp_path / "store")
    put_json(store, f"runs/{RUN}/transcripts/{HEARD}.json", {"segments": []})
    assert run_sessions(store, RUN) == [HEARD]


def test_the_held_out_score_tile_says_how_many_windows_it_was_scored_on():
    """The real sessions' model is scored on one session's 36 windows: the tile showed
    "macro-F1 (held out) 0.729" with nothing to weigh it by (walk52)."""
    from silkpipe.report import _score_tile

    tile = _score_tile({"macro_f1": 0.7291, "windows": 36, "accuracy": 0.833})
    assert tile == ("macro-F1 (held out, 36 windows)", "0.729")
    assert _score_tile({"macro_f1": 0.5}) == ("macro-F1 (held out)", "0.500")
