"""A device clip whose name's button span ends no later than it starts
(``jump_<release>_to_<press>.csv``) is named and not read: it was read as a clip with no
button time at all, without a word, so a late-delivered one could not be re-cut."""

from __future__ import annotations

import shutil

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
