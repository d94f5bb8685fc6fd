"""`evaluate --report DIR` where DIR is a model folder (or lies inside one): metrics.json and
confusion.png were written among the model's files, exit 0, and the next `train --out` of
that model replaced the folder whole, the report deleted with it (bad_input_sweep54's
probe, sweep 55). Refused before anything is scored, the folder untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkpipe.cli import main

CLIPS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "clips-dev"


def _model_folder(tmp_path: Path) -> Path:
    """What `train --out out` leaves: out/model with config.json beside the exports (their
    bytes are never read: the refusal comes first)."""
    model = tmp_path / "out" / "model"
    model.mkdir(parents=True)
    for name in ("config.json", "weights.pt", "model.ts", "model.onnx", "history.json"):
        (model / name).write_text("{}")
    return model


@pytest.mark.parametrize("where", ["model", "model/rep"])
@pytest.mark.parametrize("mode", [["--model", "MODEL"], ["--cv", "time-range", "--epochs", "1"]])
def test_a_report_folder_in_a_model_folder_is_refused_naming_it(tmp_path, capsys, where, mode):
    model = _model_folder(tmp_path)
    report = tmp_path / "out" / where
    argv = ["evaluate", *[str(model) if a == "MODEL" else a for a in mode]]
    assert main([*argv, "--clips", str(CLIPS), "--report", str(report)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe evaluate: error: file {report}: "), line
    assert "a model folder" in line and "--report" in line, line
    assert sorted(p.name for p in model.iterdir()) == [
        "config.json",
        "history.json",
        "model.onnx",
        "model.ts",
        "weights.pt",
    ]
