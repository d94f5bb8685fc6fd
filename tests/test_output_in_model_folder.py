"""An output folder that is a model folder, or lies inside one (sweep 55), refused before
any work, the folder untouched: `evaluate --report DIR` wrote metrics.json and confusion.png
among the model's files, exit 0, and the next `train --out` of that model replaced the
folder whole, the report deleted with it (bad_input_sweep54's probe); `train --out DIR`
nested the new model in DIR/model/ inside the old one, and its closing line's `evaluate
--model DIR` scored the old model."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkpipe.cli import main

CLIPS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "clips-dev"


def _model_folder(tmp_path: Path) -> Path:
    """What `train --out out` leaves: out/model with config.json (its labels and window)
    beside the exports (their bytes are never read: the refusal comes first)."""
    model = tmp_path / "out" / "model"
    model.mkdir(parents=True)
    for name in MODEL_FILES:
        (model / name).write_text("{}")
    (model / "config.json").write_text('{"labels": ["jump"], "window": {}}')
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
    assert sorted(p.name for p in model.iterdir()) == MODEL_FILES


MODEL_FILES = ["config.json", "history.json", "model.onnx", "model.ts", "weights.pt"]


@pytest.mark.parametrize("where", ["model", "model/sub"])
def test_train_out_in_a_model_folder_is_refused_naming_it(tmp_path, capsys, where):
    model = _model_folder(tmp_path)
    out = tmp_path / "out" / where
    argv = ["train", "--clips", str(CLIPS), "--out", str(out), "--epochs", "1"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe train: error: file {out}: --out "), line
    assert "a model folder" in line and f"give {tmp_path / 'out'} or a new folder" in line, line
    assert sorted(p.name for p in model.iterdir()) == MODEL_FILES


@pytest.mark.parametrize("where", ["model", "model/store"])
@pytest.mark.parametrize("command", ["sessions upload", "run"])
def test_a_folder_store_in_a_model_folder_is_refused_naming_it(
    tmp_path, capsys, data_dir, where, command
):
    """`--store out/model`: the store was made among the model's files, and the next
    `train --out out` replaced out/model whole, the store's sessions and runs with it."""
    model = _model_folder(tmp_path)
    session = data_dir / "sessions" / "20251017_143627_session"
    (tmp_path / "in" / session.name).mkdir(parents=True)
    for name in ("sensor_data.csv", "metadata.json"):
        (tmp_path / "in" / session.name / name).write_bytes((session / name).read_bytes())
    store = tmp_path / "out" / where
    argv = [*command.split(), str(tmp_path / "in"), "--store", str(store), "--run-id", "r"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe {command}: error: store path {store} "), line
    assert "a model folder: train --out replaces it whole" in line, line
    assert sorted(p.name for p in model.iterdir()) == MODEL_FILES


def test_export_report_into_a_new_folder_inside_a_model_folder_is_refused(tmp_path, capsys):
    """`sessions export-report ... out/model/report`: the copy was written inside the model
    folder, exit 0, and deleted with it by the next `train --out out`."""
    model = _model_folder(tmp_path)
    store = tmp_path / "store"
    (store / "runs" / "r" / "report").mkdir(parents=True)
    (store / "runs" / "r" / "report" / "index.html").write_text("r")
    dest = model / "report"
    argv = ["sessions", "export-report", "--store", str(store), "--run-id", "r", str(dest)]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe sessions export-report: error: file {dest}: lies inside")
    assert "a model folder (the next train into it replaces it whole)" in line, line
    assert sorted(p.name for p in model.iterdir()) == MODEL_FILES


@pytest.mark.parametrize("where", ["runs/r", ".", "mine"])
def test_train_out_in_a_folder_store_is_refused_naming_it(tmp_path, capsys, where):
    """`train --out STORE/runs/r`: out/model replaced whole was the store's runs/r/model,
    every published model version deleted (the run's model.json then named none)."""
    store = tmp_path / "store"
    version = store / "runs" / "r" / "model" / "v1"
    version.mkdir(parents=True)
    (store / "runs" / "r" / "inputs.json").write_text("{}")
    (version / "config.json").write_text("{}")
    out = store / where
    argv = ["train", "--clips", str(CLIPS), "--out", str(out), "--epochs", "1"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe train: error: file {out}: --out "), line
    assert f"the store {store}: train replaces DIR/model/ whole" in line, line
    assert [p.name for p in version.iterdir()] == ["config.json"]
    assert not (store / "mine").exists()


def test_a_folder_of_another_tools_config_and_weights_is_no_model_folder(tmp_path):
    """A project root holding some tool's config.json and weights.pt: folders inside it
    are not refused as lying inside a model folder."""
    from silkpipe.model_files import model_folder_problem

    (tmp_path / "config.json").write_text('{"hidden_size": 384}')
    (tmp_path / "weights.pt").write_bytes(b"x")
    assert model_folder_problem(tmp_path / "report") == ""
    _model_folder(tmp_path)
    assert model_folder_problem(tmp_path / "out" / "model" / "r").startswith("lies inside")


def test_a_link_loop_inside_a_model_folder_is_named_as_inside_it(tmp_path):
    """The folder walk followed the path's links twice, the second time unguarded: a link
    loop inside a model folder raised RuntimeError (exit 1) instead of being refused."""
    from silkpipe.model_files import model_folder_problem

    model = _model_folder(tmp_path)
    (model / "loop").symlink_to("loop")
    assert model_folder_problem(model / "loop") == f"lies inside {model}, which is a model folder"


@pytest.mark.parametrize("where", ["model", "model/sample"])
@pytest.mark.parametrize("mode", [["OUT"], ["--from-clips", str(CLIPS), "--out", "OUT"]])
def test_synth_into_a_model_folder_is_refused_naming_it(tmp_path, capsys, where, mode):
    """`synth out/model/sample` wrote its sessions among the model's files (the next `train
    --out out` deleted them with the folder); both modes refuse it before writing."""
    model = _model_folder(tmp_path)
    out = tmp_path / "out" / where
    argv = ["synth", *[str(out) if a == "OUT" else a for a in mode], "--seed", "1"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"silkpipe synth: error: file {out}: "), line
    assert "a model folder" in line and "give a folder of its own" in line, line
    assert sorted(p.name for p in model.iterdir()) == MODEL_FILES
