"""`silkpipe run SESSIONS --clips A --clips B` (issue 22): several clip folders uploaded
whole and apart (``clips/<n>/``), trained on together under the key `train --clips A
--clips B` makes; one folder keeps its layout and key. Small real data, file:// and s3://."""

from __future__ import annotations

import json
from pathlib import Path

import badinputs
import pytest
from test_train_clip_folders import _other_session

from silkpipe import store as keys
from silkpipe.cli import main
from silkpipe.pipeline import upload_inputs
from silkpipe.steps.train import train_plan, train_run
from silkpipe.store import open_store
from silkpipe.training import TrainConfig

RUN = "rc"


def _two_days(root: Path) -> tuple[Path, Path]:
    """Two sample-dialect folders of one clip-name set (jump_sample01.csv ... in each)."""
    day = badinputs.sample_clips(root / "day", per_class=3)
    other = _other_session(day, root / "other", "20251020_100000", "2025-10-20T10:00:00")
    return day, other


def _sessions(root: Path) -> Path:
    badinputs.good_sessions(root / "sessions")
    return root / "sessions"


def _with_label_set(store) -> None:
    """An empty published-layout label set: train_plan reads the run's clips only."""
    keys.put_json(store, f"{keys.run_prefix(RUN)}/labels/summary.json", {"sessions": []})


@pytest.mark.parametrize("several", [False, True])
def test_the_run_clips_make_the_key_train_clips_makes(tmp_path, several):
    """The run's uploaded clips and the same folders given to `train --clips` are one
    model key (one scheme); one folder keeps clips/<name> and its names, so published
    models are not trained again."""
    folders = list(_two_days(tmp_path)) if several else [_two_days(tmp_path)[0]]
    store = open_store(str(tmp_path / "store"))
    upload_inputs(store, _sessions(tmp_path), folders, run_id=RUN)
    _with_label_set(store)
    cfg = TrainConfig()
    stored, local = train_plan(store, RUN, cfg), train_plan(store, RUN, cfg, folders)
    assert stored.clips == local.clips and stored.inputs == local.inputs
    listed = store.list("clips")
    if several:
        assert "clips/1/jump_sample01.csv" in listed and "clips/2/jump_sample01.csv" in listed
        origins = json.loads((tmp_path / "store/runs" / RUN / "inputs.json").read_text())
        assert origins["origins"]["clips/2"] == str(folders[1].resolve())
    else:
        assert "clips/jump_sample01.csv" in listed and all(k.count("/") == 1 for k in listed)
        assert set(stored.clips) == {p.name for p in folders[0].iterdir()}


def test_store_mode_train_on_the_runs_several_folders_over_s3(tmp_path, s3_env):
    """s3://: both folders uploaded apart, train reads them back, names each folder in
    model.json, in config.json's trained_on and in a skipped clip's error."""
    day, other = _two_days(tmp_path)
    bad = badinputs.cut_sample(other).file
    store = open_store("s3://silkpipe-test/runclips")
    upload_inputs(store, _sessions(tmp_path), [day, other], run_id=RUN)
    _with_label_set(store)
    one_epoch = TrainConfig(max_epochs=1, min_epochs=1)
    figures = train_run(store, RUN, one_epoch, progress=False)
    pointer = keys.published(store, RUN, "model") or {}
    assert pointer["clip_folders"] == [str(day.resolve()), str(other.resolve())]
    csvs = [name for name in pointer["clips"] if name.endswith(".csv")]
    assert figures["clips"] == len(csvs) - 1  # all but the cut one
    config = json.loads(
        store.get_bytes(keys.published_prefix(store, RUN, "model") + "/config.json")
    )
    sources = {s["source"] for s in config["training"]["trained_on"]}
    assert sources == {str(day.resolve()), str(other.resolve())}
    record = keys.get_json(store, keys.failure_key(RUN, "train", f"2-{Path(bad).stem}"))
    assert f"file {other.resolve() / bad}" in record["error"], record
    assert train_run(store, RUN, one_epoch, progress=False)["skipped"] == 1  # same key: re-used


def test_run_trains_on_two_folders_and_names_them(tmp_path):
    """The whole run: a clip refused at upload in the second folder is named by its place
    and the closing line says which folder is which; model.json and the report name both.
    A bad clip of the first folder is named once, in one line with its file and why (align
    and train each named it), and the run trains on the good clips."""
    day, other = _two_days(tmp_path)
    (other / "jump bad name.csv").write_bytes((other / "jump_sample01.csv").read_bytes())
    bad = badinputs.cut_sample(day).file
    store = tmp_path / "store"
    sessions = tmp_path / "sessions"  # one real session is enough beside the clip folders
    name = badinputs.GOOD[1]  # (the one that passes the gate on its own)
    files = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
    badinputs.copy_session(name, sessions, name, files=files)
    proc = badinputs.cli(
        *("run", str(sessions), "--clips", str(day), "--clips", str(other)),
        *("--store", str(store), "--run-id", RUN, "--workers", "1"),
        cwd=tmp_path,
    )
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "1 clip(s) skipped at upload (2-jump bad name)" in last, last
    assert f"clip folders 1 {day}, 2 {other}" in last, last
    assert "1 clip(s) skipped by train (1-jump_sample43)" in last, last
    named = [line for line in proc.stderr.splitlines() if bad in line]
    assert len(named) == 1, named
    assert "skipped clip" in named[0] and str(day.resolve() / bad) in named[0], named
    assert "cut off" in named[0], named
    pointer = json.loads((store / "runs" / RUN / "model.json").read_text())
    assert pointer["clip_folders"] == [str(day.resolve()), str(other.resolve())]
    assert "1/jump_sample01.csv" in pointer["clips"] and "2/jump_sample01.csv" in pointer["clips"]
    report = (store / "runs" / RUN / "report" / "index.html").read_text()
    assert str(day.resolve()) in report and str(other.resolve()) in report
    assert '"clip_folders"' in proc.stderr and "Traceback" not in proc.stderr


def _bad_folder(root: Path, kind: str) -> Path:
    folder = root / kind
    if kind == "missing":
        return folder
    folder.mkdir()
    if kind == "sessions-layout":  # a sessions folder given as --clips
        badinputs.copy_session(badinputs.GOOD[0], folder, "s1", files=("sensor_data.csv",))
    return folder


@pytest.mark.parametrize("kind", ["twice", "missing", "empty", "sessions-layout"])
def test_a_bad_clips_folder_is_one_line_naming_it_and_nothing_is_written(tmp_path, capsys, kind):
    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    bad = Path(f"{day}/") if kind == "twice" else _bad_folder(tmp_path, kind)
    store = tmp_path / "store"
    argv = ["run", str(_sessions(tmp_path)), "--clips", str(day), "--clips", str(bad)]
    assert main([*argv, "--store", str(store), "--run-id", RUN, "--workers", "1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "silkpipe run: error:" in lines[0], lines
    assert str(bad) in lines[0] and "clips folder" in lines[0], lines[0]
    if kind == "twice":
        assert "given twice" in lines[0]
    assert not store.exists()


def test_sessions_upload_takes_several_clip_folders_for_a_run(tmp_path, capsys):
    """The cluster path's upload: several --clips go to clips/<n>/ and the run's inputs;
    without --run-id nothing would say which clips/<n>/ are whose, so it is refused."""
    day, other = _two_days(tmp_path)
    store = tmp_path / "store"
    argv = ["sessions", "upload", str(_sessions(tmp_path)), "--store", str(store)]
    argv += ["--clips", str(day), "--clips", str(other)]
    assert main(argv) == 2
    assert "need --run-id" in capsys.readouterr().err and not store.exists()
    assert main([*argv, "--run-id", RUN]) == 0
    inputs = json.loads((store / "runs" / RUN / "inputs.json").read_text())
    assert {"1/jump_sample01.csv", "2/jump_sample01.csv"} <= set(inputs["clips"])
    assert (store / "clips" / "2" / "jump_sample01.csv").is_file()


# ---- a sessions folder's sub-folder that holds no session --------------------------------


@pytest.mark.parametrize("content", ["empty", "other-files"])
def test_a_sub_folder_with_no_session_files_is_refused_by_name(tmp_path, content):
    """It was left out without a word; now it is refused like a session folder missing
    its sensor_data.csv: named in one line, recorded as refused at upload (run: exit 2)."""
    from silkpipe.commands.run import raise_if_partial
    from silkpipe.errors import PartialFailure

    sessions = _sessions(tmp_path)
    (sessions / "notes").mkdir()
    if content == "other-files":
        (sessions / "notes" / "readme.txt").write_text("not a session\n")
    (sessions / ".hidden").mkdir()  # a hidden folder holding nothing is no session
    skipped: dict[str, str] = {}
    store = open_store(str(tmp_path / "store"))
    assert upload_inputs(store, sessions, None, skipped, run_id=RUN) == sorted(badinputs.GOOD)
    assert list(skipped) == ["notes"]
    assert (
        "sensor_data.csv is missing" in skipped["notes"]
        and str(sessions / "notes") in skipped["notes"]
    )
    result = {"steps": {}, "skipped_at_upload": list(skipped), "transcribe_failed": []}
    result["align_failed"] = []
    with pytest.raises(PartialFailure) as err:
        raise_if_partial(result, store, RUN)
    assert err.value.code == 2 and "1 session(s) failed (notes)" in str(err.value)


def test_align_names_a_bad_clip_of_the_tenth_folder_by_its_own_folder(tmp_path, caplog):
    """align's clip model warns about a bad clip by the user's folder it came from: the
    scratch copy of folder 10 was named as folder 1's path with "0/" after it."""
    from silkpipe.steps.align import run_clip_model
    from silkpipe.steps.common import read_run_inputs

    folders = [
        badinputs.sample_clips(tmp_path / f"day{n}-clips", per_class=2) for n in range(1, 11)
    ]
    bad = badinputs.cut_sample(folders[9]).file
    store = open_store(str(tmp_path / "store"))
    upload_inputs(store, _sessions(tmp_path), folders, run_id=RUN)
    with caplog.at_level("WARNING"):
        assert run_clip_model(store, RUN, read_run_inputs(store, RUN), None)[0] is not None
    warned = [r.getMessage() for r in caplog.records if bad in r.getMessage()]
    assert len(warned) == 1 and str(folders[9].resolve() / bad) in warned[0], warned


def test_a_clips_folder_inside_the_sessions_folder_is_no_refused_session(tmp_path):
    """SESSIONS/clips given as --clips is the run's clips, not a session folder missing its
    sensor_data.csv: it was refused as one, and every such run ended partial (exit 2)."""
    sessions = _sessions(tmp_path)
    clips = badinputs.sample_clips(sessions / "clips", per_class=2)
    skipped: dict[str, str] = {}
    store = open_store(str(tmp_path / "store"))
    assert upload_inputs(store, sessions, [clips], skipped, run_id=RUN) == sorted(badinputs.GOOD)
    assert skipped == {}
    assert "clips/jump_sample01.csv" in store.list("clips")


def test_a_clip_folder_with_no_readable_clip_stops_align_naming_it(tmp_path):
    """One of two folders whose every clip is garbled: align warned and went on with no
    clip model at all (for every folder), so every session was aligned another way, while
    train refused the folder. Now align refuses it too, before aligning, in one line that
    names the user's folder and its first bad clip."""
    from silkpipe.errors import InputError
    from silkpipe.steps import align_run

    day, other = _two_days(tmp_path)
    for clip in other.glob("*.csv"):
        clip.write_text("this is,not a clip\n1,2\n")
    store = open_store(str(tmp_path / "store"))
    upload_inputs(store, _sessions(tmp_path), [day, other], run_id=RUN)
    with pytest.raises(InputError) as err:
        align_run(store, RUN, progress=False)
    line = str(err.value)
    assert "\n" not in line and str(other.resolve()) in line, line
    assert "no readable clips" in line and ".csv" in line, line
    assert keys.published(store, RUN, "labels") is None, "sessions were aligned"
    _with_label_set(store)
    with pytest.raises(InputError) as trained:  # train refuses the same folder
        train_run(store, RUN, TrainConfig(max_epochs=1, min_epochs=1), progress=False)
    assert str(other.resolve()) in str(trained.value)


def test_an_unreadable_local_clip_is_bad_input_naming_it(tmp_path, monkeypatch):
    """`align --clips DIR` / `train --clips DIR` with a clip the OS will not hand over: a
    PermissionError traceback line and exit 1 (a fault); now bad input naming the file."""
    from silkpipe.errors import InputError, exit_status
    from silkpipe.steps.train import folder_clips

    day = badinputs.sample_clips(tmp_path / "day", per_class=1)
    locked = day / "punch_sample01.csv"
    real_read = Path.read_bytes

    def read_bytes(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(InputError) as err:
        folder_clips(day)
    assert exit_status(err.value) == 2 and str(locked) in str(err.value), err.value


def test_run_names_a_clip_folder_with_no_readable_clip_before_transcribing(tmp_path, monkeypatch):
    """`run --clips A --clips B`, B's every clip garbled: align and train refuse B, and the
    run said so only after transcribing every session; now before, in one line."""
    from silkpipe import pipeline
    from silkpipe.errors import InputError

    day, other = _two_days(tmp_path)
    for clip in other.glob("*.csv"):
        clip.write_text("this is,not a clip\n1,2\n")

    def transcribed(*args, **kwargs):
        raise AssertionError("transcribed before the clip folder was refused")

    monkeypatch.setattr(pipeline, "transcribe_all", transcribed)
    with pytest.raises(InputError) as err:
        pipeline.run_pipeline(
            _sessions(tmp_path), str(tmp_path / "store"), RUN, clips_dirs=[day, other]
        )
    line = str(err.value)
    assert "\n" not in line and str(other.resolve()) in line and ".csv" in line, line
