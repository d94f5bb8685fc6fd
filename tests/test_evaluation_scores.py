"""Window scores: macro-F1 averages the classes the truth holds."""

from __future__ import annotations

import numpy as np
import pytest

from silkpipe.commands.evaluate import _print
from silkpipe.evaluation import scores
from silkpipe.vocabulary import CLASSES

JUMP, PUNCH, NOISE = (CLASSES.index(c) for c in ("jump", "punch", "noise"))


def test_a_class_the_truth_never_holds_is_not_averaged_as_a_zero():
    """A block without noise recordings: one jump window called noise is a jump miss; it
    must not add noise as a class of F1 0 (a sixth of the score for one window)."""
    truth = np.array([JUMP] * 10 + [PUNCH] * 10)
    pred = truth.copy()
    pred[0] = NOISE
    result = scores(truth, pred, CLASSES)
    jump_f1 = 2 * 9 / (2 * 9 + 1)
    assert result["per_class"]["jump"]["recall"] == pytest.approx(0.9)
    assert result["macro_f1"] == pytest.approx((jump_f1 + 1.0) / 2, abs=1e-4)
    assert result["predicted_without_truth"] == {"noise": 1}
    assert result["macro_f1_with_absent"] == pytest.approx((jump_f1 + 1.0) / 3, abs=1e-4)


def test_every_class_held_scores_as_before():
    """With every predicted class in the truth both averages agree, unrounded per class."""
    truth = np.array([JUMP, JUMP, JUMP, PUNCH, PUNCH, NOISE])
    pred = np.array([JUMP, JUMP, PUNCH, PUNCH, NOISE, NOISE])
    result = scores(truth, pred, CLASSES)
    f1 = [2 * 2 / (2 * 2 + 1), 2 * 1 / (2 * 1 + 2), 2 * 1 / (2 * 1 + 1)]
    assert result["macro_f1"] == pytest.approx(np.mean(f1), abs=1e-4)
    assert result["macro_f1_with_absent"] == result["macro_f1"]
    assert result["predicted_without_truth"] == {}


def test_evaluate_prints_the_windows_called_an_absent_class(capsys):
    truth = np.array([JUMP] * 4 + [PUNCH] * 4)
    pred = np.array([JUMP, JUMP, JUMP, NOISE, PUNCH, PUNCH, PUNCH, NOISE])
    result = scores(truth, pred, CLASSES) | {"per_group": {}}
    _print(result)
    out = capsys.readouterr().out
    assert "2 windows called noise, which the truth never holds" in out
    assert f"{result['macro_f1_with_absent']:.3f}" in out


def test_the_report_names_the_windows_called_an_absent_class():
    from silkpipe.report import _metrics_html

    truth = np.array([JUMP] * 4 + [PUNCH] * 4)
    pred = np.array([JUMP, JUMP, JUMP, NOISE, PUNCH, PUNCH, PUNCH, PUNCH])
    page = _metrics_html(scores(truth, pred, CLASSES))
    assert "Windows called a class the truth never holds" in page
    assert "macro_f1_with_absent" in page


def test_evaluate_prints_no_line_for_a_class_neither_true_nor_predicted(capsys):
    truth = np.array([JUMP] * 4 + [PUNCH] * 4)
    _print(scores(truth, truth.copy(), CLASSES) | {"per_group": {}})
    out = capsys.readouterr().out
    assert "jump" in out and "punch" in out
    assert "idle" not in out and "noise" not in out


def test_the_published_models_scores_do_not_take_another_evaluations_absent_count():
    """The report copies only the event tables of an `evaluate --report` run beside a
    published model's own scores: that run's absent-class count belongs to its own
    macro-F1, which is not shown there."""
    import json
    from types import SimpleNamespace

    from silkpipe.report import _spotting_html

    other = {"macro_f1": 0.5, "predicted_without_truth": {"noise": 3}, "events": {}}
    other["events"] = {"jump": {"precision": 1.0, "recall": 1.0, "f1": 1.0}}
    store = SimpleNamespace(get_bytes=lambda key: json.dumps(other).encode())
    art = SimpleNamespace(scores_dir="runs/r/model/v1", report_dir="runs/r/report")
    page = _spotting_html(store, art)
    assert "Events on stitched clip streams" in page
    assert "Windows called a class the truth never holds" not in page


class _SaysTurnOnce:
    """A model that calls the first window turn, a class neither test day holds, and every
    other window jump."""

    def logits(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros((len(x), len(CLASSES)), np.float32)
        out[:, CLASSES.index("jump")] = 1.0
        out[0, CLASSES.index("turn")] = 2.0
        return out


def test_cv_carries_and_prints_the_average_with_absent_classes(monkeypatch, tmp_path):
    import silkpipe.crossval as cv
    from silkpipe.training import TrainConfig
    from tests.test_whole_samples import _day

    monkeypatch.setattr(cv, "fit_fold", lambda *a, **k: _SaysTurnOnce())
    monkeypatch.setattr(cv, "spot", lambda *a, **k: {"counts": {}})
    streams = _day("a", None) + _day("b", None)
    out = cv.run_protocol(streams, "leave-day-out", TrainConfig(), [1], tmp_path)
    fold = out["folds"][0]
    # jump and noise held; turn called once: averaged over two classes, or three with turn at 0
    assert fold["macro_f1_with_absent"] == pytest.approx(fold["macro_f1"] * 2 / 3, abs=1e-4)
    assert fold["macro_f1"] > 0
    assert out["pooled_macro_f1_with_absent"] < out["pooled_macro_f1"]
    assert set(fold["per_day_with_absent"]) == set(fold["per_day"])
    text = cv.format_result(out)
    assert "counting a class predicted but never true at F1 0" in text
    assert "that day's score counting a class predicted there" in text
