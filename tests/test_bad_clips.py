"""Bad clip folders, both dialects (tests/badinputs.py, built from the real clips).

Each damaged file is added to a healthy folder: loading refuses it in one line naming it,
or (train's way) skips it and loads the rest; a trap (byte-order mark, CRLF, one glitch
row) loads like its undamaged copy. A damaged session_metadata.json refuses the folder.
"""

from __future__ import annotations

import os

import badinputs
import numpy as np
import pytest

from silkpipe.clips import load_clip_streams
from silkpipe.errors import InputError

FILE_CASES = [
    *((b, badinputs.sample_clips) for b in badinputs.SAMPLE_CLIP_CASES),
    *((b, badinputs.clips_subset) for b in badinputs.DEVICE_CLIP_CASES),
]


def _case_folder(tmp_path, build, base):
    folder = base(tmp_path / "clips")
    healthy = {p.stem for p in folder.glob("*.csv")}
    return folder, build(folder), healthy


@pytest.mark.parametrize("build, base", FILE_CASES, ids=[b.__name__ for b, _ in FILE_CASES])
def test_a_bad_clip_is_named_or_loads_like_its_copy(tmp_path, build, base):
    folder, case, healthy = _case_folder(tmp_path, build, base)
    stem = case.file.removesuffix(".csv")
    if case.expect == "survive":
        streams = {st.name: st for st in load_clip_streams(folder)}
        assert stem in streams and healthy <= set(streams)
        motion = streams[stem].motion
        assert motion.duration < 60 and np.isfinite(motion.data).all()
        return
    with pytest.raises(InputError) as err:
        load_clip_streams(folder)
    message = str(err.value)
    assert case.file in message and "\n" not in message and len(message) < 600, message
    assert all(w in message.lower() for w in case.words), message
    skipped = []
    streams = load_clip_streams(folder, on_error=lambda path, e: skipped.append(path.name))
    assert skipped == [case.file] and {st.name for st in streams} == healthy


@pytest.mark.parametrize("build", badinputs.SAMPLE_FOLDER_CASES, ids=lambda b: b.__name__)
def test_bad_session_metadata_refuses_the_folder_in_one_line(tmp_path, build):
    folder = badinputs.sample_clips(tmp_path / "clips", per_class=1)
    case = build(folder)
    proc = badinputs.cli(
        "train", "--clips", str(folder), "--out", str(tmp_path / "m"), "--epochs", "1",
        cwd=tmp_path,
    )  # fmt: skip
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("silkpipe train: error:")]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-2000:]
    assert case.file in lines[0] and all(w in lines[0].lower() for w in case.words), lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "m" / "model").exists()


def test_train_skips_every_bad_clip_of_a_folder_and_names_it(tmp_path):
    """All the sample cases in one folder, plus a pipe named like a clip (reading it would
    wait forever): the model trains on the rest, stderr names each refused file, and the
    exit is partial (2, a closing `partial:` line), as `run` and `sessions upload` exit."""
    folder = badinputs.sample_clips(tmp_path / "clips")
    cases = [build(folder) for build in badinputs.SAMPLE_CLIP_CASES]
    os.mkfifo(folder / "punch_sample48.csv")
    proc = badinputs.cli(
        "train", "--clips", str(folder), "--out", str(tmp_path / "m"), "--epochs", "1",
        "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    refused = [c.file for c in cases if c.expect == "fail"] + ["punch_sample48.csv"]
    last = proc.stderr.splitlines()[-1]
    assert last.startswith(f"silkpipe train: partial: {len(refused)} clip(s) skipped ("), last
    for name in refused:
        assert f"skipped clip {name}" in proc.stderr and name in last, name
    assert (tmp_path / "m" / "model" / "config.json").is_file()  # published, whole
    assert not (tmp_path / "m" / "model.partial").exists()


# ---- session folders read in folder mode (train/evaluate --sessions, --adapt-to) ----------


def test_folder_mode_sessions_are_checked_before_the_grid_is_sized(tmp_path):
    """A clock jump of 1e8 s asked for a 37 GiB grid (MemoryError, a fault): now the
    align step's checks refuse it first, naming session and file."""
    from silkpipe.adapt import adapt_streams
    from silkpipe.dataset import load_session_streams

    case = badinputs.two_recordings_csv(tmp_path / "in")
    (tmp_path / "in" / case.session / "labels.csv").write_text("start,end,label\n")
    for read in (load_session_streams, adapt_streams):
        with pytest.raises(InputError, match="stretches") as err:
            read(tmp_path / "in")
        assert f"session {case.session}" in str(err.value) and case.file in str(err.value)


def test_session_folders_linking_out_are_not_read(tmp_path, caplog):
    from silkpipe.adapt import adapt_streams
    from silkpipe.dataset import load_session_streams

    good, files = badinputs.GOOD[0], ("sensor_data.csv",)
    outside = badinputs.copy_session(good, tmp_path / "outside", "private", files=files)
    (outside / "labels.csv").write_text("start,end,label\n")
    sessions = tmp_path / "in"
    inside = badinputs.copy_session(good, sessions, "mine", files=files)
    (sessions / "linked").symlink_to(outside)
    assert [st.name for st in adapt_streams(sessions)] == ["mine"]
    assert "linked" in caplog.text and "link out of the sessions folder" in caplog.text
    with pytest.raises(InputError, match="link out of the sessions folder") as err:
        load_session_streams(sessions)  # labelled sessions: a part left out is bad input
    assert "session linked" in str(err.value)
    (sessions / "linked").unlink()
    (inside / "labels.csv").symlink_to(outside / "labels.csv")
    with pytest.raises(InputError, match="link out of the session folder") as err:
        load_session_streams(sessions)
    assert "labels.csv" in str(err.value)
