"""review38c: the report step's re-use key before and after 43c88a9, on scratch stores.

For each store shape it prints whether the key of the parent (a48a131's
silkpipe/steps/report.py, read from git) equals the current one, and then walks
`report` through evaluate's writes: re-used or rebuilt at each call, and what the page
says about cv.json. Nothing is trained; the stores live in a temporary folder.
Usage: PYTHONPATH=$PWD python bench/notes/review38c.py
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from silkpipe.evaluation import write_report
from silkpipe.steps.report import report_inputs, report_run
from silkpipe.store import FileStore

PARENT = "a48a131"
RUN_FILES = {
    "runs/r/inputs.json": b'{"sessions": {"s1": {}}, "clips": {}}',
    "runs/r/transcripts/s1.json": b"{}",
    "runs/r/failures/align/s2.json": b'{"error": "x"}',
    "runs/r/labels.json": b'{"version": "v1"}',
    "runs/r/model.json": b'{"version": "m1"}',
    "runs/r/report/index.html": b"<html>",
    "runs/r/report/training_curves.png": b"png",
}
CV_ROW = {
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
SCORES = {
    "macro_f1": 0.8,
    "accuracy": 0.9,
    "confusion": {"labels": ["jump", "noise"], "matrix": [[3, 1], [0, 4]]},
}


def parent_key_function(scratch: Path):
    """report_inputs as the parent commit had it."""
    source = subprocess.run(
        ["git", "show", f"{PARENT}:silkpipe/steps/report.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = scratch / "parent_report_step.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("parent_report_step", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.report_inputs


def compare_keys(scratch: Path) -> None:
    """Same key with none of evaluate's files; a new one as soon as one is there."""
    parent = parent_key_function(scratch)
    store = FileStore(scratch / "keys")
    for key, data in RUN_FILES.items():
        store.put_bytes(key, data)
    print(
        f"store without evaluate's files: same key as {PARENT}:",
        parent(store, "r") == report_inputs(store, "r"),
    )
    store.put_bytes("runs/r/report/cv.json", json.dumps([CV_ROW]).encode())
    print(
        f"store with report/cv.json:       same key as {PARENT}:",
        parent(store, "r") == report_inputs(store, "r"),
    )


def walk_report(scratch: Path) -> None:
    """report, report, then after each of evaluate's writes: 0 = rebuilt, 1 = re-used."""
    store = FileStore(scratch / "walk")
    store.put_bytes("runs/r/inputs.json", b'{"sessions": {}, "clips": {}}')
    cv = store.root / "runs/r/report/cv.json"
    steps = [
        ("nothing from evaluate", lambda: None),
        ("cv.json written", lambda: cv.write_text(json.dumps([CV_ROW]))),
        ("metrics.json + confusion.png", lambda: write_report(SCORES, cv.parent)),
        ("cv.json cut short", lambda: cv.write_bytes(cv.read_bytes()[:40])),
        ("cv.json removed", cv.unlink),
    ]
    for name, change in steps:
        change()
        first, second = (report_run(store, "r")["reused"] for _ in range(2))
        page = store.get_bytes("runs/r/report/index.html").decode()
        said = next(
            (
                line
                for line in ("cv.json is unreadable", "no cross-validation", "0.400–0.600")
                if line in page
            ),
            "?",
        )
        print(f"{name:32s} reused {first} then {second}; page: {said}")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        compare_keys(Path(folder))
        walk_report(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
