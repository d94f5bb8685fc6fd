"""The clip module: names, both folder layouts (three dialects), blocks and days."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from silkpipe.clips import (
    METADATA_NAME,
    SAMPLE_SLOT_S,
    load_clip_streams,
    parse_clip_name,
)
from silkpipe.errors import InputError

DAY_1014 = "clips-20251014"


@pytest.fixture
def dir_1014(data_dir: Path) -> Path:
    folder = data_dir / DAY_1014
    if not folder.is_dir():
        pytest.fail(f"{folder} not present (tests read ../shared/data)")
    return folder


def test_names_of_every_dialect():
    n = parse_clip_name(Path("turn_left_1760841417930_to_1760841419042.csv"))
    assert (n.label, n.name_class, n.dialect) == ("turn", "turn_left", "device-ns")
    assert n.button == (1760841417.93, 1760841419.042)
    b = parse_clip_name(Path("baseline_noise_1760841370.csv"))
    assert (b.label, b.button, b.host_time) == ("noise", None, 1760841370.0)
    seg = parse_clip_name(Path("noise_action_1760876540189_seg_001.csv"))
    assert (seg.label, seg.name_class, seg.host_time) == ("noise", "noise_action", 1760876540.189)
    s = parse_clip_name(Path("punch_sample07.csv"))
    assert (s.label, s.dialect, s.sample) == ("punch", "sample", 7)
    w = parse_clip_name(Path("walk_continuous.csv"))
    assert (w.label, w.dialect, w.sample) == ("walk", "sample", None)
    with pytest.raises(InputError, match="kick_sample01.csv.*names no known class"):
        parse_clip_name(Path("kick_sample01.csv"))


@pytest.mark.parametrize(
    "name",
    [
        "jump_7258118400000_to_7258118401000.csv",  # 2200-01-01: a watch clock set far ahead
        "baseline_noise_9999999999.csv",  # 2286
        "noise_action_9999999999999_seg_001.csv",
    ],
)
def test_a_clip_name_timed_in_the_future_is_refused_naming_it(name):
    """Its block was scored as a day of 2200 or 2286, a leave-day-out fold of its own (sweep
    55); the clip is now bad input (a folder's other clips load without it)."""
    with pytest.raises(InputError, match=r"host time \(2[12]\d\d-\d\d-\d\d\) is in the future"):
        parse_clip_name(Path(name))


def test_real_20251014_folder_loads_as_one_block_on_its_day(dir_1014: Path):
    streams = load_clip_streams(dir_1014)
    counts = Counter(st.intervals[0].label for st in streams)
    assert counts == {"jump": 40, "punch": 40, "turn": 40, "noise": 80, "walk": 1}
    assert {st.group for st in streams} == {"session-20251014_201836"}
    assert {st.day for st in streams} == {"2025-10-14"}
    walk = next(st for st in streams if st.name == "walk_continuous")
    assert walk.motion.t[-1] - walk.motion.t[0] > 100  # one long recording
    sample = next(st for st in streams if st.name == "jump_sample01")
    start = 1 * SAMPLE_SLOT_S  # sample 01, seconds from its start
    assert start <= sample.motion.t[0] < start + 0.1 and sample.motion.t[-1] <= start + 2.6
    assert np.isfinite(sample.motion.data).all()
    assert np.abs(sample.motion.data[:, 10:13]).max() > 0.5  # gravity from rot_* columns


def test_real_clips_dev_blocks_carry_their_day(data_dir: Path):
    streams = load_clip_streams(data_dir / "clips-dev")
    by_block = Counter(st.group for st in streams)
    assert len(by_block) == 2
    assert {st.day for st in streams} == {"2025-10-19"}  # UTC date of the button times


def _copy_1014(dir_1014: Path, tmp: Path, names=("jump_sample01.csv", "punch_sample01.csv")):
    out = tmp / "day"
    out.mkdir()
    shutil.copy(dir_1014 / METADATA_NAME, out / METADATA_NAME)
    for name in names:
        shutil.copy(dir_1014 / name, out / name)
    return out


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: "{not json", "invalid JSON"),
        (lambda m: json.dumps({**m, "session_id": 5}), "session_id"),
        (lambda m: json.dumps({**m, "date": "yesterday"}), "not an ISO date"),
        # scored as a day of its own, a leave-day-out fold of no day (sweep 55)
        (lambda m: json.dumps({**m, "date": "9999-12-31T10:00:00"}), "9999-12-31.* future"),
        (lambda m: json.dumps({**m, "date": "0001-01-01"}), "0001-01-01.* before 1970"),
        (lambda m: json.dumps({**m, "recording_duration_sec": -1}), "recording_duration_sec"),
        (lambda m: json.dumps({**m, "recording_duration_sec": math.nan}), "recording_duration_s"),
        (lambda m: "[" * 100_000 + "]" * 100_000, "invalid JSON"),  # was RecursionError
        (lambda m: json.dumps([m]), "JSON object"),
    ],
)
def test_malformed_metadata_names_the_file(dir_1014, tmp_path, change, message):
    folder = _copy_1014(dir_1014, tmp_path)
    meta = json.loads((folder / METADATA_NAME).read_text())
    (folder / METADATA_NAME).write_text(change(meta))
    with pytest.raises(InputError, match=message) as err:
        load_clip_streams(folder)
    assert METADATA_NAME in str(err.value) and "\n" not in str(err.value)


def _edit_csv(path: Path, edit) -> None:
    lines = path.read_text().splitlines()
    path.write_text("\n".join(edit(lines)) + "\n")


def _swap(lines, old, new, row=1):
    return [*lines[:row], lines[row].replace(old, new, 1), *lines[row + 1 :]]


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda ls: [ls[0].replace("gyro_y,", "")] + ls[1:], "line 1: missing column"),
        (lambda ls: [ls[0] + ",extra"] + [x + "," for x in ls[1:]], "unknown column.s. 'extra'"),
        # an extra comma (a spreadsheet's export) names the empty column, not nothing
        (lambda ls: [ls[0] + ","] + [x + "," for x in ls[1:]], "unknown column.s. ''$"),
        # bad_input_sweep57: a column twice was "unknown or repeated column(s) []"; quoted
        # names were "missing column(s)" every one
        (lambda ls: [ls[0] + ",sample"] + [x + ",1" for x in ls[1:]], "column.s. 'sample' given"),
        (
            lambda ls: [",".join(f'"{c}"' for c in ls[0].split(","))] + ls[1:],
            "column names in quotes",
        ),
        (  # only the last name quoted: that one is named
            lambda ls: [ls[0].rsplit(",", 1)[0] + ',"' + ls[0].rsplit(",", 1)[1] + '"'] + ls[1:],
            'column names in quotes .".+"',
        ),
        (lambda ls: _swap(ls, ",jump,", ",punch,"), "line 2: gesture 'punch'"),
        (lambda ls: _swap(ls, "-0.23609942", "abc"), "line 2: field gyro_x is 'abc'"),
        (lambda ls: _swap(ls, "-0.23609942,", ""), "line 2: 14 fields, expected 15"),
        (lambda ls: _swap(ls, "gyroscope", "barometer"), "unknown sensor"),
        (lambda ls: [ls[0]] + [x for x in ls[1:] if "gyroscope" not in x], "no rows for sensor"),
        (lambda ls: [ls[0], ls[1].rsplit(",", 1)[0] + ",nan", *ls[2:]], "field timestamp"),
    ],
)
def test_malformed_sample_csv_names_the_file_in_one_line(dir_1014, tmp_path, edit, message):
    folder = _copy_1014(dir_1014, tmp_path)
    _edit_csv(folder / "jump_sample01.csv", edit)
    with pytest.raises(InputError, match=message) as err:
        load_clip_streams(folder)
    assert "jump_sample01.csv" in str(err.value) and "\n" not in str(err.value)
    skipped = []
    streams = load_clip_streams(folder, on_error=lambda path, e: skipped.append(path.name))
    assert skipped == ["jump_sample01.csv"] and [s.name for s in streams] == ["punch_sample01"]


def test_device_ns_name_in_a_sample_folder_is_refused(dir_1014, data_dir, tmp_path):
    folder = _copy_1014(dir_1014, tmp_path)
    clip = next((data_dir / "clips-dev").glob("jump_*_to_*.csv"))
    shutil.copy(clip, folder / clip.name)
    with pytest.raises(InputError, match="device clip .* in a sample-dialect folder") as err:
        load_clip_streams(folder)  # was "is not <class>_sampleNN": the folder was the fault
    assert "a folder of its own" in str(err.value)


def test_sample_clips_in_a_folder_without_their_metadata_are_named_as_such(
    dir_1014, data_dir, tmp_path
):
    """<class>_sampleNN clips beside device clips, no session_metadata.json: each was
    refused for an 'unexpected header' (the sample columns), naming nothing to do."""
    folder = _copy_1014(dir_1014, tmp_path)
    (folder / "session_metadata.json").unlink()
    clip = next((data_dir / "clips-dev").glob("jump_*_to_*.csv"))
    shutil.copy(clip, folder / clip.name)
    skipped: dict[str, str] = {}
    streams = load_clip_streams(folder, on_error=lambda p, e: skipped.setdefault(p.name, str(e)))
    assert [s.name for s in streams] == [clip.stem]
    assert sorted(skipped) == ["jump_sample01.csv", "punch_sample01.csv"]
    for why in skipped.values():
        assert "without session_metadata.json" in why and "a folder of its own" in why, why
    shutil.copy(folder / "jump_sample01.csv", folder / "jump_continuous.csv")
    with pytest.raises(InputError, match="sample-dialect clip") as err:  # review39c L5
        load_clip_streams(folder)  # was "a <class>_sampleNN clip": it is not one
    assert "jump_continuous.csv" in str(err.value) and "without session_metadata" in str(err.value)


def _events(times: np.ndarray):
    """A clip's RawStreams with every sensor sampled at ``times``."""
    from silkpipe.sessions import SENSOR_COLUMNS, RawStreams

    raw = RawStreams(path="c.csv", dialect="clip")
    for sensor, cols in SENSOR_COLUMNS.items():
        raw.times[sensor] = times
        raw.values[sensor] = np.ones((len(times), len(cols)))
    return raw


@pytest.mark.parametrize(
    "events_at_button, kept",
    [
        (np.arange(45.0, 47.0, 1 / 30), True),  # 60% of the events, spread: kept
        (np.arange(45.0, 47.0, 1 / 15), False),  # 30%: too few, although no gap is 0.5 s
        (np.arange(45.0, 45.8, 1 / 200), False),  # enough events, all in the first 0.8 s
    ],
)
def test_the_late_delivery_rule(events_at_button, kept):
    """Five on-time clips fix the block's epoch->watch mapping; the sixth's events ended
    40 s early, so it is re-cut at its button time, 45-47 s, kept only with enough events."""
    from silkpipe.clips import recut_late

    cores = [(10.0 * k, 10.0 * k + 2) for k in range(5)] + [(5.0, 7.0)]
    buttons = [(1000.0 + 10 * k, 1002.0 + 10 * k) for k in range(5)] + [(1045.0, 1047.0)]
    raws = [_events(np.arange(a, b, 0.02)) for a, b in cores[:5]]
    raws.append(_events(np.concatenate([np.arange(5.0, 7.0, 0.02), events_at_button])))
    recuts = recut_late(cores, buttons, raws)
    assert list(recuts) == [5]
    assert (recuts[5].start, recuts[5].end) == (45.0, 47.0)
    assert (recuts[5].motion is not None) == kept


def test_a_sample_clip_with_cells_padded_with_spaces_reads_like_the_plain_one(dir_1014, tmp_path):
    """', ' from a spreadsheet export (README: accepted, as in a session's CSV): the gesture
    cell ' jump' was refused as not the file name's class (review39c L2)."""
    from silkpipe.clips import read_sample_clip

    (tmp_path / "padded").mkdir()
    shutil.copy(dir_1014 / METADATA_NAME, tmp_path / "padded" / METADATA_NAME)
    plain = dir_1014 / "jump_sample01.csv"
    padded = tmp_path / "padded" / plain.name
    padded.write_text(plain.read_text().replace(",", ", "))
    _, want = read_sample_clip(plain)
    _, got = read_sample_clip(padded)
    assert set(got.times) == set(want.times)
    for sensor in want.times:
        assert np.array_equal(got.times[sensor], want.times[sensor])
        assert np.array_equal(got.values[sensor], want.values[sensor])


def test_a_machine_clock_behind_the_recordings_refuses_none_of_them(
    tmp_path: Path, monkeypatch, caplog
):
    """The future was this machine's tomorrow: on a clock set back (a board without a
    battery, a container started in 2024) every good clip and clip folder was refused
    (bad_input_sweep57). A date past LATEST_DAY is still refused; one after the clock
    is one warning."""
    import datetime as dt

    from silkpipe import clips as clips_module
    from silkpipe.clips import read_session_metadata

    class Behind(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2024, 6, 1, 12, tzinfo=tz)

    monkeypatch.setattr(dt, "datetime", Behind)
    monkeypatch.setattr(clips_module, "_CLOCK_WARNED", set())
    name = parse_clip_name(Path("idle_1760841409525_to_1760841414826.csv"))
    assert name.host_time == 1760841409.525
    folder = tmp_path / "day"
    folder.mkdir()
    meta = {
        "session_id": "20251014_201836",
        "date": "2025-10-14T20:49:43",
        "samples_per_gesture": 1,
    }
    (folder / "session_metadata.json").write_text(json.dumps({**meta, "recording_duration_sec": 2}))
    assert read_session_metadata(folder)["day"] == "2025-10-14"
    warned = [r.getMessage() for r in caplog.records if "machine's clock" in r.getMessage()]
    assert len(warned) == 2 and all("2024-06-01" in w for w in warned), warned
    assert warned[0].startswith("idle_1760841409525_to_1760841414826.csv: "), warned
    assert warned[1].startswith(f"{folder / 'session_metadata.json'}: "), warned
    parse_clip_name(Path("idle_1760841409525_to_1760841414827.csv"))  # its folder said so
    assert len([r for r in caplog.records if "machine's clock" in r.getMessage()]) == 2
    with pytest.raises(InputError, match="in the future"):
        parse_clip_name(Path("jump_7258118400000_to_7258118401000.csv"))
