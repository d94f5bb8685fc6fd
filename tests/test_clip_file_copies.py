"""A clip a file manager copied in its folder ("x copy.csv", "x (1).csv") is named and
not read: it was read as one more clip (the same recording counted twice, three times
with both) without a word, its button time lost (the span no longer ends the name)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from silkpipe.clips import load_clip_streams, parse_clip_name
from silkpipe.errors import InputError


@pytest.mark.parametrize("suffix", [" copy", " copy 2", " - Copy", " (1)", " (copy)"])
def test_a_copied_clip_is_named_and_not_read(data_dir: Path, tmp_path: Path, suffix: str):
    folder = tmp_path / "clips"
    folder.mkdir()
    originals = sorted((data_dir / "clips-dev").glob("jump_*.csv"))[:3]
    for path in originals:
        shutil.copyfile(path, folder / path.name)
    first = originals[0]
    copy = folder / f"{first.stem}{suffix}.csv"
    shutil.copyfile(first, copy)
    refused: list[tuple[Path, str]] = []
    streams = load_clip_streams(folder, on_error=lambda p, e: refused.append((p, str(e))))
    assert sorted(st.name for st in streams) == sorted(p.stem for p in originals)
    ((path, why),) = refused
    assert path == copy
    assert f"as a file manager names a copy of {first.stem}.csv" in why


def test_real_clip_names_are_not_copies(data_dir: Path):
    for folder in ("clips-dev", "clips-20251014"):
        for path in (data_dir / folder).glob("*.csv"):
            parse_clip_name(path)  # raises on a copy's name


def test_a_name_that_only_holds_copy_is_read():
    assert parse_clip_name(Path("noise_copying_room_1760841417930_to_1760841419042.csv"))
    with pytest.raises(InputError, match="names a copy"):
        parse_clip_name(Path("walk_continuous copy.csv"))
