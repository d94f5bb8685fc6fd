"""A re-run with nothing changed aligns nothing, session-class rounds included (review39b L10):
a session that passes only in a later round keeps the verdicts its labels replaced (first
pass, earlier rounds) keyed by their inputs, so no round aligns it again; a change of its
inputs, or of the sessions a round's model was trained on, re-aligns it at that round."""

from __future__ import annotations

import json

import pytest

from silkpipe import session_classes
from silkpipe.alignment import AlignConfig, AlignmentReport
from silkpipe.gate import CLASS_CONTRADICTS
from silkpipe.steps import align as step
from silkpipe.steps import align_run
from silkpipe.store import open_store

CFG = AlignConfig(class_channel_weight=0.0)


class _Model:
    """A stand-in session-class model that knows only how many sessions trained it."""

    def __init__(self, sessions: int):
        self.sessions = sessions


def _fake_gate(calls: list, weak: str):
    """Verdicts set per session and model size: a and c pass on their own; d needs a model
    of two sessions (round 1); b (contradicted on its own) needs three (round 2). ``weak``
    passes on energy below sure_quality: the veto re-aligns it with the others' model."""

    def align_session(session, motion, commands, cfg, *, clip_model=None, contradicted=False, **_):
        n = 0 if clip_model is None else clip_model.sessions
        calls.append((session, n))
        ok = session in "ac" or (session == "d" and n >= 2) or (session == "b" and n >= 3)
        gate = "energy" if ok else CLASS_CONTRADICTS if session == "b" and not n else "at chance"
        report = AlignmentReport(
            session=session,
            offset_s=0.0,
            offset_confidence=5.0,
            quality=6.5 if session == weak else 9.0,
            quality_p_value=0.02,
            event_energy_contrast=1.0,
            excluded=not ok,
            reason="" if ok else "refused",
            gate=gate,
            class_model="sessions" if n else "self",
        )
        return [], report

    return align_session


@pytest.fixture(params=["", "c"], ids=["no-veto", "veto"])
def four(tmp_path, monkeypatch, request):
    """A store with synthetic sessions a-d uploaded and transcribed (run "r"), the gate
    faked (_fake_gate; c a weak pass in the "veto" case); returns (store folder, the list
    of align_session calls, c's calls in a first run)."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.synth import generate
    from silkpipe.voice_score import oracle_transcript, transcribe_all

    summary = generate(tmp_path / "data", sessions=4, seed=5, clips_per_class=0, duration=60)
    sessions = tmp_path / "data" / "sessions"
    for old, new in zip(summary["sessions"], "abcd", strict=True):
        (sessions / old).rename(sessions / new)
        truth = json.loads((sessions / new / "truth.json").read_text())
        (sessions / new / "whisperx_output.json").write_text(json.dumps(oracle_transcript(truth)))
    upload_inputs(open_store(str(tmp_path / "store")), sessions)
    assert (
        transcribe_all(str(tmp_path / "store"), list("abcd"), "r", "faster-whisper", None, 1) == {}
    )
    calls: list = []
    monkeypatch.setattr(step, "align_session", _fake_gate(calls, request.param))
    monkeypatch.setattr(session_classes, "fit_session_model", lambda s: _Model(len(s)))
    return tmp_path / "store", calls, [("c", 0), ("c", 1)] if request.param else [("c", 0)]


def _run(root, calls) -> tuple[dict, list]:
    """align_run once: (its figures, the align_session calls it made)."""
    calls.clear()
    figures = align_run(open_store(str(root)), "r", CFG, progress=False)
    return figures, list(calls)


def _labels(root) -> dict:
    """session -> (its published report, its labels CSV)."""
    prefix = (
        root / "runs/r/labels" / json.loads((root / "runs/r/labels.json").read_text())["version"]
    )
    return {
        s: ((prefix / f"{s}.json").read_text(), (prefix / f"{s}.csv").read_text()) for s in "abcd"
    }


def _touch(root, session: str) -> None:
    """Change a session's transcript bytes (same words): a new input hash."""
    path = root / f"runs/r/transcripts/{session}.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=3))


def test_a_rerun_aligns_a_later_round_pass_at_no_round(four):
    """b passes only in round 2 (d passes in round 1): the first run aligns b three times
    (and a weak pass c twice: on its own, then the veto); a second and a third run with
    nothing changed align nothing and publish the same labels."""
    root, calls, c_calls = four
    figures, made = _run(root, calls)
    assert [c for c in made if c[0] == "b"] == [("b", 0), ("b", 2), ("b", 3)]
    assert [c for c in made if c[0] == "c"] == c_calls
    assert figures["excluded"] == {}
    first = _labels(root)
    for _ in range(2):
        figures, made = _run(root, calls)
        assert made == []
        assert figures["reused"] == 1 and figures["excluded"] == {}
        assert _labels(root) == first


def test_a_changed_input_realigns_exactly_the_rounds_it_feeds(four):
    """d's input feeds round 2's model only: b is aligned again at round 2 alone. a's feeds
    round 1's model (and so round 2's): b at both rounds. b's own: its first pass and both
    rounds (a weak pass c: its veto, whose model a trained, at a's change alone). A --force
    run aligns everything, and the run after it nothing."""
    root, calls, c_calls = four
    _run(root, calls)
    _touch(root, "d")
    made = _run(root, calls)[1]
    assert [c for c in made if c[0] == "b"] == [("b", 3)]
    assert [c for c in made if c[0] == "d"] == [("d", 0), ("d", 2)]
    _touch(root, "a")
    made = _run(root, calls)[1]
    assert [c for c in made if c[0] == "b"] == [("b", 2), ("b", 3)]
    assert [c for c in made if c[0] == "c"] == c_calls[1:]  # the veto's model is a's
    _touch(root, "b")
    made = _run(root, calls)[1]
    assert made == [("b", 0), ("b", 2), ("b", 3)]
    assert _run(root, calls)[1] == []
    calls.clear()
    align_run(open_store(str(root)), "r", CFG, progress=False, force=True)
    assert sorted(calls) == sorted(
        [("a", 0), ("b", 0), ("d", 0), ("b", 2), ("d", 2), ("b", 3), *c_calls]
    )
    assert _run(root, calls)[1] == []


def test_an_edited_rounds_file_is_never_taken_as_a_verdict(four):
    """rounds/<session>.json edited after publishing (a refusal turned into a pass): the
    label set's file hashes tell it, so every session is aligned again, not re-used from it;
    a rounds file the pointer does not list is never read."""
    root, calls, c_calls = four
    _run(root, calls)
    first = _labels(root)
    version = json.loads((root / "runs/r/labels.json").read_text())["version"]
    rounds = root / "runs/r/labels" / version / "rounds"
    doc = json.loads((rounds / "b.json").read_text())
    doc[0]["report"]["excluded"] = False
    (rounds / "b.json").write_text(json.dumps(doc))
    assert ("b", 0) in _run(root, calls)[1]
    assert _labels(root) == first
    version = json.loads((root / "runs/r/labels.json").read_text())["version"]
    (root / "runs/r/labels" / version / "rounds" / "a.json").write_text(json.dumps(doc))
    assert _run(root, calls)[1] == []
