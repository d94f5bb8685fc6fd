"""Training-only runs in cross-validation (silkpipe.training_only; fast, small data)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import silkpipe.crossval as cv
from silkpipe.cli import main
from silkpipe.dataset import WindowConfig
from silkpipe.errors import InputError
from silkpipe.labels import Interval
from silkpipe.report import cv_section
from silkpipe.training import TrainConfig
from silkpipe.training_only import (
    TrainingOnlyConfig,
    TrainingOnlyRun,
    fold_mask,
    recording_day,
)
from tests.conftest import every_nth_clip
from tests.test_adapt import _at, _two_days, record_training
from tests.test_spotting import clip


def _session(name: str, day: str, offset: float):
    """A voice-labelled session of ``day``: a jump, then noise."""
    st = _at(clip(name, "jump", 4.0, 1.0, group=name, day=day), offset)
    st.kind = "session"
    (a, b, _) = st.intervals[0]
    st.intervals = [Interval(a, a + 2.0, "jump"), Interval(a + 2.0, b, "noise")]
    return st


def _run():
    return TrainingOnlyRun("voice", [_session("s3", "d3", 0.0), _session("s1", "d1", 10.0)])


CFG = TrainConfig(max_epochs=1, min_epochs=1, window=WindowConfig(event_crops=1))


def test_training_only_sessions_train_every_fold_but_one_of_the_test_day_and_are_never_tested(
    monkeypatch, tmp_path
):
    plain = cv.run_protocol(_two_days(), "leave-day-out", CFG, [1], tmp_path)
    trained = record_training(monkeypatch)
    out = cv.run_protocol(_two_days(), "leave-day-out", CFG, [1], tmp_path, training_only=[_run()])
    test_d1, test_d2 = (set(t) for t in trained)
    assert "voice:s3" in test_d1 and "voice:s3" in test_d2  # another day: every fold
    assert "voice:s1" not in test_d1 and "voice:s1" in test_d2  # its day is tested in fold 1
    assert [f["windows"] for f in out["folds"]] == [f["windows"] for f in plain["folds"]]
    assert out["folds"][0]["training_only_windows"] < out["folds"][1]["training_only_windows"]
    assert any("of d1 left out" in n and "test day d1" in n for n in out["notes"])
    assert "voice" in cv.format_result(out) and "never scored" in cv.format_result(out)


def test_cv_json_names_each_training_only_run_with_sessions_days_and_seconds(tmp_path):
    out = cv.run_protocol(_two_days(), "time-range", CFG, [1], tmp_path, training_only=[_run()])
    (run,) = out["training_only"]
    assert run["run_id"] == "voice" and run["windows"] > 0
    assert run["labelled_s"] == {"jump": 4.0, "noise": 4.0}
    assert run["sessions"][0] == {
        "session": "s3",
        "day": "d3",
        "labelled_s": {"jump": 2.0, "noise": 2.0},
    }
    assert all(f["training_only_windows"] > 0 for f in out["folds"])
    page = cv_section([out], None)
    assert "run voice" in page and "d1, d3" in page


def test_training_only_windows_are_checked_once_not_per_fold_and_seed(monkeypatch, tmp_path):
    """whole_samples.trainable on the training-only windows gives the same answer for every
    fold and seed: it runs once (it ran folds x seeds times); what trains is unchanged."""
    calls, real = [], cv.trainable

    def count(windows, streams, *args, **kwargs):
        calls.append(any(st.name.startswith("voice:") for st in streams))
        return real(windows, streams, *args, **kwargs)

    trained = record_training(monkeypatch)
    monkeypatch.setattr(cv, "trainable", count)
    out = cv.run_protocol(
        _two_days(), "leave-day-out", CFG, [1, 2], tmp_path, training_only=[_run()]
    )
    assert len(out["folds"]) == 4 and calls.count(True) == 1
    assert ["voice:s1" in t for t in trained] == [False, True, False, True]
    assert all("voice:s3" in t for t in trained)


def test_one_folds_training_only_windows_are_held_at_a_time(monkeypatch, tmp_path):
    """Each fold's training-only windows are a copy (Windows.subset): taking every fold's
    before the seed loop held them all at once for the whole run (folds x the training-only
    data in memory); a fold's copy is gone when the next fold trains."""
    import gc
    import weakref

    held, real = [], cv._run_fold

    def run_fold(*args):
        gc.collect()
        assert all(ref() is None for ref in held), "an earlier fold's copy is still held"
        held.append(weakref.ref(args[-1]))
        return real(*args)

    monkeypatch.setattr(cv, "_run_fold", run_fold)
    out = cv.run_protocol(
        _two_days(), "leave-day-out", CFG, [1, 2], tmp_path, training_only=[_run()]
    )
    assert len(held) == len(out["folds"]) == 4


def test_a_session_of_unknown_date_never_trains(monkeypatch, tmp_path):
    trained = record_training(monkeypatch)
    run = TrainingOnlyRun("v", [_session("odd", "", 0.0)])
    out = cv.run_protocol(_two_days(), "leave-day-out", CFG, [1], tmp_path, training_only=[run])
    assert not any("v:odd" in t for t in trained)
    assert any("unknown recording date" in n for n in out["notes"])


def test_recording_day_from_metadata_else_the_folder_name(caplog):
    assert recording_day({"recording_date": "2025-10-17T14:47:02.57"}, "x") == "2025-10-17"
    assert recording_day({}, "20251017_143627_session") == "2025-10-17"
    assert recording_day({}, "20251317_143627_session") == ""  # no 13th month
    assert not caplog.records  # nothing malformed yet
    assert recording_day({"recording_date": "soon"}, "session_a") == ""
    assert recording_day({"recording_date": 17}, "20251017_1_session") == "2025-10-17"
    (unknown, named) = (r.getMessage() for r in caplog.records)
    assert "session_a" in unknown and "'soon'" in unknown and "trains no fold" in unknown
    assert "20251017_1_session" in named and "dated 2025-10-17 by its folder name" in named


def test_an_impossible_recording_date_is_named_and_the_folder_name_dates_the_session(caplog):
    """metadata.json recording_date 9999-12-31 of a session recorded 2025-10-17 (by its
    name): its day was 9999-12-31, near no test day, so as training-only data it trained
    the fold that tests 2025-10-17, its own day (sweep 55). Named, as a malformed date is;
    a folder name of no possible date dates nothing."""
    meta = {"recording_date": "9999-12-31T10:00:00"}
    day = recording_day(meta, "20251017_143217_session")
    assert day == "2025-10-17"
    assert recording_day({"recording_date": "0001-01-01"}, "session_a") == ""
    assert recording_day({}, "99991231_000000_session") == ""
    future, old = (r.getMessage() for r in caplog.records)
    assert "'9999-12-31T10:00:00' is in the future" in future and "dated 2025-10-17" in future
    assert "'0001-01-01' is before 1970" in old and "trains no fold" in old
    mask, _ = fold_mask(np.array([day]), {"2025-10-17"}, "test day 2025-10-17")
    assert not mask.any()


@pytest.mark.parametrize(
    "extra, why",
    [
        (["--cv", "time-range", "--run-id", "r"], "both --store and --run-id"),
        (["--model", "m", "--store", "s", "--run-id", "r"], "--store acts on --cv folds only"),
        (["--cv", "time-range", "--store", "s", "--run-id", "r", "--run-id", "r"], "twice"),
    ],
)
def test_cli_refuses_training_only_sessions_without_store_or_outside_cv(
    tmp_path, capsys, extra, why
):
    code = main(["evaluate", "--clips", str(tmp_path), *extra])
    assert code != 0 and why in capsys.readouterr().err


def test_cli_refuses_a_run_without_labels_before_it_reads_the_clips(tmp_path, capsys):
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tmp_path / "no-clips")]
    (tmp_path / "s").mkdir()
    code = main([*argv, "--store", str(tmp_path / "s"), "--run-id", "typo"])
    assert code != 0 and "run typo has no label set" in capsys.readouterr().err


def _voice_run(data_dir, store, recording_date: str, session: str = "") -> None:
    """A run r1 in ``store`` with one real session (renamed ``session`` if given), a few
    labels and a metadata date."""
    source = "20251017_143217_session"
    session = session or source
    folder = store / "sessions" / session
    folder.mkdir(parents=True)
    shutil.copy(data_dir / "sessions" / source / "sensor_data.csv", folder / "sensor_data.csv")
    (folder / "metadata.json").write_text(json.dumps({"recording_date": recording_date}))
    labels = store / "runs" / "r1" / "labels"
    labels.mkdir(parents=True)
    rows = ["100,102,jump", "110,112,punch", "120,140,walk", "150,160,noise"]
    (labels / f"{session}.csv").write_text("start,end,label\n" + "\n".join(rows) + "\n")
    (labels / "summary.json").write_text(
        json.dumps({"sessions": [session, "gone"], "failed": {}, "excluded": {"gone": "bad"}})
    )


@pytest.mark.parametrize(
    "session, day, why",
    [
        ("20251017_143217_session", "2025-10-17", "dated 2025-10-17 by its folder name"),
        ("undated_session", "", "date unknown, it trains no fold"),
    ],
)
def test_a_broken_metadata_json_only_loses_the_date_and_the_warning_says_which(
    data_dir, tmp_path, caplog, session, day, why
):
    """A folder name without a date leaves the session undated: the warning must not claim
    the name dates it."""
    from silkpipe.steps.train import training_only_runs

    _voice_run(data_dir, tmp_path / "s", "2025-10-18", session=session)
    (tmp_path / "s" / "sessions" / session / "metadata.json").write_bytes(b"\xff{not json")
    (run,) = training_only_runs(TrainingOnlyConfig(str(tmp_path / "s"), ("r1",)))
    assert [st.day for st in run.streams] == [day]
    assert any("invalid JSON" in r.message and why in r.message for r in caplog.records)


@pytest.mark.parametrize(
    "doc, kind", [("[1, 2]", "array"), ('"2025-10-18"', "string"), ("null", "null")]
)
def test_a_metadata_json_that_is_not_an_object_is_warned_about_naming_session_and_file(
    data_dir, tmp_path, caplog, doc, kind
):
    """Valid JSON but no object: the session keeps its folder-name date, as with a malformed
    date, and one warning names the session and the file (it was taken as {} in silence)."""
    from silkpipe.steps.train import training_only_runs

    session = "20251017_143217_session"
    _voice_run(data_dir, tmp_path / "s", "2025-10-18", session=session)
    (tmp_path / "s" / "sessions" / session / "metadata.json").write_text(doc)
    (run,) = training_only_runs(TrainingOnlyConfig(str(tmp_path / "s"), ("r1",)))
    assert [st.day for st in run.streams] == ["2025-10-17"]
    (line,) = [r.message for r in caplog.records if "not an object" in r.message]
    assert f"session {session}" in line and f"{session}/metadata.json" in line, line
    assert f"a JSON {kind}, not an object" in line and "dated 2025-10-17 by its folder name" in line


def test_a_runs_training_only_sessions_are_its_gated_labelled_ones_dated_by_metadata(
    data_dir, tmp_path
):
    from silkpipe.steps.train import training_only_runs

    _voice_run(data_dir, tmp_path / "s", "2025-10-18T09:00:00")
    (run,) = training_only_runs(TrainingOnlyConfig(str(tmp_path / "s"), ("r1",)))
    assert [(st.name, st.day, st.kind) for st in run.streams] == [
        ("20251017_143217_session", "2025-10-18", "session")  # metadata, not the name
    ]
    with pytest.raises(InputError, match="no label set"):
        training_only_runs(TrainingOnlyConfig(str(tmp_path / "s"), ("nope",)))
    with pytest.raises(InputError, match="typo: store folder is missing"):  # was: no label set
        training_only_runs(TrainingOnlyConfig(str(tmp_path / "typo"), ("r1",)))
    assert not (tmp_path / "s" / "runs" / "nope").exists()  # evaluating writes nothing
    assert not (tmp_path / "typo").exists()


def test_a_runs_inputs_and_labels_are_read_once(data_dir, tmp_path, monkeypatch):
    """labelled_sessions read the run's inputs twice (once inside train_plan) and hashed
    each label file before reading it again: each is read once now."""
    import silkpipe.steps.train as step
    from silkpipe.store import open_store

    _voice_run(data_dir, tmp_path / "s", "2025-10-18")
    store, reads, inputs = open_store(str(tmp_path / "s")), [], []
    real_get, real_inputs = store.get_bytes, step.read_run_inputs
    monkeypatch.setattr(store, "get_bytes", lambda key: reads.append(key) or real_get(key))
    monkeypatch.setattr(
        step, "read_run_inputs", lambda *a, **k: inputs.append(a) or real_inputs(*a, **k)
    )
    (stream,) = step.labelled_sessions(store, "r1")
    assert stream.day == "2025-10-18" and len(inputs) == 1
    labels = [k for k in reads if k.endswith("20251017_143217_session.csv")]
    assert len(labels) == 1 and reads.count("runs/r1/inputs.json") <= 1, reads


def _files(folder) -> dict:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_reading_a_run_without_inputs_json_writes_nothing_into_the_store(data_dir, tmp_path):
    """A run uploaded by a workflow has no inputs.json: evaluate read it and recorded one
    (runs/r1/inputs.json) into the store it was only given to read."""
    from silkpipe.steps.train import training_only_runs

    _voice_run(data_dir, tmp_path / "s", "2025-10-16")
    before = _files(tmp_path / "s")
    (run,) = training_only_runs(TrainingOnlyConfig(str(tmp_path / "s"), ("r1",)))
    assert len(run.streams) == 1 and _files(tmp_path / "s") == before


@pytest.mark.parametrize(
    "key, raw, why",
    [
        ("summary.json", b"[1, 2]", "not a label set summary"),
        ("summary.json", b'{"sessions": "s1"}', "not a label set summary"),
        ("summary.json", b"\xff{", "invalid JSON"),
        ("20251017_143217_session.csv", b"\xff\x00garbage", "not UTF-8 text"),
    ],
)
def test_a_damaged_label_set_is_one_line_naming_the_file_not_a_fault(
    data_dir, tmp_path, capsys, key, raw, why
):
    """A run's summary.json that is not an object (AttributeError) or a label file that is
    not UTF-8 (UnicodeDecodeError) was a fault, exit 1, naming no file."""
    _voice_run(data_dir, tmp_path / "s", "2025-10-16")
    (tmp_path / "s" / "runs" / "r1" / "labels" / key).write_bytes(raw)
    argv = ["evaluate", "--cv", "time-range", "--clips", str(tmp_path / "none")]
    assert main([*argv, "--store", str(tmp_path / "s"), "--run-id", "r1"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"runs/r1/labels/{key}: " in line and why in line, line


def test_cli_cv_with_a_voice_run_writes_it_into_cv_json(data_dir, tmp_path, capsys, clean_env):
    # clips-dev: UTC 2025-10-19 (the evening before, locally): two days off, it trains every fold
    _voice_run(data_dir, tmp_path / "s", "2025-10-16T09:00:00")
    (tmp_path / "clips").mkdir()
    clips = every_nth_clip(data_dir, tmp_path / "clips", 8)
    argv = ["evaluate", "--cv", "time-range", "--epochs", "1", "--clips", str(clips)]
    argv += ["--store", str(tmp_path / "s"), "--run-id", "r1", "--report", str(tmp_path / "r")]
    assert main(argv) == 0, capsys.readouterr().err
    assert "training only (voice labels, never scored): run r1" in capsys.readouterr().out
    (result,) = json.loads((tmp_path / "r" / "cv.json").read_text())
    (run,) = result["training_only"]
    assert run["labelled_s"] == {"jump": 2.0, "noise": 10.0, "punch": 2.0, "walk": 20.0}
    assert run["sessions"][0]["day"] == "2025-10-16" and run["windows"] > 0
    assert all(f["training_only_windows"] > 0 for f in result["folds"])


def _by_fold(out: dict, trained: list[list[str]]) -> dict[str, list[str]]:
    return dict(zip([f["fold"] for f in out["folds"]], trained, strict=True))


def test_a_voice_copy_of_a_tested_session_loaded_without_a_day_never_trains_its_fold(
    monkeypatch, tmp_path
):
    """``--sessions`` streams carry no day (""): the fold's tested day is read from the
    session's folder name, so the run's voice-labelled copy of that very session (dated
    by its metadata) stays out of the fold that tests it."""
    name = "20251017_143217_session"
    tested = _session(name, "", 20.0)  # as load_session_streams gives it: day ""
    trained = record_training(monkeypatch)
    run = TrainingOnlyRun("voice", [_session(name, "2025-10-17", 20.0), _session("s3", "d3", 0)])
    streams = [*_two_days(), tested]
    out = cv.run_protocol(streams, "leave-day-out", CFG, [1], tmp_path, training_only=[run])
    by_fold = _by_fold(out, trained)
    assert name in by_fold["test day d1"] and f"voice:{name}" in by_fold["test day d1"]
    assert "voice:s3" in by_fold["test day "] and f"voice:{name}" not in by_fold["test day "]


def test_a_fold_testing_recordings_of_unknown_date_trains_on_no_voice_session(
    monkeypatch, tmp_path
):
    trained = record_training(monkeypatch)
    tested = _session("session_a", "", 20.0)  # no day, no dated name: could be any day
    streams = [*_two_days(), tested]
    out = cv.run_protocol(streams, "leave-day-out", CFG, [1], tmp_path, training_only=[_run()])
    by_fold = _by_fold(out, trained)
    assert not any(x.startswith("voice:") for x in by_fold["test day "])
    assert "voice:s3" in by_fold["test day d1"]
    assert any("unknown date" in n and "no training-only recording" in n for n in out["notes"])


def test_a_voice_session_of_the_evening_before_a_tested_utc_day_is_left_out(monkeypatch, tmp_path):
    """Clip days are UTC dates (device-ns host times), session days the local date of
    metadata.json: the same evening can be 2025-10-17 locally and 2025-10-18 in UTC."""
    streams = _two_days()
    for st in streams:
        st.day = {"d1": "2025-10-18", "d2": "2025-10-14"}[st.day]
    run = TrainingOnlyRun("voice", [_session("eve", "2025-10-17", 0.0)])
    trained = record_training(monkeypatch)
    out = cv.run_protocol(streams, "leave-day-out", CFG, [1], tmp_path, training_only=[run])
    by_fold = _by_fold(out, trained)
    assert "voice:eve" in by_fold["test day 2025-10-14"]
    assert "voice:eve" not in by_fold["test day 2025-10-18"]


@pytest.mark.parametrize("store, run_id", [("s", "r9"), ("nost", "r1")])
def test_training_a_run_that_is_not_there_writes_nothing(data_dir, tmp_path, capsys, store, run_id):
    """train --store S --run-id R of a mistyped run (or store) is refused naming the missing
    label set; it recorded runs/R/inputs.json first (creating the mistyped store folder)."""
    _voice_run(data_dir, tmp_path / "s", "2025-10-16")
    before = _files(tmp_path)
    rc = main(["train", "--store", str(tmp_path / store), "--run-id", run_id])
    assert rc == 2 and f"run {run_id} has no label set" in capsys.readouterr().err
    assert _files(tmp_path) == before and not (tmp_path / "nost").exists()


def test_train_refuses_a_label_file_changed_after_its_hash_keyed_the_model(data_dir, tmp_path):
    """The model's key is made from each label file's hash: labels that changed between
    hashing and reading are not trained on under it (as clips are not)."""
    from silkpipe.steps.train import _streams, train_plan
    from silkpipe.store import open_store
    from silkpipe.training import TrainConfig

    _voice_run(data_dir, tmp_path / "s", "2025-10-16")
    store = open_store(str(tmp_path / "s"))
    plan = train_plan(store, "r1", TrainConfig())
    labels = tmp_path / "s" / "runs" / "r1" / "labels" / "20251017_143217_session.csv"
    labels.write_text(labels.read_text() + "170,172,jump\n")
    with pytest.raises(InputError, match="changed while train was reading it") as err:
        _streams(store, "r1", plan, tmp_path / "work", False)
    assert err.value.session == "20251017_143217_session"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_test_day_at_the_calendars_end_has_no_neighbour_and_is_no_fault(day):
    """A clip folder dated 9999-12-31 (or 0001-01-01) in its session_metadata.json: every
    leave-day-out exited 1 'OverflowError: date value out of range' naming nothing, as the
    day after (before) it was looked up (sweep 52). The day itself and its one neighbour
    are still left out of its fold."""
    from silkpipe.training_only import fold_mask

    days = np.array([day, "9999-12-30", "0001-01-02", "2025-10-14", ""])
    mask, notes = fold_mask(days, {day}, "test day " + day)
    near = "9999-12-30" if day.startswith("9999") else "0001-01-02"
    assert mask.tolist() == [False, *(d not in (near,) for d in days[1:4]), False]
    assert any(day in n for n in notes)
