"""`silkpipe synth --from-clips` on both clip dialects and on folders short of filler classes.

Clip folders are built in tmp from a few real files of ../shared/data (never committed)."""

from __future__ import annotations

import json
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


def test_block_sessions_from_the_sample_dialect(data_dir, tmp_path):
    """Classes follow session_metadata.json's gestures_completed (punch, jump, noise, turn,
    walk), samples in recording order, the continuous walk after them."""
    clips = sample_folder(data_dir, tmp_path / "clips", ("jump", "punch", "turn", "noise", "walk"))
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(clips), "--out", str(out), "--sparse", "0", *VOICE]
    assert main(argv) == 0
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
