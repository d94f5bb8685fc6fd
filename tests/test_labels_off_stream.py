"""`train --sessions DIR`: a session whose labels.csv holds no label on its sensor stream
(another session's labels, another clock) gave no window, yet the model said it was
trained on it (trained_on: 2 streams), exit 0 without a word. It is named and left out.
`evaluate --sessions DIR` scored the others as the whole folder, without a word: refused."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from silkpipe.cli import main


def _session(data_dir: Path, folder: Path, shift: float) -> None:
    real = data_dir / "sessions" / "20251017_143217_session"
    folder.mkdir(parents=True)
    shutil.copyfile(real / "sensor_data.csv", folder / "sensor_data.csv")
    rows = list(csv.DictReader((real / "original_labels.csv").open()))
    lines = ["start,end,label"]
    for row in rows:
        start = float(row["timestamp"]) + shift
        lines.append(f"{start},{start + float(row['duration'])},{row['gesture']}")
    (folder / "labels.csv").write_text("\n".join(lines) + "\n")


def test_a_session_whose_labels_lie_off_its_stream_is_named_and_left_out(
    data_dir, tmp_path, caplog
):
    _session(data_dir, tmp_path / "s" / "a", 0.0)
    _session(data_dir, tmp_path / "s" / "b", 5000.0)
    out = tmp_path / "out"
    argv = ["train", "--sessions", str(tmp_path / "s"), "--out", str(out), "--epochs", "1"]
    assert main([*argv, "--no-progress"]) == 2  # partial: the model, without b
    (warned,) = [r.getMessage() for r in caplog.records if "skipped session b" in r.getMessage()]
    assert str(tmp_path / "s" / "b" / "labels.csv") in warned
    assert "holds 212 labels at 5000.0-5209.9 s, none on its sensor stream" in warned
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["training"]["trained_on"][0]["streams"] == 1


def test_evaluate_refuses_a_session_whose_labels_lie_off_its_stream(data_dir, tmp_path, capsys):
    _session(data_dir, tmp_path / "train" / "a", 0.0)
    out = tmp_path / "out"
    argv = ["train", "--sessions", str(tmp_path / "train"), "--out", str(out), "--epochs", "1"]
    assert main([*argv, "--no-progress"]) == 0
    _session(data_dir, tmp_path / "s" / "a", 0.0)
    _session(data_dir, tmp_path / "s" / "b", 5000.0)
    capsys.readouterr()
    argv = ["evaluate", "--model", str(out / "model"), "--sessions", str(tmp_path / "s")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"session b, file {tmp_path / 's' / 'b' / 'labels.csv'}" in line
    assert "none on its sensor stream" in line and line.endswith("not scored")
