"""The artifact store: same behaviour on the local folder and a real S3 server (moto)."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from silkpipe import store as keys
from silkpipe.store import FileStore, StoreError, get_json, open_store, put_json


@pytest.fixture(params=["file", "s3"])
def any_store(request, tmp_path):
    if request.param == "file":
        return open_store(str(tmp_path / "artifacts"))
    request.getfixturevalue("s3_env")
    return open_store(f"s3://silkpipe-test-{uuid.uuid4().hex[:8]}/prefix")


def test_roundtrip_list_delete(any_store):
    any_store.put_bytes("runs/r1/labels/a.csv", b"start,end,label\n")
    put_json(any_store, "runs/r1/labels/a.json", {"offset_s": 1.5})
    any_store.put_bytes("sessions/s1/sensor_data.csv", b"x")
    assert any_store.get_bytes("runs/r1/labels/a.csv") == b"start,end,label\n"
    assert get_json(any_store, "runs/r1/labels/a.json") == {"offset_s": 1.5}
    assert any_store.exists("runs/r1/labels/a.csv")
    assert not any_store.exists("runs/r1/labels/b.csv")
    assert any_store.list("runs/r1") == ["runs/r1/labels/a.csv", "runs/r1/labels/a.json"]
    assert any_store.list("runs/r2") == []
    any_store.delete("runs/r1/labels/a.csv")
    assert not any_store.exists("runs/r1/labels/a.csv")
    with pytest.raises(KeyError):
        any_store.get_bytes("runs/r1/labels/a.csv")


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs/key", "runs/../x", "runs//x", "runs/.hidden", "a\\b", ""]
)
def test_rejects_unsafe_keys(tmp_path, key):
    store = FileStore(tmp_path)
    with pytest.raises(StoreError):
        store.put_bytes(key, b"x")
    assert list(tmp_path.rglob("*")) == []


def test_store_path_link_loop_or_to_nothing_is_bad_input(tmp_path):
    """--store a link to itself (`ln -s store store`) or to a missing folder: refused as
    bad input (exit 2) naming the path, not a RuntimeError (exit 1) when a write resolves
    it, nor an empty store when `sessions list` reads it (bad_input_sweep51)."""
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "nowhere").symlink_to("missing/folder")
    with pytest.raises(StoreError, match="loop: Too many levels of symbolic links"):
        open_store(str(tmp_path / "loop"))
    with pytest.raises(StoreError, match="nowhere is a link to nothing"):
        open_store(f"file://{tmp_path / 'nowhere'}")
    assert open_store(str(tmp_path / "new")).list("sessions") == []  # a new store: made later


@pytest.mark.parametrize("name", ["../up", "a/b", "", ".x", "a b"])
def test_rejects_unsafe_names(name):
    with pytest.raises(StoreError):
        keys.session_prefix(name)


def test_file_store_write_is_atomic(tmp_path, monkeypatch):
    """A write that dies midway leaves neither a partial file nor a temp file."""
    store = FileStore(tmp_path)
    store.put_bytes("runs/r/model/weights.pt", b"old")

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(OSError):
        store.put_bytes("runs/r/model/weights.pt", b"new-but-broken")
    assert store.get_bytes("runs/r/model/weights.pt") == b"old"
    assert [p.name for p in (tmp_path / "runs/r/model").iterdir()] == ["weights.pt"]


def test_a_file_system_that_refuses_chmod_still_takes_whole_writes(tmp_path, monkeypatch):
    """chmod refused (vfat and some network mounts keep their own modes): the file is
    published with the file system's mode, as open() would leave it; every run, report and
    cv.json written there was refused before."""
    import os

    def refuse(*_args):
        raise PermissionError(1, "Operation not permitted")

    open_fds = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr("os.fchmod", refuse)
    FileStore(tmp_path).put_bytes("runs/r/a.json", b"{}")
    assert [p.name for p in (tmp_path / "runs/r").iterdir()] == ["a.json"]
    assert (tmp_path / "runs/r/a.json").read_bytes() == b"{}"
    assert len(os.listdir("/proc/self/fd")) == open_fds


def test_a_write_whose_chmod_fails_otherwise_closes_its_temp_file(tmp_path, monkeypatch):
    """Any other chmod failure fails the write, leaving neither the temp file nor its
    descriptor open (a run writing many keys ran out)."""
    import os

    def broken(*_args):
        raise OSError(5, "Input/output error")

    open_fds = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr("os.fchmod", broken)
    with pytest.raises(OSError, match="cannot write runs/r/a.json.*Input/output"):
        FileStore(tmp_path).put_bytes("runs/r/a.json", b"{}")
    assert not (tmp_path / "runs").exists()  # the folders it made for it, removed
    assert len(os.listdir("/proc/self/fd")) == open_fds


def test_temp_files_of_killed_writers_are_removed(tmp_path):
    """A writer SIGKILLed mid-write leaves its temp file; the next write there removes it,
    while a live process's temp file (a write in progress) stays."""
    import os

    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = tmp_path / "runs/r/transcripts"
    folder.mkdir(parents=True)
    orphan = folder / f".tmp-{dead.pid}-abc"
    in_flight = folder / f".tmp-{os.getpid()}-xyz"
    orphan.write_bytes(b"half")
    in_flight.write_bytes(b"half")
    FileStore(tmp_path).put_bytes("runs/r/transcripts/s1.json", b"{}")
    assert not orphan.exists()
    assert in_flight.exists()
    assert FileStore(tmp_path).list("runs/r") == ["runs/r/transcripts/s1.json"]


def test_a_killed_reports_scratch_folder_is_not_listed_as_keys(tmp_path, capsys):
    """evaluate --report runs/R/report (README) SIGKILLed mid-write leaves its scratch folder
    (.partial-*) in the store: listed as keys, export-report and the run's manifest were
    refused with 'invalid key part' (exit 2) until someone deleted it by hand."""
    from silkpipe.cli import main
    from silkpipe.report import write_manifest

    report = tmp_path / "store" / "runs" / "r1" / "report"
    (report / ".partial-k1ll3d").mkdir(parents=True)
    (report / ".partial-k1ll3d" / "metrics.json").write_text("{")
    (report / "index.html").write_text("<html>ok</html>")
    store = FileStore(tmp_path / "store")
    assert store.list("runs/r1") == ["runs/r1/report/index.html"]
    argv = ["sessions", "export-report", "--store", str(store.root), "--run-id", "r1"]
    assert main([*argv, str(tmp_path / "dest")]) == 0, capsys.readouterr().err
    assert [p.name for p in (tmp_path / "dest").iterdir()] == ["index.html"]
    manifest = get_json(store, write_manifest(store, "r1"))
    assert [a["key"] for a in manifest["artifacts"]] == ["runs/r1/report/index.html"]


def test_open_store_schemes(tmp_path):
    assert isinstance(open_store(f"file://{tmp_path}"), FileStore)
    with pytest.raises(StoreError):
        open_store("gs://bucket")


def test_s3_needs_endpoint(monkeypatch):
    monkeypatch.delenv("SILKPIPE_S3_ENDPOINT", raising=False)
    with pytest.raises(StoreError, match="SILKPIPE_S3_ENDPOINT"):
        open_store("s3://bucket")


def test_s3_credentials_never_in_uri_or_output(s3_env):
    store = open_store("s3://silkpipe-secret-check/p")
    assert s3_env["SILKPIPE_S3_SECRET_KEY"] not in store.uri
    assert s3_env["SILKPIPE_S3_ACCESS_KEY"] not in repr(store.uri)
    code = (
        "from silkpipe.store import open_store; s=open_store('s3://silkpipe-secret-check/p');"
        "s.put_bytes('a/b.txt', b'1'); print(s.uri, s.list('a'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **s3_env},
        check=True,
    )
    assert s3_env["SILKPIPE_S3_SECRET_KEY"] not in out.stdout + out.stderr
    assert "a/b.txt" in out.stdout


def _folder(path, text: str):
    path.mkdir(parents=True)
    (path / "config.json").write_text(text)
    return path


def test_replace_folder_that_cannot_rename_the_new_one_in_keeps_the_old(tmp_path, monkeypatch):
    """replace_folder moved the old model aside, and when renaming the new one in failed it
    left it there: the folder in use was gone. Now it is put back, whole."""
    from pathlib import Path

    from silkpipe.store import replace_folder

    model = _folder(tmp_path / "model", "old")
    staging = _folder(tmp_path / "model.partial", "new")
    rename = Path.rename

    def refuse_the_new_one(self, target):
        if self == staging:
            raise OSError(5, "Input/output error", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_new_one)
    with pytest.raises(OSError):
        replace_folder(staging, model)
    assert (model / "config.json").read_text() == "old"


def test_replace_folder_killed_between_its_renames_is_settled_by_the_next(tmp_path):
    """A kill between the renames left the old model aside under a name nothing reads or
    deletes (one more per kill). The next replace_folder settles it: none is left."""
    import os

    from silkpipe.store import replace_folder

    model = _folder(tmp_path / "model", "old")
    _folder(tmp_path / "model.partial", "new")
    code = (
        "import os, pathlib, sys\n"
        "from silkpipe.store import replace_folder\n"
        "rename = pathlib.Path.rename\n"
        "def killed(self, target):\n"
        "    if self.name == 'model.partial':\n"
        "        os._exit(9)\n"
        "    return rename(self, target)\n"
        "pathlib.Path.rename = killed\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "replace_folder(root / 'model.partial', root / 'model')\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=os.environ.copy())
    assert killed.returncode == 9 and not model.exists()
    replace_folder(tmp_path / "model.partial", model)
    assert (model / "config.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_reader_is_refused_a_bucket_that_does_not_exist_and_makes_none(s3_env, tmp_path, capsys):
    """`sessions list`, `sessions export-report` and `report` on s3://TYPO made the bucket
    TYPO and answered as for an empty store (list: `[]`, exit 0) (bad_input_sweep51). Now
    each is refused naming the bucket, and no bucket is made; a writer still makes one."""
    from silkpipe.cli import main

    name = f"silkpipe-typo-{uuid.uuid4().hex[:8]}"
    with pytest.raises(StoreError, match=f"bucket '{name}' does not exist at 127.0.0.1:"):
        open_store(f"s3://{name}/p", create=False)
    for argv in (
        ["sessions", "list", "--store", f"s3://{name}/p"],
        ["sessions", "export-report", "--store", f"s3://{name}", "--run-id", "r", str(tmp_path)],
        ["report", "--store", f"s3://{name}", "--run-id", "r"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"error: bucket '{name}' does not exist" in err, err
    probe = open_store("s3://silkpipe-probe/p")
    assert not probe.client.bucket_exists(name)
    open_store(f"s3://{name}/p")  # a writer (run, upload) makes it
    assert probe.client.bucket_exists(name)


def test_an_s3_endpoint_nobody_listens_on_is_one_line(tmp_path):
    """urllib3 logged each retry as a ~330-character WARNING: five of them came before the
    command's one error line (bad_input_sweep51). The command now says it in one line
    (``-v`` still shows the retries)."""
    import os
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {
        **os.environ,
        "SILKPIPE_S3_ENDPOINT": f"127.0.0.1:{port}",
        "SILKPIPE_S3_ACCESS_KEY": "k",
        "SILKPIPE_S3_SECRET_KEY": "secret-key",
    }
    argv = [
        sys.executable,
        "-m",
        "silkpipe.cli",
        "sessions",
        "list",
        "--store",
        "s3://silkpipe-nobody",
    ]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2, out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith(
        "silkpipe sessions list: error: cannot open bucket 'silkpipe-nobody' at 127.0.0.1:"
    )


def test_a_write_that_fails_leaves_no_empty_folder_behind(tmp_path, monkeypatch):
    """`sessions upload` on a disk that filled up left an empty sessions/NAME/ folder in a
    folder store, which `sessions list` did not list but a user sees (sweep 52): a failed
    write removes the folders it made and left empty, and keeps any folder with a file."""
    import errno
    import os

    import silkpipe.store as store_module
    from silkpipe.store import FileStore, StoreFault

    store = FileStore(tmp_path / "store")
    store.put_bytes("sessions/kept/a.csv", b"x")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_module.os, "fsync", full)
    for key in ("sessions/new/deep/b.csv", "sessions/kept/b.csv"):
        with pytest.raises(StoreFault, match="No space left on device"):
            store.put_bytes(key, b"y")
    assert sorted(p.name for p in (tmp_path / "store" / "sessions").iterdir()) == ["kept"]
    assert [p.name for p in (tmp_path / "store" / "sessions" / "kept").iterdir()] == ["a.csv"]


@pytest.mark.parametrize("uri", ["file://", "file://localhost"])
def test_a_file_uri_naming_no_folder_is_refused_not_the_current_folder(tmp_path, data_dir, uri):
    """`--store "file://$STORE"` with STORE unset: the current folder became the store, and
    `sessions upload` wrote sessions/ and runs/ into it (stop 54's sweep). Now one line,
    exit 2, and nothing written."""
    from badinputs import GOOD, cli, copy_session

    copy_session(GOOD[1], tmp_path / "in", GOOD[1], files=("sensor_data.csv", "metadata.json"))
    proc = cli("sessions", "upload", "in", "--store", uri, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.endswith(f"error: store URI '{uri}' names no folder (an unset shell variable?)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
