"""Replacing a label set or model version, in a folder store and on S3: the replaced
versions go and leave no empty folder behind; a version another process still fills is
kept; a write that fails leaves nothing of itself (no files, no folders, no writer mark)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from silkpipe import store as keys
from silkpipe.store import FileStore, open_store, write_whole

RUN = "r1"


@pytest.fixture(params=["file", "s3"])
def any_store(request, tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    if request.param == "file":
        return open_store(str(tmp_path / "artifacts"))
    request.getfixturevalue("s3_env")
    return open_store(f"s3://silkpipe-test-{uuid.uuid4().hex[:8]}/prefix")


def _empty_folders(store) -> list[str]:
    root = getattr(store, "root", None)
    if root is None:
        return []  # S3 has keys only: nothing is left once its keys are deleted
    return sorted(str(p) for p in root.rglob("*") if p.is_dir() and not any(p.iterdir()))


def _write_labels(store, version: str) -> None:
    """A label set as align writes it: its files, a rounds/ folder, then the switch."""
    with keys.filling(store, RUN, "labels", version):
        store.put_bytes(keys.labels_key(RUN, "s1", "csv", version), b"start,end,label\n")
        keys.put_json(store, keys.label_rounds_key(RUN, "s1", version), [])
        keys.publish(store, RUN, "labels", version, {"inputs": version})


def _marks() -> list[str]:
    return [p for p in os.listdir(tempfile.gettempdir()) if p.startswith("silkpipe-labels-")]


def test_a_replaced_version_leaves_no_empty_folder(any_store):
    """A new STEP_VERSION or new inputs write a new version: the old one's folders (its
    rounds/ too) stayed behind empty in a folder store, one per replaced version."""
    for n in range(3):
        _write_labels(any_store, f"v{n}")
    assert any_store.list(f"runs/{RUN}/labels") == [
        f"runs/{RUN}/labels/v2/rounds/s1.json",
        f"runs/{RUN}/labels/v2/s1.csv",
    ]
    assert _empty_folders(any_store) == []
    assert _marks() == []


def test_the_empty_folders_an_older_store_kept_go_at_the_next_switch(tmp_path):
    store = FileStore(tmp_path / "artifacts")
    _write_labels(store, "v0")
    (store.root / f"runs/{RUN}/labels/v-old/rounds").mkdir(parents=True)
    _write_labels(store, "v1")
    assert sorted(p.name for p in (store.root / f"runs/{RUN}/labels").iterdir()) == ["v1"]


def test_a_write_that_fails_leaves_nothing_of_itself(any_store):
    """A label set whose write fails half-way (a full disk, Ctrl-C): its files and folders
    are deleted and its writer mark too; the published one is left as it was."""
    _write_labels(any_store, "v0")
    before = any_store.list(f"runs/{RUN}")
    with pytest.raises(KeyboardInterrupt):
        with keys.filling(any_store, RUN, "labels", "v1"):
            any_store.put_bytes(keys.labels_key(RUN, "s1", "csv", "v1"), b"half")
            raise KeyboardInterrupt
    assert any_store.list(f"runs/{RUN}") == before
    assert _empty_folders(any_store) == [] and _marks() == []


def test_a_write_that_fails_after_its_switch_keeps_what_it_published(any_store):
    with pytest.raises(KeyboardInterrupt):
        with keys.filling(any_store, RUN, "labels", "v1"):
            any_store.put_bytes(keys.labels_key(RUN, "s1", "csv", "v1"), b"whole")
            keys.publish(any_store, RUN, "labels", "v1", {})
            raise KeyboardInterrupt
    assert any_store.get_bytes(keys.labels_key(RUN, "s1", "csv", "v1")) == b"whole"


_FILLER = """
import sys, time
from silkpipe import store as keys
from silkpipe.store import open_store
store = open_store(sys.argv[1])
with keys.filling(store, "r1", "labels", "v-other"):
    store.put_bytes(keys.labels_key("r1", "s1", "csv", "v-other"), b"being written")
    print("filling", flush=True)
    time.sleep(600)
"""


def test_a_version_another_process_fills_is_kept_until_it_is_killed(tmp_path, monkeypatch):
    """Two aligns of one run at once: the first to switch deleted the other's files as it
    wrote them, and the other then published a label set with sessions missing."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = FileStore(tmp_path / "artifacts")
    other = keys.labels_key(RUN, "s1", "csv", "v-other")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env["TMPDIR"] = str(tmp)
    argv = [sys.executable, "-c", _FILLER, store.uri]
    filler = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert filler.stdout is not None and filler.stdout.readline() == "filling\n"
        _write_labels(store, "v1")
        assert store.get_bytes(other) == b"being written", "another writer's file was deleted"
    finally:
        filler.kill()
        filler.wait()
    _write_labels(store, "v2")
    assert not store.exists(other) and _empty_folders(store) == []


def test_a_folder_removed_under_a_writer_is_made_again(tmp_path, monkeypatch):
    """A delete that empties a folder removes it: a writer that had just made that folder
    makes it again rather than fail (no such file or folder)."""
    made = tempfile.mkstemp
    removed = []

    def folder_removed_first(*args, dir, **kwargs):
        if not removed:
            removed.append(dir)
            os.rmdir(dir)
        return made(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", folder_removed_first)
    write_whole(tmp_path / "runs/r1/labels/v1/s1.csv", b"whole")
    assert removed and (tmp_path / "runs/r1/labels/v1/s1.csv").read_bytes() == b"whole"


def test_a_delete_keeps_the_root_and_every_folder_with_a_file(tmp_path):
    store = FileStore(tmp_path / "artifacts")
    store.put_bytes("runs/r1/a/b/c.json", b"{}")
    store.put_bytes("runs/r1/a/d.json", b"{}")
    store.delete("runs/r1/a/b/c.json")
    assert not (store.root / "runs/r1/a/b").exists() and (store.root / "runs/r1/a").is_dir()
    store.delete("runs/r1/a/d.json")
    assert list(store.root.iterdir()) == []


def test_a_killed_writers_mark_goes_with_its_version(any_store):
    """A writer killed mid-fill leaves its version and its mark in TMPDIR, held by no
    process: the next switch deleted the version's files but left the mark, one more per
    killed align or train, and no later switch saw it again (no file names its version)."""
    keys.version_mark(any_store, RUN, "labels", "v-dead").touch()  # left, held by no one
    any_store.put_bytes(keys.labels_key(RUN, "s1", "csv", "v-dead"), b"half")
    _write_labels(any_store, "v1")
    assert not any_store.exists(keys.labels_key(RUN, "s1", "csv", "v-dead"))
    assert _marks() == []


_KILLED_BEFORE_ITS_FIRST_FILE = """
import os, signal, sys
from silkpipe import store as keys
from silkpipe.store import open_store
store = open_store(sys.argv[1])
with keys.filling(store, "r1", sys.argv[2], "v-killed"):
    os.kill(os.getpid(), signal.SIGKILL)  # before its first file
"""


@pytest.mark.parametrize("kind", ["labels", "model"])
def test_a_writer_killed_before_its_first_file_leaves_no_mark_after_the_next_switch(
    kind, tmp_path, monkeypatch
):
    """An align or train killed (SIGKILL) once its writer mark was made but before it wrote
    a file left the mark in TMPDIR beside no folder: the next switch walks the versions it
    finds in the store, never met it, and each such kill left one more mark for ever. It
    blocked nothing (a mark held by no process reads as a dead writer's)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = FileStore(tmp_path / "artifacts")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env["TMPDIR"] = str(tmp)
    argv = [sys.executable, "-c", _KILLED_BEFORE_ITS_FIRST_FILE, store.uri, kind]
    assert subprocess.run(argv, env=env).returncode == -9
    mark = keys.version_mark(store, RUN, kind, "v-killed")
    assert mark.exists() and not store.list(f"runs/{RUN}/{kind}")
    with keys.filling(store, RUN, kind, "v1"):
        store.put_bytes(f"{keys.version_prefix(RUN, kind, 'v1')}/f.json", b"{}")
        keys.publish(store, RUN, kind, "v1", {"inputs": "v1"})
    assert keys.published(store, RUN, kind)["version"] == "v1"
    assert not mark.exists() and not [p for p in os.listdir(tmp) if p.endswith(".lock")]


def test_a_mark_another_process_holds_is_kept_at_the_switch(tmp_path, monkeypatch):
    """Marks are dropped only when no process holds them: a writer still filling (here
    before its first file) keeps its mark, and its version is not taken for a dead one."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = FileStore(tmp_path / "artifacts")
    with keys.filling(store, RUN, "labels", "v-filling"):
        _write_labels(store, "v1")
        assert keys.version_mark(store, RUN, "labels", "v-filling").exists()
    assert _marks() == []


def test_a_writer_killed_inside_its_first_write_leaves_no_folder_after_the_next_switch(
    tmp_path, monkeypatch
):
    """Killed inside its first file's write, a writer left its version folder holding a
    hidden temp file only (write_whole's, named after its pid): no key lists it, so no
    switch deleted the folder, and a model's half-written weights stayed for ever. A live
    writer's temp file is kept."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    store = FileStore(tmp_path / "artifacts")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    killed = store.root / "runs" / RUN / "labels" / "v-killed"
    killed.mkdir(parents=True)
    (killed / f".tmp-{gone}-abc").write_bytes(b"half a file")
    keys.version_mark(store, RUN, "labels", "v-killed").touch()  # what it left in TMPDIR
    live = store.root / "runs" / RUN / "labels" / "v-live"
    live.mkdir()
    (live / f".tmp-{os.getpid()}-abc").write_bytes(b"being written")
    _write_labels(store, "v1")
    assert not killed.exists() and _marks() == []
    assert (live / f".tmp-{os.getpid()}-abc").exists()
