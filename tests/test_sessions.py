"""Sensor parsing on every real file, and clear errors on malformed input."""

from __future__ import annotations

import numpy as np
import pytest

from silkpipe.errors import InputError
from silkpipe.sessions import (
    HEADER,
    continuous_quaternions,
    find_sessions,
    gravity_direction,
    load_session,
    read_sensor_csv,
    resample,
)


def test_every_real_session_parses(data_dir):
    folders = find_sessions(data_dir / "sessions")
    assert len(folders) == 4
    for folder in folders:
        session = load_session(folder)
        raw = read_sensor_csv(session.sensor_path, session=session.name)
        assert raw.dialect == "session"
        assert set(raw.times) == {"linear_acceleration", "gyroscope", "rotation_vector"}
        for t in raw.times.values():
            assert np.all(np.diff(t) > 0)
        motion = resample(raw)
        assert motion.rate == 50.0
        assert np.isfinite(motion.data).all()
        # arrival spans what the recorder reports; the rebuilt clock spans the motion
        model = raw.time_model
        assert abs(model["arrival_seconds"] - session.metadata["actual_duration_sec"]) < 1.0
        assert abs(motion.duration - model["watch_seconds"]) < 0.1
        assert model["kind"] in {"arrival", "count"}
        grav = motion.data[:, 10:13]
        np.testing.assert_allclose(np.linalg.norm(grav, axis=1), 1.0, atol=1e-3)


def test_backlogged_session_is_rebuilt_on_the_count_clock(data_dir):
    """20251017_143627's events queued on the watch (arrival at a third of the watch rate):
    on the count clock its rows are ≈49.5 Hz per sensor over ≈200 s, with no gaps."""
    raw = read_sensor_csv(data_dir / "sessions/20251017_143627_session/sensor_data.csv")
    assert raw.time_model["kind"] == "count"
    assert raw.time_model["stale_rows"] > 300
    assert all(47 < r < 52 for r in raw.rates().values()), raw.rates()
    assert 190 < raw.time_model["watch_seconds"] < 210
    assert raw.time_model["arrival_seconds"] > 590
    motion = resample(raw)
    assert motion.valid.mean() > 0.99


def test_every_real_clip_parses(data_dir):
    clips = sorted((data_dir / "clips-dev").glob("*.csv"))
    assert len(clips) == 389
    backwards = 0
    for path in clips:
        raw = read_sensor_csv(path)
        assert raw.dialect == "clip"
        motion = resample(raw)
        assert len(motion.t) >= 5
        assert np.isfinite(motion.data).all()
        backwards += raw.dropped_rows
    assert backwards > 0  # step_detector rows exist and are dropped


def test_clip_rows_out_of_order_are_sorted(data_dir):
    path = data_dir / "clips-dev/jump_1760841793040_to_1760841794396.csv"
    stamps = [int(line.rsplit(",", 1)[1]) for line in path.read_text().splitlines()[1:]]
    assert any(b < a for a, b in zip(stamps, stamps[1:], strict=False))
    raw = read_sensor_csv(path)
    for t in raw.times.values():
        assert np.all(np.diff(t) > 0)
        assert 1e5 < t[0] < 1e6  # nanoseconds since boot -> seconds


def test_quaternion_sign_continuity_and_gravity():
    q = np.array([[1, 0, 0, 0], [-1, 0, 0, 0], [0.99, 0.1, 0, 0], [-0.99, -0.1, 0, 0]], float)
    fixed = continuous_quaternions(q)
    assert np.all(np.einsum("ij,ij->i", fixed[1:], fixed[:-1]) > 0)
    np.testing.assert_allclose(gravity_direction(fixed[:1]), [[0, 0, 1]])
    # gravity is the same for q and -q: heading-free and sign-free
    np.testing.assert_allclose(gravity_direction(q), gravity_direction(-q))


HEADER_LINE = ",".join(HEADER)


def _write(tmp_path, rows, header=HEADER_LINE):
    path = tmp_path / "sensor_data.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


GOOD = [
    ",,,0.1,0.2,0.3,,,,,gyroscope,0.01",
    "0.1,0.2,0.3,,,,,,,,linear_acceleration,0.02",
    ",,,,,,0.9,0.1,0.1,0.1,rotation_vector,0.03",
]


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        (GOOD[:2] + [",,,,,,abc,0.1,0.1,0.1,rotation_vector,0.03"], None, "line 4: field rot_w"),
        (GOOD + [",,,nan,0.2,0.3,,,,,gyroscope,0.5"], None, "line 5: field gyro_x is not finite"),
        (GOOD + [",,,0.1,0.2,0.3,,,,,gyroscope"], None, "line 5: 11 fields"),
        (GOOD + [",,,0.1,0.2,0.3,,,,,magnetometer,0.6"], None, "unknown sensor"),
        (GOOD, "a,b,c", "line 1: unexpected header"),
        (GOOD[:2], None, "no rows for sensor(s) rotation_vector"),
        ([], None, "no sensor rows"),
        (GOOD + [",,,0.1,,0.3,,,,,gyroscope,0.7"], None, "field gyro_y is ''"),
        # two recordings joined into one file: was "unknown sensor 'sensor'"
        (GOOD + [HEADER_LINE, *GOOD], None, "line 5: the header line again"),
    ],
)
def test_malformed_csv_errors_name_file_line_field(tmp_path, rows, header, message):
    path = _write(tmp_path, rows, header or HEADER_LINE)
    with pytest.raises(InputError) as err:
        read_sensor_csv(path, session="s1")
    assert message in str(err.value)
    assert "session s1" in str(err.value) and str(path) in str(err.value)


def test_cells_padded_with_spaces_read_like_the_plain_file(tmp_path):
    """A spreadsheet export writes ', ' between cells: the header and the numbers were
    read, but every row's sensor was "unknown sensor ' rotation_vector'"."""
    plain = read_sensor_csv(_write(tmp_path, GOOD), session="s1")
    (tmp_path / "padded").mkdir()
    padded = [", ".join(row.split(",")) for row in GOOD]
    spaced = read_sensor_csv(_write(tmp_path / "padded", padded, ", ".join(HEADER)))
    assert spaced.times.keys() == plain.times.keys()
    for sensor in plain.times:
        np.testing.assert_array_equal(spaced.values[sensor], plain.values[sensor])


def test_a_latin1_byte_deep_in_a_file_is_named_by_its_line(tmp_path):
    """One Latin-1 byte thousands of rows down read "not UTF-8 text (invalid continuation
    byte)": the user had no way to find it in a 2 MB file."""
    rows = GOOD * 1000 + [",,,0.1,0.2,0.3,,,,,gyrosc\xe9pe,0.01"]
    path = tmp_path / "sensor_data.csv"
    path.write_bytes(("\n".join([HEADER_LINE, *rows]) + "\n").encode("latin-1"))
    with pytest.raises(InputError, match=r"line 3002: not UTF-8 text \(.*byte 0xe9\)") as err:
        read_sensor_csv(path, session="s1")
    assert "session s1" in str(err.value) and str(path) in str(err.value)


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_sensor_csv(empty)
    with pytest.raises(InputError, match="missing"):
        read_sensor_csv(tmp_path / "nope.csv")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="UTF-8"):
        read_sensor_csv(binary)


def test_unsafe_session_folder_name(tmp_path):
    bad = tmp_path / "bad name"
    bad.mkdir()
    (bad / "sensor_data.csv").write_text(",".join(HEADER))
    with pytest.raises(InputError, match="invalid session name"):
        load_session(bad)


def test_a_sensor_csv_that_is_a_pipe_or_a_folder_is_named_and_left_out(tmp_path, caplog):
    """A named pipe called sensor_data.csv made evaluate --spot wait for ever on its read;
    such a session (and one whose sensor_data.csv is a folder) is named, not returned."""
    import os

    for name in ("a_good", "b_pipe", "c_folder"):
        (tmp_path / name).mkdir()
    (tmp_path / "a_good" / "sensor_data.csv").write_text("accel_x\n")
    os.mkfifo(tmp_path / "b_pipe" / "sensor_data.csv")
    (tmp_path / "c_folder" / "sensor_data.csv").mkdir()
    with caplog.at_level("WARNING"):
        assert find_sessions(tmp_path) == [tmp_path / "a_good"]
    for name in ("b_pipe", "c_folder"):
        assert str(tmp_path / name / "sensor_data.csv") in caplog.text
