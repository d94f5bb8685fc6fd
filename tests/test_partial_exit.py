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
