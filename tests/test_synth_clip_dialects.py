"""`silkpipe synth --from-clips` on both clip dialects and on folders short of filler classes.

Clip folders are built in tmp from a few real files of ../shared/data (never committed)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from silkpipe import realistic
from silkpipe.cli import main
from silkpipe.clips import METADATA_NAME, load_clip_streams
from silkpipe.semireal import CONTINUOUS_PIECE_S, load_clips
from silkpipe.sessions import read_sensor_csv

VOICE = ["--voice", "en-us"]


def sample_folder(data_dir: Path, out: Path, classes=("jump", "punch", "turn", "noise"), n=4):
    """A small clips-20251014-like folder: the first ``n`` samples of each class, the first
    30 s of walk_continuous.csv (when "walk" is asked for) and the metadata."""
    day = data_dir / "clips-20251014"
    out.mkdir(parents=True)
    shutil.copyfile(day / METADATA_NAME, out / METADATA_NAME)
    for cls in classes:
        if cls == "walk":
            lines = (day / "walk_continuous.csv").read_text().splitlines()
            col = lines[0].split(",").index("timestamp")
            rows = [r for r in lines[1:] if float(r.split(",")[col]) < 30.0]
            (out / "walk_continuous.csv").write_text("\n".join([lines[0], *rows]) + "\n")
            continue
        for k in range(1, n + 1):
            name = f"{cls}_sample{k:02d}.csv"
            shutil.copyfile(day / name, out / name)
    return out


def device_ns_folder(data_dir: Path, out: Path, prefixes=("jump_", "punch_", "turn_left_")):
    """A small clips-dev folder: six clips of each prefix."""
    out.mkdir(parents=True)
    names = sorted(p.name for p in (data_dir / "clips-dev").glob("*.csv"))
    for prefix in prefixes:
        for name in [n for n in names if n.startswith(prefix)][:6]:
            shutil.copyfile(data_dir / "clips-dev" / name, out / name)
    return out


def _truths(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*/truth.json"))]


def test_block_sessions_from_the_sample_dialect(data_dir, tmp_path, capsys):
    """Classes follow session_metadata.json's gestures_completed (punch, jump, noise, turn,
    walk), samples in recording order, the continuous walk after them."""
    clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn", "noise", "walk"))
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(clips), "--out", str(out), "--sparse", "0", *VOICE]
    assert main(argv) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]  # it read clips, wrote none
    assert last.startswith(f"1 session(s) built from 22 clip(s) of {clips}, written to {out}")
    truths = _truths(out)
    assert len(truths) == 1  # 16 samples and 30 s of walk: one block under 300 s
    for name in (p.parent.name for p in out.glob("*/truth.json")):
        assert read_sensor_csv(out / name / "sensor_data.csv").dialect == "session"
    order = [cls for _, _, cls in truths[0]["intervals"]]
    firsts = [order.index(c) for c in ("punch", "jump", "noise", "turn", "walk")]
    assert firsts == sorted(firsts)
    assert order.count("walk") == 1  # the walk's pieces are one span
    laid = [c for c in load_clips(clips) if c.cls == "jump"]
    assert [c.name for c in laid] == [f"jump_sample{k:02d}" for k in range(1, 5)]
    assert np.all(np.diff([c.start for c in laid]) > 0)
    walk = [c for c in load_clips(clips) if c.cls == "walk"]
    assert len(walk) == 6 and all(c.end - c.start <= CONTINUOUS_PIECE_S + 0.01 for c in walk)


def test_realistic_sessions_from_the_sample_dialect(data_dir, tmp_path):
    clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn", "noise", "walk"))
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(clips), "--out", str(out), "--realistic"]
    assert main([*argv, "--gestures", "8", "--seed", "3", *VOICE]) == 0
    truths = _truths(out)
    assert truths and all(t["realistic"] for t in truths)
    gestures = [g for t in truths for g in t["gestures"]]
    assert {"jump", "punch", "turn"} <= {g["class"] for g in gestures}
    assert all(g["end"] - g["start"] <= CONTINUOUS_PIECE_S + 0.5 for g in gestures)
    filler = {cls for t in truths for _, _, cls in t["filler_motion"]}
    assert filler and filler <= {"walk", "noise"}


@pytest.mark.parametrize("dialect", ["sample", "device-ns"])
def test_realistic_sessions_without_noise_clips(data_dir, tmp_path, dialect):
    """A held-out block of only idle/jump/punch/turn/walk clips (no noise, no baseline):
    the time between gestures is filled with its walk (and idle) motion."""
    if dialect == "sample":
        clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn", "walk"))
    else:
        prefixes = ("jump_", "punch_", "turn_left_", "walk_", "idle_")
        clips = device_ns_folder(data_dir, tmp_path / "clips", prefixes)
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(clips), "--out", str(out), "--realistic"]
    assert main([*argv, "--gestures", "8", "--seed", "1", *VOICE]) == 0
    truths = _truths(out)
    filler = {cls for t in truths for _, _, cls in t["filler_motion"]}
    assert filler and filler <= {"walk", "idle"}
    assert not any(g["class"] == "noise" for t in truths for g in t["gestures"])


def test_filler_comes_from_what_there_is(data_dir, tmp_path):
    """Gestures and one walk piece: the walk fills, whatever the seed draws (the third of
    walk/idle clips drawn at random would often leave no filler)."""
    clips = load_clips(sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn")))
    walk = load_clips(sample_folder(data_dir, tmp_path / "walk", ("walk",)))[:1]
    for seed in range(12):
        gestures, pool = realistic.split_pool(clips + walk, np.random.default_rng(seed))
        assert [c.cls for c in pool] == ["walk"] and len(gestures) == len(clips)


@pytest.mark.parametrize("dialect", ["sample", "device-ns"])
def test_no_filler_is_one_clear_error(data_dir, tmp_path, capsys, dialect):
    if dialect == "sample":
        clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn"))
    else:
        clips = device_ns_folder(data_dir, tmp_path / "clips")
    argv = ["synth", "--from-clips", str(clips), "--out", str(tmp_path / "o"), "--realistic"]
    assert main([*argv, *VOICE]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no motion to put between gestures" in err and str(clips) in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_no_gestures_is_one_clear_error(data_dir, tmp_path, capsys):
    clips = sample_folder(data_dir, tmp_path / "clips", ("noise",))
    argv = ["synth", "--from-clips", str(clips), "--out", str(tmp_path / "o"), "--realistic"]
    assert main([*argv, *VOICE]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no gesture clips" in err


def test_score_voice_clip_baseline_reads_sample_clips_with_their_metadata(data_dir, tmp_path):
    """The clip-trained baseline copies the clips the sessions played (truth.json); sample
    clips are unreadable without their folder's session_metadata.json."""
    from silkpipe.voice_score import source_clips

    clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch"), n=2)
    truths = {"s": {"clips_dir": str(clips), "clips": ["jump_sample01", "punch_sample02"]}}
    copied = source_clips(truths, tmp_path / "source")
    assert copied is not None
    streams = load_clip_streams(copied)
    assert sorted(s.name for s in streams) == ["jump_sample01", "punch_sample02"]


def test_a_reading_no_sensor_makes_is_refused_naming_the_clip(data_dir, tmp_path, capsys):
    """synth reads device-ns clips with the model loader's checks (1e300 once overflowed)."""
    clips = device_ns_folder(data_dir, tmp_path / "clips")
    victim = sorted(clips.glob("jump_*.csv"))[0]
    lines = victim.read_text().splitlines()
    cells = lines[1].split(",")
    cells[7] = "1e300"  # rot_x of a rotation_vector row
    lines[1] = ",".join(cells)
    victim.write_text("\n".join(lines) + "\n")
    argv = ["synth", "--from-clips", str(clips), "--out", str(tmp_path / "o")]
    assert main([*argv, *VOICE]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and victim.name in err


# --- a sample's span is where its motion is (motion_span) ---------------------------------

HEADER = "accel_x,accel_y,accel_z,gesture,gyro_x,gyro_y,gyro_z,rot_w,rot_x,rot_y,rot_z,"
HEADER += "sample,sensor,stance,timestamp"


def write_burst_sample(path: Path, cls: str, n: int, burst_s: float | None, seed: int = 0) -> None:
    """A 2.5 s sample-dialect clip: a still wrist (small noise) with one 0.3 s burst of
    motion centred at ``burst_s`` seconds into the sample (None: no burst, a still wrist)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 2.5, 0.02)
    burst = 12.0 * np.exp(-(((t - (burst_s or 0.0)) / 0.1) ** 2)) * (burst_s is not None)
    rows = [HEADER]
    for k, ti in enumerate(t):
        acc = rng.normal(0, 0.05, 3) + burst[k] * np.array([0.2, 0.3, 0.9])
        gyro = rng.normal(0, 0.02, 3) + burst[k] * np.array([0.05, 0.05, 0.1])
        a = ",".join(f"{x:.5f}" for x in acc)
        g = ",".join(f"{x:.5f}" for x in gyro)
        rows.append(f"{a},{cls},,,,,,,,{n},linear_acceleration,neutral,{ti + 0.001:.6f}")
        rows.append(f",,,{cls},{g},,,,,{n},gyroscope,neutral,{ti + 0.004:.6f}")
        rows.append(f",,,{cls},,,,1.0,0.0,0.0,0.0,{n},rotation_vector,neutral,{ti + 0.007:.6f}")
    path.write_text("\n".join(rows) + "\n")


def burst_folder(data_dir: Path, out: Path, bursts: dict[str, list[float | None]]) -> Path:
    out.mkdir(parents=True)
    shutil.copyfile(data_dir / "clips-20251014" / METADATA_NAME, out / METADATA_NAME)
    for cls, at in bursts.items():
        for k, burst_s in enumerate(at, start=1):
            write_burst_sample(out / f"{cls}_sample{k:02d}.csv", cls, k, burst_s, seed=k)
    return out


def test_a_sample_is_labelled_where_its_motion_is_not_over_the_whole_sample(data_dir, tmp_path):
    """A burst late (or early) in a 2.5 s sample: the clip's span lies on the burst, about
    as long as a clips-dev button span, so the word said at its start comes just before
    the motion, as on clips-dev."""
    from silkpipe.motion_span import SpanRule

    rule = SpanRule()
    bursts = [2.1, 0.5, 1.3]
    folder = burst_folder(data_dir, tmp_path / "clips", {"jump": bursts})
    clips = load_clips(folder)
    assert [c.name for c in clips] == ["jump_sample01", "jump_sample02", "jump_sample03"]
    for clip, burst_s in zip(clips, bursts, strict=True):
        first = min(float(t[0]) for t in clip.times.values())
        last = max(float(t[-1]) for t in clip.times.values())
        peak = first + burst_s - 0.001
        assert clip.start <= peak <= clip.end
        assert clip.start == pytest.approx(max(first, peak - rule.before_peak_s), abs=0.05)
        assert clip.end == pytest.approx(min(last, peak + rule.after_peak_s), abs=0.05)
        assert last - first > 2.4  # the events stay whole: only the span moved
    late = clips[0]
    assert late.start - min(float(t[0]) for t in late.times.values()) > 1.5


def _peak_times(session: Path, intervals: list) -> list[float]:
    """The time of the largest |linear acceleration| in each truth interval's neighbourhood
    (1 s either side), read back from the session's sensor_data.csv."""
    raw = read_sensor_csv(session / "sensor_data.csv")
    t = raw.times["linear_acceleration"]
    mag = np.linalg.norm(raw.values["linear_acceleration"], axis=1)
    out = []
    for a, b, _ in intervals:
        near = (t >= a - 1.0) & (t <= b + 1.0)
        out.append(float(t[near][np.argmax(mag[near])]))
    return out


def test_sample_dialect_truth_and_words_follow_the_motion(data_dir, tmp_path):
    """Block sessions from samples whose burst comes late: truth.json's intervals lie on
    the bursts (the sample's lead-in is no gesture) and each word is said at its
    interval's start (reaction lag within -0.4..0.6 s), under 1 s before the burst."""
    bursts = {"jump": [2.1, 1.9, 2.2], "punch": [1.8, 2.0, 2.1]}
    folder = burst_folder(data_dir, tmp_path / "clips", bursts)
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(folder), "--out", str(out), "--sparse", "0", *VOICE]
    assert main([*argv, "--seed", "2"]) == 0
    (truth,) = _truths(out)
    intervals = truth["intervals"]
    assert [cls for _, _, cls in intervals] == ["punch"] * 3 + ["jump"] * 3
    session = out / truth["session"]
    for (a, b, _), peak in zip(intervals, _peak_times(session, intervals), strict=True):
        assert a < peak < b and b - a < 1.2
    commands = sorted(truth["commands"], key=lambda c: c["imu_time"])
    assert len(commands) == len(intervals)
    for (a, _, _), peak, c in zip(
        intervals, _peak_times(session, intervals), commands, strict=True
    ):
        assert -0.45 <= c["imu_time"] - a <= 0.65
        assert c["imu_time"] < peak < c["imu_time"] + 1.0


def test_realistic_sample_gestures_are_labelled_on_their_motion_span(data_dir, tmp_path):
    """Realistic sessions from real samples: every gesture's labelled span is its clip's
    motion span (clip_start in truth.json), so the spoken words keep clips-dev's lead."""
    clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn", "noise", "walk"))
    spans = {c.name: c for c in load_clips(clips) if "_sample" in c.name}  # walk: pieces
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(clips), "--out", str(out), "--realistic"]
    assert main([*argv, "--gestures", "8", "--seed", "3", *VOICE]) == 0
    gestures = [g for t in _truths(out) for g in t["gestures"] if g["clip"] in spans]
    assert gestures
    for g in gestures:
        clip = spans[g["clip"]]
        assert g["clip_start"] == pytest.approx(clip.start, abs=0.15)  # crossfade margin
        assert g["end"] - g["start"] <= clip.end - clip.start + 0.01 < 1.2


# --- what is labelled vs what can be played ----------------------------------------------


def _recorded(clip) -> tuple[float, float]:
    """First and last event of a clip as read."""
    return (
        min(float(t[0]) for t in clip.times.values()),
        max(float(t[-1]) for t in clip.times.values()),
    )


def test_a_sample_can_be_played_whole_a_device_ns_clip_is_its_span(data_dir, tmp_path):
    """A sample's extent is the whole recording around its motion span; a device-ns clip's
    is its button span (so clips-dev sessions do not change)."""
    folder = burst_folder(data_dir, tmp_path / "samples", {"jump": [2.1, 0.5]})
    for clip in load_clips(folder):
        lo, hi = clip.extent()
        assert (lo, hi) == _recorded(clip)
        assert hi - lo > 2.4 and lo <= clip.start < clip.end <= hi
        assert (clip.end - clip.start) < 1.2
    for clip in load_clips(device_ns_folder(data_dir, tmp_path / "dev")):
        assert clip.extent() == (clip.start, clip.end)


def test_filler_from_a_noise_sample_includes_its_quiet_part(data_dir, tmp_path):
    """Filler cut from a noise sample comes from the whole sample, not only the ~1 s of
    motion its span labels: long stretches take the whole sample, short ones fall in its
    still lead-in too."""
    folder = burst_folder(data_dir, tmp_path / "clips", {"noise": [2.1]})
    (clip,) = load_clips(folder)
    lo, hi = _recorded(clip)
    rng = np.random.default_rng(0)
    _, a, b = realistic._filler_piece([clip], 5.0, rng)
    assert (a, b) == (lo, hi)
    cuts = [realistic._filler_piece([clip], 0.8, rng)[1:] for _ in range(50)]
    assert all(lo <= a and b <= hi for a, b in cuts)
    assert sum(b <= clip.start for a, b in cuts) >= 10  # wholly in the still lead-in


def test_a_sample_gesture_plays_its_lead_in_and_out_truth_marks_its_motion(data_dir, tmp_path):
    """A gesture piece from a sample plays the whole sample (the wrist's own approach and
    recovery), while its labelled span (truth.json's interval, where the word goes) stays
    the motion span."""
    bursts = {"jump": [2.1, 0.5, 1.3], "punch": [1.8, 0.4], "noise": [1.0, 2.2]}
    clips = load_clips(burst_folder(data_dir, tmp_path / "clips", bursts))
    gestures = [c for c in clips if c.cls != "noise"]
    pool = [c for c in clips if c.cls == "noise"]
    rng = np.random.default_rng(1)
    pieces = realistic.lay_out([[c] for c in gestures], pool, 2.0, rng)
    spans = realistic.gesture_spans(pieces)
    assert len(spans) == len(gestures)
    for a, b, p in spans:
        lo, hi = _recorded(p.clip)
        assert p.src_start <= lo and p.src_end >= hi  # the whole sample is played
        assert (p.end - p.at) - (b - a) > 1.0
        assert b - a == pytest.approx(p.clip.end - p.clip.start, abs=1e-6)
        assert a - p.at == pytest.approx(max(p.clip.start - p.src_start, FADE_HALF), abs=1e-6)


FADE_HALF = realistic.FADE_S / 2


# --- a sample is a gesture piece only when it holds its gesture whole ---------------------


def test_a_sample_flaw_says_still_or_where_the_recorder_cut_it(data_dir, tmp_path):
    """A burst inside the sample: no flaw; a burst at its end or start (the motion span
    reaches the recording's edge): cut there; no burst: still. Device-ns clips: none."""
    bursts = {"jump": [1.2, 2.35, 0.15, None, 0.9]}
    clips = load_clips(burst_folder(data_dir, tmp_path / "clips", bursts))
    assert [c.flaw for c in clips] == [None, "cut at end", "cut at start", "still", None]
    assert all(c.flaw is None for c in load_clips(device_ns_folder(data_dir, tmp_path / "dev")))


def test_realistic_play_skips_samples_without_a_whole_gesture(data_dir, tmp_path, caplog):
    """A jump sample cut by the recorder inside its jump and a still jump sample, beside
    whole ones: neither is played (as a gesture or as filler), truth.json lists both with
    the reason and a log line counts them; a still noise sample only fills."""
    bursts = {
        "jump": [1.0, 1.3, 2.35, None, 0.9, 1.1],
        "punch": [1.2, 1.0, 1.4, 0.8],
        "turn": [1.1, 0.9, 1.3],
        "noise": [1.0, None, 0.8, 1.2],
    }
    folder = burst_folder(data_dir, tmp_path / "clips", bursts)
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(folder), "--out", str(out), "--realistic"]
    caplog.set_level(logging.INFO, logger="silkpipe.realistic")
    assert main([*argv, "--gestures", "30", "--seed", "4", *VOICE]) == 0
    (truth,) = _truths(out)
    played = {g["clip"] for g in truth["gestures"]}
    assert {"jump_sample01", "jump_sample02", "punch_sample01", "turn_sample01"} <= played
    assert not {"jump_sample03", "jump_sample04", "noise_sample02"} & played
    assert not {"jump_sample03", "jump_sample04"} & set(truth["filler_clips"])
    assert truth["skipped_clips"] == [
        {"clip": "jump_sample03", "class": "jump", "reason": "cut at end", "played_as": "none"},
        {"clip": "jump_sample04", "class": "jump", "reason": "still", "played_as": "none"},
        {"clip": "noise_sample02", "class": "noise", "reason": "still", "played_as": "filler"},
    ]
    assert "3 of 17 samples hold no whole gesture" in caplog.text
    assert "cut at end 1, still 2; 1 of them fill" in caplog.text
