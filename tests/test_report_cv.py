"""The report's cross-validation section: spread beside every pooled number, punch vs noise."""

from __future__ import annotations

from silkpipe.report import cv_section
from silkpipe.vocabulary import CLASSES


def _confusion(punch_as_noise: int) -> dict:
    m = [[0] * len(CLASSES) for _ in CLASSES]
    p, n = CLASSES.index("punch"), CLASSES.index("noise")
    m[p][p], m[p][n], m[n][n] = 10 - punch_as_noise, punch_as_noise, 20
    return {"labels": list(CLASSES), "matrix": m}


def _cv_row(**changes) -> dict:
    """One protocol's cv.json entry, as `evaluate --cv --report` writes it."""
    row = {
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
    return {**row, **changes}


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
    # counts beside counts: a share "0.30 of 10" read as a count of windows
    assert "punch called noise 3 of 10 punch windows; noise called punch 0 of 20." in page


def test_cv_section_without_cv_says_how_to_make_it():
    page = cv_section(None, None)
    assert "no cross-validation" in page and "evaluate --cv" in page


def test_cv_section_copes_with_a_confusion_without_punch():
    page = cv_section(None, {"confusion": {"labels": ["jump", "walk"], "matrix": [[1, 0], [0, 1]]}})
    assert "punch called noise — of — punch windows" in page and "no cross-validation" in page


def test_cv_section_copes_with_an_edited_matrix_of_huge_numbers():
    """JSON reads a number past the float range (or Infinity) as inf, which is no count:
    named unreadable, as a class missing is, not an OverflowError stopping the report."""
    matrix = [[1.0] * 5 + [1e400]] * len(CLASSES)  # each row: noise past any count
    page = cv_section(None, {"confusion": {"labels": list(CLASSES), "matrix": matrix}})
    assert "punch called noise — of — punch windows" in page


def test_run_report_carries_the_cv_section_from_report_cv_json(tmp_path):
    import json

    from silkpipe.report import build_report
    from silkpipe.store import FileStore

    store = FileStore(tmp_path / "store")
    cv = [_cv_row()]
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
    cv = [_cv_row(protocol="leave-day-out")]
    store.put_bytes("runs/r/report/cv.json", json.dumps(cv).encode())
    again = report_run(store, "r")
    assert again["reused"] == 0
    page = store.get_bytes(again["report"]).decode()
    assert "0.400–0.600" in page


def test_the_whole_gesture_line_counts_windows_as_whole_numbers():
    row = _cv_row(pooled_macro_f1=0.8, whole_sample_macro_f1=0.85, flawed_sample_windows=135)
    html = cv_section([row], None)
    assert "(135 windows on flawed samples" in html


def test_a_protocol_measured_with_changed_settings_says_so_under_its_name():
    """cv.json ``training_settings`` (evaluate --cv --rotate-deg ...): the spread table
    names the preset and each changed setting; the default unchanged, or an older cv.json
    without the key, adds nothing; an edited one is named unreadable, the row still shown."""
    changed = {"rotate_deg": {"value": 30.0, "preset": 70.0}}
    rows = [
        _cv_row(training_settings={"preset": "cross-day", "changed": changed}),
        _cv_row(protocol="leave-day-out", training_settings={"preset": "default", "changed": {}}),
        _cv_row(protocol="leave-block-out"),
        _cv_row(protocol="edited", pooled_macro_f1=0.7, training_settings={"changed": []}),
    ]
    html = cv_section(rows, None)
    assert "time-range<br>training settings: preset cross-day; changed: rotate_deg 30.0 " in html
    assert "leave-day-out</td>" in html and "leave-block-out</td>" in html
    assert "edited<br>training settings: unreadable in cv.json" in html and "0.700" in html


def _store_with_run(tmp_path):
    from silkpipe.store import FileStore

    store = FileStore(tmp_path / "store")
    store.put_bytes("runs/r/inputs.json", b'{"sessions": {}, "clips": {}}')
    return store


def test_the_page_is_rebuilt_once_per_change_of_what_evaluate_wrote_then_reused(tmp_path):
    """The key covers what the page reads from report/ (cv.json, metrics.json,
    confusion.png) and none of what it writes there (index.html, timelines, curves)."""
    import json

    from silkpipe.evaluation import write_report
    from silkpipe.steps.report import report_inputs, report_run

    store = _store_with_run(tmp_path)
    reused = []
    for step in ("cv", "scores", "cv again"):
        if step.startswith("cv"):
            cv = [_cv_row(pooled_macro_f1=0.5 if step == "cv" else 0.7)]
            store.put_bytes("runs/r/report/cv.json", json.dumps(cv).encode())
        else:
            confusion = {"labels": ["jump", "noise"], "matrix": [[3, 1], [0, 4]]}
            scores = {"macro_f1": 0.8, "accuracy": 0.9, "confusion": confusion}
            write_report(scores, store.root / "runs/r/report")
        before = report_inputs(store, "r")
        reused += [report_run(store, "r")["reused"], report_run(store, "r")["reused"]]
        assert report_inputs(store, "r") == before, step  # its own writes are not inputs
    assert reused == [0, 1, 0, 1, 0, 1]


def test_a_store_without_evaluate_files_keeps_the_key_it_had(tmp_path):
    """No STEP_VERSION bump: a run that never ran `evaluate --report` into its report
    folder keeps its page (the key is the one made before the evaluate files counted)."""
    from silkpipe.steps.common import STEP_VERSION, digest, sha256
    from silkpipe.steps.report import report_inputs

    store = _store_with_run(tmp_path)
    store.put_bytes("runs/r/transcripts/s1.json", b"{}")
    store.put_bytes("runs/r/failures/align/s2.json", b'{"error": "x"}')
    store.put_bytes("runs/r/model.json", b'{"version": "v1"}')
    store.put_bytes("runs/r/report/index.html", b"<html>")
    named = [
        "runs/r/inputs.json",
        "runs/r/transcripts/s1.json",
        "runs/r/failures/align/s2.json",
        "runs/r/model.json",
    ]
    parts = {key: sha256(store.get_bytes(key)) for key in named}
    assert report_inputs(store, "r") == digest({"artifacts": parts, "step": STEP_VERSION["report"]})


def test_a_cv_json_cut_short_is_named_unreadable_not_missing(tmp_path):
    """A cv.json cut short (an `evaluate --cv --report` stopped while writing) or edited
    into something else: the page says so instead of telling the user to make one."""
    import json

    from silkpipe.steps.report import report_run

    store = _store_with_run(tmp_path)
    whole = json.dumps([_cv_row()]).encode()
    store.put_bytes("runs/r/report/cv.json", whole[: len(whole) // 2])
    page = store.get_bytes(report_run(store, "r")["report"]).decode()
    assert "report/cv.json is unreadable" in page
    assert "no cross-validation" not in page
    store.put_bytes("runs/r/report/cv.json", b'{"protocol": "time-range"}')
    page = store.get_bytes(report_run(store, "r")["report"]).decode()
    assert "report/cv.json is unreadable" in page
