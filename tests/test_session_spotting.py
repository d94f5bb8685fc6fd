"""Spotting on whole realistic sessions (`evaluate --model --sessions --spot`): the truth on
the aligner's clock, every gesture counted, filler detections are errors, bad sessions
named and left out (exit 2, partial), results in the JSON and the HTML report."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from silkpipe.cli import main
from silkpipe.clips import load_clip_streams
from silkpipe.dataset import WindowConfig
from silkpipe.report import build_report
from silkpipe.session_spotting import load_truth_session, spot_sessions
from silkpipe.sessions import CHANNELS, Motion, find_sessions
from silkpipe.spotting import detect, match, slide
from silkpipe.store import FileStore, publish, put_json
from silkpipe.training import TrainConfig, train
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES


@pytest.fixture(scope="module")
def clips(data_dir: Path, tmp_path_factory) -> Path:
    """Gesture clips of every class of the gesture block, plus its baseline."""
    out = tmp_path_factory.mktemp("spot-clips")
    names = sorted(p.name for p in (data_dir / "clips-dev").glob("*.csv"))
    picked = [n for n in names if n.startswith("baseline_noise_1760841370")]
    for prefix in ("jump_", "punch_", "turn_left_", "walk_", "idle_", "noise_action_1760876622"):
        picked += [n for n in names if n.startswith(prefix)][:8]
    for name in picked:
        shutil.copyfile(data_dir / "clips-dev" / name, out / name)
    return out


@pytest.fixture(scope="module")
def sessions(clips: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spot-sessions") / "s"
    argv = ["synth", "--from-clips", str(clips), "--out", str(out), "--realistic"]
    assert main([*argv, "--seed", "3", "--gestures", "8", "--voice", "en-us"]) == 0
    return out


class Scripted:
    """A stand-in model that says, step by step, what ``classes`` lists (one per slid
    window, in slide's order)."""

    labels = list(CLASSES)

    def __init__(self, classes: list[str]):
        self.classes, self.i = classes, 0

    def logits(self, windows: np.ndarray) -> np.ndarray:
        n = len(windows)
        out = np.zeros((n, len(CLASSES)), dtype=np.float32)
        idx = [CLASSES.index(c) for c in self.classes[self.i : self.i + n]]
        out[np.arange(n), idx] = 5.0
        self.i += n
        return out


def _steps(motion: Motion, cfg: WindowConfig) -> np.ndarray:
    """The centre times slide gives a stream (on the stream's clock)."""
    starts = np.arange(0, len(motion.t) - cfg.length + 1, 5)
    return motion.t[0] + (starts + cfg.length / 2) / motion.rate


def _oracle(session, cfg: WindowConfig, extra: tuple | None = None) -> Scripted:
    """The truth, said window by window: an event class +-0.4 s around its peak, a state
    class over its span widened by 0.3 s (the shortest last under 0.5 s), elsewhere the
    class of the nearest recorded motion between gestures; ``extra``: (start, end, class)
    said over that too."""
    times = _steps(session.stream.motion, cfg)
    said = [_filler_at(session.filler, t) for t in times]
    for k, t in enumerate(times):
        for g in session.truth:
            event = g.label in EVENT_CLASSES
            near = abs(t - g.peak) <= 0.4 if event else g.start - 0.3 <= t <= g.end + 0.3
            if near:
                said[k] = g.label
        if extra and extra[0] <= t <= extra[1]:
            said[k] = extra[2]
    return Scripted(said)


def _filler_at(filler, t: float) -> str:
    """The class of the filler piece nearest to t (idle without filler)."""
    return min(filler, key=lambda f: max(f[0] - t, t - f[1]), default=(0, 0, "idle"))[2]


def test_slid_windows_are_timed_on_the_streams_own_clock():
    n = 200
    data = np.zeros((n, len(CHANNELS)), dtype=np.float32)
    motion = Motion(np.arange(n) / 50 + 1000.0, 50.0, data, np.ones(n, dtype=bool))
    times, _ = slide(Scripted(["idle"] * n), motion, WindowConfig())
    assert times[0] == pytest.approx(1000.5) and np.allclose(np.diff(times), 0.1)


def test_every_delivered_gesture_is_scored_said_or_not_on_the_aligners_clock(sessions):
    cfg = WindowConfig()
    for folder in find_sessions(sessions):
        truth = json.loads((folder / "truth.json").read_text())
        session = load_truth_session(folder)
        assert len(session.truth) + session.undelivered == len(truth["intervals"])
        result = spot_sessions(_oracle(session, cfg), [session], cfg)
        for cls, c in result["counts"].items():
            assert c["fn"] == 0 and c["fp"] == 0, (folder.name, cls, c)
        found = sum(c["tp"] for c in result["counts"].values())
        assert found == result["gestures"] > 0
        assert result["gestures"] + result["gestures_undelivered"] == len(truth["intervals"])
    unsaid = [g for f in find_sessions(sessions) for g in _truth(f)["gestures"] if not g["spoken"]]
    assert unsaid  # the sessions hold unsaid gestures, and they were counted above


def _truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text())


def test_a_detection_on_filler_motion_between_gestures_is_a_false_positive(sessions):
    cfg = WindowConfig()
    session = load_truth_session(find_sessions(sessions)[0])
    spans = sorted((g.start, g.end) for g in session.truth)
    gap = next((a[1], b[0]) for a, b in zip(spans, spans[1:], strict=False) if b[0] - a[1] > 3)
    middle = (gap[0] + gap[1]) / 2
    oracle = _oracle(session, cfg, extra=(middle - 0.4, middle + 0.4, "jump"))
    counts = spot_sessions(oracle, [session], cfg)["counts"]
    assert counts["jump"]["fp"] == 1


def test_a_gesture_whose_peak_window_mostly_never_arrived_is_not_scored(sessions):
    """70 % of the rows of the window on a punch's motion peak never arrived: the window
    classifier would refuse that window (dataset.delivered), so the punch is undelivered,
    neither missed when nobody finds it nor found when a detection lies on it."""
    cfg = WindowConfig()
    session = load_truth_session(find_sessions(sessions)[0])
    motion = replace(session.stream.motion, valid=np.ones(len(session.stream.motion.t), bool))
    session = replace(session, stream=replace(session.stream, motion=motion))
    events = [g for g in session.truth if g.label in EVENT_CLASSES]
    punch = next((g for g in events if g.label == "punch"), events[0])
    peak = motion.index_of(punch.peak)
    motion.valid[peak - 25 : peak + 25] = False  # 35 of the 50 core rows; the peak arrived
    motion.valid[peak - 4 : peak + 11] = True
    cls, same = punch.label, sum(g.label == punch.label for g in session.truth)
    unseen = replace(session, truth=[g for g in session.truth if g is not punch])
    missed = spot_sessions(_oracle(unseen, cfg), [session], cfg)
    assert missed["counts"][cls] == {"tp": same - 1, "fn": 0, "fp": 0}
    assert missed["gestures_undelivered_at_peak"] == 1
    assert missed["gestures"] == len(session.truth) - 1
    found = spot_sessions(_oracle(session, cfg), [session], cfg)["counts"][cls]
    assert found == {"tp": same - 1, "fn": 0, "fp": 0}
    motion.valid[peak - 19 : peak - 4] = True  # 20 of 50 missing: 0.6 arrived, scored
    assert spot_sessions(_oracle(unseen, cfg), [session], cfg)["counts"][cls]["fn"] == 1


def _walking(sessions: Path):
    """A session and a stretch in the middle of a walk filler piece well clear of truth."""
    for folder in find_sessions(sessions):
        session = load_truth_session(folder)
        for a, b, cls in session.filler:
            clear = all(g.end < a - 1 or g.start > b + 1 for g in session.truth)
            if cls == "walk" and b - a > 1.5 and clear:
                return session, (a + 0.3, b - 0.3)
    raise AssertionError("the sessions hold no long walk filler")


def test_state_runs_between_gestures_are_judged_by_the_recorded_motion_there(sessions):
    cfg = WindowConfig()
    session, (a, b) = _walking(sessions)
    # the truth everywhere, walking filler called walk: no error (and no find)
    dets = _detections(_oracle(session, cfg), session, cfg)
    assert any(d[0] == "walk" and a <= d[3] <= b for d in dets)
    counts = spot_sessions(_oracle(session, cfg), [session], cfg)["counts"]
    assert all(c["fp"] == 0 and c["fn"] == 0 for c in counts.values()), counts
    assert counts["walk"]["tp"] == sum(g.label == "walk" for g in session.truth)
    # idle said on walking filler is an error
    counts = spot_sessions(_oracle(session, cfg, extra=(a, b, "idle")), [session], cfg)["counts"]
    assert counts["idle"]["fp"] == 1
    # the same detections without filler truth (stitched streams' rule): walk on walking
    # filler is an error, idle there is not
    assert match(session.truth, dets)["walk"]["fp"] >= 1
    idle = _detections(_oracle(session, cfg, extra=(a, b, "idle")), session, cfg)
    assert match(session.truth, [d for d in idle if a <= d[3] <= b])["idle"]["fp"] == 0


def test_a_session_without_filler_truth_keeps_the_stitched_rule(sessions, tmp_path):
    cfg = WindowConfig()
    session, (a, b) = _walking(sessions)
    folder = tmp_path / session.stream.name
    shutil.copytree(sessions / session.stream.name, folder)
    truth = _truth(folder)
    del truth["filler_motion"]
    (folder / "truth.json").write_text(json.dumps(truth))
    bare = load_truth_session(folder)
    assert bare.filler is None
    oracle = _oracle(session, cfg, extra=(a, b, "idle"))
    counts = spot_sessions(oracle, [bare], cfg)["counts"]
    assert counts["idle"]["fp"] == 0 and counts["walk"]["fp"] >= 1


def _detections(oracle: Scripted, session, cfg: WindowConfig) -> list[tuple]:
    times, probs = slide(oracle, session.stream.motion, cfg)
    return detect(times, probs, list(oracle.labels), session.stream.motion)


@pytest.fixture(scope="module")
def model(clips: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spot-model") / "model"
    cfg = TrainConfig(max_epochs=2, min_epochs=1, refit=False)
    train(load_clip_streams(clips), out, config=cfg, progress=False)
    return out


def test_cli_spots_whole_sessions_and_names_a_session_without_truth(
    sessions, model, tmp_path, capsys, clean_env
):
    folder = tmp_path / "sessions"
    shutil.copytree(sessions, folder)
    good = len(find_sessions(folder))
    bad = folder / "no_truth_session"
    bad.mkdir()
    shutil.copyfile(find_sessions(sessions)[0] / "sensor_data.csv", bad / "sensor_data.csv")
    capsys.readouterr()
    argv = ["evaluate", "--model", str(model), "--sessions", str(folder), "--json"]
    assert main([*argv, "--spot", "--report", str(tmp_path / "r")]) == 2  # partial
    out = capsys.readouterr()
    last = out.err.strip().splitlines()[-1]
    assert last.startswith("silkpipe evaluate: partial: 1 session(s) left out ("), last
    assert "no_truth_session" in last, last
    result = json.loads(out.out)
    assert set(result["session_events"]) >= {"jump", "turn"}
    assert all(
        {"precision", "recall", "f1", "tp"} <= set(v) for v in result["session_events"].values()
    )
    spotted = result["session_spotting"]
    assert spotted["sessions"] == good and list(spotted["errors"]) == ["no_truth_session"]
    assert "no_truth_session" in out.err and "truth.json" in out.err
    assert result["windows"] > 0  # no labels.csv: the windows are scored on the truth
    saved = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert saved["session_events"] == result["session_events"]
    # without --spot, evaluate --sessions is as it was: sessions without labels.csv skipped
    assert main(argv) == 2


def test_cli_spot_names_a_session_whose_stream_is_a_pipe_and_exits_partial(
    sessions, model, tmp_path, capsys, clean_env
):
    """A session whose sensor_data.csv is a named pipe (beside its truth.json) was a
    warning only: --spot scored the others and exited 0 (sweep 54). It is left out as a
    session with a bad truth.json is: named, exit 2."""
    folder = tmp_path / "sessions"
    shutil.copytree(sessions, folder)
    shutil.copytree(find_sessions(sessions)[0], folder / "pipe_session")
    (folder / "pipe_session" / "sensor_data.csv").unlink()
    os.mkfifo(folder / "pipe_session" / "sensor_data.csv")
    capsys.readouterr()
    argv = ["evaluate", "--model", str(model), "--sessions", str(folder), "--spot"]
    assert main(argv) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("silkpipe evaluate: partial: 1 session(s) left out (pipe_session)")


def test_cli_spot_with_no_readable_session_and_no_clips_says_so(
    sessions, model, tmp_path, capsys, clean_env
):
    bad = tmp_path / "sessions" / "only_session"
    bad.mkdir(parents=True)
    shutil.copyfile(find_sessions(sessions)[0] / "sensor_data.csv", bad / "sensor_data.csv")
    (bad / "labels.csv").write_text("start,end,label\n0,20,walk\n")
    argv = ["evaluate", "--model", str(model), "--sessions", str(bad.parent), "--spot"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "only_session" in err and "--spot needs" in err


@pytest.mark.parametrize("published_model", [False, True])
def test_the_html_report_shows_session_events_under_their_own_heading(tmp_path, published_model):
    """evaluate --spot --report RUN/report: shown beside a published model's own scores too."""
    store = FileStore(tmp_path / "store")
    events = {"jump": {"precision": 0.5, "recall": 0.75, "f1": 0.6, "tp": 3, "fp": 3, "fn": 1}}
    put_json(store, "runs/r1/report/metrics.json", {"macro_f1": 0.9, "session_events": events})
    if published_model:
        put_json(store, "runs/r1/model/v1/metrics.json", {"macro_f1": 0.8})
        publish(store, "r1", "model", "v1", {})
    page = store.get_bytes(build_report(store, "r1")).decode()
    assert "Events on whole sessions" in page and "0.750" in page


def test_cli_names_a_session_that_lost_its_stream_and_one_cut_short_by_full_path(
    sessions, model, tmp_path, capsys, clean_env
):
    folder = tmp_path / "sessions"
    shutil.copytree(sessions, folder)
    first, second, *rest = find_sessions(folder)
    (first / "sensor_data.csv").unlink()  # truth.json stays: a session, not a stray folder
    cut = second / "sensor_data.csv"
    cut.write_text(cut.read_text()[:300])
    capsys.readouterr()
    argv = ["evaluate", "--model", str(model), "--sessions", str(folder), "--spot", "--json"]
    assert main(argv) == 2  # partial: scored without the sessions it named
    out = capsys.readouterr()
    spotted = json.loads(out.out)["session_spotting"]
    assert spotted["sessions"] == len(rest)
    assert set(spotted["errors"]) == {first.name, second.name}
    assert str(first / "sensor_data.csv") in spotted["errors"][first.name]
    assert str(cut) in spotted["errors"][second.name]  # the user's file, not a relative name
    assert str(first / "sensor_data.csv") in out.err and str(cut) in out.err


def _truth_edit(edit):
    def damage(truth: Path) -> None:
        doc = json.loads(truth.read_text())
        edit(doc)
        truth.write_text(json.dumps(doc))

    return damage


def _link_out(truth: Path) -> None:
    """A good truth.json, moved out of the sessions folder and linked back."""
    outside = truth.parents[2] / "outside_truth.json"
    truth.rename(outside)
    truth.symlink_to(outside)


def _fifo(truth: Path) -> None:
    truth.unlink()
    os.mkfifo(truth)


DAMAGED_TRUTHS = {
    "link_out": _link_out,
    "fifo": _fifo,
    "unknown_class": _truth_edit(
        lambda d: d.update(intervals=[[a, b, "kick"] for a, b, _ in d["intervals"]])
    ),
    "times_off_the_stream": _truth_edit(
        lambda d: d.update(intervals=[[a - 1000, b - 1000, c] for a, b, c in d["intervals"]])
    ),
    "row_clock_far_away": _truth_edit(lambda d: d.update(row_clock=[[0, 1e300]])),
    # 400 digits parse (the limit is 4300) but no float holds them: was a TypeError line
    "offset_400_digits": _truth_edit(lambda d: d.update(offset_s=10**400)),
    "time_400_digits": _truth_edit(
        lambda d: d.update(intervals=[[a, 10**400, c] for a, b, c in d["intervals"]])
    ),
    "row_clock_rows_backwards": _truth_edit(lambda d: d.update(row_clock=d["row_clock"][::-1])),
}


def test_a_sensor_csv_that_is_not_text_is_named_with_why(sessions, model, tmp_path, capsys):
    folder = tmp_path / "in" / "sessions"
    shutil.copytree(sessions, folder)
    first, *rest = find_sessions(folder)
    (first / "sensor_data.csv").write_bytes(b"\xff\xfe" + bytes(range(256)) * 20)
    capsys.readouterr()
    argv = ["evaluate", "--model", str(model), "--sessions", str(folder), "--spot", "--json"]
    assert main(argv) == 2  # partial: scored without the sessions it named
    spotted = json.loads(capsys.readouterr().out)["session_spotting"]
    assert spotted["sessions"] == len(rest)
    assert "not UTF-8 text" in spotted["errors"][first.name]


@pytest.mark.parametrize("case", sorted(DAMAGED_TRUTHS))
def test_a_damaged_truth_is_named_and_the_other_sessions_are_scored(
    case, sessions, model, tmp_path, capsys, clean_env
):
    """Its session is left out in one line naming truth.json by full path: a truth outside
    the folder is not read, and one that would score the session's every detection as an
    error (no gesture on the stream, a class no model has) is not scored."""
    folder = tmp_path / "in" / "sessions"
    shutil.copytree(sessions, folder)
    first, *rest = find_sessions(folder)
    DAMAGED_TRUTHS[case](first / "truth.json")
    capsys.readouterr()
    argv = ["evaluate", "--model", str(model), "--sessions", str(folder), "--spot", "--json"]
    assert main(argv) == 2  # partial: scored without the sessions it named
    out = capsys.readouterr()
    spotted = json.loads(out.out)["session_spotting"]
    assert spotted["sessions"] == len(rest) and list(spotted["errors"]) == [first.name]
    assert str(first / "truth.json") in spotted["errors"][first.name]
    assert [line for line in out.err.splitlines() if str(first / "truth.json") in line]
