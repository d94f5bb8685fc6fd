"""A command that skipped some of its input exits 2 with a closing `partial:` line (as
`run`, `sessions upload` and `train --out` do), its output made without it: `align` in
store mode skipped a bad clip of the run (or of `--clips DIR`) with a warning and exited
0, so a script took labels aligned without it for whole ones; `score-voice` exited 0
without a session align refused. (`evaluate --spot --sessions`: test_session_spotting.)"""

from __future__ import annotations

import json
from pathlib import Path

import badinputs
import pytest

from silkpipe.cli import main
from tests.conftest import score_voice_two_sessions

GOOD = badinputs.GOOD[1]  # the session that passes the gate on its own


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory) -> Path:
    """One real session and a sample-dialect clips folder with one cut-off clip, uploaded
    as run r1 and transcribed (its own WhisperX file)."""
    root = tmp_path_factory.mktemp("partial-align")
    sessions = root / "sessions"
    files = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
    badinputs.copy_session(GOOD, sessions, GOOD, files=files)
    clips = badinputs.sample_clips(root / "clips", per_class=2)
    badinputs.cut_sample(clips)
    store = str(root / "store")
    argv = ["sessions", "upload", str(sessions), "--clips", str(clips)]
    assert main([*argv, "--store", store, "--run-id", "r1"]) == 0
    assert main(["transcribe", GOOD, "--store", store, "--run-id", "r1"]) == 0
    return root


@pytest.mark.parametrize("local", [False, True], ids=["run-clips", "clips-dir"])
def test_align_that_skipped_a_clip_exits_partial_naming_it(transcribed, capsys, local):
    store = str(transcribed / "store")
    clips = transcribed / "clips"
    capsys.readouterr()
    extra = ["--clips", str(clips)] if local else []
    rc = main(["align", "--store", store, "--run-id", "r1", *extra])
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert rc == 2, err[-3000:]
    assert last.startswith("silkpipe align: partial: 1 clip(s) skipped ("), last
    assert "jump_sample43.csv" in last and "failed" not in last, last
    pointer = json.loads((transcribed / "store/runs/r1/labels.json").read_text())
    assert GOOD in pointer["sessions"], "the labels are still published"


def test_score_voice_with_a_session_align_refuses_names_it_and_exits_partial(tmp_path, capsys):
    """A session whose sensor_data.csv is cut off fails in align: its row said only "no
    alignment output" and the exit was 0, as if every session had been scored. Its row now
    carries align's line naming the file, and the exit is partial (2)."""
    bad, good, argv = score_voice_two_sessions(tmp_path)
    cut = bad / "sensor_data.csv"
    cut.write_bytes(cut.read_bytes()[:20000])
    capsys.readouterr()
    assert main(argv) == 2
    out = capsys.readouterr()
    result = json.loads(out.out[out.out.index("{") :])
    assert str(cut) in result["sessions"][bad.name]["error"], result["sessions"][bad.name]
    assert "offset_error" in result["sessions"][good.name]
    last = out.err.strip().splitlines()[-1]
    assert last.startswith("silkpipe score-voice: partial: 1 session(s) failed"), last
    assert bad.name in last and good.name not in last, last


def test_score_voice_with_a_session_whose_stream_is_a_pipe_names_it_and_exits_partial(
    tmp_path, capsys
):
    """A session whose sensor_data.csv is a named pipe was a warning only, and score-voice
    exited 0 scoring the other (sweep 54): it is refused as a bad truth.json is, exit 2."""
    import os

    bad, good, argv = score_voice_two_sessions(tmp_path)
    (bad / "sensor_data.csv").unlink()
    os.mkfifo(bad / "sensor_data.csv")
    capsys.readouterr()
    assert main(argv) == 2
    out = capsys.readouterr()
    result = json.loads(out.out[out.out.index("{") :])
    assert "not a regular file" in result["sessions_refused"][bad.name]
    assert "offset_error" in result["sessions"][good.name]


def _labelled_pair(root: Path, unread: str) -> Path:
    """s/a labelled (a real session, its own labels as labels.csv) and s/b whose
    sensor_data.csv is a named pipe ("fifo") or a link out of s ("link")."""
    import csv
    import os
    import shutil

    real = badinputs.SESSIONS / badinputs.GOOD[0]
    rows = list(csv.DictReader((real / "original_labels.csv").open()))
    lines = ["start,end,label"]
    lines += [
        f"{r['timestamp']},{float(r['timestamp']) + float(r['duration'])},{r['gesture']}"
        for r in rows
    ]
    for name in ("a", "b"):
        (root / "s" / name).mkdir(parents=True)
        (root / "s" / name / "labels.csv").write_text("\n".join(lines) + "\n")
    shutil.copyfile(real / "sensor_data.csv", root / "s" / "a" / "sensor_data.csv")
    stream = root / "s" / "b" / "sensor_data.csv"
    if unread == "fifo":
        os.mkfifo(stream)
    else:
        shutil.copyfile(real / "sensor_data.csv", root / "outside.csv")
        stream.symlink_to(root / "outside.csv")
    return root / "s"


@pytest.mark.parametrize("unread", ["fifo", "link"])
def test_a_session_whose_stream_is_not_read_makes_train_and_evaluate_say_so(
    tmp_path, capsys, monkeypatch, unread
):
    """A --sessions (or --adapt-to) session whose sensor_data.csv is a named pipe or links
    out of the folder is not read: it was a warning only, and `train --sessions` and
    `--adapt-to` exited 0 as if trained on every session, `evaluate --sessions` scored the
    others, exit 0 (sweep 54). Now train's partial line names it (exit 2), and evaluate
    refuses the folder naming it, as for a session it cannot parse."""
    monkeypatch.chdir(tmp_path)
    _labelled_pair(tmp_path, unread)
    rc = main(["train", "--sessions", "s", "--out", "out", "--epochs", "1"])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert rc == 2 and last.startswith("silkpipe train: partial: 1 session folder(s) skipped (b)")
    rc = main(["evaluate", "--model", "out/model", "--sessions", "s", "--json"])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert rc == 2 and "session b, file s/b/sensor_data.csv" in last, last
    clips = badinputs.sample_clips(tmp_path / "clips")
    argv = ["train", "--clips", str(clips), "--out", "out2", "--epochs", "1", "--adapt-to", "s"]
    rc = main(argv)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert rc == 2 and last.startswith("silkpipe train: partial: 1 session folder(s) skipped (b)")
