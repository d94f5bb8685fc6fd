"""The report's cross-validation section: spread beside every pooled number, punch vs noise."""

from __future__ import annotations

from silkpipe.report import cv_section
from silkpipe.vocabulary import CLASSES


def _confusion(punch_as_noise: int) -> dict:
    m = [[0] * len(CLASSES) for _ in CLASSES]
    p, n = CLASSES.index("punch"), CLASSES.index("noise")
    m[p][p], m[p][n], m[n][n] = 10 - punch_as_noise, punch_as_noise, 20
    return {"labels": list(CLASSES), "matrix": m}


def test_cv_section_shows_pooled_score_with_its_fold_spread_and_punch_noise():
    cv = [
        {
            "protocol": "leave-day-out",
            "classes": ["jump", "punch"],
            "notes": [],
            "seeds": [1],
            "folds": [{}, {}],
            "pooled_macro_f1": 0.8123,
            "fold_min": 0.7011,
            "fold_max": 0.9022,
            "punch_noise": {"punch_called_noise": 0.25, "noise_called_punch": 0.05},
            "events": {"punch": {"f1": 0.66}},
        },
        {
            "protocol": "leave-block-out",
            "classes": [],
            "folds": [],
            "seeds": [1],
            "notes": ["d: b cannot be held out: it holds one class only"],
        },
    ]
    page = cv_section(cv, {"confusion": _confusion(3)})
    assert "0.812" in page and "0.701–0.902" in page
    assert "0.25 / 0.05" in page and "punch 0.66" in page
    assert "holds one class only" in page
    assert "punch called noise 0.30 of 10 punch windows" in page


def test_cv_section_without_cv_says_how_to_make_it():
    page = cv_section(None, None)
    assert "no cross-validation" in page and "evaluate --cv" in page


def test_cv_section_copes_with_a_confusion_without_punch():
    page = cv_section(None, {"confusion": {"labels": ["jump", "walk"], "matrix": [[1, 0], [0, 1]]}})
    assert "punch called noise" in page and "no cross-validation" in page


def test_run_report_carries_the_cv_section_from_report_cv_json(tmp_path):
    import json

    from silkpipe.report import build_report
    from silkpipe.store import FileStore

    store = FileStore(tmp_path / "store")
    cv = [
        {
            "protocol": "time-range",
            "classes": ["jump"],
            "notes": [],
            "seeds": [1],
            "folds": [{}],
            "pooled_macro_f1": 0.5,
            "fold_min": 0.4,
            "fold_max": 0.6,
            "punch_noise": {"punch_called_noise": None, "noise_called_punch": None},
            "events": {},
        }
    ]
    store.put_bytes("runs/r/report/cv.json", json.dumps(cv).encode())
    page = store.get_bytes(build_report(store, "r")).decode()
    assert '<section id="cv">' in page and "0.400–0.600" in page


def test_a_cv_json_written_after_the_report_is_shown_by_the_next_report(tmp_path):
    """README: `evaluate --cv all --report runs/R/report` feeds the report's spread table;
    the report step must not re-use a page made before cv.json was there."""
    import json

    from silkpipe.steps.report import report_run
    from silkpipe.store import FileStore

    store = FileStore(tmp_path / "store")
    store.put_bytes("runs/r/inputs.json", b'{"sessions": {}, "clips": {}}')
    first = report_run(store, "r")
    assert first["reused"] == 0
    assert report_run(store, "r")["reused"] == 1
    cv = [
        {
            "protocol": "leave-day-out",
            "classes": ["jump"],
            "notes": [],
            "seeds": [1],
            "folds": [{}],
            "pooled_macro_f1": 0.5,
            "fold_min": 0.4,
            "fold_max": 0.6,
            "punch_noise": {"punch_called_noise": None, "noise_called_punch": None},
            "events": {},
        }
    ]
    store.put_bytes("runs/r/report/cv.json", json.dumps(cv).encode())
    again = report_run(store, "r")
    assert again["reused"] == 0
    page = store.get_bytes(again["report"]).decode()
    assert "0.400–0.600" in page


def test_the_whole_gesture_line_counts_windows_as_whole_numbers():
    row = {
        "protocol": "time-range",
        "classes": ["jump"],
        "notes": [],
        "seeds": [1],
        "folds": [{}],
        "pooled_macro_f1": 0.8,
        "fold_min": 0.7,
        "fold_max": 0.9,
        "whole_sample_macro_f1": 0.85,
        "flawed_sample_windows": 135,
        "punch_noise": {"punch_called_noise": None, "noise_called_punch": None},
        "events": {},
    }
    html = cv_section([row], None)
    assert "(135 windows on flawed samples" in html
