"""A session file whose rows are not in the order they arrived (shuffled, sorted by another
column) is refused naming the first such row: the watch clock is rebuilt from the row order,
and the gate then blamed the commands ("no better than shuffled commands")."""

from __future__ import annotations

import random

import pytest

from silkpipe.errors import InputError
from silkpipe.sessions import parse_sensor_csv

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
