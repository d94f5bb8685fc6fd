"""The one interval type and the one labels-CSV reader, used by every step that reads labels."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import numpy as np
import pytest

from silkpipe.dataset import load_session_streams, session_stream
from silkpipe.errors import InputError
from silkpipe.labels import Interval, intervals_to_csv, parse_labels_csv, read_labels_csv
from silkpipe.sessions import Motion

PACKAGE = Path(__file__).resolve().parent.parent / "silkpipe"
PADDED = "start , end,label\n1.0,2.0, jump \n2.5,9.0,walk\n"


def test_labels_csv_roundtrip():
    ivs = [Interval(1.0, 2.0, "jump"), Interval(2.5, 9.0, "walk")]
    assert parse_labels_csv(intervals_to_csv(ivs), source="x.csv") == ivs


def test_reader_strips_labels_and_header():
    assert parse_labels_csv(PADDED, source="x.csv") == [
        Interval(1.0, 2.0, "jump"),
        Interval(2.5, 9.0, "walk"),
    ]


def test_bad_rows_name_session_file_and_line():
    with pytest.raises(InputError, match=r"session s1, file x\.csv: line 3: bad interval"):
        parse_labels_csv("start,end,label\n1,2,jump\n5,4,walk\n", source="x.csv", session="s1")
    with pytest.raises(InputError, match="line 2: bad row"):
        parse_labels_csv("start,end,label\n1,jump\n", source="x.csv")


def test_times_must_be_finite():
    """'-inf,inf,walk' passed the span check (inf > -inf) and reached the windowing, which
    cannot size a window for it (an OverflowError that named nothing)."""
    text = "start,end,label\n1,2,jump\n-inf,inf,walk\n10,1e308,walk\n"
    why = r"session s1, file x\.csv: label walk at -inf-inf s: its times must be finite numbers"
    with pytest.raises(InputError, match=why):
        parse_labels_csv(text, source="x.csv", session="s1")
    assert parse_labels_csv(text, source="x.csv", skip_bad=True) == [
        Interval(1.0, 2.0, "jump"),
        Interval(10.0, 1e308, "walk"),  # huge but finite: held to its stream by the reader
    ]


def test_skip_bad_keeps_the_good_rows_for_the_report():
    text = "start,end,label\n1,2,jump\nx,3,walk\n4,5,dance\n6,7,idle\n"
    assert parse_labels_csv(text, source="x.csv", skip_bad=True) == [
        Interval(1.0, 2.0, "jump"),
        Interval(6.0, 7.0, "idle"),
    ]
    assert parse_labels_csv("garbage", source="x.csv", skip_bad=True) == []


@pytest.mark.parametrize(
    "bad",
    ["10,11,walk" + "k" * 200_000, '10,11,"walk\n' + "12,13,walk\n" * 12_000],
    ids=["cell-200kb", "quote-never-closed"],
)
def test_a_row_the_csv_module_cannot_read_names_the_file_and_line(bad):
    """A cell over the csv module's 131072-character limit (or a quote never closed, which
    makes the rest of the file one cell) raised the module's own Error: `evaluate
    --sessions` exited 1 'Error: field larger than field limit (131072)' naming no session
    or file, and `train --sessions` named the folder, not its labels.csv (sweep 52)."""
    text = "start,end,label\n1,2,jump\n" + bad + "\n"
    why = r"session s1, file s/s1/labels\.csv: line 3: not a readable CSV row \(field larger"
    with pytest.raises(InputError, match=why):
        parse_labels_csv(text, source="s/s1/labels.csv", session="s1")
    assert parse_labels_csv(text, source="x.csv", skip_bad=True) == [Interval(1.0, 2.0, "jump")]


def test_a_quote_never_closed_is_one_short_line_naming_where_the_row_begins():
    """A stray quote made one cell of the rest of the file: the error held every row after
    it (3.8 KB for a 213-row labels.csv; the printed line was cut at errors.one_line's 500
    characters, mid-row), and the rows' line numbers counted rows, not lines, after a
    quoted cell that spans lines (sweep 52)."""
    text = 'start,end,label\n1,2,jump\n10,11,"walk\n' + "12,13,walk\n" * 1000
    with pytest.raises(InputError) as err:
        parse_labels_csv(text, source="x.csv", session="s1")
    line = str(err.value)
    assert line.startswith("session s1, file x.csv: line 3: bad interval ['10', '11', 'walk")
    assert len(line) < 300 and "characters)" in line
    spans = 'start,end,label\n1,2,"jump"\n1,"2\n",walk\n5,4,walk\n'
    with pytest.raises(InputError, match="line 5: bad interval"):
        parse_labels_csv(spans, source="x.csv")


def test_interval_unpacks_sorts_and_is_what_streams_hold():
    motion = Motion(
        t=np.arange(500) / 50.0,
        rate=50.0,
        data=np.zeros((500, 13), np.float32),
        valid=np.ones(500, bool),
    )
    stream = session_stream("s", motion, [(5.0, 6.0, "jump"), Interval(1.0, 4.0, "walk")])
    assert stream.intervals == [Interval(1.0, 4.0, "walk"), Interval(5.0, 6.0, "jump")]
    start, end, label = stream.intervals[1]
    assert (start, end, label) == (5.0, 6.0, "jump")


def test_session_folders_and_store_readers_agree(tmp_path, data_dir):
    """A labels file read from a session folder (train/evaluate from folders) gives what the
    store readers (train, voice scoring, report) get from the same text: stripped labels."""
    real = data_dir / "sessions/20251017_110929_session"
    folder = tmp_path / "a_session"
    folder.mkdir()
    shutil.copyfile(real / "sensor_data.csv", folder / "sensor_data.csv")  # links out: unread
    (folder / "labels.csv").write_text(PADDED)
    streams, _ = load_session_streams(tmp_path)
    expected = parse_labels_csv(PADDED, source="k")
    assert streams[0].intervals == expected == read_labels_csv(folder / "labels.csv")
    assert parse_labels_csv(PADDED, source="k", skip_bad=True) == expected


def _labels_csv_readers() -> list[str]:
    """Modules other than labels.py that read CSV text and mention the labels header."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "labels.py":
            continue
        src = path.read_text(encoding="utf-8")
        calls = {
            node.func.attr
            for node in ast.walk(ast.parse(src))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        if calls & {"reader", "DictReader"} and '"label"' in src:
            out.append(path.name)
    return out


def test_one_labels_reader_and_one_interval_type():
    assert _labels_csv_readers() == []
    import silkpipe.alignment as alignment
    import silkpipe.dataset as dataset

    assert alignment.Interval is Interval
    assert dataset.parse_labels_csv is parse_labels_csv
    assert not hasattr(alignment, "intervals_from_csv")
