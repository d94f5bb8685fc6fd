"""Sample-dialect clips in a shape no recorder writes: times in milliseconds (2.5 s of
motion written as 2500: it spanned 2354 s across the next samples' slots and was read as
a long still recording of its class, without a word), and a header written twice (it
was named as a row whose gesture is 'gesture'). Each is named and skipped."""

from __future__ import annotations

import shutil

from silkpipe.clips import load_clip_streams


def _folder(tmp_path, data_dir, in_ms: bool = True):
    source = data_dir / "clips-20251014"
    shutil.copyfile(source / "session_metadata.json", tmp_path / "session_metadata.json")
    for path in sorted(source.glob("jump_sample0[12].csv")):
        shutil.copyfile(path, tmp_path / path.name)
    if not in_ms:
        return tmp_path
    lines = (tmp_path / "jump_sample01.csv").read_text().splitlines()
    at = lines[0].split(",").index("timestamp")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[at] = repr(float(cells[at]) * 1000.0)
        out.append(",".join(cells))
    (tmp_path / "jump_sample01.csv").write_text("\n".join(out) + "\n")
    return tmp_path


def test_a_sample_in_milliseconds_is_named_and_skipped(tmp_path, data_dir):
    refused = []
    streams = load_clip_streams(
        _folder(tmp_path, data_dir), on_error=lambda p, e: refused.append((p, e))
    )
    assert [st.name for st in streams] == ["jump_sample02"]
    ((path, err),) = refused
    assert path.name == "jump_sample01.csv" and str(path) in str(err)
    assert "longer than a sample's 10 s slot" in str(err) and "times in ms" in str(err)


def test_a_header_written_twice_is_named_as_such(tmp_path, data_dir):
    folder = _folder(tmp_path, data_dir, in_ms=False)
    path = folder / "jump_sample02.csv"
    text = path.read_text()
    path.write_text(text.split("\n", 1)[0] + "\n" + text)
    refused = []
    load_clip_streams(folder, on_error=lambda p, e: refused.append((p.name, str(e))))
    assert (
        "jump_sample02.csv",
        f"file {path}: line 2: the header line again (two files joined into one?)",
    ) in refused


def test_times_coarser_than_the_sensor_are_named(tmp_path, data_dir):
    """Times cut to tenths of a second: most rows share a time, and only the first of each
    was kept, so the motion between them was lost without a word."""
    folder = _folder(tmp_path, data_dir, in_ms=False)
    path = folder / "jump_sample02.csv"
    lines = path.read_text().splitlines()
    at = lines[0].split(",").index("timestamp")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[at] = repr(int(float(cells[at]) * 10) / 10)
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n")
    refused = []
    streams = load_clip_streams(folder, on_error=lambda p, e: refused.append((p.name, str(e))))
    assert [st.name for st in streams] == ["jump_sample01"]
    ((name, why),) = refused
    assert name == "jump_sample02.csv" and "share their time with another row" in why, why


def test_a_sample_with_another_samples_rows_appended_is_named(tmp_path, data_dir):
    """jump_sample01.csv with jump_sample02's rows appended (a `cat` without the header):
    the rows carry their times, so the two were read as one interleaved sample and trained
    on without a word (bad_input_sweep59). Rows in reverse order still read."""
    folder = _folder(tmp_path, data_dir, in_ms=False)
    first, second = folder / "jump_sample01.csv", folder / "jump_sample02.csv"
    rows = first.read_text().splitlines()
    first.write_text("\n".join(rows + second.read_text().splitlines()[1:]) + "\n")
    second.write_text("\n".join(rows[:1] + rows[1:][::-1]) + "\n")
    refused = []
    streams = load_clip_streams(folder, on_error=lambda p, e: refused.append((p.name, str(e))))
    assert [st.name for st in streams] == ["jump_sample02"]
    ((name, err),) = refused
    assert name == "jump_sample01.csv" and f"line {len(rows) + 1}: the times go back" in err
    assert "two samples in one file" in err


def _two(tmp_path, data_dir, first: str, second: str):
    source = data_dir / "clips-20251014"
    shutil.copyfile(source / "session_metadata.json", tmp_path / "session_metadata.json")
    for name in (first, second):
        shutil.copyfile(source / name, tmp_path / name)
    return tmp_path / first, tmp_path / second


def test_a_sample_with_a_close_ones_rows_appended_is_named(tmp_path, data_dir):
    """turn_sample11 ends 0.94 s after turn_sample12 begins, under the sessions' restart
    drop: with turn_sample12's rows appended it still read as one interleaved sample
    (bad_input_sweep60)."""
    short, other = _two(tmp_path, data_dir, "turn_sample11.csv", "turn_sample12.csv")
    rows = short.read_text().splitlines()
    short.write_text("\n".join(rows + other.read_text().splitlines()[1:]) + "\n")
    refused = []
    streams = load_clip_streams(tmp_path, on_error=lambda p, e: refused.append((p.name, str(e))))
    assert [st.name for st in streams] == ["turn_sample12"]
    ((name, err),) = refused
    assert name == "turn_sample11.csv" and f"line {len(rows) + 1}: the times go back" in err


def test_a_reversed_sample_with_a_pause_still_reads(tmp_path, data_dir):
    """jump_sample28 pauses 1.56 s between two rows: written in reverse, that pause was read
    as a restarted clock and the file named as two samples in one (bad_input_sweep60)."""
    paused, other = _two(tmp_path, data_dir, "jump_sample28.csv", "jump_sample29.csv")
    rows = paused.read_text().splitlines()
    paused.write_text("\n".join(rows[:1] + rows[1:][::-1]) + "\n")
    refused = []
    streams = load_clip_streams(tmp_path, on_error=lambda p, e: refused.append((p.name, str(e))))
    assert refused == [] and [st.name for st in streams] == ["jump_sample28", "jump_sample29"]
