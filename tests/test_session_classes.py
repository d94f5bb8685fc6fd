"""The cross-session class model (silkpipe.session_classes): without clips, a session the gate
refused is aligned again with the class model of the run's passed sessions.

One ``silkpipe run`` (no clips) on three real sessions: 143217 and 143627 carry their WhisperX
transcripts and pass the gate on their own; 135233 (audio only: the bundled Whisper) is refused
on its own ("class choice unconfirmed") and passes with the model of the other two.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.cli import main
from silkpipe.labels import read_labels_csv
from silkpipe.session_classes import fit_session_model
from silkpipe.sessions import load_session
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.voice_score import _with_session_classes, shifted_control

RUN = "sc"
REFUSED = "20251017_135233_session"
PASSED = ["20251017_143217_session", "20251017_143627_session"]


def _labels(root: Path) -> Path:
    run = root / "store/runs" / RUN
    return run / "labels" / json.loads((run / "labels.json").read_text())["version"]


def _align(root: Path) -> int:
    return main(["align", "--store", str(root / "store"), "--run-id", RUN])


@pytest.fixture(scope="module")
def finished(tmp_path_factory, data_dir):
    root = tmp_path_factory.mktemp("session-classes")
    for name in [REFUSED, *PASSED]:
        shutil.copytree(data_dir / "sessions" / name, root / "data" / name)
    argv = ["run", str(root / "data"), "--store", str(root / "store"), "--run-id", RUN]
    assert main(argv + ["--workers", "1"]) == 0
    return root


@pytest.fixture
def copy(finished, tmp_path):
    shutil.copytree(finished / "store", tmp_path / "store")
    return tmp_path


def _words(root: Path, name: str) -> list:
    transcript = json.loads(
        (root / "store/runs" / RUN / "transcripts" / f"{name}.json").read_text()
    )
    return extract_commands(parse_transcript(transcript, session=name)).commands


def test_a_refused_session_passes_only_with_the_other_sessions_classes(finished, data_dir):
    report = json.loads((_labels(finished) / f"{REFUSED}.json").read_text())
    assert not report["excluded"], report["reason"]
    assert report["class_model"] == "sessions" and "session classes" in report["gate"]
    assert report["class_sessions"] == PASSED and "classes" in report["inputs"]
    assert report["offset_s"] == pytest.approx(-0.14, abs=0.3)
    for name in PASSED:  # they passed on their own: no model, no class sessions
        passed = json.loads((_labels(finished) / f"{name}.json").read_text())
        assert not passed["excluded"] and "class_sessions" not in passed
    motion = load_session(data_dir / "sessions" / REFUSED).motion()
    _, alone = align_session(REFUSED, motion, _words(finished, REFUSED))
    assert alone.excluded and alone.class_model == "self"


def test_controls_stay_refused_with_the_session_classes(finished, data_dir):
    """One-period and 5-20 s shifted words, and another session's words, on 135233's motion:
    all refused although its model (the other two sessions) is used."""
    model = fit_session_model(
        [
            (
                load_session(data_dir / "sessions" / n).motion(),
                read_labels_csv(_labels(finished) / f"{n}.csv"),
            )
            for n in PASSED
        ]
    )
    assert model is not None and model.source == "sessions"
    motion = load_session(data_dir / "sessions" / REFUSED).motion()
    words = _words(finished, REFUSED)
    for shift in (-2.2, 1.8, 12.0):
        out = shifted_control(REFUSED, motion, words, -0.14, shift, AlignConfig(), model)
        assert out["outcome"] == "excluded", out
    _, swapped = align_session("control", motion, _words(finished, PASSED[0]), clip_model=model)
    assert swapped.excluded, swapped.reason


def test_the_reuse_key_follows_the_inputs_of_the_sessions_the_model_saw(copy):
    run = copy / "store/runs" / RUN
    before = json.loads((run / "labels.json").read_text())
    assert _align(copy) == 0
    assert json.loads((run / "labels.json").read_text())["version"] == before["version"]
    path = run / "transcripts" / f"{PASSED[1]}.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=3))  # same words, new bytes
    assert _align(copy) == 0
    after = json.loads((run / "labels.json").read_text())
    old, new = before["sessions"][REFUSED], after["sessions"][REFUSED]
    assert new["classes"] != old["classes"]
    assert {k: v for k, v in new.items() if k != "classes"} == {
        k: v for k, v in old.items() if k != "classes"
    }
    assert after["sessions"][PASSED[0]] == before["sessions"][PASSED[0]]


def test_no_session_model_without_two_event_classes_to_tell_apart(finished, data_dir):
    """One passed session is enough; labels of one event class (and walk/idle/noise) are not:
    such a model cannot score a class sequence, and the refused session keeps its refusal."""
    name = PASSED[1]
    motion = load_session(data_dir / "sessions" / name).motion()
    labels = read_labels_csv(_labels(finished) / f"{name}.csv")
    assert fit_session_model([]) is None
    assert fit_session_model([(motion, labels)]) is not None
    one_class = [iv for iv in labels if iv.label not in ("jump", "punch")]
    assert fit_session_model([(motion, one_class)]) is None


def test_score_voice_retests_a_refused_control_with_the_other_sessions_classes(finished, data_dir):
    """score-voice's shifted controls go through the route the align step gives a refused
    session without clips: the other passed sessions' class model (none: the first verdict)."""
    others = [
        (
            load_session(data_dir / "sessions" / n).motion(),
            read_labels_csv(_labels(finished) / f"{n}.csv"),
        )
        for n in PASSED
    ]
    motion = load_session(data_dir / "sessions" / REFUSED).motion()
    words = _words(finished, REFUSED)

    def control(clip_model=None):
        return shifted_control(REFUSED, motion, words, -0.14, 1.8, AlignConfig(), clip_model)

    first = control()
    assert first["excluded"], first
    again = _with_session_classes(first, control, others)
    assert again["tested_with"] == "sessions" and again["outcome"] == "excluded", again
    assert again["class_p_value"] is not None  # the sessions' model was weighed
    assert _with_session_classes(first, control, []) is first
