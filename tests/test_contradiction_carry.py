"""A session the first pass refused because its self-trained class evidence contradicts the
offset keeps that contradiction in the session-class rounds (review38d L1,
bench/notes/l1carry.txt): the round's model is fixed and never contradicts, so its silence
is no evidence; only its route (or energy at sure_quality) passes such a session."""

from __future__ import annotations

from dataclasses import replace

from silkpipe.alignment import AlignConfig
from silkpipe.class_evidence import ClassTest
from silkpipe.gate import CLASS_CONTRADICTS, CONTRADICTED_BEFORE, Evidence, decide, gate_levels
from silkpipe.signature import SignatureTest
from silkpipe.steps import align as step
from silkpipe.store import open_store
from tests.conftest import what_rounds_hand

UNTESTED = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
ENERGY_P = 1 / 41  # the floor of 40 shuffles


def _round(quality: float, class_p: float, **kw) -> Evidence:
    """A session-class round's evidence: the run's other sessions' model at ``class_p``."""
    cls = ClassTest(separation=-1.0, p_value=class_p, words=12, classes=3, model="sessions")
    return Evidence(quality=quality, p_value=ENERGY_P, sig=UNTESTED, cls=cls, **kw)


def test_a_round_passes_a_contradicted_session_only_where_its_model_confirms():
    """Energy at min_quality (or just under it, energy_allowance) with a model that neither
    confirms nor fits the words better away passes a round: the hole when the first pass's
    self-trained class evidence contradicted the offset. Carried, it refuses there; the
    model's route, or energy at sure_quality, still passes."""
    cfg = AlignConfig()
    levels = gate_levels(cfg)
    for quality in (levels.min_quality + 0.5, levels.min_quality - 0.3):
        silent = _round(quality, 0.5, lag_margin=1.0)
        assert decide(silent, cfg, False, []) == (False, "", "energy")
        excluded, reason, gate = decide(replace(silent, contradicted=True), cfg, False, [])
        assert excluded and gate == CONTRADICTED_BEFORE
        assert "own class test contradicted it" in reason
        assert "does not find the gesture words' classes here (p=0.5000)" in reason
        confirms = _round(quality, 0.001, lag_margin=1.0, contradicted=True)
        assert not decide(confirms, cfg, False, [])[0]
        moved = replace(confirms, moved=True)
        for ev in (confirms, moved):  # named for the route: energy alone did not pass it
            assert decide(ev, cfg, False, []) == (False, "", "session classes")
    away = _round(levels.min_quality + 0.5, 0.001, lag_margin=-1.0, contradicted=True)
    assert decide(away, cfg, False, [])[:1] == (True,)  # its words fit better elsewhere
    sure = _round(levels.sure_quality, 0.5, lag_margin=1.0, contradicted=True)
    assert decide(sure, cfg, False, []) == (False, "", "energy")


def test_a_contradicted_refusal_says_what_the_rounds_model_lacked():
    """The refusal names the part of the model's route that failed: a small class p that
    does not confirm (energy p not fair, or the words fitting better elsewhere) is not
    told "does not confirm it (p=0.0010)", and no offset is claimed to be the first pass's."""
    cfg = AlignConfig()
    levels = gate_levels(cfg)
    quality = levels.min_quality + 0.5

    def reason(ev: Evidence) -> str:
        excluded, why, gate = decide(ev, cfg, False, [])
        assert excluded and gate == CONTRADICTED_BEFORE, (excluded, gate)
        return why

    unfair = replace(_round(quality, 0.001, lag_margin=1.0, contradicted=True), p_value=0.5)
    assert "finds the gesture words' classes here (p=0.0010)" in reason(unfair)
    assert "not beside a fair energy fit (energy p=0.50)" in reason(unfair)
    away = _round(quality, 0.001, lag_margin=-1.0, best_away_s=2.5, contradicted=True)
    assert "fit the motion better +2.50 s from this offset" in reason(away)
    for ev in (unfair, away):
        assert f"only from {round(max(levels.sure_quality, levels.min_quality), 2)}" in reason(ev)
        assert "at this offset" not in reason(ev) and "does not confirm" not in reason(ev)


def _result(gate: str, excluded: bool = True, inputs: dict | None = None):
    report = dict(excluded=excluded, gate=gate, offset_s=1.0, quality=6.5, class_model="self")
    return report | {"inputs": inputs or {}}, ""


def test_the_rounds_carry_the_first_pass_contradiction(tmp_path):
    """Each round aligns a refused session with the first-pass verdict it records: from its
    first-pass gate (a re-used first pass too), or from an earlier class-model result's
    inputs."""
    results = {
        "passed": _result("energy", excluded=False),
        "contradicted": _result(CLASS_CONTRADICTS),
        "chance": _result("at chance"),
        "earlier-round": _result("at chance", inputs={"first_pass": "contradicted"}),
    }
    seen = what_rounds_hand(tmp_path, results, lambda c: c.first_pass, _result("at chance"))
    assert seen == {
        "contradicted": "contradicted",
        "chance": "refused",
        "earlier-round": "contradicted",
    }


def _fake_gate(calls: list):
    """An align_session whose verdicts are set per session (the gate is tested above):
    "b" refused by its self-trained class evidence alone, passed on energy with a class
    model unless the contradiction is carried; the others pass at sure_quality."""
    from silkpipe.alignment import AlignmentReport

    def align_session(session, motion, commands, cfg, *, clip_model=None, contradicted=False, **_):
        calls.append((session, clip_model is not None, contradicted))
        refused = session == "b" and (clip_model is None or contradicted)
        gate = "energy" if not refused else CONTRADICTED_BEFORE if clip_model else CLASS_CONTRADICTS
        report = AlignmentReport(
            session=session,
            offset_s=0.0,
            offset_confidence=5.0,
            quality=6.5 if session == "b" else 9.0,
            quality_p_value=ENERGY_P,
            event_energy_contrast=1.0,
            excluded=refused,
            reason="refused" if refused else "",
            gate=gate,
            class_model="sessions" if clip_model else "self",
        )
        return [], report

    return align_session


def _three_sessions(tmp_path):
    """A store with synthetic sessions a, b, c uploaded and transcribed (run "r")."""
    import json

    from silkpipe.pipeline import upload_inputs
    from silkpipe.synth import generate
    from silkpipe.voice_score import oracle_transcript, transcribe_all

    summary = generate(tmp_path / "data", sessions=3, seed=5, clips_per_class=0, duration=60)
    sessions = tmp_path / "data" / "sessions"
    for old, new in zip(summary["sessions"], ("a", "b", "c"), strict=True):
        (sessions / old).rename(sessions / new)
        truth = json.loads((sessions / new / "truth.json").read_text())
        (sessions / new / "whisperx_output.json").write_text(json.dumps(oracle_transcript(truth)))
    store = open_store(str(tmp_path / "store"))
    upload_inputs(store, sessions)
    assert (
        transcribe_all(str(tmp_path / "store"), ["a", "b", "c"], "r", "faster-whisper", None, 1)
        == {}
    )
    return store


def test_the_align_step_carries_the_contradiction_across_runs(tmp_path, monkeypatch):
    """align_run: "b" (refused: its own class evidence contradicts) is aligned with the other
    sessions' class model with the contradiction carried, and its published inputs say so;
    aligned again (another session's transcript bytes changed: a new model key), its first
    pass is not run again (its recorded verdict is re-used), and the round still carries it."""
    import json

    from silkpipe import session_classes
    from silkpipe.steps import align_run

    store = _three_sessions(tmp_path)
    calls: list = []
    monkeypatch.setattr(step, "align_session", _fake_gate(calls))
    monkeypatch.setattr(session_classes, "fit_session_model", lambda sessions: object())
    cfg = AlignConfig(class_channel_weight=0.0)
    figures = align_run(store, "r", cfg, progress=False)
    assert figures["excluded"] == {"b": "refused"}
    assert ("b", False, False) in calls and ("b", True, True) in calls
    assert ("b", True, False) not in calls
    labels = json.loads((tmp_path / "store/runs/r/labels.json").read_text())
    assert labels["sessions"]["b"]["first_pass"] == "contradicted"
    calls.clear()
    path = tmp_path / "store/runs/r/transcripts/c.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=3))
    align_run(store, "r", cfg, progress=False)
    assert [c for c in calls if c[0] == "b"] == [("b", True, True)]


def test_score_voice_carries_a_controls_contradiction_into_its_retest():
    """score-voice re-tests a refused shifted control with the other sessions' class model
    as the step re-tests a refused session: a first refusal by the self-trained class
    evidence is carried into that re-test; any other refusal is not."""
    from silkpipe.voice_score import _with_session_classes

    seen = []

    def control(clip_model=None, contradicted=False):
        seen.append(contradicted)
        return {"excluded": True, "gate": "at chance"}

    for gate in (CLASS_CONTRADICTS, "at chance"):
        again = _with_session_classes({"excluded": True, "gate": gate}, control, object())
        assert again["tested_with"] == "sessions"
    assert seen == [True, False]


def test_a_changed_transcript_drops_the_recorded_contradiction(tmp_path, monkeypatch):
    """A session published "contradicted" whose transcript then changes is aligned on its own
    again, and the rounds take its new first-pass verdict, never the stale record: here the
    new first pass is refused for another reason, so no contradiction is carried; with
    --force the first pass's verdict is taken over the record the same way."""
    import json

    from silkpipe import session_classes
    from silkpipe.steps import align_run

    store = _three_sessions(tmp_path)
    calls: list = []
    contradicts = {"b": True}
    fake = _fake_gate(calls)

    def align_session(session, motion, commands, cfg, *, clip_model=None, contradicted=False, **kw):
        _, report = fake(session, motion, commands, cfg, clip_model=clip_model, **kw)
        if session == "b" and clip_model is None and not contradicts["b"]:
            report.gate = "at chance"
        calls[-1] = (session, clip_model is not None, contradicted)
        return [], report

    monkeypatch.setattr(step, "align_session", align_session)
    monkeypatch.setattr(session_classes, "fit_session_model", lambda sessions: object())
    cfg = AlignConfig(class_channel_weight=0.0)
    align_run(store, "r", cfg, progress=False)
    labels = json.loads((tmp_path / "store/runs/r/labels.json").read_text())
    assert labels["sessions"]["b"]["first_pass"] == "contradicted"
    calls.clear()
    contradicts["b"] = False
    path = tmp_path / "store/runs/r/transcripts/b.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=3))
    align_run(store, "r", cfg, progress=False)
    assert [c for c in calls if c[0] == "b"] == [("b", False, False), ("b", True, False)]
    labels = json.loads((tmp_path / "store/runs/r/labels.json").read_text())
    assert labels["sessions"]["b"]["first_pass"] == "refused"
    calls.clear()
    contradicts["b"] = True  # --force: the first pass runs again and its verdict is taken
    align_run(store, "r", cfg, progress=False, force=True)
    assert [c for c in calls if c[0] == "b"] == [("b", False, False), ("b", True, True)]
