"""A byte-order mark before a JSON file's text is skipped, as before a CSV header: a
Windows editor writes one, and the text is the same."""

from __future__ import annotations

import shutil

from silkpipe.clips import read_session_metadata
from silkpipe.errors import parse_json


def test_sample_folder_metadata_with_a_byte_order_mark_is_read(tmp_path, data_dir):
    source = data_dir / "clips-20251014" / "session_metadata.json"
    (tmp_path / "session_metadata.json").write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copyfile(source, plain / "session_metadata.json")
    assert read_session_metadata(tmp_path) == read_session_metadata(plain)


def test_parse_json_skips_a_byte_order_mark_in_text_as_in_bytes():
    assert parse_json('\ufeff{"a": 1}') == parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
