"""`evaluate --model M --clips C` on the very recordings M was trained on (C itself, or a
copy of it): the score was printed like a held-out one without a word
(bad_input_sweep49). config.json's trained_on now keeps each source's motion digests, and
evaluate says how many of the recordings it scores the model was trained on."""

from __future__ import annotations

import shutil

import badinputs

from silkpipe.cli import main


def test_a_score_on_the_models_own_training_recordings_is_said_not_held_out(
    tmp_path, caplog, capsys
):
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    other = badinputs.clips_subset(tmp_path / "other", per_class=3)
    for path in clips.iterdir():
        (other / path.name).unlink()  # only clips the model did not see
    out = tmp_path / "out"
    argv = ["train", "--clips", str(clips), "--out", str(out), "--epochs", "1", "--no-progress"]
    assert main(argv) == 0
    shutil.copytree(clips, tmp_path / "copy")
    for folder, said in ((clips, True), (tmp_path / "copy", True), (other, False)):
        caplog.clear()
        assert main(["evaluate", "--model", str(out / "model"), "--clips", str(folder)]) == 0
        lines = [r.getMessage() for r in caplog.records if "not held out" in r.getMessage()]
        assert bool(lines) == said, (folder, lines)
        score = capsys.readouterr().out.splitlines()[0]  # the score itself says it too
        assert ("not held out" in score) == said, score
        if said:
            n = len(list(clips.glob("*.csv")))
            assert lines[0].startswith(f"{n} of the {n} recordings scored")


def test_a_stream_that_gave_no_training_window_is_not_listed_as_trained_on(tmp_path):
    """A store model's held-out test sessions are among the streams trained_on sees."""
    from silkpipe.clips import load_clip_streams
    from silkpipe.dataset import make_windows
    from silkpipe.trained_on import motion_digest, trained_on

    streams = load_clip_streams(badinputs.clips_subset(tmp_path / "clips", per_class=1))
    windows = make_windows(streams)
    held_out = streams[0].name
    train_part = windows.subset(windows.streams != held_out)
    (entry,) = trained_on(streams, train_part)
    assert motion_digest(streams[0]) not in entry["motions"]
    assert {motion_digest(st) for st in streams[1:]} <= set(entry["motions"])


def test_the_train_out_folder_is_taken_as_the_model_and_another_folder_refused(tmp_path, capsys):
    """`evaluate --model DIR` with `train --out DIR`'s DIR (the natural first try) was refused
    as "not a model folder"; it scores DIR/model, the same result as naming that."""
    import json

    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    argv = ["train", "--clips", str(clips), "--out", str(out), "--epochs", "1", "--no-progress"]
    assert main(argv) == 0
    capsys.readouterr()
    scores = []
    for model in (out, out / "model"):
        assert main(["evaluate", "--model", str(model), "--clips", str(clips), "--json"]) == 0
        scores.append(json.loads(capsys.readouterr().out)["macro_f1"])
    assert scores[0] == scores[1]
    assert main(["evaluate", "--model", str(clips), "--clips", str(clips)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"file {clips}: not a model folder" in line, line


def test_train_out_ends_saying_where_the_model_is_and_how_to_score_it(tmp_path, capsys):
    """`train --clips C --out DIR` ended without a word: no path, no score."""
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=2)
    out = tmp_path / "out"
    argv = ["train", "--clips", str(clips), "--out", str(out), "--epochs", "1", "--no-progress"]
    assert main(argv) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"model written to {out / 'model'} (") and "not held out" in last
    assert f"evaluate --model {out} --clips DIR" in last, last
