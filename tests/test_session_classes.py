"""The cross-session class model (silkpipe.session_classes): without clips, a session the gate
refused is aligned again with the class model of the run's passed sessions.

One ``silkpipe run`` (no clips) on three real sessions: 143217 and 143627 carry their WhisperX
transcripts and pass the gate on their own; 135233 (audio only: the bundled Whisper) is refused
on its own ("class choice unconfirmed") and passes with the model of the other two.

The mechanism is tested with the energy-only offset search (``--class-channel-weight 0``),
where these sessions show it, and without the floor on a moved offset's lag margin
(``--class-moved-margin``), which refuses 135233 there where its margin falls under the
floor (0.83 to 1.21, by the CPU's kernels and torch's threads). With class channels in the
search (the default) 135233 passes
on its own and 143217 is the one the other sessions' classes pass
(test_the_default_run_passes_all_three_real_sessions).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.cli import main
from silkpipe.gate import MOVED_WEAKLY, ONE_CLASS_UNCHECKED
from silkpipe.labels import read_labels_csv
from silkpipe.session_classes import fit_session_model
from silkpipe.sessions import load_session
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.voice_score import _with_session_classes, shifted_control

RUN = "sc"
ENERGY = AlignConfig(class_channel_weight=0.0)  # the offset search on motion energy alone
REFUSED = "20251017_135233_session"
PASSED = ["20251017_143217_session", "20251017_143627_session"]


def _labels(root: Path) -> Path:
    run = root / "store/runs" / RUN
    return run / "labels" / json.loads((run / "labels.json").read_text())["version"]


#: the mechanism's runs: no floor on a moved offset's lag margin (it refuses 135233 there)
NO_MOVED_FLOOR = ("--class-moved-margin", "none")


def _align(root: Path, *options: str) -> int:
    """The energy-only search, with ``options`` added."""
    argv = ["align", "--store", str(root / "store"), "--run-id", RUN]
    return main(argv + ["--class-channel-weight", "0", *options])


@pytest.fixture(scope="module")
def finished(tmp_path_factory, data_dir):
    root = tmp_path_factory.mktemp("session-classes")
    for name in [REFUSED, *PASSED]:
        shutil.copytree(data_dir / "sessions" / name, root / "data" / name)
    argv = ["run", str(root / "data"), "--store", str(root / "store"), "--run-id", RUN]
    assert main(argv + ["--workers", "1"]) == 0
    labels = _labels(root)
    default = {n: json.loads((labels / f"{n}.json").read_text()) for n in [REFUSED, *PASSED]}
    (root / "default-run.json").write_text(json.dumps(default))
    assert _align(root, *NO_MOVED_FLOOR) == 0
    return root


def test_the_default_run_passes_all_three_real_sessions(finished):
    """With class channels in the search, 135233 passes on its own near -0.14 s (where the
    other sessions' classes put it on energy alone), 143627 too, and 143217 (+2.7 s, below
    the lifted quality level on its own) with the class model of the other two."""
    reports = json.loads((finished / "default-run.json").read_text())
    for name, report in reports.items():
        assert not report["excluded"], (name, report["reason"])
    assert reports[REFUSED]["offset_s"] == pytest.approx(-0.14, abs=0.3)
    late = reports["20251017_143217_session"]
    assert late["offset_s"] == pytest.approx(2.7, abs=0.5)
    assert late["class_model"] == "sessions" and "session classes" in late["gate"]


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
    _, alone = align_session(REFUSED, motion, _words(finished, REFUSED), ENERGY)
    assert alone.excluded and alone.class_model == "self"


def _report_with_floor(root: Path, floor: float) -> dict:
    assert _align(root, "--class-moved-margin", f"{floor:.3f}") == 0
    return json.loads((_labels(root) / f"{REFUSED}.json").read_text())


def test_the_moved_margin_floor_refuses_a_moved_offset_under_it(finished, copy):
    """The other sessions' model moves 135233 off the best energy peak in the energy-only
    search; under class_moved_margin that lag margin is refused (MOVED_WEAKLY), over it the
    offset passes. The margin itself depends on the CPU's kernels and torch's threads
    (0.83 and 0.96 on stop 49's machine, under the default floor of 1.0; 1.21 on stop 51's,
    over it): a test of the default's verdict failed on one machine, so the floor is set
    just over and just under what this machine reads."""
    margin = json.loads((_labels(finished) / f"{REFUSED}.json").read_text())["class_lag_margin"]
    over = _report_with_floor(copy, margin + 0.05)
    assert over["excluded"] and over["gate"] == MOVED_WEAKLY, over["reason"]
    under = _report_with_floor(copy, margin - 0.05)
    assert not under["excluded"] and under["gate"] == "session classes", under["reason"]
    assert under["offset_s"] == pytest.approx(-0.14, abs=0.3)


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
        out = shifted_control(REFUSED, motion, words, -0.14, shift, ENERGY, model)
        assert out["outcome"] == "excluded", out
    _, swapped = align_session("control", motion, _words(finished, PASSED[0]), clip_model=model)
    assert swapped.excluded, swapped.reason


def test_the_reuse_key_follows_the_inputs_of_the_sessions_the_model_saw(copy):
    run = copy / "store/runs" / RUN
    before = json.loads((run / "labels.json").read_text())
    assert _align(copy, *NO_MOVED_FLOOR) == 0
    assert json.loads((run / "labels.json").read_text())["version"] == before["version"]
    path = run / "transcripts" / f"{PASSED[1]}.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=3))  # same words, new bytes
    assert _align(copy, *NO_MOVED_FLOOR) == 0
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

    def control(clip_model=None, contradicted=False):
        return shifted_control(REFUSED, motion, words, -0.14, 1.8, ENERGY, clip_model, contradicted)

    first = control()
    assert first["excluded"], first
    again = _with_session_classes(first, control, fit_session_model(others))
    assert again["tested_with"] == "sessions" and again["outcome"] == "excluded", again
    assert again["class_p_value"] is not None  # the sessions' model was weighed
    assert _with_session_classes(first, control, fit_session_model([])) is first


# ---- the veto: a weak energy pass answers to the other passed sessions' class model ----

R84 = [f"real084_0{i}_session" for i in range(4)]
ENERGY84 = replace(ENERGY, one_class_needs_profile=False)  # run84's: the veto under test


@pytest.fixture(scope="module")
def run84(tmp_path_factory, data_dir):
    """Realistic run seed 84 (R12's training clips, 30 gestures, oracle words) through upload,
    transcribe (each session's own words) and align: where a 5-20 s shifted control of
    real084_01 passed the first pass on energy alone, one gesture period off. Delivered
    without the host's stalls, as when the case was found: with them seed 84's control is
    refused on its own, and the veto would go untested. The one-class rule is off
    (ENERGY84) for the same reason: with it the first pass refuses real084_01's words."""
    import functools

    import silkpipe.realistic
    from bench.voice_path import REALISTIC_RUNS, split_clips
    from silkpipe.delivery import deliver
    from silkpipe.pipeline import upload_inputs
    from silkpipe.steps import align_run
    from silkpipe.store import open_store
    from silkpipe.voice_score import oracle_transcript, transcribe_all

    root = tmp_path_factory.mktemp("run84")
    train, _ = split_clips(data_dir / "clips-dev", REALISTIC_RUNS[0], root / "clips")
    argv = ["synth", "--from-clips", str(train), "--out", str(root / "data"), "--realistic"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(silkpipe.realistic, "deliver", functools.partial(deliver, stalls=False))
        assert main(argv + ["--seed", "84", "--gestures", "30"]) == 0
    for name in R84:
        truth = json.loads((root / "data" / name / "truth.json").read_text())
        (root / "data" / name / "whisperx_output.json").write_text(
            json.dumps(oracle_transcript(truth))
        )
    store = open_store(str(root / "store"))
    upload_inputs(store, root / "data")
    assert transcribe_all(str(root / "store"), R84, RUN, "faster-whisper", None, 1) == {}
    align_run(store, RUN, ENERGY84, progress=False)
    return root


def _words84(root: Path, name: str) -> tuple:
    from silkpipe.voice_score import oracle_transcript

    truth = json.loads((root / "data" / name / "truth.json").read_text())
    words = extract_commands(parse_transcript(oracle_transcript(truth), session=name)).commands
    return truth, load_session(root / "data" / name).motion(), words


def test_a_control_passed_on_weak_energy_is_refused_by_the_other_sessions_classes(run84):
    """real084_01's words 17 s off: with the one-class rule off the first pass passes them
    on energy (quality 3.97 < sure 8), 1.8 s from the truth; the class model of real084_03
    (passed) puts the words' classes elsewhere, so score-voice's control ends refused, as
    the align step's veto refuses. With the rule on (the default) the first pass refuses
    them already: no class model trained elsewhere confirms the words' one class there."""
    truth, motion, words = _words84(run84, R84[1])
    t3, m3, w3 = _words84(run84, R84[3])
    labels3, alone = align_session(R84[3], m3, w3, ENERGY)
    assert not alone.excluded

    def control(clip_model=None, contradicted=False, cfg=ENERGY84):
        offset = truth["offset_s"]
        return shifted_control(R84[1], motion, words, offset, 17.014, cfg, clip_model, contradicted)

    first = control()
    assert first["outcome"] == "false pass" and first["weak_energy_pass"], first
    again = _with_session_classes(first, control, fit_session_model([(m3, labels3)]))
    assert again["outcome"] == "excluded" and again["gate"] == "class evidence peaks elsewhere"
    assert control(cfg=ENERGY)["gate"] == ONE_CLASS_UNCHECKED


def test_weak_energy_passes_are_realigned_with_the_other_sessions_classes(run84):
    """The align step: real084_01 and real084_03 pass the first pass on energy below
    sure_quality; each is aligned again with the model of the other (never its own labels),
    and that verdict is published; the refused real084_00 is re-tested with both."""
    labels = _labels(run84)
    reports = {n: json.loads((labels / f"{n}.json").read_text()) for n in R84}
    for name, other in ((R84[1], R84[3]), (R84[3], R84[1])):
        report = reports[name]
        assert report["class_model"] == "sessions" and report["class_sessions"] == [other]
        assert report["inputs"]["first_pass"] == "passed" and "classes" in report["inputs"]
        assert report["quality"] < ENERGY.sure_quality and not report["excluded"]
    assert reports[R84[0]]["class_sessions"] == [R84[1], R84[3]]
    assert reports[R84[0]]["inputs"]["first_pass"] == "refused"


def test_the_veto_key_follows_the_other_sessions_inputs(run84, tmp_path):
    """Re-running re-uses the veto's verdicts; new transcript bytes of real084_03 change the
    key of real084_01's veto (its model's session), not that of its own veto's model."""
    shutil.copytree(run84 / "store", tmp_path / "store")
    run = tmp_path / "store/runs" / RUN
    before = json.loads((run / "labels.json").read_text())
    assert _align(tmp_path, "--no-one-class-needs-profile") == 0  # run84's settings
    assert json.loads((run / "labels.json").read_text())["version"] == before["version"]
    path = run / "transcripts" / f"{R84[3]}.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=3))
    assert _align(tmp_path, "--no-one-class-needs-profile") == 0
    after = json.loads((run / "labels.json").read_text())["sessions"]
    assert after[R84[1]]["classes"] != before["sessions"][R84[1]]["classes"]
    old3, new3 = before["sessions"][R84[3]], after[R84[3]]  # its model saw real084_01 only
    assert new3["classes"] == old3["classes"] and new3["transcript"] != old3["transcript"]


def test_the_veto_verdict_stands_and_never_uses_the_session_itself(tmp_path):
    """Only passes on energy below sure_quality without a fixed model are re-aligned, each
    with a model of the OTHER first-pass passes; a refusal by that model is what remains."""
    from silkpipe.steps import align as step

    def result(gate, quality, excluded=False, model="self"):
        report = dict(excluded=excluded, gate=gate, quality=quality, class_model=model)
        return report | {"inputs": {}}, ""

    results = {
        "weak": result("energy", 5.0),
        "sure": result("energy", 9.0),
        "signature": result("class signature", 3.0),
        "refused": result("at chance", 1.0, excluded=True),
    }
    seen = []

    def classes(first, passed):
        seen.append(passed)
        return step.SessionClasses(model=None, trainers=passed, key="k")  # type: ignore[arg-type]

    def align(session, classes):
        assert classes.first_pass == "passed"
        return {
            **result("class evidence peaks elsewhere", 5.0, True)[0],
            "by": classes.trainers,
        }, ""

    from silkpipe.store import open_store

    store = open_store(str(tmp_path))
    tried = step._session_veto(store, "r", ENERGY, classes, align, results, {}, False)
    assert seen == [["signature", "sure"]] and tried == {"weak": ["signature", "sure"]}
    assert results["weak"][0]["excluded"] and results["weak"][0]["by"] == ["signature", "sure"]
    assert not results["sure"][0]["excluded"]
