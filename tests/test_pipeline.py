"""The local runner end to end on generated sessions: what `make run` does, smaller."""

from __future__ import annotations

import json

import pytest

from silkpipe.cli import main
from silkpipe.synth import generate


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    summary = generate(root / "data", sessions=2, seed=11, duration=90, clips_per_class=6)
    store = root / "artifacts"
    argv = [
        "run",
        str(root / "data/sessions"),
        "--clips",
        str(root / "data/clips"),
        "--store",
        str(store),
        "--run-id",
        "t1",
    ]
    assert main(argv) == 0
    return root, store / "runs/t1", summary, argv


def published(run, kind: str):
    """The folder a pointer (runs/<id>/<kind>.json) names."""
    return run / kind / json.loads((run / f"{kind}.json").read_text())["version"]


def test_run_writes_model_report_and_manifest_last(finished_run):
    _, run, summary, _ = finished_run
    model, labels = published(run, "model"), published(run, "labels")
    for name in ("weights.pt", "model.ts", "model.onnx", "config.json", "history.json"):
        assert (model / name).stat().st_size > 0
    html = (run / "report/index.html").read_text()
    for session in summary["sessions"]:
        assert session in html
        assert (run / "transcripts" / f"{session}.json").is_file()
        assert (labels / f"{session}.csv").is_file()
        report = json.loads((labels / f"{session}.json").read_text())
        for key in ("offset_s", "offset_confidence", "quality", "excluded", "reason", "inputs"):
            assert key in report
    metrics = json.loads((model / "metrics.json").read_text())
    assert 0.0 <= metrics["macro_f1"] <= 1.0 and metrics["confusion"]["labels"]
    manifest = json.loads((run / "manifest.json").read_text())
    newest_other = max(
        p.stat().st_mtime for p in run.rglob("*") if p.is_file() and p.name != "manifest.json"
    )
    assert (run / "manifest.json").stat().st_mtime >= newest_other
    listed = {entry["key"] for entry in manifest["artifacts"]}
    assert f"runs/t1/model/{model.name}/model.onnx" in listed


def test_rerun_reuses_finished_work(finished_run):
    _, run, _, argv = finished_run
    watched = [p for p in (run / "transcripts").iterdir()] + [
        published(run, "model") / "weights.pt"
    ]
    watched += list(published(run, "labels").glob("*_session.csv")) + [run / "manifest.json"]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in watched}
    assert main(argv) == 0
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in watched}
    assert after == before


def test_missing_sessions_folder_is_one_clear_error(tmp_path, capsys):
    code = main(["run", str(tmp_path / "nope"), "--store", str(tmp_path / "s")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("silkpipe run: error:") and "does not exist" in err[-1]
    (tmp_path / "file").write_text("sessions\n")  # was "does not exist" too
    assert main(["run", str(tmp_path / "file"), "--store", str(tmp_path / "s")]) == 2
    assert "sessions folder" in (line := capsys.readouterr().err.strip().splitlines()[-1])
    assert "is a file, not a folder" in line, line
