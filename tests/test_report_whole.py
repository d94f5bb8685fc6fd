"""A report is published whole or not at all (folder store and S3): a report killed while
it writes leaves the old page and the files beside it as they were, never new figures
beside an old page; the next report leaves its own files only."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_report import RUN, _store_with_run

from silkpipe import store as keys
from silkpipe.cli import main as cli_main
from silkpipe.report import (
    ORPHANED_AFTER,
    WORKFLOW_ENV,
    WRITER_FILE,
    page_figures,
    page_files,
    writer_mark,
)
from silkpipe.steps import report_run
from silkpipe.store import StoreFault, open_store, put_json


class Killed(Exception):
    """Stands for the report's process dying at a write."""


class _DiesAtThePage:
    """The store as report_run uses it, except that the page's write never happens: every
    figure beside it is written first, then the process is gone."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def put_bytes(self, key: str, data: bytes) -> None:
        if key == keys.report_key(RUN):
            raise Killed(key)
        self._store.put_bytes(key, data)


def _report_files(store) -> dict[str, bytes]:
    return {key: store.get_bytes(key) for key in store.list(keys.report_prefix(RUN))}


def _open(kind: str, tmp_path, request):
    if kind == "folder":
        return open_store(str(tmp_path / "store"))
    request.getfixturevalue("s3_env")
    return open_store(f"s3://silkpipe-report-whole/{tmp_path.name}")


def _figure_folders(store) -> set[str]:
    return {k.split("/")[4] for k in store.list(keys.report_figures_prefix(RUN))}


def _marks(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("silkpipe-report-"))


@pytest.mark.parametrize("kind", ["folder", "s3"])
def test_a_report_failing_at_its_page_leaves_the_old_one_and_nothing_of_its_own(
    kind, tmp_path, data_dir, request, monkeypatch, caplog
):
    """Failed after its figures, before its page (an exception, Ctrl-C: not a kill): the
    new training curves were written over the old ones beside the old page (a mix until
    the next run). It leaves the old report whole, and neither its figures folder nor its
    writer mark in TMPDIR (the mark was left, and the folder waited for the next report);
    the next report neither waits nor warns."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = _store_with_run(_open(kind, tmp_path, request), data_dir)
    report_run(store, RUN)
    before = _report_files(store)
    history = json.loads(store.get_bytes(f"runs/{RUN}/model/history.json"))
    put_json(store, f"runs/{RUN}/model/history.json", history[:4])  # other curves
    with pytest.raises(Killed):
        report_run(_DiesAtThePage(store), RUN, force=True)
    assert _report_files(store) == before, "the failed report left files beside the old one"
    assert _marks(tmp) == [], "the failed report left its writer mark in TMPDIR"
    if kind == "folder":
        assert not [
            p for p in (tmp_path / "store").rglob("*") if p.is_dir() and not any(p.iterdir())
        ]

    caplog.set_level(logging.INFO)
    report_run(store, RUN, force=True)  # at once: its page and its own figures only
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or "wait" in r.message]
    page = store.get_bytes(keys.report_key(RUN)).decode()
    (figures,) = _figure_folders(store)
    assert figures == page_figures(store, keys.report_key(RUN))
    assert f'href="figures/{figures}/"' in page
    manifest = json.loads(store.get_bytes(keys.manifest_key(RUN)))
    listed = {a["key"] for a in manifest["artifacts"]}
    assert set(store.list(keys.report_prefix(RUN))) <= listed
    assert _marks(tmp) == []


class _FailsAtThePageAndAtEveryDelete(_DiesAtThePage):
    """A store that fails the page's write and then the failed report's clean-up too."""

    def delete(self, key: str) -> None:
        raise StoreFault(f"cannot delete {key}")


def test_a_failed_report_that_cannot_delete_its_figures_leaves_its_mark(
    tmp_path, data_dir, monkeypatch
):
    """The mark goes only with the figures: one left behind tells the next report that the
    folder is nobody's, and that report deletes it at once (without the mark it waited
    ORPHANED_AFTER)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    with pytest.raises(Killed):
        report_run(_FailsAtThePageAndAtEveryDelete(store), RUN, force=True)
    assert len(_figure_folders(store)) == 2 and len(_marks(tmp)) == 1
    report_run(store, RUN, force=True)
    assert len(_figure_folders(store)) == 1 and _marks(tmp) == []


_WRITER = """
import sys, time
from silkpipe.locks import writing
from silkpipe.report import writer_mark
from silkpipe.store import open_store
with writing(writer_mark(open_store(sys.argv[1]), sys.argv[2], sys.argv[3]), undo=print):
    print("holding", flush=True)
    time.sleep(600)
"""


def test_a_folder_another_process_writes_is_kept_until_that_process_is_killed(tmp_path, data_dir):
    """Another report process of the run holds its writer mark while it fills its folder:
    the next report keeps the folder; once that process is killed (SIGKILL), the report
    after deletes it at once."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    version = keys.new_version()
    other = f"{keys.report_figures_prefix(RUN, version)}/training_curves.png"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    argv = [sys.executable, "-c", _WRITER, store.uri, RUN, version]
    writer = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "holding\n"
        store.put_bytes(other, b"\x89PNG being written")
        report_run(store, RUN, force=True)
        assert store.exists(other), "a folder another report was writing was deleted"
    finally:
        writer.kill()
        writer.wait()
    report_run(store, RUN, force=True)
    assert not store.exists(other) and version not in _figure_folders(store)
    assert not writer_mark(store, RUN, version).exists()


def test_a_folder_with_no_writer_mark_here_waits_orphaned_after(tmp_path, data_dir, monkeypatch):
    """A folder no page links and no writer mark of this machine names (a report of
    another machine, of an S3 store): kept while it may still be written, deleted by a
    report begun ORPHANED_AFTER later."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    version = keys.new_version()
    store.put_bytes(f"{keys.report_figures_prefix(RUN, version)}/training_curves.png", b"png")
    report_run(store, RUN, force=True)
    assert version in _figure_folders(store)
    later = datetime.now(UTC) + ORPHANED_AFTER + timedelta(minutes=1)
    ours = later.strftime("v%Y%m%dT%H%M%S") + "-0a0b0c0d"
    monkeypatch.setattr(keys, "new_version", lambda: ours)
    report_run(store, RUN, force=True)
    assert _figure_folders(store) == {ours}


def test_the_flat_figures_of_an_older_report_are_dropped(tmp_path, data_dir):
    """A report of the layout before figures/<version>/ (timelines/, training_curves.png
    beside the page): its files go once a page replaces it; evaluate's stay."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    old = ["timelines/gone.png", f"timelines/{'x'}-clock.png", "training_curves.png"]
    for name in old:
        store.put_bytes(f"{keys.report_prefix(RUN)}/{name}", b"\x89PNG old")
    report_run(store, RUN)
    left = store.list(keys.report_prefix(RUN))
    assert not [k for k in left if k.split("/", 3)[3] in old], left
    assert f"{keys.report_prefix(RUN)}/metrics.json" in left
    assert not (tmp_path / "store" / keys.report_prefix(RUN) / "timelines").exists()


class _AnotherReportAtThePage:
    """The store as one report uses it, except that a second report of the same run runs
    whole just before the first one's page is written (two `run`s of one run id at once)."""

    def __init__(self, store):
        self._store = store
        self._other_ran = False

    def __getattr__(self, name):
        return getattr(self._store, name)

    def put_bytes(self, key: str, data: bytes) -> None:
        if key == keys.report_key(RUN) and not self._other_ran:
            self._other_ran = True
            report_run(self._store, RUN, force=True)
        self._store.put_bytes(key, data)


@pytest.mark.parametrize("kind", ["folder", "s3"])
def test_two_reports_at_once_leave_the_last_page_with_its_figures(kind, tmp_path, request):
    """The report that switches its page last keeps every figure its page links: the other
    one, which finished first, deleted them as a replaced page's while they were written."""
    data_dir = request.getfixturevalue("data_dir")
    store = _store_with_run(_open(kind, tmp_path, request), data_dir)
    report_run(store, RUN)
    report_run(_AnotherReportAtThePage(store), RUN, force=True)
    page = store.get_bytes(keys.report_key(RUN)).decode()
    (href,) = re.findall(r'href="(figures/[^"/]+)/"', page)
    figures = store.list(f"{keys.report_prefix(RUN)}/{href}")
    assert f"{keys.report_prefix(RUN)}/{href}/training_curves.png" in figures, figures


def test_export_report_copies_the_figures_its_page_links_only(tmp_path, data_dir, capsys):
    """`sessions export-report` of a run whose last report was killed before its page: the
    copy held both figures folders (the killed one's too), one of them linked by nothing."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    with pytest.raises(Killed):
        report_run(_DiesAtThePage(store), RUN, force=True)
    assert len(set(store.list(keys.report_figures_prefix(RUN)))) > 1
    dest = tmp_path / "copy"
    argv = ["sessions", "export-report", "--store", str(tmp_path / "store"), "--run-id", RUN]
    assert cli_main([*argv, str(dest)]) == 0, capsys.readouterr().err
    linked = page_figures(store, keys.report_key(RUN))
    assert [p.name for p in (dest / "figures").iterdir()] == [linked]
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    prefix = keys.report_prefix(RUN) + "/"
    assert copied == sorted(k.removeprefix(prefix) for k in page_files(store, RUN))
    assert "index.html" in copied and f"figures/{linked}/training_curves.png" in copied


class _LocalLinks(HTMLParser):
    """Every href and src of a page that names a file (not data:, a web address, #)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith("#"):
                if not urlsplit(value).scheme and not value.startswith("//"):
                    self.links.append(unquote(urlsplit(value).path))


def test_every_local_link_of_an_exported_report_resolves_inside_it(tmp_path, data_dir, capsys):
    """The exported copy (the Argo artifact is one) is self-contained: its model links
    pointed at ../model/<version>/, out of the report folder, so they were broken."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    dest = tmp_path / "copy"
    argv = ["sessions", "export-report", "--store", str(tmp_path / "store"), "--run-id", RUN]
    assert cli_main([*argv, str(dest)]) == 0, capsys.readouterr().err
    parser = _LocalLinks()
    parser.feed((dest / "index.html").read_text(encoding="utf-8"))
    assert len(parser.links) >= 4, parser.links  # the model files and the figures folder
    for link in parser.links:
        target = (dest / link).resolve()
        assert target.is_relative_to(dest.resolve()) and target.exists(), link
    onnx = [link for link in parser.links if link.endswith("model.onnx")]
    assert len(onnx) == 1 and (dest / onnx[0]).read_bytes() == store.get_bytes(
        f"runs/{RUN}/model/model.onnx"
    )


class _FiguresGoneAfterListing:
    """The store as report_run uses it, except that a figure file another report of the run
    deletes is listed, then gone when read (its page replaced by this one's)."""

    def __init__(self, store, ghost: str):
        self._store, self._ghost = store, ghost

    def __getattr__(self, name):
        return getattr(self._store, name)

    def list(self, prefix: str) -> list[str]:
        listed = self._store.list(prefix)
        return sorted([*listed, self._ghost]) if self._ghost.startswith(prefix) else listed


def test_a_figure_deleted_while_the_manifest_is_written_is_left_out(tmp_path, data_dir):
    """The manifest read every key it listed: one deleted in between by the other report
    (two reports at once) failed this one's report step with a KeyError."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    ghost = f"{keys.report_figures_prefix(RUN)}/v20000101T000000-00000000/training_curves.png"
    report_run(_FiguresGoneAfterListing(store, ghost), RUN)
    manifest = json.loads(store.get_bytes(keys.manifest_key(RUN)))
    listed = {a["key"] for a in manifest["artifacts"]}
    assert keys.report_key(RUN) in listed and ghost not in listed


def test_another_reports_folder_not_yet_filled_is_kept(tmp_path, data_dir):
    """Another report of the run has made its figures folder and not yet written a figure
    into it: the empty-folder sweep of a folder store removed it, so that report's next
    figure write failed (no such folder) or its page linked a folder that was gone."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    other = tmp_path / "store" / keys.report_figures_prefix(RUN, keys.new_version())
    (other / "timelines").mkdir(parents=True)
    report_run(store, RUN, force=True)
    assert (other / "timelines").is_dir()


@pytest.mark.parametrize("kind", ["folder", "s3"])
def test_an_earlier_attempt_of_the_workflows_report_is_deleted_at_once(
    kind, tmp_path, data_dir, request, monkeypatch
):
    """An Argo report pod killed before its page (preempted, past its deadline) leaves its
    figures folder on S3 and its writer mark on a machine that is gone: the retry, in the
    same workflow, waited ORPHANED_AFTER; Argo runs one attempt at a time, so the folder
    that names this workflow is an earlier, dead attempt's and goes at once. One another
    workflow began still waits, and the page's own folder keeps no writer file."""
    monkeypatch.setenv(WORKFLOW_ENV, "wf-1")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = _store_with_run(_open(kind, tmp_path, request), data_dir)
    report_run(store, RUN)
    begun = {}
    for workflow in ("wf-1", "wf-0"):
        begun[workflow] = version = keys.new_version()
        folder = keys.report_figures_prefix(RUN, version)
        store.put_bytes(f"{folder}/training_curves.png", b"\x89PNG killed")
        put_json(store, f"{folder}/{WRITER_FILE}", {"workflow": workflow})
    report_run(store, RUN, force=True)
    ours = page_figures(store, keys.report_key(RUN))
    assert _figure_folders(store) == {ours, begun["wf-0"]}
    assert not store.exists(f"{keys.report_figures_prefix(RUN, ours)}/{WRITER_FILE}")


def test_the_mark_of_a_report_killed_before_its_first_figure_goes_at_the_next(
    tmp_path, data_dir, monkeypatch
):
    """A report killed after making its writer mark but before its first figure left the
    mark (held by no process) beside no folder: the next report's walk of the figures
    folders never met it, and it stayed in TMPDIR for ever. A mark another report still
    holds stays."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    killed, writing = keys.new_version(), keys.new_version()
    writer_mark(store, RUN, killed).touch()  # what the killed report left
    held = open(writer_mark(store, RUN, writing), "a")
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another report, before its first figure
        report_run(store, RUN, force=True)
        assert _marks(tmp) == [writer_mark(store, RUN, writing).name]
    finally:
        held.close()
    assert page_figures(store, keys.report_key(RUN)) in _figure_folders(store)


def test_a_report_killed_inside_its_first_figure_write_leaves_no_folder(tmp_path, data_dir):
    """Killed inside its first figure's write, a report left its figures folder holding a
    hidden temp file only (write_whole's, named after its pid), which no key lists: no
    report deleted it. The next one does; a folder not yet filled stays (above)."""
    store = _store_with_run(open_store(str(tmp_path / "store")), data_dir)
    report_run(store, RUN)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    killed = tmp_path / "store" / keys.report_figures_prefix(RUN, keys.new_version())
    (killed / "timelines").mkdir(parents=True)
    (killed / "timelines" / f".tmp-{gone}-abc").write_bytes(b"\x89PNG half")
    report_run(store, RUN, force=True)
    assert not killed.exists()


def test_report_on_a_full_disk_after_its_first_figure_leaves_the_old_report_whole(
    tmp_path, data_dir, monkeypatch, capsys
):
    """`silkpipe report --force` whose disk fills after its first figure (sweep 55, named
    a leftover of sweep 52's report_store_full_disk_force: a partly written figures folder
    stayed beside the old page): one line, exit 1, the earlier report as it was, and
    nothing of the failed one (no figures folder, empty folder, temp file or mark)."""
    import errno

    from silkpipe import store as store_module

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    root = tmp_path / "store"
    store = _store_with_run(open_store(str(root)), data_dir)
    report_run(store, RUN)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    real, written = store_module.write_whole, []

    def fills_up(path: Path, data: bytes) -> None:
        if "/figures/" in str(path) and written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)
        written.append(path)

    monkeypatch.setattr(store_module, "write_whole", fills_up)
    assert cli_main(["report", "--store", str(root), "--run-id", RUN, "--force"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("silkpipe report: error: ") and "No space left on device" in line
    assert "/figures/" in str(written[-1]) and written[-1] not in before
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert not [p for p in root.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert _marks(tmp) == []
