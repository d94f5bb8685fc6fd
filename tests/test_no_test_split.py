"""Store mode with no test split (issue 22): `train --store S --run-id R --no-test-split`,
`run --no-test-split` and the workflow's test-split parameter train the shipped model on
every window; the model, its config.json, model.json and the report say it has no
held-out score (small synthetic clips, one epoch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from silkpipe import store as keys
from silkpipe.cli import main
from silkpipe.steps.common import STEP_VERSION, digest
from silkpipe.store import open_store
from silkpipe.synth import generate

RUN = "r1"


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth")
    generate(root, sessions=1, seed=5, duration=20, clips_per_class=4)
    return root / "clips"


def _clips_only_store(root: Path) -> Path:
    """A store whose run has no session and an empty label set: only --clips trains."""
    store = open_store(str(root))
    keys.put_json(store, keys.run_inputs_key(RUN), {"sessions": {}, "clips": {}})
    keys.put_json(store, f"{keys.run_prefix(RUN)}/labels/summary.json", {"sessions": []})
    return root


def _train(argv: list[str], capsys) -> tuple[int, str]:
    rc = main(["train", *argv, "--epochs", "1", "--no-progress"])
    return rc, capsys.readouterr().err


def _published(root: Path) -> tuple[dict, Path]:
    pointer = json.loads((root / "runs" / RUN / "model.json").read_text())
    return pointer, root / "runs" / RUN / "model" / pointer["version"]


def _trained_on(model: Path) -> list[dict]:
    return json.loads((model / "config.json").read_text())["training"]["trained_on"]


def _report(root: Path) -> str:
    from silkpipe.steps import report_run

    report_run(open_store(str(root)), RUN)
    return (root / "runs" / RUN / "report" / "index.html").read_text()


def test_no_test_split_trains_on_every_window_is_keyed_apart_and_says_it(tmp_path, clips, capsys):
    root = _clips_only_store(tmp_path / "store")
    argv = ["--store", str(root), "--run-id", RUN, "--clips", str(clips)]
    rc, err = _train(argv, capsys)
    assert rc == 0, err[-2000:]
    held, held_model = _published(root)
    assert "test_split" not in held  # the default's pointer is as before
    assert any(source["test_days"] for source in _trained_on(held_model))
    page = _report(root)
    assert "Confusion matrix" in page
    scored = json.loads((held_model / "metrics.json").read_text())["model"]
    assert scored == f"runs/{RUN}/model/{held['version']}"  # not the gone work folder
    assert f"<td>model</td><td>{scored}</td>" in page

    rc, err = _train([*argv, "--no-test-split"], capsys)
    assert rc == 0, err[-2000:]
    every, model = _published(root)
    assert every["inputs"] != held["inputs"] and every["version"] != held["version"]
    (source,) = _trained_on(model)
    assert "test_days" not in source
    trained = sum(day["windows"] for day in source["days"].values())
    assert trained == every["figures"]["windows"] > held["figures"]["windows"]
    assert every["test_split"] is False and every["held_out"] is False
    assert "evaluate --cv" in every["note"]
    assert "macro_f1" not in every["figures"] and "test_windows" not in every["figures"]
    metrics = json.loads((model / "metrics.json").read_text())
    assert metrics["held_out"] is False and "macro_f1" not in metrics
    assert "no held-out" in metrics["note"] and "evaluate --cv" in metrics["note"]
    assert not (model / "confusion.png").exists()
    assert json.loads((model / "test_split.json").read_text()) == {"scheme": "none", "groups": []}
    page = _report(root)
    assert f"{metrics['note']}: no confusion matrix or score to show" in page
    assert "none: no test split" in page  # the held-out macro-F1 tile
    assert "Confusion matrix" not in page and "<h3>Scores</h3>" not in page
    assert "confusion.png missing" not in page  # not a file gone: there is no test set

    assert _train([*argv, "--no-test-split"], capsys)[0] == 0
    assert _published(root)[0]["version"] == every["version"]  # same inputs: re-used
    assert _train([*argv, "--test-split", "true"], capsys)[0] == 0
    back, _ = _published(root)
    assert back["version"] != every["version"]  # never re-used for the other setting
    assert back["inputs"] == held["inputs"] and "test_split" not in back


def test_the_report_shows_evaluate_report_scores_of_a_model_with_no_test_split(
    tmp_path, clips, capsys
):
    """The model has no held-out score; what `evaluate --model ... --report runs/R/report`
    wrote is its only one, and the page shows it, named as such (it said "no score")."""
    root = _clips_only_store(tmp_path / "store")
    argv = ["--store", str(root), "--run-id", RUN, "--clips", str(clips), "--no-test-split"]
    assert _train(argv, capsys)[0] == 0
    _, model = _published(root)
    report_dir = root / "runs" / RUN / "report"
    evaluate = ["evaluate", "--model", str(model), "--clips", str(clips)]
    assert main([*evaluate, "--report", str(report_dir)]) == 0
    page = _report(root)
    note = json.loads((model / "metrics.json").read_text())["note"]
    assert note in page and "no confusion matrix or score to show" not in page
    assert f"(model <code>{model}</code>), not a held-out part" in page
    assert "<h3>Confusion matrix</h3>" in page and "<h3>Scores</h3>" in page
    assert "Held-out evaluation: punch called noise" in page  # cv section: those scores


def test_the_default_key_is_the_one_published_models_have(tmp_path, clips):
    """With the split (the default) the key is made as before the option existed, so
    published models are re-used; without it the key differs."""
    from silkpipe.steps.train import keyed_settings, train_plan
    from silkpipe.training import TrainConfig

    store = open_store(str(_clips_only_store(tmp_path / "store")))
    cfg = TrainConfig()
    plan = train_plan(store, RUN, cfg, [clips])
    before = {"sessions": {}, "clips": plan.clips, "settings": keyed_settings(cfg)}
    assert plan.inputs == digest({**before, "step": STEP_VERSION["train"]})
    assert train_plan(store, RUN, cfg, [clips], test_split=False).inputs != plan.inputs


@pytest.mark.parametrize("flag", [["--no-test-split"], ["--test-split", "false"]])
def test_folder_mode_refuses_the_test_split_option(tmp_path, clips, capsys, flag):
    rc, err = _train(["--clips", str(clips), "--out", str(tmp_path / "out"), *flag], capsys)
    assert rc == 2
    assert f"{flag[0]} sets store mode's test split" in err.strip().splitlines()[-1]
    assert not (tmp_path / "out").exists()


def test_test_split_takes_true_or_false_only(tmp_path, capsys):
    argv = ["--store", str(tmp_path / "s"), "--run-id", RUN, "--test-split", "no"]
    with pytest.raises(SystemExit) as exit_:
        main(["train", *argv])
    assert exit_.value.code == 2
    assert "neither true nor false" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "run"])
def test_both_spellings_at_once_are_refused(tmp_path, capsys, command):
    """`--no-test-split --test-split true` contradicts itself: refused, not the last one
    silently winning."""
    where = [] if command == "train" else [str(tmp_path / "sessions")]
    argv = [command, *where, "--store", str(tmp_path / "s"), "--run-id", RUN]
    (tmp_path / "sessions").mkdir()
    assert main([*argv, "--no-test-split", "--test-split", "true"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.endswith("--no-test-split and --test-split both given: give one")
    assert not (tmp_path / "s").exists()  # refused before anything is read or written


@pytest.mark.parametrize(
    ("flag", "expected"),
    [([], True), (["--no-test-split"], False), (["--test-split", "FALSE"], False)],
)
def test_run_passes_the_test_split_to_the_train_step(tmp_path, monkeypatch, flag, expected):
    """`silkpipe run` hands the option to the train step (the steps themselves stubbed:
    what is checked is the pass-through; the step's behaviour is tested above)."""
    import silkpipe.pipeline
    import silkpipe.steps

    generate(tmp_path / "data", sessions=1, seed=5, duration=20, clips_per_class=0)
    seen: dict = {}
    monkeypatch.setattr(silkpipe.pipeline, "transcribe_all", lambda *a, **k: {})
    monkeypatch.setattr(silkpipe.steps, "align_run", lambda *a, **k: {})
    monkeypatch.setattr(silkpipe.steps, "train_run", lambda *a, **k: seen.update(k))
    monkeypatch.setattr(silkpipe.steps, "report_run", lambda *a, **k: {})
    store = str(tmp_path / "store")
    assert main(["run", str(tmp_path / "data/sessions"), "--store", store, *flag]) == 0
    assert seen["test_split"] is expected
