"""Re-use keyed by what went in, runs that own their inputs, models published whole (issue 20).

One finished ``silkpipe run`` on two generated sessions (real speech, both pass the gate at
their true offsets) and a few real clips is copied for each case; the case changes one
input, setting or disk condition for real and runs the real command again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from pathlib import Path

import badinputs
import pytest

from silkpipe.cli import main
from silkpipe.synth import generate

RUN = "r1"


def _published(run: Path, kind: str) -> Path:
    """The folder the run's pointer names (or the flat folder of older layouts)."""
    pointer = run / f"{kind}.json"
    if pointer.is_file():
        return run / kind / json.loads(pointer.read_text())["version"]
    return run / kind


def _argv(root: Path, sessions: str = "data/sessions", clips: bool = True, run: str = RUN):
    argv = [
        "run",
        str(root / sessions),
        "--store",
        str(root / "store"),
        "--run-id",
        run,
        "--workers",
        "1",
    ]
    # Re-use, not alignment, is under test: the offset search on motion energy alone, with
    # which both sample sessions pass (with class channels the sample generator's turns,
    # spun about the device axis, not about gravity, leave one of them refused).
    argv += ["--align-class-channel-weight", "0"]
    return argv + (["--clips", str(root / "clips")] if clips else [])


def _state(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    root = tmp_path_factory.mktemp("reuse")
    summary = generate(root / "data", sessions=2, seed=15, duration=90, clips_per_class=0)
    badinputs.clips_subset(root / "clips", per_class=2)
    assert main(_argv(root)) == 0
    labels = _published(root / "store/runs" / RUN, "labels")
    for name in summary["sessions"]:  # both through the gate, at their true offset
        report = json.loads((labels / f"{name}.json").read_text())
        truth = json.loads((root / "data/sessions" / name / "truth.json").read_text())
        assert not report["excluded"], report["reason"]
        assert abs(report["offset_s"] - truth["offset_s"]) <= 0.5, name
    return root, summary["sessions"]


@pytest.fixture
def copy(finished, tmp_path):
    """A private copy of the finished run (store, sessions, clips)."""
    root, sessions = finished
    for name in ("data", "store", "clips"):
        shutil.copytree(root / name, tmp_path / name, symlinks=True)
    return tmp_path, sessions


def test_changed_sensor_csv_relabels_that_session_and_retrains(copy):
    root, (first, second) = copy
    run = root / "store/runs" / RUN
    transcripts, labels = _state(run / "transcripts"), _published(run, "labels")
    other = (labels / f"{second}.csv").read_bytes()
    old_report = json.loads((labels / f"{first}.json").read_text())
    model = _published(run, "model")
    path = root / "data/sessions" / first / "sensor_data.csv"
    lines = path.read_text().split("\n")
    path.write_text("\n".join(lines[: int(len(lines) * 0.9)]) + "\n")  # 10% shorter
    assert main(_argv(root)) == 0
    new_labels = _published(run, "labels")
    new_report = json.loads((new_labels / f"{first}.json").read_text())
    assert new_report["imu_seconds"] < old_report["imu_seconds"]
    assert (new_labels / f"{second}.csv").read_bytes() == other
    assert _published(run, "model") != model, "the model was not retrained"
    assert _state(run / "transcripts") == transcripts, "transcripts do not depend on the CSV"


def test_changed_audio_is_transcribed_again(copy):
    root, (first, second) = copy
    run = root / "store/runs" / RUN
    before = _state(run / "transcripts")
    wav = root / "data/sessions" / first / "audio_16k.wav"
    data = bytearray(wav.read_bytes())
    data[-32000:] = bytes(32000)  # the last second silent
    wav.write_bytes(bytes(data))
    assert main(_argv(root)) == 0
    after = _state(run / "transcripts")
    assert after[f"{first}.json"] != before[f"{first}.json"]
    assert after[f"{second}.json"] == before[f"{second}.json"]
    meta = json.loads((run / "transcripts" / f"{first}.json").read_text())["silkpipe"]
    assert meta["audio_sha256"] == hashlib.sha256(bytes(data)).hexdigest()


def test_fixed_session_clears_its_failure_and_retrains(copy, capsys):
    root, (first, _) = copy
    run = root / "store/runs" / RUN
    path = root / "data/sessions" / first / "sensor_data.csv"
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2] + b"x,y\n")  # broken row
    assert main(_argv(root)) == 2
    assert list((run / "failures").rglob(f"{first}.json"))
    broken_model = _published(run, "model")
    path.write_bytes(good)
    assert main(_argv(root)) == 0, capsys.readouterr().err[-2000:]
    assert not list((run / "failures").rglob(f"{first}.json")), "stale failure record kept"
    assert _published(run, "model") != broken_model, "not retrained on the fixed session"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "succeeded" and not manifest["failed"]


def test_other_backend_with_a_missing_model_fails_and_drops_the_old_transcript(copy, capsys):
    root, (first, _) = copy
    store = str(root / "store")
    rc = main(
        [
            "transcribe",
            first,
            "--store",
            store,
            "--run-id",
            RUN,
            "--backend",
            "whisperx",
            "--model",
            "/nonexistent",
        ]
    )
    err = capsys.readouterr().err
    assert rc != 0 and f"session {first}" in err.strip().splitlines()[-1], err
    assert not (root / "store/runs" / RUN / "transcripts" / f"{first}.json").exists()


@pytest.mark.parametrize("force", [False, True])
def test_quality_gate_applies_with_and_without_force(copy, force, capsys, caplog):
    """... and align says so: one line per excluded session with its reason, then the count
    through the gate (stderr, as run reports; stdout stays empty)."""
    root, sessions = copy
    argv = ["align", "--store", str(root / "store"), "--run-id", RUN, "--min-quality", "100"]
    with caplog.at_level(logging.INFO, logger="silkpipe.commands.align"):
        assert main(argv + (["--force"] if force else [])) == 0, capsys.readouterr().err
    summary = json.loads(
        (_published(root / "store/runs" / RUN, "labels") / "summary.json").read_text()
    )
    assert sorted(summary["excluded"]) == sorted(sessions)
    said = [r.getMessage() for r in caplog.records if r.name == "silkpipe.commands.align"]
    expected = [f"session {s} excluded: {summary['excluded'][s]}" for s in sorted(sessions)]
    assert said == [*expected, f"0 of {len(sessions)} sessions through the gate"], said
    assert all(summary["excluded"][s] for s in sessions)
    assert capsys.readouterr().out == ""


def test_run_says_what_the_gate_excluded(copy, capsys, caplog):
    """``run`` tells the gate's verdicts as ``align`` does (one line per excluded session with
    its reason, then the count through the gate) and puts them in its closing JSON."""
    root, sessions = copy
    argv = _argv(root) + ["--align-min-quality", "100"]
    with caplog.at_level(logging.INFO, logger="silkpipe.commands.align"):
        rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err[-2000:]  # train: the fixture's few clips alone leave a split empty
    summary = json.loads(
        (_published(root / "store/runs" / RUN, "labels") / "summary.json").read_text()
    )
    said = [r.getMessage() for r in caplog.records if r.name == "silkpipe.commands.align"]
    expected = [f"session {s} excluded: {summary['excluded'][s]}" for s in sorted(sessions)]
    assert said == [*expected, f"0 of {len(sessions)} sessions through the gate"], said
    result, _ = json.JSONDecoder().raw_decode(err, err.index('{\n  "sessions"'))
    gate = result["gate"]
    assert gate["excluded"] == summary["excluded"] and gate["sessions_usable"] == 0


def test_a_second_run_says_what_it_re_used_and_where_the_report_is(copy, capsys, caplog):
    """Run again on the same inputs, ``run`` said "re-used" for the model only: the label
    set and the report were re-used in silence, and the summary named the report by its
    store key (``runs/r1/report/index.html``), not a path to open (walk52)."""
    root, _ = copy
    assert main(_argv(root)) == 0  # the copy's inputs.json names its own folders: made again
    capsys.readouterr()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="silkpipe.steps"):
        assert main(_argv(root)) == 0
    said = [r.getMessage() for r in caplog.records if r.name.startswith("silkpipe.steps")]
    assert any(m.startswith("label set ") and m.endswith(": re-used") for m in said), said
    assert f"report of run {RUN} was made from the same inputs: re-used" in said, said
    page = root / "store/runs" / RUN / "report/index.html"
    assert f"report: {page}" in capsys.readouterr().err.splitlines()


def test_a_second_run_sees_only_its_own_folder(copy):
    root, (first, second) = copy
    only = root / "only"
    only.mkdir()
    shutil.copytree(root / "data/sessions" / second, only / second)
    assert main(_argv(root, "only", clips=False, run="r2")) == 0
    run = root / "store/runs/r2"
    summary = json.loads((_published(run, "labels") / "summary.json").read_text())
    assert summary["sessions"] == [second]
    config = json.loads((_published(run, "model") / "config.json").read_text())
    assert config["training"]["groups"] and all(
        g == second for g in config["training"]["groups"]
    ), config["training"]["groups"]
    page = (run / "report/index.html").read_text()
    assert first not in page


def _mount_tmpfs(path: Path, size: int) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)


def test_failed_retrain_leaves_the_old_model_whole(copy, capsys):
    """`train --force` on a disk that fills up half-way (a real tmpfs): the old model stays
    whole and in use, and the error is one line."""
    root, _ = copy
    run = root / "store/runs" / RUN
    folder = run / "model"
    saved = root / "saved-model"
    shutil.copytree(folder, saved)
    before = _state(_published(run, "model"))
    shutil.rmtree(folder)
    folder.mkdir()
    size = sum(p.stat().st_size for p in saved.rglob("*") if p.is_file())
    _mount_tmpfs(folder, size + size // 3 + 64 * 1024)
    try:
        shutil.copytree(saved, folder, dirs_exist_ok=True)
        rc = main(
            ["train", "--store", str(root / "store"), "--run-id", RUN, "--force", "--no-progress"]
        )
        err = capsys.readouterr().err
        assert rc == 1, err[-2000:]
        line = err.strip().splitlines()[-1]
        assert line.startswith("silkpipe train: error:") and "space" in line.lower(), line
        assert "Traceback" not in err
        assert _state(_published(run, "model")) == before, "the published model changed"
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_align_uses_the_clip_model_and_realigns_when_the_clips_change(copy, capsys):
    """The run's clips train the alignment's class model; other clips (align --clips) are
    other inputs: every session is aligned again, and the same clips again re-use it."""
    root, (first, _) = copy
    run = root / "store/runs" / RUN
    report = json.loads((_published(run, "labels") / f"{first}.json").read_text())
    assert report["class_model"] == "clips"
    before = json.loads((run / "labels.json").read_text())
    fewer = root / "fewer-clips"
    fewer.mkdir()
    for path in sorted((root / "clips").glob("*.csv"))[1:]:
        shutil.copyfile(path, fewer / path.name)
    argv = ["align", "--store", str(root / "store"), "--run-id", RUN]
    assert main(argv + ["--clips", str(fewer)]) == 0, capsys.readouterr().err
    after = json.loads((run / "labels.json").read_text())
    assert after["version"] != before["version"]
    assert after["sessions"][first]["settings"] != before["sessions"][first]["settings"]
    assert main(argv + ["--clips", str(fewer)]) == 0
    assert json.loads((run / "labels.json").read_text())["version"] == after["version"]


def test_align_clips_folder_without_clips_is_one_clear_error(copy, capsys):
    root, _ = copy
    empty = root / "no-clips"
    empty.mkdir()
    (empty / "jump_link.csv").symlink_to(next((root / "clips").glob("jump_*.csv")))
    argv = ["align", "--store", str(root / "store"), "--run-id", RUN, "--clips", str(empty)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "no clip CSV files" in err[-1] and str(empty) in err[-1]


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _mark(path: Path) -> None:
    """A plausible edit of a JSON output: one key added, the rest left as it was."""
    doc = json.loads(path.read_text())
    doc["edited"] = True
    path.write_text(json.dumps(doc))


def _drop_last_label(path: Path) -> None:
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")


def _transcript_cache(run: Path, first: str) -> Path:
    """The first session's cached transcript, reached with its run output removed."""
    (run / "transcripts" / f"{first}.json").unlink()
    [entry] = [
        p
        for p in (run.parents[1] / "cache" / "transcripts").rglob("*.json")
        if json.loads(p.read_text())["silkpipe"].get("session") == first
    ]
    return entry


DAMAGED_OUTPUTS = {
    "transcript_edited": (lambda run, first: run / "transcripts" / f"{first}.json", _mark),
    "transcript_cache_edited": (_transcript_cache, _mark),
    "labels_csv_edited": (
        lambda run, first: _published(run, "labels") / f"{first}.csv",
        _drop_last_label,
    ),
    "model_onnx_truncated": (lambda run, first: _published(run, "model") / "model.onnx", _cut),
}


@pytest.mark.parametrize("case", sorted(DAMAGED_OUTPUTS))
def test_a_damaged_cached_output_is_made_again_not_reused(case, copy, capsys):
    """A step output cut short or edited in the store between two runs is detected and
    made again: the run never takes it as the one its inputs made."""
    root, (first, _) = copy
    run = root / "store/runs" / RUN
    where, damage = DAMAGED_OUTPUTS[case]
    path = where(run, first)
    damage(path)
    damaged = path.read_bytes()
    assert main(_argv(root)) == 0, capsys.readouterr().err[-2000:]
    kind = case.split("_")[0]
    if kind in ("labels", "model"):  # the run reads the version its pointer names
        path = _published(run, kind) / path.name
    elif case == "transcript_cache_edited":
        path = run / "transcripts" / f"{first}.json"
        assert "edited" not in json.loads(path.read_text())
    assert path.read_bytes() != damaged


def test_a_report_page_cut_short_is_made_again(copy):
    """The report step re-uses a page only when it holds the bytes the manifest recorded."""
    from silkpipe.steps.report import report_run
    from silkpipe.store import FileStore

    root, _ = copy
    store = FileStore(root / "store")
    report_run(store, RUN)  # the manifest now matches the run's inputs
    page = root / "store/runs" / RUN / "report" / "index.html"
    _cut(page)
    damaged = page.read_bytes()
    assert report_run(store, RUN)["reused"] == 0
    assert page.read_bytes() != damaged


def test_an_edited_manifest_is_written_again(copy):
    """The manifest is the report step's output too: one edited since is not re-used."""
    from silkpipe.steps.report import report_run
    from silkpipe.store import FileStore

    root, _ = copy
    store = FileStore(root / "store")
    report_run(store, RUN)
    path = root / "store/runs" / RUN / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "status": "edited"}))
    assert report_run(store, RUN)["reused"] == 0
    assert json.loads(path.read_text())["status"] != "edited"
