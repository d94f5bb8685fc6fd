"""The run report: built from real sensor data and a WhisperX transcript in a folder store,
rendered by headless Chromium; and the manifest written last."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from silkpipe.cli import main
from silkpipe.evaluation import scores
from silkpipe.report import build_report, transcript_words, write_manifest
from silkpipe.store import FileStore, open_store, put_json

SESSION = "20251017_143217_session"  # real session with a WhisperX transcript
BROKEN = "20251017_110929_session"  # real sensor data, its alignment "failed"
RUN = "r1"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _store_with_run(root, data_dir: Path, *, model: bool = True):
    """A run as the steps leave it: inputs, transcript, labels, a failure, model, scores."""
    store = FileStore(root) if isinstance(root, Path) else root
    sessions = data_dir / "sessions"
    for name in (SESSION, BROKEN):
        for file in ("sensor_data.csv", "metadata.json"):
            store.put_bytes(f"sessions/{name}/{file}", (sessions / name / file).read_bytes())
    transcript = json.loads((sessions / SESSION / "whisperx_output.json").read_text())
    transcript["silkpipe"] = {"backend": "whisperx", "audio_seconds": 228.96, "wall_seconds": 6.5}
    put_json(store, f"runs/{RUN}/transcripts/{SESSION}.json", transcript)
    store.put_bytes(
        f"runs/{RUN}/labels/{SESSION}.csv",
        b"start,end,label\n10.0,20.0,walk\n23.5,24.5,turn\n30.0,45.0,idle\n60.0,62.0,noise\n",
    )
    put_json(
        store,
        f"runs/{RUN}/labels/{SESSION}.json",
        {
            "offset_s": 9.7,
            "offset_confidence": 4.1,
            "quality": 3.62,
            "excluded": False,
            "reason": "",
            "commands": {"jump": 3, "punch": 2, "turn": 4, "walk": 6, "idle": 3, "noise": 12},
            "labelled_seconds": {"walk": 10.0, "turn": 1.0, "idle": 15.0, "noise": 2.0},
        },
    )
    error = "only 2 command(s) found; at least 4 needed"
    put_json(
        store,
        f"runs/{RUN}/failures/align/{BROKEN}.json",
        {"session": BROKEN, "step": "align", "error": error},
    )
    put_json(
        store,
        f"runs/{RUN}/labels/summary.json",
        {"sessions": [SESSION], "failed": {BROKEN: error}, "excluded": {}},
    )
    if model:
        history = [
            {
                "epoch": i + 1,
                "train_loss": 1.6 / (i + 1),
                "val_loss": 1.8 / (i + 1),
                "val_macro_f1": 0.2 + 0.04 * i,
                "val_accuracy": 0.3 + 0.04 * i,
                "seconds": 2.0,
            }
            for i in range(12)
        ]
        put_json(store, f"runs/{RUN}/model/history.json", history)
        store.put_bytes(f"runs/{RUN}/model/model.onnx", b"\x08\x07onnx-bytes" * 100)
        put_json(store, f"runs/{RUN}/model/config.json", {"labels": ["jump", "walk"]})
        # the evaluate step's JSON, as the model engineer's code writes it
        truth = np.array([0] * 10 + [1] * 10)
        pred = np.array([0] * 6 + [1] * 4 + [0] * 3 + [1] * 7)
        put_json(store, f"runs/{RUN}/report/metrics.json", scores(truth, pred, ["jump", "walk"]))
    return store


def _html(store: FileStore, key: str) -> str:
    return store.get_bytes(key).decode("utf-8")


def _figures(store, page: str) -> str:
    """The key prefix of the figure files the page links (report/figures/<version>)."""
    (href,) = re.findall(r'href="(figures/[^"/]+)/"', page)
    return f"runs/{RUN}/report/{href}"


def test_report_has_every_section_and_embeds_its_images(tmp_path, data_dir):
    store = _store_with_run(tmp_path / "store", data_dir)
    key = build_report(store, RUN)
    assert key == f"runs/{RUN}/report/index.html"
    page = _html(store, key)
    for section in (
        "summary",
        "sessions",
        "failures",
        "timelines",
        "training",
        "evaluation",
        "model",
    ):
        assert f'<section id="{section}">' in page
    # self-contained: no external resource is fetched
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert page.count("data:image/png;base64,") >= 4  # bars, 2 timelines, training curves
    # per-session table: offset, quality, commands, the failed session with its error
    assert "+9.70" in page and "3.62" in page and "4.10" in page
    assert "only 2 command(s) found" in page and "failed" in page
    # scores and model links
    assert "0.649" in page and "0.632" in page and "0.667" in page and "true \\ predicted" in page
    figures = _figures(store, page)
    onnx = f"{figures}/model/model.onnx"  # a copy inside the report, linked from the page
    assert f'href="{onnx.removeprefix(f"runs/{RUN}/report/")}"' in page
    assert store.get_bytes(onnx) == store.get_bytes(f"runs/{RUN}/model/model.onnx")
    for name in (SESSION, BROKEN):
        png = store.get_bytes(f"{figures}/timelines/{name}.png")
        assert png.startswith(b"\x89PNG")
    assert store.exists(f"{figures}/training_curves.png")


def test_report_and_manifest_on_an_s3_store(s3_env, data_dir):
    store = _store_with_run(open_store("s3://silkpipe-report-test/team"), data_dir)
    page = store.get_bytes(build_report(store, RUN)).decode("utf-8")
    assert "+9.70" in page and page.count("data:image/png;base64,") >= 4
    assert store.exists(f"{_figures(store, page)}/timelines/{SESSION}.png")
    manifest = json.loads(store.get_bytes(write_manifest(store, RUN)))
    keys = {a["key"] for a in manifest["artifacts"]}
    assert f"runs/{RUN}/report/index.html" in keys and manifest["status"] == "partial"


def test_missing_pieces_show_as_missing_never_crash(tmp_path, data_dir):
    store = _store_with_run(tmp_path / "store", data_dir, model=False)
    store.delete(f"runs/{RUN}/labels/summary.json")
    store.delete(f"sessions/{BROKEN}/sensor_data.csv")
    store.put_bytes(f"runs/{RUN}/labels/{SESSION}.csv", b"garbage")
    page = _html(store, build_report(store, RUN))
    assert "no training history" in page
    assert "no model files" in page
    assert "no confusion matrix" in page and "no evaluation scores" in page
    assert "summary.json missing" in page
    assert "sensor data missing" in page
    # an empty store still gets a report
    empty = FileStore(tmp_path / "empty")
    assert "no sessions in this run" in _html(empty, build_report(empty, "nothing"))


@pytest.mark.parametrize(
    "metadata",
    [b"[" * 100_000 + b"]" * 100_000, b'{"duration_sec": ' + b"1" * 5000 + b"}"],
    ids=["deep-nesting", "5000-digit-number"],
)
def test_a_session_metadata_json_parse_json_refuses_does_not_stop_the_report(
    tmp_path, data_dir, caplog, metadata
):
    """A user's metadata.json nested deeper than the parser recurses, or holding an integer
    of 5000 digits, ended the report step with RecursionError / ValueError (exit 1): the
    report read it with json.loads. Now it is warned about, naming the file, and left out."""
    store = _store_with_run(tmp_path / "store", data_dir)
    store.put_bytes(f"sessions/{SESSION}/metadata.json", metadata)
    page = _html(store, build_report(store, RUN))
    assert SESSION in page
    assert f"sessions/{SESSION}/metadata.json: invalid JSON" in caplog.text


@pytest.mark.parametrize("field", ["actual_duration_sec", "audio_duration_sec"])
def test_a_metadata_number_past_a_floats_range_is_read_as_missing(tmp_path, data_dir, field):
    """A metadata.json duration of 400 digits (under the parser's 4300-digit limit) ended
    the report step with "OverflowError: int too large to convert to float", exit 1, no
    file named, no report for any session (sweep 54): it is read as missing, as inf is."""
    store = _store_with_run(tmp_path / "store", data_dir)
    store.put_bytes(
        f"sessions/{BROKEN}/metadata.json", b'{"%s": 1%s}' % (field.encode(), b"0" * 400)
    )
    page = _html(store, build_report(store, RUN))
    assert SESSION in page and BROKEN in page


@pytest.mark.parametrize("shape", [b"[1]", b'"x"', b'{"failed": [1], "sessions": 5}'], ids=str)
def test_a_failure_record_or_label_summary_of_another_shape_does_not_stop_the_report(
    tmp_path, data_dir, shape
):
    """A failure record (runs/<id>/failures/<step>/<session>.json) or the label set's
    summary.json edited into a list or a string ended `report` with exit 1,
    "AttributeError: 'list' object has no attribute 'get'", naming no file (sweep 52): it
    is read as missing, as an unreadable one is."""
    store = _store_with_run(tmp_path / "store", data_dir)
    store.put_bytes(f"runs/{RUN}/failures/align/zz_session.json", shape)
    store.put_bytes(f"runs/{RUN}/labels/summary.json", shape)
    page = _html(store, build_report(store, RUN))
    assert SESSION in page and "zz_session" in page


def test_transcript_words_skip_untimed_words_and_classify_commands():
    words = transcript_words(
        {
            "segments": [
                {
                    "words": [
                        {"word": "Jump!", "start": 1.0, "end": 1.2},
                        {"word": "1975", "score": 0.1},  # WhisperX leaves numbers untimed
                        {"word": "idol", "start": 3.0, "end": 3.3},
                        {"word": "hello", "start": 4.0, "end": 4.3},
                    ]
                }
            ]
        }
    )
    assert [(w["start"], w["cls"]) for w in words] == [(1.0, "jump"), (3.0, "idle"), (4.0, None)]


def test_manifest_lists_every_artifact_with_hashes_and_is_written_last(tmp_path, data_dir):
    root = tmp_path / "store"
    _store_with_run(root, data_dir)
    assert main(["report", "--store", str(root), "--run-id", RUN]) == 0
    manifest = json.loads((root / f"runs/{RUN}/manifest.json").read_text())
    assert manifest["run_id"] == RUN
    assert manifest["status"] == "partial"  # a model, but one session failed
    assert manifest["failed"] == {"align": [BROKEN]}
    listed = {a["key"]: a for a in manifest["artifacts"]}
    on_disk = {
        p.relative_to(root).as_posix() for p in (root / "runs" / RUN).rglob("*") if p.is_file()
    } - {f"runs/{RUN}/manifest.json"}
    assert set(listed) == on_disk
    assert f"runs/{RUN}/report/index.html" in listed
    for key, entry in listed.items():
        data = (root / key).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    newest = max((root / k).stat().st_mtime for k in listed)
    assert (root / f"runs/{RUN}/manifest.json").stat().st_mtime >= newest
    # no model at all: the run failed
    store = FileStore(tmp_path / "nomodel")
    write_manifest(store, "x")
    assert json.loads(store.get_bytes("runs/x/manifest.json"))["status"] == "failed"


def _chromium() -> str:
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if path is None:
        message = "chromium not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_report_renders_in_headless_chromium(tmp_path, data_dir):
    chromium = _chromium()
    store = _store_with_run(tmp_path / "store", data_dir)
    page = store.root / build_report(store, RUN)
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'chromium'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    grey = pixels[..., :3].mean(axis=2)
    assert float(np.var(grey)) > 1e-3, "screenshot is blank"
    # content reaches down the page (images decoded and laid out), not just a header
    rows_with_ink = np.flatnonzero((grey < 0.9).any(axis=1))
    assert rows_with_ink.max() > 1500
