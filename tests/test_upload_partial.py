"""`sessions upload` that refuses some sub-folders is partial: exit 2 as `run` exits for a
partial run, the uploaded names still on stdout, one line per refusal; `make submit` goes
on with what was uploaded and stops when nothing was."""

from __future__ import annotations

import json
from pathlib import Path

import badinputs
import pytest
from test_workflows import _ArgoServerRecorder

GOOD = badinputs.GOOD[0]


def _sessions(root: Path, *, good: bool = True) -> Path:
    """A sessions folder with a session missing its sensor stream (refused), and a good one."""
    sessions = root / "sessions"
    if good:
        badinputs.copy_session(GOOD, sessions, "good", files=("sensor_data.csv",))
    badinputs.copy_session(GOOD, sessions, "nosensor", files=("metadata.json",))
    return sessions


def test_upload_that_refused_a_session_is_partial_and_names_it_once(tmp_path):
    """It exited 0 (a script went on as if all were uploaded) and said each refusal twice:
    a log line and a `skipped:` line. A clip that is a link out of its folder too."""
    sessions = _sessions(tmp_path)
    clips = badinputs.sample_clips(tmp_path / "clips", per_class=1)
    (tmp_path / "outside.csv").write_text("t,x\n")
    (clips / "evil_sample01.csv").symlink_to(tmp_path / "outside.csv")
    store = str(tmp_path / "store")
    proc = badinputs.cli(
        "sessions", "upload", str(sessions), "--store", store, "--clips", str(clips), cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout) == ["good"]
    lines = proc.stderr.strip().splitlines()
    refusals = [line for line in lines if "partial:" not in line]
    for name, file in (("nosensor", "nosensor"), ("evil_sample01", "evil_sample01.csv")):
        said = [line for line in refusals if name in line]
        assert len(said) == 1 and file in said[0], lines
    closing = [line for line in lines if "partial:" in line]
    assert len(closing) == 1 and closing[0].startswith("silkpipe sessions upload: partial:")
    assert "nosensor" in closing[0] and "evil_sample01" in closing[0], closing
    assert "1 session(s) uploaded" in closing[0], closing


def test_upload_of_nothing_is_an_error_with_no_names(tmp_path):
    """Every sub-folder refused: exit 2 with nothing on stdout (a partial upload prints the
    names it uploaded), one error line after the refusal."""
    sessions = _sessions(tmp_path, good=False)
    proc = badinputs.cli("sessions", "upload", str(sessions), "--store", "store", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout + proc.stderr
    assert "error:" in proc.stderr.strip().splitlines()[-1], proc.stderr


def _submit(tmp_path: Path, sessions: Path, *more: str) -> tuple[int, list]:
    from workflows import submit

    recorder = _ArgoServerRecorder()
    try:
        argv = ["--server", recorder.url, "--store", str(tmp_path / "store"), *more]
        code = submit.main([*argv, "--run-id", "r-part", "--sessions", str(sessions)])
    finally:
        recorder.close()
    return code, recorder.calls


def test_submit_goes_on_after_a_partial_upload(tmp_path, clean_env, capsys):
    """One bad session in the folder: submit goes on with the good one (as `run` does) and
    says it, where a partial upload exiting 2 would have stopped the submission."""
    code, calls = _submit(tmp_path, _sessions(tmp_path))
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert [c[0] for c in calls] == ["POST"], calls
    assert "going on with the 1 uploaded session(s)" in err and "nosensor" in err, err


def test_submit_stops_when_nothing_was_uploaded(tmp_path, clean_env, capsys):
    code, calls = _submit(tmp_path, _sessions(tmp_path, good=False))
    out, err = capsys.readouterr()
    assert code == 2 and calls == [], out + err
    assert "going on" not in err


def test_image_test_goes_on_after_a_partial_upload(tmp_path, clean_env):
    """`python -m workflows.image_test --data DIR` uploads DIR as a user does: a partial
    upload stopped it with a CalledProcessError traceback; now it goes on as submit does,
    and nothing uploaded still stops it, in one line."""
    import pytest

    from workflows.image_test import _upload

    data = tmp_path / "data"
    _sessions(data)
    badinputs.sample_clips(data / "clips", per_class=1)
    params = {"store": str(tmp_path / "store"), "run-id": "r-img"}
    _upload(data, params)
    inputs = json.loads((tmp_path / "store/runs/r-img/inputs.json").read_text())
    assert sorted(inputs["sessions"]) == ["good"], inputs
    nothing = tmp_path / "nothing"
    _sessions(nothing, good=False)
    badinputs.sample_clips(nothing / "clips", per_class=1)
    with pytest.raises(SystemExit, match="upload failed"):
        _upload(nothing, {**params, "run-id": "r-none"})


def test_submit_names_a_clips_folder_with_no_readable_clip_before_submitting(
    tmp_path, clean_env, capsys
):
    """Every clip of the one --clips folder garbled: the Workflow was created, every session
    transcribed in the cluster, then align and train refused the folder; `silkpipe run`
    refuses it before transcribing, and submit now before submitting, in one line."""
    clips = badinputs.sample_clips(tmp_path / "clips", per_class=1)
    for clip in clips.glob("*.csv"):
        clip.write_text("this is,not a clip\n1,2\n")
    code, calls = _submit(tmp_path, _sessions(tmp_path), "--clips", str(clips))
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert code == 2 and calls == [], err
    assert last.startswith("submit: error:") and str(clips) in last, last
    assert "no readable clips" in last and ".csv" in last, last


def test_a_store_fault_mid_upload_names_what_was_uploaded_and_lists_no_half_session(
    tmp_path, monkeypatch, capsys
):
    """A full disk on the second session's second file: the line said only the fault, not
    that session `a` was uploaded whole (sweep 52), and the half-written session `b`, its
    sensor stream written first, was listed by `sessions list`, so a run took it without
    its other files. The sensor stream now goes last: `b` is not listed."""
    from silkpipe.cli import main
    from silkpipe.store import FileStore, StoreFault

    sessions = tmp_path / "sessions"
    for name in ("a", "b"):
        badinputs.copy_session(GOOD, sessions, name, files=("sensor_data.csv", "metadata.json"))
    writes_into_b = []
    put_bytes = FileStore.put_bytes

    def full_on_bs_second_file(self, key, data):
        if key.startswith("sessions/b/"):
            writes_into_b.append(key)
            if len(writes_into_b) == 2:
                raise StoreFault(f"cannot write {key} in store {self.root}: No space left")
        return put_bytes(self, key, data)

    monkeypatch.setattr(FileStore, "put_bytes", full_on_bs_second_file)
    store = str(tmp_path / "store")
    assert main(["sessions", "upload", str(sessions), "--store", store]) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "cannot write sessions/b/sensor_data.csv" in line, line
    assert "session b not uploaded whole; 1 uploaded whole before it (a)" in line, line
    monkeypatch.setattr(FileStore, "put_bytes", put_bytes)
    assert main(["sessions", "list", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == ["a"]


def test_a_fault_re_uploading_a_changed_session_leaves_it_unlisted_not_mixed(
    tmp_path, monkeypatch, capsys
):
    """A session re-uploaded with a new metadata.json and a new stream: a fault on the
    stream left it listed with the new metadata beside the old stream (review 54). Its
    stored stream is now taken away first, so it is unlisted until a rerun puts it whole."""
    from silkpipe.cli import main
    from silkpipe.store import FileStore, StoreFault

    sessions = tmp_path / "sessions"
    for name in ("a", "b"):
        badinputs.copy_session(GOOD, sessions, name, files=("sensor_data.csv", "metadata.json"))
    store = str(tmp_path / "store")
    assert main(["sessions", "upload", str(sessions), "--store", store]) == 0
    for file in ("metadata.json", "sensor_data.csv"):
        with open(sessions / "b" / file, "a") as f:
            f.write("\n")
    put_bytes = FileStore.put_bytes

    def full_on_bs_stream(self, key, data):
        if key == "sessions/b/sensor_data.csv":
            raise StoreFault(f"cannot write {key} in store {self.root}: No space left")
        return put_bytes(self, key, data)

    monkeypatch.setattr(FileStore, "put_bytes", full_on_bs_stream)
    assert main(["sessions", "upload", str(sessions), "--store", store]) == 1
    assert "session b not uploaded whole" in capsys.readouterr().err
    monkeypatch.setattr(FileStore, "put_bytes", put_bytes)
    assert main(["sessions", "list", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == ["a"]
    assert main(["sessions", "upload", str(sessions), "--store", store]) == 0  # the rerun
    assert main(["sessions", "list", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == ["a", "b"]


@pytest.mark.parametrize("date", ["9999-12-31T10:00:00", "yesterday"])
def test_upload_refuses_a_clip_folder_whose_metadata_fields_are_bad_before_any_upload(
    tmp_path, date
):
    """session_metadata.json dated 9999-12-31 (or no date at all): upload exited 0 having
    stored the folder's clips, and align then refused the run's clips (sweep 55). Now one
    line naming the file, exit 2, and nothing written, as for a metadata file not read."""
    sessions = _sessions(tmp_path)
    clips = badinputs.sample_clips(tmp_path / "clips", per_class=1)
    meta = clips / "session_metadata.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "date": date}))
    store = tmp_path / "store"
    argv = ("sessions", "upload", str(sessions), "--store", str(store), "--clips", str(clips))
    proc = badinputs.cli(*argv, "--run-id", "r", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"silkpipe sessions upload: error: file {meta}: date {date!r}"), line
    assert not store.exists()
