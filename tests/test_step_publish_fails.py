"""The align and train steps write their version inside store.filling: a write that fails
half-way (a full disk, Ctrl-C) leaves no file of the version and no writer mark, and the
version published before stays whole (tests/test_store_versions.py checks filling itself;
these check that the steps use it)."""

from __future__ import annotations

import os
import tempfile

import pytest

from silkpipe.steps import align, train
from silkpipe.store import FileStore, StoreFault

RUN = "r1"


class _FailsAt(FileStore):
    """A folder store whose write of a key ending in ``last`` fails (a full disk)."""

    def __init__(self, root, last: str):
        super().__init__(root)
        self.last = last

    def put_bytes(self, key: str, data: bytes) -> None:
        if key.endswith(self.last):
            raise StoreFault(f"cannot write {key}: no space left on device")
        super().put_bytes(key, data)


@pytest.fixture
def tmp_marks(tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def _version_files(store: FileStore, kind: str) -> list[str]:
    return [k for k in store.list(f"runs/{RUN}/{kind}") if not k.endswith(f"/{kind}.json")]


def test_an_align_publish_that_fails_leaves_nothing_of_its_version(tmp_path, tmp_marks):
    store = _FailsAt(tmp_path / "artifacts", last="/summary.json")
    results = {"s1": ({"inputs": "h1", "excluded": False}, "start,end,label\n")}
    with pytest.raises(StoreFault):
        align._publish(store, RUN, results, {}, "set", {})
    assert _version_files(store, "labels") == []
    assert os.listdir(tmp_marks) == []


def test_a_train_publish_that_fails_leaves_nothing_of_its_version(tmp_path, tmp_marks, monkeypatch):
    work = tmp_path / "work"
    (work / "model").mkdir(parents=True)
    (work / "report").mkdir()
    for name in train.MODEL_FILES:
        (work / "model" / name).write_bytes(b"x")
    (work / "report" / "metrics.json").write_text("{}")
    monkeypatch.setattr(train, "_fit", lambda *a: ({}, None))
    store = _FailsAt(tmp_path / "artifacts", last="/test_split.json")
    with pytest.raises(StoreFault):
        train._fit_and_publish(store, RUN, None, [], None, work, False)
    assert _version_files(store, "model") == []
    assert os.listdir(tmp_marks) == []
