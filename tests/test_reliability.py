"""Bad inputs, per-session isolation, safe names and secrets (issue 8).

Every case of the corpus (tests/badinputs.py, built from the real recordings) goes through
the step that must catch it, alone, and then all of them together with the two healthy real
sessions in one ``silkpipe run``: the bad ones are refused with one line naming session and
file, the others complete, nothing half-written stays behind, and the report says what was
skipped and why.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import badinputs
import pytest

from silkpipe.cli import main
from silkpipe.pipeline import upload_inputs
from silkpipe.store import FileStore, StoreError, check_key, check_name, open_store

SECRET = "sEcReT-do-not-print-7f3a9c"
RUN = "rel"


@pytest.fixture(scope="module", autouse=True)
def _real_data():
    if not badinputs.SESSIONS.is_dir():
        pytest.fail(f"real data not found at {badinputs.DATA} (tests read ../shared/data)")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SILKPIPE_PUSHGATEWAY"}
    env.update(extra)
    return env


def _tmp_files(root: Path) -> list[Path]:
    return [
        p
        for p in Path(root).rglob("*")
        if p.name.startswith((".tmp", "tmp")) or p.suffix in (".tmp", ".part")
    ]


# ---- the whole run: every bad case mixed with the healthy sessions ----------------------


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    cases = badinputs.build_all(root / "sessions")
    # the healthy session: the real one with a transcript that passes the gate on its own (a
    # second healthy one only added its alignment time; three "survive" cases align as well)
    good = [badinputs.GOOD[1]]
    files = ("sensor_data.csv", "metadata.json", "whisperx_output.json")
    badinputs.copy_session(good[0], root / "sessions", good[0], files=files)
    clips = badinputs.clips_subset(root / "clips", per_class=3)
    store = root / "store"
    tmp = root / "tmp"  # the run's TMPDIR: its work folders must be gone at the end
    tmp.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "silkpipe.cli",
            "run",
            str(root / "sessions"),
            "--clips",
            str(clips),
            "--store",
            str(store),
            "--run-id",
            RUN,
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root,
        env=_env(SILKPIPE_S3_SECRET_KEY=SECRET, AWS_SECRET_ACCESS_KEY=SECRET, TMPDIR=str(tmp)),
    )
    return {"cases": cases, "good": good, "store": store, "proc": proc, "root": root}


def published(run: Path, kind: str) -> Path:
    """The folder the run's pointer runs/<id>/<kind>.json names (labels, model)."""
    return run / kind / json.loads((run / f"{kind}.json").read_text())["version"]


def _summary(mixed) -> dict:
    return json.loads(
        (published(mixed["store"] / "runs" / RUN, "labels") / "summary.json").read_text()
    )


def test_run_finishes_without_crashing(mixed_run):
    proc = mixed_run["proc"]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    # a partial run says so: exit 2 (every failure is bad input) and one closing line
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("silkpipe run: partial:")
    run = mixed_run["store"] / "runs" / RUN
    assert (run / "report" / "index.html").is_file(), proc.stderr[-3000:]
    assert (run / "manifest.json").is_file()


def test_healthy_sessions_complete(mixed_run):
    run = mixed_run["store"] / "runs" / RUN
    summary = _summary(mixed_run)
    for name in mixed_run["good"]:
        assert name in summary["sessions"] and name not in summary["failed"]
        assert (run / "transcripts" / f"{name}.json").is_file()
        labels = published(run, "labels")
        assert (labels / f"{name}.csv").read_text().startswith("start,end,label")
        assert json.loads((labels / f"{name}.json").read_text())["session"] == name
    assert (published(run, "model") / "config.json").is_file(), "training failed"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "partial"


@pytest.mark.parametrize("builder", [b.__name__ for b in badinputs.BUILDERS])
def test_each_case_is_isolated_and_reported(mixed_run, builder):
    case = next(
        c
        for c, b in zip(mixed_run["cases"], badinputs.BUILDERS, strict=True)
        if b.__name__ == builder
    )
    store = mixed_run["store"]
    run = store / "runs" / RUN
    summary = _summary(mixed_run)
    page = (
        (run / "report" / "index.html").read_text()
        if (run / "report" / "index.html").is_file()
        else ""
    )
    s = case.session
    if case.expect == "fail":
        error = summary["failed"].get(s)
        assert error, f"{case.name}: not in labels/summary.json 'failed'"
        assert f"session {s}" in error and case.file in error, error
        assert "\n" not in error and len(error) < 600, f"{case.name}: error is not one short line"
        for word in case.words:
            assert word in error.lower(), f"{case.name}: {word!r} not in {error!r}"
        record = json.loads((run / "failures" / "align" / f"{s}.json").read_text())
        assert record["session"] == s and record["error"] == error
        # nothing half-made for a failed session
        assert not (published(run, "labels") / f"{s}.csv").exists()
        assert not (published(run, "labels") / f"{s}.json").exists()
        if case.step == "transcribe":
            assert not (run / "transcripts" / f"{s}.json").exists()
            tag = "silkpipe transcribe: error:"  # worker lines may follow a progress bar's \r
            line = next(
                (
                    ln.split(tag, 1)[1]
                    for ln in mixed_run["proc"].stderr.splitlines()
                    if tag in ln and f"session {s}," in ln
                ),
                "",
            )
            assert case.file in line, f"{case.name}: no one-line transcribe error on stderr"
            assert (run / "failures" / "transcribe" / f"{s}.json").is_file()
        assert s in page, f"{case.name}: the report does not list {s}"
        assert html.escape(error.split(": ")[-1])[:40] in page, f"{case.name}: reason not in report"
    elif case.expect == "exclude":
        assert s in summary["sessions"] and s not in summary["failed"]
        reason = summary["excluded"].get(s, "")
        assert all(w in reason.lower() for w in case.words), reason
        assert json.loads((published(run, "labels") / f"{s}.json").read_text())["excluded"]
        assert s in page and html.escape(reason)[:30] in page
    elif case.expect == "survive":
        assert s in summary["sessions"] and s not in summary["failed"], summary["failed"].get(s)
        _labels_inside_imu_span(store, s)
        assert s in page
    else:  # reject: never in the store under any name, but the report says it was skipped
        assert not any(p.name == s for p in (store / "sessions").iterdir())
        assert all(s not in p.name for p in store.rglob("*"))
        assert html.escape(s) in page, f"{case.name}: skipped folder {s!r} is not in the report"


def _labels_inside_imu_span(store: Path, session: str) -> None:
    from silkpipe.labels import read_labels_csv
    from silkpipe.sessions import read_sensor_csv

    raw = read_sensor_csv(store / "sessions" / session / "sensor_data.csv")
    lo, hi = raw.span()
    labels = published(store / "runs" / RUN, "labels")
    intervals = read_labels_csv(labels / f"{session}.csv", session=session)
    for iv in intervals:
        assert lo - 1e-3 <= iv.start < iv.end <= hi + 1e-3, (iv, lo, hi)
    for a, b in zip(intervals, intervals[1:], strict=False):
        assert a.end <= b.start + 1e-6, "overlapping labels"


def test_no_partial_artifacts(mixed_run):
    store = mixed_run["store"]
    assert _tmp_files(store) == []
    left = [p.name for p in (mixed_run["root"] / "tmp").iterdir() if "silkpipe" in p.name]
    assert left == [], f"work folders left in TMPDIR: {left}"
    for path in (store / "runs").rglob("*.json"):
        json.loads(path.read_text())  # every JSON artifact is whole
    manifest = json.loads((store / "runs" / RUN / "manifest.json").read_text())
    listed = {a["key"] for a in manifest["artifacts"]}
    on_disk = {
        p.relative_to(store).as_posix()
        for p in (store / "runs" / RUN).rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert listed == on_disk
    failed = {s for sessions in manifest["failed"].values() for s in sessions}
    expected = {c.session for c in mixed_run["cases"] if c.expect == "fail"}
    assert expected <= failed


def test_secret_in_env_never_written(mixed_run):
    proc = mixed_run["proc"]
    assert SECRET not in proc.stdout and SECRET not in proc.stderr
    for path in mixed_run["store"].rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_figures(mixed_run):
    """Cases tried / survived / lost, printed for the report (-s); lost must be 0."""
    summary = _summary(mixed_run)
    page_path = mixed_run["store"] / "runs" / RUN / "report" / "index.html"
    page = page_path.read_text() if page_path.is_file() else ""
    lost = []
    for case in mixed_run["cases"]:
        s = case.session
        if case.expect == "fail":
            ok = s in summary["failed"] and s in page
        elif case.expect == "exclude":
            ok = s in summary["excluded"] and s in page
        elif case.expect == "survive":
            ok = s in summary["sessions"] and s not in summary["failed"]
        else:
            ok = html.escape(s) in page
        if not ok:
            lost.append(case.name)
    tried = len(mixed_run["cases"])
    print(
        f"\nbad-input corpus: tried {tried}, survived {tried - len(lost)}, lost {len(lost)} {lost}"
    )
    assert lost == []


# ---- each per-session step alone: exit code, one line, failure record --------------------


@pytest.mark.parametrize(
    "builder",
    [
        b
        for b in badinputs.BUILDERS
        if b.__name__
        in {
            "corrupt_wav_header",
            "truncated_wav",
            "empty_wav",
            "empty_transcript_file",
            "garbled_transcript",
            "garbled_transcript_bytes",
            "nan_transcript",
            "deep_transcript",
        }
    ],
    ids=lambda b: b.__name__,
)
def test_transcribe_step_fails_in_one_line(tmp_path, capsys, builder, clean_env):
    case = builder(tmp_path / "in")
    store = tmp_path / "store"
    upload_inputs(FileStore(store), tmp_path / "in")
    capsys.readouterr()
    rc = main(["transcribe", case.session, "--store", str(store), "--run-id", "r1"])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("silkpipe transcribe: error:")]
    assert rc == 2 and len(lines) == 1, err
    assert f"session {case.session}" in lines[0] and case.file in lines[0]
    assert "Traceback" not in err
    assert not (store / "runs" / "r1" / "transcripts" / f"{case.session}.json").exists()
    assert not (store / "cache").exists() or not list((store / "cache").rglob("*.json"))
    record = json.loads(
        (store / "runs/r1/failures/transcribe" / f"{case.session}.json").read_text()
    )
    assert record["step"] == "transcribe" and case.file in record["error"]
    assert _tmp_files(store) == []


def test_align_alone_keeps_going_after_a_bad_session(tmp_path, capsys, clean_env):
    """The join step over one bad and one good session: the good one is labelled."""
    case = badinputs.nan_csv(tmp_path / "in")
    badinputs.copy_session(
        badinputs.GOOD[1],
        tmp_path / "in",
        badinputs.GOOD[1],
        files=("sensor_data.csv", "whisperx_output.json"),
    )
    store = tmp_path / "store"
    upload_inputs(FileStore(store), tmp_path / "in")
    for s in (case.session, badinputs.GOOD[1]):
        assert main(["transcribe", s, "--store", str(store), "--run-id", "r1"]) == 0
    assert main(["align", "--store", str(store), "--run-id", "r1"]) == 2  # a session failed
    labels = published(store / "runs/r1", "labels")
    summary = json.loads((labels / "summary.json").read_text())
    assert list(summary["failed"]) == [case.session]
    assert badinputs.GOOD[1] in summary["sessions"]
    assert (labels / f"{badinputs.GOOD[1]}.csv").is_file()
    # a re-run reuses the good labels and records the bad session again
    before = (labels / f"{badinputs.GOOD[1]}.json").stat().st_mtime_ns
    assert main(["align", "--store", str(store), "--run-id", "r1"]) == 2
    assert published(store / "runs/r1", "labels") == labels
    assert (labels / f"{badinputs.GOOD[1]}.json").stat().st_mtime_ns == before
    assert case.session in json.loads((labels / "summary.json").read_text())["failed"]


def test_bad_clips_do_not_sink_training(tmp_path, capsys, clean_env):
    """One damaged clip among good ones: training goes on without it and says so. Store
    mode (the cluster's train step) exits 0 for it, unlike `train --out`'s partial 2: a
    failed train pod would stop the report that names the clip (test_workflows)."""
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=3)
    bad = badinputs.bad_clips(clips)
    store = FileStore(tmp_path / "store")
    for path in sorted(clips.iterdir()):
        store.put_bytes(f"clips/{path.name}", path.read_bytes())
    store.put_bytes(
        "runs/r1/labels/summary.json",
        json.dumps({"sessions": [], "failed": {}, "excluded": {}}).encode(),
    )
    rc = main(
        ["train", "--store", str(store.root), "--run-id", "r1", "--epochs", "2", "--no-progress"]
    )
    err = capsys.readouterr().err
    assert rc == 0, err[-2000:]
    assert (published(store.root / "runs/r1", "model") / "config.json").is_file()
    records = [json.loads(store.get_bytes(k)) for k in store.list("runs/r1/failures")]
    for name in bad:
        errors = [r["error"] for r in records if r["session"] == Path(name).stem]
        assert errors and name in errors[0], f"{name}: skipped clip not recorded with its file"
    assert main(["report", "--store", str(store.root), "--run-id", "r1"]) == 0
    page = store.get_bytes("runs/r1/report/index.html").decode()
    assert all(Path(name).stem in page for name in bad)


# ---- names and keys --------------------------------------------------------------------


@pytest.mark.parametrize("name", badinputs.BAD_NAMES, ids=repr)
def test_check_name_refuses(name):
    with pytest.raises(StoreError):
        check_name(name, "session name")


@pytest.mark.parametrize("key", badinputs.BAD_KEYS, ids=repr)
def test_check_key_refuses(key, tmp_path):
    with pytest.raises(StoreError):
        check_key(key)
    store = FileStore(tmp_path / "store")
    with pytest.raises(StoreError):
        store.put_bytes(key, b"x")
    with pytest.raises(StoreError):
        store.get_bytes(key)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_good_names_pass():
    for name in (*badinputs.GOOD, "run-1", "a.b_c-9"):
        assert check_name(name) == name
    assert check_key("runs/run-1/labels/a.csv") == "runs/run-1/labels/a.csv"


@pytest.mark.parametrize("name", [n for n in badinputs.BAD_NAMES if "\x00" not in n], ids=repr)
@pytest.mark.parametrize("where", ["session", "run-id"])
def test_cli_refuses_bad_names_writes_nothing(tmp_path, capsys, name, where, clean_env):
    outside = tmp_path / "outside"
    outside.mkdir()
    store = outside / "store"
    session, run_id = (name, "r1") if where == "session" else ("s1", name)
    rc = main(["transcribe", session, "--store", str(store), "--run-id", run_id])
    err = capsys.readouterr().err
    assert rc == 2, err
    said = "is empty (an unset shell variable?)" if name == "" else "invalid"
    assert said in err and "Traceback" not in err
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], written
    assert not Path("/tmp/silkpipe-escape").exists()


def test_s3_store_refuses_traversal(s3_env):
    store = open_store("s3://silkpipe-rel/pre")
    for key in badinputs.BAD_KEYS:
        with pytest.raises(StoreError):
            store.put_bytes(key, b"x")
    with pytest.raises(StoreError):
        open_store("s3://silkpipe-rel/../other")


# ---- secrets ---------------------------------------------------------------------------


def test_s3_run_never_prints_or_stores_the_secret(tmp_path, s3_server, s3_env):
    """A whole `silkpipe -v run` (debug logging) against the S3 server, one session failing:
    neither the secret nor the access key shows in its output or in any object it wrote."""
    sessions = tmp_path / "in"
    badinputs.copy_session(
        badinputs.GOOD[0],
        sessions,
        badinputs.GOOD[0],
        files=("sensor_data.csv", "whisperx_output.json"),
    )
    badinputs.empty_wav(sessions)  # error paths must not leak either
    uri = "s3://silkpipe-secret/t"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "silkpipe.cli",
            "-v",
            "run",
            str(sessions),
            "--store",
            uri,
            "--run-id",
            "sec",
            "--workers",
            "1",
        ],
        env=_env(**s3_server),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "DEBUG" in proc.stderr  # debug logging was on
    assert "silkpipe transcribe: error: session bad_empty_wav" in proc.stderr
    secret, access = s3_server["SILKPIPE_S3_SECRET_KEY"], s3_server["SILKPIPE_S3_ACCESS_KEY"]
    for text in (proc.stdout, proc.stderr):
        assert secret not in text and access not in text
    store = open_store(uri)
    keys = store.list("")
    assert "runs/sec/report/index.html" in keys and "runs/sec/manifest.json" in keys
    for key in keys:
        data = store.get_bytes(key)
        assert secret.encode() not in data and access.encode() not in data, key


def test_credentials_in_store_uri_refused_not_echoed(tmp_path, capsys, clean_env):
    """Secrets belong in env/Secret: a URI holding them is refused without echoing it."""
    for uri in (f"s3://AKID:{SECRET}@silkpipe-bucket/p", f"file://u:{SECRET}@host{tmp_path}/x"):
        try:
            rc = main(["transcribe", "s1", "--store", uri, "--run-id", "r1"])
        except Exception as err:  # noqa: BLE001 - the failure we report
            pytest.fail(f"raised {type(err).__name__} instead of one line")
        err = capsys.readouterr().err
        assert rc == 2 and SECRET not in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_unreachable_store_is_one_line(tmp_path, monkeypatch, capsys, clean_env):
    """A down S3 endpoint: one line, exit 2, no traceback, no secret."""
    monkeypatch.setenv("SILKPIPE_S3_ENDPOINT", "127.0.0.1:9")
    monkeypatch.setenv("SILKPIPE_S3_ACCESS_KEY", "ak")
    monkeypatch.setenv("SILKPIPE_S3_SECRET_KEY", SECRET)
    monkeypatch.setenv("SILKPIPE_S3_SECURE", "0")
    for uri in ("s3://silkpipe-down/p", "s3://b/p"):  # unreachable; invalid bucket name
        try:
            rc = main(["transcribe", "s1", "--store", uri, "--run-id", "r1"])
        except Exception as err:  # noqa: BLE001 - the failure we report
            pytest.fail(f"{uri}: raised {type(err).__name__} instead of one line: {err}")
        err = capsys.readouterr().err
        assert rc == 2 and SECRET not in err
        assert (
            len([ln for ln in err.splitlines() if ln.startswith("silkpipe transcribe: error")]) == 1
        )


def test_pod_security_is_checked_by_manifest_tests():
    """The k8s engineer's manifest tests assert the restricted pod security settings."""
    here = Path(__file__).parent
    text = (here / "test_workflows.py").read_text() + (here / "test_chart.py").read_text()
    for needle in (
        '"runAsNonRoot"] is True',
        '"readOnlyRootFilesystem"',
        '"allowPrivilegeEscalation"',
        '{"type": "RuntimeDefault"}',
        '"drop": ["ALL"]',
    ):
        assert needle in text, needle
