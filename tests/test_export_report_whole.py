"""`sessions export-report DEST` over DEST as a user leaves it (bad_input_sweep49): an
earlier export of another run kept its files beside the new page (25 files for a report
of 12: a copy of no one report); DEST a file ended with exit 1 ("Not a directory:
'DEST/figures/...'"). DEST now ends as the new report's copy alone; a file, or a folder
holding other things, is refused untouched."""

from __future__ import annotations

from pathlib import Path

from silkpipe.cli import main


def _report(store: Path, run: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = store / "runs" / run / "report" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _export(store: Path, run: str, dest: Path) -> int:
    return main(["sessions", "export-report", "--store", str(store), "--run-id", run, str(dest)])


def _held(dest: Path) -> dict[str, str]:
    return {str(p.relative_to(dest)): p.read_text() for p in dest.rglob("*") if p.is_file()}


def test_an_earlier_export_of_another_run_is_replaced_whole(tmp_path):
    store, dest = tmp_path / "store", tmp_path / "dest"
    _report(store, "r2", {"index.html": "r2", "timelines/other.png": "o", "metrics.json": "{}"})
    _report(store, "r", {"index.html": "r", "timelines/good.png": "g"})
    assert _export(store, "r2", dest) == 0
    assert _export(store, "r", dest) == 0
    assert _held(dest) == {"index.html": "r", "timelines/good.png": "g"}
    assert sorted(p.name for p in dest.iterdir()) == ["index.html", "timelines"]


def test_a_file_or_a_folder_of_other_things_as_dest_is_refused_untouched(tmp_path, capsys):
    store = tmp_path / "store"
    _report(store, "r", {"index.html": "r", "timelines/good.png": "g"})
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("mine\n")
    for dest, why in ((notes, "is a file, not a folder"), (mine, "holds 1 entry ('thesis.tex'")):
        capsys.readouterr()
        assert _export(store, "r", dest) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert f"file {dest}: {why}" in line, line
    assert notes.read_text() == "mine\n"
    assert _held(mine) == {"thesis.tex": "mine\n"}


def test_a_dest_inside_the_store_is_refused(tmp_path, capsys):
    """The store's own report folder as DEST: its files the page does not link (a figures
    folder another report is writing) would go as an earlier copy's."""
    store = tmp_path / "store"
    _report(store, "r", {"index.html": "r", "figures/other/being_written.png": "w"})
    dest = store / "runs" / "r" / "report"
    assert _export(store, "r", dest) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"file {dest}: lies inside the store" in line
    assert (dest / "figures" / "other" / "being_written.png").read_text() == "w"


def _disk_fills_at(monkeypatch, nth: int) -> None:
    """keys.write_whole runs out of room on its ``nth`` file (bad_input_sweep50: DEST on
    a 64 KB disk)."""
    import errno
    import os

    from silkpipe import store as keys

    real, calls = keys.write_whole, []

    def filling(path, data):
        calls.append(path)
        if len(calls) == nth:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(keys, "write_whole", filling)


def test_a_full_disk_takes_back_what_the_export_added(tmp_path, monkeypatch, capsys):
    """A full disk left DEST with half the report and no page: the next export then
    refused DEST as "not an earlier report copy". DEST is now as it was: none, or the
    earlier export whole."""
    store, dest = tmp_path / "store", tmp_path / "dest"
    files = {"index.html": "r", "timelines/a.png": "a", "timelines/b.png": "b", "m.json": "{}"}
    _report(store, "r", files)
    _report(store, "r2", {"index.html": "r2", "timelines/old.png": "o"})
    _disk_fills_at(monkeypatch, 3)
    assert _export(store, "r", dest) == 1
    assert not dest.exists()
    monkeypatch.undo()
    assert _export(store, "r2", dest) == 0
    _disk_fills_at(monkeypatch, 3)
    assert _export(store, "r", dest) == 1
    assert _held(dest) == {"index.html": "r2", "timelines/old.png": "o"}
    monkeypatch.undo()
    assert _export(store, "r", dest) == 0
    assert _held(dest) == files


def test_a_failed_write_names_the_file_once(tmp_path, monkeypatch):
    """write_whole's error named the file, then ' -> None' (filename2 set to None)."""
    import errno
    import os

    import pytest

    from silkpipe import store as keys

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as err:
        keys.write_whole(tmp_path / "f.json", b"{}")
    assert str(err.value) == f"[Errno 28] No space left on device: '{tmp_path / 'f.json'}'"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_puts_back_the_files_it_overwrote(tmp_path, monkeypatch):
    """A disk that fills after a figure of the same name was written left the earlier
    page beside this report's figure: a page showing another run's plot. DEST is now the
    earlier export, every file as it was."""
    store, dest = tmp_path / "store", tmp_path / "dest"
    _report(store, "r2", {"index.html": "r2", "timelines/a.png": "old a", "m.json": "old"})
    _report(store, "r", {"index.html": "r", "timelines/a.png": "a", "timelines/b.png": "b"})
    assert _export(store, "r2", dest) == 0
    earlier = _held(dest)
    _disk_fills_at(monkeypatch, 3)  # a.png, b.png written; the page is not
    assert _export(store, "r", dest) == 1
    assert _held(dest) == earlier
