"""The voice-path score: controls, label overlap, and a small end-to-end run against truth."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from silkpipe import synth
from silkpipe.sessions import find_sessions
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_report import summary_lines
from silkpipe.voice_score import (
    clock_pairs,
    label_landing,
    label_overlap,
    labelled_share,
    make_controls,
    oracle_transcript,
    played_clips,
    score_voice,
    session_clock,
    session_row,
    share_within,
    source_clips,
    true_spans,
    truth_on_clock,
)
from tests.conftest import score_voice_two_sessions


def test_label_overlap_counts_time():
    j, p = CLASSES.index("jump"), CLASSES.index("punch")
    pred = np.array([j, j, j, j, -1, p, p])
    true = np.array([j, j, -1, -1, -1, p, j])
    out = label_overlap([(pred, true)])
    assert out["jump"]["precision"] == pytest.approx(0.5)
    assert out["jump"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert out["punch"]["precision"] == pytest.approx(0.5)
    assert out["punch"]["recall"] == pytest.approx(1.0)
    assert out["walk"]["precision"] is None


def test_offset_share_counts_an_exact_estimate_and_misses_a_missing_one():
    rows = [
        {"offset_error": 0.0},
        {"offset_error": -0.29},
        {"offset_error": 0.31},
        {"offset_error": None},
    ]
    assert share_within(rows, 0.3) == 0.5
    assert share_within(rows, 1.0) == 0.75
    assert share_within([], 0.3) is None


def _sessions_built_from(tmp_path, clip_sets) -> tuple[list, dict]:
    """Session folders s0, s1, ... with their own sensor and audio bytes, and truths naming
    the clips each was built from."""
    folders, truths = [], {}
    for i, clips in enumerate(clip_sets):
        f = tmp_path / "in" / f"s{i}"
        f.mkdir(parents=True)
        (f / "sensor_data.csv").write_text(f"sensor {i}")
        (f / "audio_16k.wav").write_bytes(f"audio {i}".encode())
        folders.append(f)
        truths[f.name] = {"clips": clips}
    return folders, truths


def test_controls_take_audio_from_sessions_with_other_clips(tmp_path):
    sets = (["a", "b"], ["a", "b"], ["c"])  # 0 and 1 are twins
    donors = make_controls(*_sessions_built_from(tmp_path, sets), tmp_path / "out")
    assert donors == {
        "s0-shuffled-audio": "s2",
        "s1-shuffled-audio": "s2",
        "s2-shuffled-audio": "s0",
    }
    control = tmp_path / "out" / "s0-shuffled-audio"
    assert (control / "sensor_data.csv").read_text() == "sensor 0"
    assert (control / "audio_16k.wav").read_bytes() == b"audio 2"


def test_sessions_sharing_only_a_continuous_recording_lend_each_other_audio(tmp_path):
    """Every session plays pieces of walk_continuous: sharing that name is no shared motion,
    so each still gets a shuffled-audio control; a twin sharing a gesture sample does not."""
    sets = (
        ["jump_sample01", "walk_continuous"],
        ["jump_sample02", "walk_continuous"],
        ["jump_sample01", "walk_continuous"],
    )  # 0 and 2 share a gesture sample
    donors = make_controls(*_sessions_built_from(tmp_path, sets), tmp_path / "out")
    assert donors == {
        "s0-shuffled-audio": "s1",
        "s1-shuffled-audio": "s2",
        "s2-shuffled-audio": "s1",
    }


def test_the_clip_baseline_learns_the_clips_the_sessions_were_built_from(tmp_path):
    source = tmp_path / "clips"
    source.mkdir()
    for name in ("jump_1_to_2", "walk_3_to_4", "idle_5_to_6"):
        (source / f"{name}.csv").write_text("a clip")
    truths = {
        "s1": {"clips": ["jump_1_to_2"], "clips_dir": str(source)},
        "s2": {"clips": ["walk_3_to_4"], "clips_dir": str(source)},
    }
    linked = source_clips(truths, tmp_path / "linked")
    assert sorted(p.name for p in linked.iterdir()) == ["jump_1_to_2.csv", "walk_3_to_4.csv"]
    assert (linked / "jump_1_to_2.csv").read_text() == "a clip"
    # a truth that does not say where its clips are, or a clip that is gone: no guess
    assert source_clips({"s1": {"clips": ["jump_1_to_2"]}}, tmp_path / "x") is None
    other = tmp_path / "other"
    other.mkdir()
    (other / "jump_1_to_2.csv").write_text("another clip of the same name")
    twins = {"s1": truths["s1"], "s3": {"clips": ["jump_1_to_2"], "clips_dir": str(other)}}
    assert source_clips(twins, tmp_path / "z") is None
    again = source_clips(truths, tmp_path / "linked")  # a second run replaces the links
    assert sorted(p.name for p in again.iterdir()) == ["jump_1_to_2.csv", "walk_3_to_4.csv"]
    truths["s2"]["clips"] = ["gone_7_to_8"]
    assert source_clips(truths, tmp_path / "y") is None


def test_a_true_interval_on_one_row_of_the_clock_is_not_trained_on():
    """truth_on_clock puts a gesture whose rows share one clock time at one instant; the
    truth model's streams leave it out (session_stream refuses an empty span)."""
    from silkpipe.voice_score import SessionClock

    t = np.array([0.0, 0.02, 0.04, 0.06])
    clock = SessionClock(motion=None, rows=t, truth=t, kind="arrival")
    on_clock = truth_on_clock(clock, {"intervals": [[0.0, 0.05, "walk"], [0.06, 0.07, "jump"]]})
    assert on_clock == [[0.0, 0.04, "walk"], [0.06, 0.06, "jump"]]
    assert true_spans(on_clock) == [(0.0, 0.04, "walk")]


def test_played_clips_are_the_gestures_of_the_sessions_given():
    """The played-clips model learns only what the trained-on sessions labelled: not the
    filler clips, nor the clips of sessions the gate refused."""
    from types import SimpleNamespace

    streams = [SimpleNamespace(name=n) for n in ("jump_1_to_2", "walk_3_to_4", "noise_9")]
    truths = {
        "s1": {"clips": ["jump_1_to_2"], "filler_clips": ["noise_9"]},
        "s2": {"clips": ["walk_3_to_4"]},
    }
    assert [st.name for st in played_clips(streams, truths, ["s1"])] == ["jump_1_to_2"]
    both = played_clips(streams, truths, ["s1", "s2"])
    assert [st.name for st in both] == ["jump_1_to_2", "walk_3_to_4"]
    assert played_clips(streams, truths, []) == []


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("score")
    *sessions, _ = score_voice_two_sessions(root)
    # the sessions carry a perfect transcript (whisperx_output.json, taken as-is); their
    # shuffled-audio controls do not, so those go through the real Whisper backend
    for folder in sessions:
        truth = json.loads((folder / "truth.json").read_text())
        (folder / "whisperx_output.json").write_text(json.dumps(oracle_transcript(truth)))
    result = score_voice(
        root / "data" / "sessions",
        root / "eval" / "clips",
        store_uri=str(root / "store"),
        epochs=1,
        workers=2,
    )
    return root, result


def test_score_voice_end_to_end_with_a_perfect_transcriber(scored):
    root, result = scored
    assert set(result["sessions"]) == {f.name for f in find_sessions(root / "data" / "sessions")}
    for name, row in result["sessions"].items():
        assert row["commands_heard"] >= row["commands_said"] - 2, name
        assert abs(row["offset_error"]) < 1.0, (name, row)
    assert result["offset"]["within_1s"] == 1.0
    assert result["offset"]["gesture_sessions"] == len(result["sessions"])  # all have gestures
    assert result["offset"]["gesture_sessions_within_0_3s"] is not None
    # the shuffled-audio controls run through real Whisper and must all be gated out
    assert result["controls"]["n"] == 2
    assert result["controls"]["all_excluded"], result["controls"]
    used = [n for n, row in result["sessions"].items() if not row["excluded"]]
    assert result["sessions_trained_on"] == used  # only sessions that passed the gate
    if used:  # labels from a perfect transcript at the recovered offset mostly hit the truth
        for cls in ("jump", "punch", "turn"):
            assert result["labels"][cls]["precision"] > 0.3, result["labels"]
        assert 0.0 <= result["models"]["voice"]["macro_f1"] <= 1.0
        # the same sessions with their true labels: what the voice labels cost, apart
        assert 0.0 <= result["models"]["truth"]["macro_f1"] <= 1.0
        # and the voice model self-trained on every session's motion (refused ones too),
        # the labels unused: the adapt round's pool is that motion, slid whole
        assert result["sessions_self_trained_on"] == sorted(result["sessions"])
        assert 0.0 <= result["models"]["voice_adapted"]["macro_f1"] <= 1.0
        run = root / "store" / "runs" / "score-voice" / "score-voice"
        info = json.loads((run / "voice-adapted-model" / "adapt.json").read_text())
        assert info["pool_windows"] > 0 and len(info["rounds"]) == 2
        part = result["models"].get("taught_classes")
        if part is not None:  # some class no voice label taught: scored without it too
            assert set(part["classes"]) < set(CLASSES)
            assert {"voice", "truth", "clips", "f1_gap"} <= set(part)
    else:
        assert "voice" not in result["models"] and result["errors"]
    assert 0.0 <= result["models"]["clips"]["macro_f1"] <= 1.0  # SESSIONS_DIR/../clips
    assert result["eval_clips_seen_in_training"] == []
    for cls, landed in result["labels_land_on_all_sessions"].items():  # where label time lies
        if landed is not None:
            assert sum(landed.values()) == pytest.approx(1.0, abs=1e-3), (cls, landed)
            precision = result["labels_all_sessions"][cls]["precision"]
            assert landed["own_gesture"] == pytest.approx(precision, abs=1e-3), cls
    assert (root / "store" / "runs" / "score-voice" / "score-voice" / "clip-model").is_dir()
    assert result["transcribe_failed"] == {}
    # a page to check by eye: the numbers, and every session's labels over its truth
    page = root / "store" / "runs" / "score-voice" / "score-voice" / "score-voice.html"
    assert result["report"] == str(page)
    text = page.read_text()
    for name in result["sessions"]:
        assert name in text
        assert (page.parent / f"{name}.png").read_bytes().startswith(b"\x89PNG")


def test_score_voice_realigns_instead_of_reusing_old_labels(scored):
    """An evaluation must score the current aligner, not labels left by an earlier run."""
    root, result = scored
    name = next(iter(result["sessions"]))
    run = root / "store" / "runs" / "score-voice"
    version = json.loads((run / "labels.json").read_text())["version"]  # the published set
    key = run / "labels" / version / f"{name}.json"
    stale = json.loads(key.read_text())
    stale["offset_s"] = 99.0
    key.write_text(json.dumps(stale))
    again = score_voice(
        root / "data" / "sessions",
        root / "eval" / "clips",
        store_uri=str(root / "store"),
        epochs=1,
        workers=2,
        controls=False,
        seeds=2,
    )
    assert again["sessions"][name]["offset_est"] == result["sessions"][name]["offset_est"]
    # with seeds=2 every model is trained twice and its macro-F1 is the mean of the two
    per_seed = again["models"]["clips"]["macro_f1_per_seed"]
    assert len(per_seed) == 2
    assert again["models"]["clips"]["macro_f1"] == pytest.approx(sum(per_seed) / 2, abs=1e-4)
    assert (root / "store" / "runs" / "score-voice" / "score-voice" / "clip-model-seed1").is_dir()
    printed = "\n".join(summary_lines(again))  # what score-voice prints: the luck in view
    assert f"mean of seeds: {per_seed[0]}, {per_seed[1]}" in printed


def test_shifted_controls_search_only_around_the_wrong_offset(scored):
    _, result = scored
    shifted = result["shifted_controls"]
    assert shifted["n"] == 2 * len(result["sessions"])
    for name, row in shifted["sessions"].items():
        lo, hi = (1.5, 3.0) if name.endswith("-shift-period") else (5.0, 20.0)
        assert lo <= abs(row["shift_s"]) <= hi
        if row["offset_error"] is not None:  # the window ends 0.5 s short of the truth
            assert abs(row["offset_error"]) >= 0.5 - 0.35, row  # (word-to-peak, refinement)
            assert np.sign(row["offset_error"]) == np.sign(row["shift_s"]), row
        assert row["outcome"] in ("excluded", "false pass")
        # on the window's edge, the estimate is the window's end: 0.5 s short of the truth
        if row["at_window_edge"]:
            assert abs(abs(row["offset_error"]) - 0.5) <= 0.35, row
    assert shifted["false_passes"] == sum(not r["excluded"] for r in shifted["sessions"].values())
    assert 0 <= shifted["false_passes_at_window_edge"] <= shifted["false_passes"]
    json.dumps(shifted)  # plain types: the bench writes it as JSON
    assert "shifted-audio controls" in "\n".join(summary_lines(result))


def test_session_row_keeps_the_report_keys_and_flags_a_false_pass():
    report = {
        "offset_s": 3.2,
        "offset_confidence": 5.0,
        "quality": 4.5,
        "excluded": False,
        "reason": "",
        "time_model": {"kind": "count", "rate": 148.5},
    }
    row = session_row(report, {"offset_s": 1.0})
    for key in ("offset_s", "offset_confidence", "quality", "excluded", "reason", "time_model"):
        assert row[key] == report[key]
    assert row["offset_error"] == pytest.approx(2.2) and row["false_pass"]
    assert not session_row({**report, "excluded": True}, {"offset_s": 1.0})["false_pass"]
    assert not session_row(report, {"offset_s": 3.0})["false_pass"]
    assert "time_model" not in session_row({"offset_s": 1.0}, {"offset_s": 1.0})


_ROWS = (
    "0,0,0,,,,,,,,linear_acceleration",
    ",,,0,0,0,,,,,gyroscope",
    ",,,,,,1,0,0,0,rotation_vector",
)


def _session_csv(arrival: np.ndarray) -> str:
    """A session CSV whose rows (the three sensors in turn) arrive at ``arrival``."""
    lines = [synth.HEADER_LINE] + [f"{_ROWS[i % 3]},{float(a)!r}" for i, a in enumerate(arrival)]
    return "\n".join(lines) + "\n"


def _precision(pair: tuple[np.ndarray, np.ndarray], cls: str = "jump") -> float:
    pred, true = pair
    k = CLASSES.index(cls)
    return float(((pred == k) & (true == k)).sum() / max((pred == k).sum(), 1))


def test_labels_on_late_rows_are_scored_on_the_motion_those_rows_hold():
    """A jump made at session time 10-11 s arrives 5 s late (a loss-like step the aligner
    keeps on arrival time): a label at arrival 15-16 s is right, one at 10-11 s lies on
    unlabelled motion and counts wrong."""
    rate = 150.0
    session = np.arange(0, 30, 1 / rate)
    arrival = np.where(session < 5, session, session + 5.0)  # backlog of 5 s after 5 s
    truth = {
        "intervals": [[10.0, 11.0, "jump"]],
        "row_clock": [[0, 0.0], [len(session) - 1, float(session[-1])]],
    }
    clock = session_clock(_session_csv(arrival), truth, "late")
    assert clock.kind == "arrival"
    assert _precision(clock_pairs(clock, truth, [(15.0, 16.0, "jump")])) > 0.95
    wrong = clock_pairs(clock, truth, [(10.0, 11.0, "jump")])
    assert _precision(wrong) == 0.0 and labelled_share([wrong]) == 0.0
    assert truth_on_clock(clock, truth) == [
        [pytest.approx(15.0, abs=0.01), pytest.approx(16.0, abs=0.01), "jump"]
    ]


def test_labels_of_a_rebuilt_clock_are_scored_on_that_clock():
    """A stream made at 120 rows/s whose backlog grows to 6 s and drains is rebuilt on the
    count clock at the default 148.5 rows/s: the aligner's clock runs at 0.81 of session
    time. A jump made at session time 40-41 s sits at about 32.3-33.1 s on it; a label
    there is right, and a label at 40-41 s (session time) is not. The truth the truth-trained
    model learns from and the motion it is cut from are on that clock too."""
    rate = 120.0
    session = np.arange(0, 60, 1 / rate)
    backlog = np.interp(session, [0, 10, 20, 30, 60], [0, 0, 6, 0, 0])
    arrival = np.maximum.accumulate(session + backlog)
    truth = {
        "intervals": [[40.0, 41.0, "jump"]],
        "row_clock": [[0, 0.0], [len(session) - 1, float(session[-1])]],
    }
    clock = session_clock(_session_csv(arrival), truth, "recounted")
    assert clock.kind == "count" and clock.motion.time_model["kind"] == "count"
    at = 40.0 * rate / 148.5
    assert _precision(clock_pairs(clock, truth, [(at, at + 1.0 * rate / 148.5, "jump")])) > 0.95
    assert _precision(clock_pairs(clock, truth, [(40.0, 41.0, "jump")])) == 0.0
    ((start, end, cls),) = truth_on_clock(clock, truth)
    assert cls == "jump" and start == pytest.approx(at, abs=0.02)
    assert end == pytest.approx(at + rate / 148.5, abs=0.02)
    assert clock.motion.t[0] <= start and end <= clock.motion.t[-1] + 0.02


def test_a_count_clock_shifted_control_window_ends_short_of_the_truth_at_every_scale():
    """A count-clock fit scales the moved words: at a = 0.97 a window of |shift| - 0.5 s
    around a centre 22 s away would reach to 0.5 - 0.66 s of the truth (within it)."""
    from silkpipe.sessions import Motion
    from silkpipe.voice_score import scale_slack

    count = Motion(
        t=np.zeros(1),
        rate=50.0,
        data=np.zeros((1, 13), np.float32),
        valid=np.ones(1, bool),
        time_model={"kind": "count"},
    )
    arrival = Motion(
        t=count.t, rate=50.0, data=count.data, valid=count.valid, time_model={"kind": "arrival"}
    )
    assert scale_slack(arrival, 22.0) == 0.0
    assert scale_slack(count, 22.0) == pytest.approx(0.66, abs=0.01)
    assert scale_slack(count, -22.0) == scale_slack(count, 22.0)
    assert type(scale_slack(count, 22.0)) is float  # the control's row goes out as JSON


def test_score_voice_aligns_with_a_clip_model_when_given_clips(scored):
    """--align-clips: the align step and the shifted controls use that clip model."""
    root, _ = scored
    result = score_voice(
        root / "data" / "sessions",
        root / "eval" / "clips",
        store_uri=str(root / "store"),
        epochs=1,
        workers=2,
        align_clips_dir=root / "data" / "clips",
    )
    assert result["align_clips"] == str(root / "data" / "clips")
    run = root / "store" / "runs" / "score-voice"
    version = json.loads((run / "labels.json").read_text())["version"]
    for name in result["sessions"]:
        report = json.loads((run / "labels" / version / f"{name}.json").read_text())
        assert report["class_model"] == "clips", name
    assert result["shifted_controls"]["false_passes"] == 0
    assert result["controls"]["all_excluded"], result["controls"]


def test_label_landing_tells_own_class_filler_from_other_time():
    """Between gestures lies unlabelled filler motion: a noise label on filler cut from
    noise recordings is wrong for precision but lands on noise motion; one on walk filler
    or on another class's gesture does not. Each of the four labels lies on one kind."""
    rate = 150.0
    session = np.arange(0, 30, 1 / rate)
    truth = {
        "intervals": [[10.0, 11.0, "noise"], [20.0, 21.0, "jump"]],
        "filler_motion": [[11.0, 13.0, "noise"], [13.0, 15.0, "walk"]],
        "row_clock": [[0, 0.0], [len(session) - 1, float(session[-1])]],
    }
    clock = session_clock(_session_csv(session), truth, "filler")
    labels = [(10.0, 11.0, "noise"), (11.5, 12.5, "noise"), (13.5, 14.5, "noise")]
    pair = clock_pairs(clock, truth, [*labels, (20.0, 21.0, "noise"), (25.0, 26.0, "idle")])
    noise = label_landing([pair])["noise"]
    for kind in ("own_gesture", "own_class_filler", "other_filler", "other_gesture"):
        assert noise[kind] == pytest.approx(0.25, abs=0.02)
    assert label_landing([pair])["idle"]["no_truth"] == pytest.approx(1.0)
    assert label_landing([pair])["jump"] is None
    assert label_overlap([pair])["noise"]["precision"] == pytest.approx(0.25, abs=0.02)
    assert labelled_share([pair]) == pytest.approx(0.2, abs=0.02)


def test_the_printed_summary_says_where_wrong_label_time_lies():
    """score-voice prints, per class, how much label time lies on filler of the class's own
    motion, on other filler and on other classes' gestures."""
    noise = {
        "own_gesture": 0.5,
        "other_gesture": 0.01,
        "own_class_filler": 0.33,
        "other_filler": 0.16,
        "no_truth": 0.0,
    }
    result = {
        "sessions": {},
        "offset": {"within_0_3s": 1.0, "sessions": 0, "within_1s": 1.0, "median_abs_error_s": 0},
        "labels": {"noise": {"precision": 0.5, "recall": 0.4}},
        "labels_land_on": {"noise": noise, "jump": None},
        "controls": {"excluded": 0, "n": 0},
        "models": {},
        "errors": [],
    }
    lines = summary_lines(result)
    at = next(i for i, x in enumerate(lines) if "wrong label time lies on" in x)
    assert lines[at + 1].split() == ["noise", "0.33", "0.16", "0.01", "0.0"]
    assert not any(x.split()[:1] == ["jump"] for x in lines[at + 1 :])


def test_wrong_label_time_on_no_truth_is_shown():
    """On sample sessions (no filler truth) a class's wrong label time lies where the truth
    marks nothing: the row read all zeros beside a noise precision under one."""
    noise = {
        "own_gesture": 0.65,
        "other_gesture": 0.0,
        "own_class_filler": 0.0,
        "other_filler": 0.0,
        "no_truth": 0.35,
    }
    result = {
        "sessions": {},
        "offset": {"within_0_3s": 1.0, "sessions": 0, "within_1s": 1.0, "median_abs_error_s": 0},
        "labels": {"noise": {"precision": 0.65, "recall": 0.2}},
        "labels_land_on": {"noise": noise},
        "controls": {"excluded": 0, "n": 0},
        "models": {},
        "errors": [],
    }
    lines = summary_lines(result)
    at = next(i for i, x in enumerate(lines) if "wrong label time lies on" in x)
    assert lines[at].split()[-1] == "no-truth"
    assert lines[at + 1].split() == ["noise", "0.0", "0.0", "0.0", "0.35"]


def test_a_bad_truth_leaves_its_session_out_and_the_others_are_scored(tmp_path, capsys):
    """One truth.json that links out of its session is named in one line and not read; the
    other session is scored, and the exit status says the result is partial."""
    from silkpipe.cli import main

    bad, good, argv = score_voice_two_sessions(tmp_path)
    outside = tmp_path / "outside_truth.json"
    (bad / "truth.json").rename(outside)
    (bad / "truth.json").symlink_to(outside)
    capsys.readouterr()
    assert main(argv) == 2
    out = capsys.readouterr()
    result = json.loads(out.out[out.out.index("{") :])
    assert set(result["sessions"]) == {good.name}
    assert list(result["sessions_refused"]) == [bad.name]
    assert [line for line in out.err.splitlines() if str(bad / "truth.json") in line]
    assert "Traceback" not in out.err


def test_score_voice_json_holds_label_error_per_spoken_word(tmp_path, capsys):
    """score-voice's per-session JSON keeps the report's keys and adds the label error per
    spoken word; the offset figures count the passed sessions off word by word beside the
    offset false passes; the printed table and the page show them."""
    from silkpipe.cli import main

    synth.generate(tmp_path / "data", sessions=2, seed=21, duration=60, clips_per_class=2)
    synth.generate(tmp_path / "eval", sessions=1, seed=22, duration=20, clips_per_class=2)
    argv = ["score-voice", str(tmp_path / "data" / "sessions"), "--clips"]
    argv += [str(tmp_path / "eval" / "clips"), "--oracle", "--no-controls", "--seeds", "1"]
    argv += ["--epochs", "1", "--store", str(tmp_path / "store"), "--json"]
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    result = json.loads(out[out.index("{") :])
    keys = {"words", "unlabelled", "median_abs_error_s", "within_0_3s", "within_0_5s"}
    for name, row in result["sessions"].items():
        for key in ("offset_s", "offset_confidence", "quality", "excluded", "reason"):
            assert key in row, (name, key)
        words = row["word_labels"]
        assert keys | {"over_0_5s", "errors_s"} <= set(words), name
        assert words["words"] == row["commands_said"] == len(words["errors_s"]), name
        if abs(row["offset_error"]) <= 0.3:  # the exact words at a right offset
            assert words["within_0_5s"] >= 0.5, (name, words)
        assert row["word_false_pass"] == (not row["excluded"] and words["over_0_5s"] > 0.2)
    offset = result["offset"]
    assert offset["word_false_passes"] == sum(
        r["word_false_pass"] for r in result["sessions"].values()
    )
    assert keys <= set(offset["passed_words"])
    from silkpipe.voice_report import WORD_HEADER

    printed = "\n".join(summary_lines(result))
    assert WORD_HEADER in printed and "words' labels more than 0.5 s off" in printed
    assert "labels within 0.3 s" in (tmp_path / result["report"]).read_text()


KILLED_SCORE_VOICE = """
import os, sys
from silkpipe import voice_score
from silkpipe.cli import main
def killed(*args, **kwargs):
    os.kill(os.getpid(), 9)  # kill -9, the OOM killer: no cleanup runs
voice_score.transcribe_all = killed
main(sys.argv[1:])
"""


def test_the_temporary_folders_a_killed_score_voice_left_are_dropped_by_the_next(
    tmp_path, monkeypatch
):
    """score-voice without --store made its store and its controls' scratch with mkdtemp:
    each one killed (-9) left both in TMPDIR for good (bad_input_sweep59). The next drops
    them, and one that fails deletes its own; a finished one's store (its report) stays."""
    import subprocess
    import sys
    import tempfile

    from silkpipe import voice_score

    *_, argv = score_voice_two_sessions(tmp_path)
    argv = [a for a in argv[: argv.index("--store")] if a != "--no-controls"]
    temp = tmp_path / "tmp"
    (temp / "silkpipe-score-voice-finished" / "store").mkdir(parents=True)  # a report kept
    env = {**os.environ, "TMPDIR": str(temp)}
    killed = subprocess.run([sys.executable, "-c", KILLED_SCORE_VOICE, *argv], env=env)
    assert killed.returncode == -9
    left = sorted(p.name.rsplit("-", 1)[0] for p in temp.iterdir())
    assert left == ["silkpipe-controls", "silkpipe-score-voice", "silkpipe-score-voice"]

    def fails(*args, **kwargs):
        raise RuntimeError("the transcriber failed")

    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(voice_score, "transcribe_all", fails)
    with pytest.raises(RuntimeError):
        score_voice(argv[1], argv[3], oracle=True, epochs=1)
    assert [p.name for p in temp.iterdir()] == ["silkpipe-score-voice-finished"]


def test_realistic_sessions_sharing_clips_in_another_order_lend_each_other_audio(tmp_path):
    """Seeds of one small clip folder share every clip: a session that played them in
    another game order still lends its audio; one that played a run of them in the same
    order (its motion there is the same) does not."""
    orders = (["a", "b", "c", "d"], ["a", "b", "c", "e"], ["d", "b", "a", "c"])
    folders, truths = _sessions_built_from(tmp_path, [sorted(o) for o in orders])
    for folder, order in zip(folders, orders, strict=True):
        truths[folder.name]["gestures"] = [
            {"clip": c, "start": 10.0 - k} for k, c in enumerate(reversed(order))
        ]
    donors = make_controls(folders, truths, tmp_path / "out")
    assert donors == {
        "s0-shuffled-audio": "s2",  # s1 plays a, b, c as s0 does
        "s1-shuffled-audio": "s2",
        "s2-shuffled-audio": "s0",
    }
