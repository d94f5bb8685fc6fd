"""A session file whose rows are not in the order they arrived (shuffled, sorted by another
column), or were written repeated, is refused naming the first such row: the watch clock is
rebuilt from the rows in file order, and the gate then blamed the commands ("no better than
shuffled commands")."""

from __future__ import annotations

import random
import re

import pytest

from silkpipe.errors import InputError, one_line
from silkpipe.sessions import parse_sensor_csv, read_sensor_csv

REAL = "20251017_110929_session"


def _lines(data_dir) -> list[str]:
    return (data_dir / "sessions" / REAL / "sensor_data.csv").read_text().splitlines(True)


def test_shuffled_rows_are_refused(data_dir):
    lines = _lines(data_dir)
    body = lines[1:]
    random.Random(0).shuffle(body)
    with pytest.raises(InputError, match=r"line \d+: time .* not in the order they arrived"):
        parse_sensor_csv("".join(lines[:1] + body), source="s.csv", session="s")


def test_the_real_order_and_one_glitch_row_are_read(data_dir):
    lines = _lines(data_dir)
    assert parse_sensor_csv("".join(lines), source="s.csv", session="s").times
    cells = lines[500].rstrip("\n").split(",")
    cells[11] = "1e6"  # one row far ahead: one step back after it
    glitch = lines[:500] + [",".join(cells) + "\n"] + lines[501:]
    assert parse_sensor_csv("".join(glitch), source="s.csv", session="s").times


def _refused(path) -> str:
    """The one line that refuses session s's file ``path``, naming both."""
    with pytest.raises(InputError) as refused:
        read_sensor_csv(path, session="s")
    line = one_line(refused.value)
    assert "session s" in line and str(path) in line and "\n" not in line
    return line


def _doubled(lines: list[str]) -> str:
    return "".join(lines[:1] + [line for row in lines[1:] for line in (row, row)])


def test_a_file_with_every_row_written_twice_is_refused(data_dir, tmp_path):
    """Each row followed by an exact copy: the rebuilt timeline came out twice as long and
    the gate blamed the commands; now one line names the session, the file and a copy."""
    path = tmp_path / "sensor_data.csv"
    path.write_text(_doubled(_lines(data_dir)))
    line = _refused(path)
    assert re.search(r"line 3: an exact copy of the row above, as are \d+ of \d+ rows", line)


def test_a_batch_of_different_readings_with_one_time_is_read(data_dir):
    """A recorder that stamps each batch of readings with one arrival time, and a still
    sensor repeating a reading now and then, write rows that are no copies of a file's:
    read, never refused."""
    lines = _lines(data_dir)
    batched = lines[:1]
    for i, row in enumerate(lines[1:]):
        cells = row.rstrip("\n").split(",")
        cells[11] = lines[1 + i - i % 4].rstrip("\n").split(",")[11]  # one time per 4 rows
        batched.append(",".join(cells) + "\n")
    repeats = [row for i, row in enumerate(batched) for row in [row] * (2 if i % 50 == 7 else 1)]
    for text in ("".join(batched), "".join(repeats)):
        assert parse_sensor_csv(text, source="s.csv", session="s").times


def test_a_clip_with_every_row_twice_reads_as_the_clip(data_dir):
    """A clip's rows are sorted by the watch's own time and a repeated time kept once, so
    a doubled clip reads exactly as the clip does: not refused."""
    clip = sorted((data_dir / "clips-dev").glob("*.csv"))[0]
    lines = clip.read_text().splitlines(True)
    plain = parse_sensor_csv("".join(lines), source="c.csv")
    doubled = parse_sensor_csv(_doubled(lines), source="c.csv")
    for sensor, times in plain.times.items():
        assert (doubled.times[sensor] == times).all()
        assert (doubled.values[sensor] == plain.values[sensor]).all()


def test_a_file_whose_clock_restarts_halfway_is_refused(data_dir, tmp_path):
    """Two recordings joined (the second's clock from 0 again): one step back, so the row
    order check passed; the clock rebuilt from the rows made one long timeline and the gate
    blamed the commands ("no better than shuffled commands"). Now one line names it."""
    lines = _lines(data_dir)
    path = tmp_path / "sensor_data.csv"
    path.write_text("".join(lines + lines[1 : len(lines) // 2]))
    line = _refused(path)
    assert re.search(rf"data row {len(lines)}: the times go back from .* the clock restarted", line)


def test_ten_glitch_rows_in_a_row_are_no_restart(data_dir):
    lines = _lines(data_dir)
    glitch = []
    for row in lines[500:510]:
        cells = row.rstrip("\n").split(",")
        cells[11] = "1e6"
        glitch.append(",".join(cells) + "\n")
    text = "".join(lines[:500] + glitch + lines[510:])
    assert parse_sensor_csv(text, source="s.csv", session="s").times
