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
