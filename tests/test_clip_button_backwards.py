"""A device clip whose name's button span ends no later than it starts
(``jump_<release>_to_<press>.csv``) is named and not read: it was read as a clip with no
button time at all, without a word, so a late-delivered one could not be re-cut."""

from __future__ import annotations

import shutil

import pytest

from silkpipe.clips import load_clip_streams


def test_a_backwards_button_span_is_named_and_skipped(tmp_path, data_dir):
    clips = sorted((data_dir / "clips-dev").glob("jump_*.csv"))[:3]
    for path in clips:
        shutil.copyfile(path, tmp_path / path.name)
    first = tmp_path / clips[0].name
    _, start, _, end = first.stem.split("_")
    backwards = first.rename(first.with_name(f"jump_{end}_to_{start}.csv"))
    refused = []
    streams = load_clip_streams(tmp_path, on_error=lambda p, e: refused.append((p, str(e))))
    assert backwards.stem not in {st.name for st in streams} and len(streams) >= 1
    ((path, why),) = refused
    assert path == backwards and "button span ends no later than it starts" in why


@pytest.mark.parametrize("unit", ["seconds", "tenths of a millisecond"])
def test_a_button_span_not_in_milliseconds_is_named_and_skipped(tmp_path, data_dir, unit):
    """``jump_1760841417_to_1760841419.csv`` (seconds), or 14 digits: the span was read as
    no button (a seconds name as a host time alone), without a word, and the clip never
    checked for late delivery (sweep 55)."""
    clips = sorted((data_dir / "clips-dev").glob("jump_*.csv"))[:3]
    for path in clips:
        shutil.copyfile(path, tmp_path / path.name)
    first = tmp_path / clips[0].name
    _, start, _, end = first.stem.split("_")
    start, end = (start[:10], end[:10]) if unit == "seconds" else (start + "0", end + "0")
    odd = first.rename(first.with_name(f"jump_{start}_to_{end}.csv"))
    refused = []
    streams = load_clip_streams(tmp_path, on_error=lambda p, e: refused.append((p, str(e))))
    assert odd.stem not in {st.name for st in streams} and len(streams) >= 1
    ((path, why),) = refused
    assert path == odd and "is not two epoch milliseconds of 13 digits each" in why, why
