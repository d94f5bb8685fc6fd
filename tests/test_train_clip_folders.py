"""`silkpipe train --clips A --clips B`: one model on several clip folders (days), in
folder mode and store mode (issue 22; small real clip folders, one epoch)."""

from __future__ import annotations

import json
from pathlib import Path

import badinputs
import pytest

from silkpipe import store as keys
from silkpipe.cli import main
from silkpipe.store import open_store

RUN = "r1"


def _dev_without_jump(dest: Path) -> Path:
    """A few clips-dev clips with no jump: jump is learnt from the other folder or not."""
    folder = badinputs.clips_subset(dest, per_class=2)
    for path in folder.glob("jump_*.csv"):
        path.unlink()
    return folder


def _other_session(source: Path, dest: Path, session_id: str, date: str) -> Path:
    """A copy of a sample-dialect folder as another session on another day: the same clip
    names (jump_sample01.csv ...) in another collection block."""
    dest.mkdir(parents=True)
    for path in source.iterdir():
        (dest / path.name).write_bytes(path.read_bytes())
    meta = json.loads((source / "session_metadata.json").read_text())
    meta.update(session_id=session_id, date=date)
    (dest / "session_metadata.json").write_text(json.dumps(meta))
    return dest


def _trained_on(model: Path) -> dict[str, dict]:
    config = json.loads((model / "config.json").read_text())
    return {Path(s["source"]).name: s for s in config["training"]["trained_on"]}


def _train(argv: list[str], capsys) -> tuple[int, str]:
    rc = main(["train", *argv, "--epochs", "1", "--no-progress"])
    return rc, capsys.readouterr().err


def test_two_folders_train_one_model_that_lists_both_and_learns_a_class_only_in_the_second(
    tmp_path, capsys
):
    dev = _dev_without_jump(tmp_path / "dev")
    day = badinputs.sample_clips(tmp_path / "day", per_class=2)
    out = tmp_path / "out"
    rc, err = _train(["--clips", str(dev), "--clips", str(day), "--out", str(out)], capsys)
    assert rc == 0, err[-2000:]
    sources = _trained_on(out / "model")
    assert list(sources) == ["dev", "day"]
    assert list(sources["day"]["days"]) == ["2025-10-14"]
    assert "jump" not in sources["dev"]["days"]["2025-10-19"]["classes"]
    assert sources["day"]["days"]["2025-10-14"]["classes"]["jump"] > 0  # learnt from day
    config = json.loads((out / "model" / "config.json").read_text())
    counted = sum(d["windows"] for s in sources.values() for d in s["days"].values())
    assert counted == config["training"]["windows"]


def test_a_sessions_folder_is_listed_by_its_folder(tmp_path, capsys):
    sessions = tmp_path / "voice"
    folder = badinputs.copy_session(badinputs.GOOD[0], sessions, "s1", files=("sensor_data.csv",))
    (folder / "labels.csv").write_text("start,end,label\n10.0,20.0,walk\n50.0,52.0,jump\n")
    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    out = tmp_path / "out"
    argv = ["--clips", str(day), "--sessions", str(sessions), "--out", str(out)]
    rc, err = _train(argv, capsys)
    assert rc == 0, err[-2000:]
    sources = _trained_on(out / "model")
    assert list(sources) == ["day", "voice"] and sources["voice"]["streams"] == 1


def test_equal_clip_names_in_two_folders_are_both_trained_on(tmp_path, capsys):
    day = badinputs.sample_clips(tmp_path / "day", per_class=2)
    other = _other_session(day, tmp_path / "other", "20251020_100000", "2025-10-20T10:00:00")
    out = tmp_path / "out"
    rc, err = _train(["--clips", str(day), "--clips", str(other), "--out", str(out)], capsys)
    assert rc == 0, err[-2000:]
    sources = _trained_on(out / "model")
    assert sources["day"]["streams"] == sources["other"]["streams"] == 8
    assert list(sources["other"]["days"]) == ["2025-10-20"]
    windows = [d["windows"] for s in sources.values() for d in s["days"].values()]
    assert len(windows) == 2 and windows[0] == windows[1] > 0


def test_several_folders_with_calibrate_and_adapt_to(tmp_path, capsys):
    """--calibrate and --adapt-to work on top of several folders; the calibration clips are
    listed as a source of their own (counted once there, SHOT_REPEAT times in training),
    and so is the new day, its windows the last round's pseudo-labelled ones."""
    dev = _dev_without_jump(tmp_path / "dev")
    day = badinputs.sample_clips(tmp_path / "day", per_class=2)
    few = badinputs.sample_clips(tmp_path / "few0", per_class=1)
    cal = _other_session(few, tmp_path / "cal", "20251020_100000", "2025-10-20T10:00:00")
    new = _other_session(few, tmp_path / "new", "20251020_110000", "2025-10-20T11:00:00")
    out = tmp_path / "out"
    argv = ["--clips", str(dev), "--clips", str(day), "--out", str(out), "--calibrate", str(cal)]
    rc, err = _train([*argv, "--adapt-to", str(new), "--adapt-rounds", "1"], capsys)
    assert rc == 0, err[-2000:]
    sources = _trained_on(out / "model")
    assert list(sources) == ["dev", "day", "cal", "new"]
    assert [s.get("pseudo_labelled", False) for s in sources.values()] == [0, 0, 0, 1]
    last = json.loads((out / "model" / "adapt.json").read_text())["rounds"][-1]
    guessed = sources["new"]["days"]["2025-10-20"]
    assert guessed["classes"] == {c: n for c, n in last["pseudo_labelled"].items() if n}
    assert guessed["windows"] == sum(last["pseudo_labelled"].values()) > 0


@pytest.mark.parametrize("flag", ["--calibrate", "--adapt-to"])
@pytest.mark.parametrize("again", ["--clips", "--sessions"])
def test_a_training_folder_again_as_the_new_day_is_one_clear_error(tmp_path, capsys, flag, again):
    """Refused before any recording is read (the sessions folder here holds none)."""
    dev = _dev_without_jump(tmp_path / "dev")
    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    if again == "--sessions":
        day = tmp_path / "sessions"
        day.mkdir()
    out = tmp_path / "out"
    argv = ["--clips", str(dev), again, str(day), "--out", str(out), flag, f"{day}/"]
    rc, err = _train(argv, capsys)
    lines = [ln for ln in err.splitlines() if "error" in ln.lower()]
    assert rc == 2 and len(lines) == 1, err[-2000:]
    assert flag in lines[0] and again in lines[0] and str(day) in lines[0], lines[0]
    assert not out.exists()


@pytest.mark.parametrize("mode", ["folder", "store"])
def test_the_same_folder_twice_is_one_clear_error(tmp_path, capsys, mode):
    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    if mode == "folder":
        where = ["--out", str(tmp_path / "out")]
    else:
        where = ["--store", str(_clips_only_store(tmp_path / "store")), "--run-id", RUN]
    rc, err = _train(["--clips", str(day), "--clips", f"{day}/", *where], capsys)
    lines = [ln for ln in err.splitlines() if "error" in ln.lower()]
    assert rc == 2 and len(lines) == 1 and "clips folder given twice" in lines[0], err[-2000:]
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in err


# ---- store mode: a run with no labelled session, trained on local clip folders ---------


def _clips_only_store(root: Path) -> Path:
    """A store whose run has no session and an empty label set: only --clips trains."""
    store = open_store(str(root))
    keys.put_json(store, keys.run_inputs_key(RUN), {"sessions": {}, "clips": {}})
    keys.put_json(store, f"{keys.run_prefix(RUN)}/labels/summary.json", {"sessions": []})
    return root


def _pointer(root: Path) -> dict:
    return json.loads((root / "runs" / RUN / "model.json").read_text())


def test_store_mode_trains_on_both_folders_and_retrains_when_either_changes(tmp_path, capsys):
    root = _clips_only_store(tmp_path / "store")
    day = badinputs.sample_clips(tmp_path / "day", per_class=6)
    other = _other_session(day, tmp_path / "other", "20251020_100000", "2025-10-20T10:00:00")
    argv = ["--store", str(root), "--run-id", RUN, "--clips", str(day), "--clips", str(other)]
    rc, err = _train(argv, capsys)
    assert rc == 0, err[-2000:]
    first = _pointer(root)
    assert first["clip_folders"] == [str(day), str(other)]
    names = [c for c in first["clips"] if c.endswith("jump_sample01.csv")]
    assert names == ["1/jump_sample01.csv", "2/jump_sample01.csv"]  # both kept
    model = root / "runs" / RUN / "model" / first["version"]
    sources = _trained_on(model)
    assert set(sources) == {"day", "other"}
    assert sources["day"]["streams"] == sources["other"]["streams"] == 24
    trained = [d["windows"] for s in sources.values() for d in s["days"].values()]
    tested = [d["windows"] for s in sources.values() for d in s["test_days"].values()]
    assert sum(trained) == first["figures"]["windows"]
    assert sum(tested) == first["figures"]["test_windows"] > 0  # the test set, listed apart

    assert _train(argv, capsys)[0] == 0
    assert _pointer(root)["version"] == first["version"]  # same inputs: re-used

    seen = {first["inputs"]}
    for folder in (other, day):  # a file changed in either folder: trained again
        clip = folder / "punch_sample01.csv"
        clip.write_bytes(clip.read_bytes() + b"\n")  # one more line end: another file
        rc, err = _train(argv, capsys)
        assert rc == 0, err[-2000:]
        assert _pointer(root)["inputs"] not in seen
        seen.add(_pointer(root)["inputs"])
    reordered = ["--store", str(root), "--run-id", RUN, "--clips", str(other), "--clips", str(day)]
    assert _train(reordered, capsys)[0] == 0  # another order names the streams otherwise
    assert _pointer(root)["inputs"] not in seen
    assert _pointer(root)["clip_folders"] == [str(other), str(day)]


def _bad_folder(root: Path, kind: str) -> Path:
    """A clips folder with nothing to train on: empty, or of another layout (a CSV that is
    no clip)."""
    folder = root / kind
    folder.mkdir()
    if kind == "wrong-layout":
        (folder / "notes.csv").write_text("a,b\n1,2\n")
    return folder


@pytest.mark.parametrize("mode", ["folder", "store"])
@pytest.mark.parametrize("kind", ["empty", "wrong-layout"])
@pytest.mark.parametrize("alone", [True, False])
def test_a_folder_with_nothing_to_train_on_is_one_error_naming_it(
    tmp_path, capsys, mode, kind, alone
):
    """Store mode reads a scratch copy: its error must still name the user's folder, and an
    empty folder must not be trained past (one alone left a clips-only run with nothing)."""
    bad = _bad_folder(tmp_path, kind)
    clips = ["--clips", str(bad)]
    if not alone:
        clips = ["--clips", str(badinputs.sample_clips(tmp_path / "day", per_class=1)), *clips]
    root = _clips_only_store(tmp_path / "store")
    where = ["--store", str(root), "--run-id", RUN]
    if mode == "folder":
        where = ["--out", str(tmp_path / "out")]
    rc, err = _train([*clips, *where], capsys)
    last = err.strip().splitlines()[-1]
    assert rc == 2 and "error" in last and str(bad) in last, err[-2000:]
    assert "silkpipe-train-" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not (root / "runs" / RUN / "model.json").exists()


def test_store_mode_keeps_a_failure_record_for_each_folders_bad_clip_of_one_name(tmp_path, capsys):
    root = _clips_only_store(tmp_path / "store")
    day = badinputs.sample_clips(tmp_path / "day", per_class=6)
    other = _other_session(day, tmp_path / "other", "20251020_100000", "2025-10-20T10:00:00")
    bad = [folder / badinputs.cut_sample(folder).file for folder in (day, other)]
    argv = ["--store", str(root), "--run-id", RUN, "--clips", str(day), "--clips", str(other)]
    rc, err = _train(argv, capsys)
    assert rc == 0, err[-2000:]
    store = open_store(str(root))
    records = [keys.get_json(store, k) for k in store.list(keys.failures_prefix(RUN, "train"))]
    named = {str(p) for p in bad if any(str(p) in r["error"] for r in records)}
    assert len(records) == 2 and named == {str(p) for p in bad}, records


def test_store_mode_refuses_a_local_clip_changed_after_it_was_hashed(tmp_path):
    """The model's key is the clips' hashes: bytes that changed after hashing (or a file
    swapped for a link out since) are not trained on under it."""
    from silkpipe.errors import InputError
    from silkpipe.steps.common import read_run_inputs
    from silkpipe.steps.train import _clip_streams, train_plan
    from silkpipe.training import TrainConfig

    store = open_store(str(_clips_only_store(tmp_path / "store")))
    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    other = _other_session(day, tmp_path / "other", "20251020_100000", "2025-10-20T10:00:00")
    plan = train_plan(store, RUN, TrainConfig(), [day, other])
    clip = other / "punch_sample01.csv"
    clip.write_bytes(clip.read_bytes() + b"\n")
    with pytest.raises(InputError, match="changed while train was reading it") as err:
        _clip_streams(store, RUN, plan, read_run_inputs(store, RUN), tmp_path / "work", False)
    assert str(clip) in str(err.value)
