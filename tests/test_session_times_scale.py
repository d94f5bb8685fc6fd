"""A session file whose times are in nanoseconds or milliseconds where seconds belong is
refused with one line naming the session and the file, before the watch clock is rebuilt:
the rebuild sized its arrays by the span, and a session in nanoseconds exited 1 with
MemoryError (165 GiB) naming no file."""

from __future__ import annotations

import pytest

from silkpipe.errors import InputError, one_line
from silkpipe.sessions import read_sensor_csv

REAL = "20251017_143217_session"


def _scaled(data_dir, tmp_path, factor: float):
    lines = (data_dir / "sessions" / REAL / "sensor_data.csv").read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[-1] = repr(float(cells[-1]) * factor)
        out.append(",".join(cells))
    path = tmp_path / "sensor_data.csv"
    path.write_text("\n".join(out) + "\n")
    return path


@pytest.mark.parametrize("factor", [1e9, 1e3])
def test_times_in_nanoseconds_or_ms_are_refused_naming_the_file(data_dir, tmp_path, factor):
    path = _scaled(data_dir, tmp_path, factor)
    with pytest.raises(InputError) as refused:
        read_sensor_csv(path, session="s")
    line = one_line(refused.value)
    assert "session s" in line and str(path) in line and "\n" not in line
    assert "two recordings in one file, or a clock jump?" in line


def test_times_in_seconds_are_read(data_dir, tmp_path):
    assert read_sensor_csv(_scaled(data_dir, tmp_path, 1.0), session="s").times
