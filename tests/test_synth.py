"""Sample-data generator: real dialects, truth that matches motion and speech, determinism,
and semi-real sessions rebuilt from the real clips."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from silkpipe import semireal, synth
from silkpipe.cli import main
from silkpipe.sessions import HEADER, find_sessions, load_session, read_sensor_csv
from silkpipe.speech import SAMPLE_RATE, read_wav
from silkpipe.vocabulary import clip_class, normalise_word, word_class


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "sample"
    synth.generate(out, sessions=2, seed=3, duration=45, clips_per_class=2)
    return out


def _envelope(audio: np.ndarray, hop: int = 800) -> np.ndarray:
    n = len(audio) // hop
    return np.sqrt((audio[: n * hop].reshape(n, hop) ** 2).mean(axis=1))


def test_sessions_are_in_the_real_session_dialect(sample):
    folders = find_sessions(sample / "sessions")
    assert len(folders) == 2
    for folder in folders:
        assert re.fullmatch(r"\d{8}_\d{6}_session", folder.name)
        lines = (folder / "sensor_data.csv").read_text().splitlines()
        assert tuple(lines[0].split(",")) == HEADER
        gyro_row = next(line for line in lines if ",gyroscope," in line).split(",")
        assert gyro_row[0:3] == ["", "", ""] and gyro_row[6:10] == ["", "", "", ""]
        raw = read_sensor_csv(folder / "sensor_data.csv")
        assert raw.dialect == "session"
        for rate in raw.rates().values():
            assert 38 < rate < 51
        stamps = np.array([float(line.rsplit(",", 1)[1]) for line in lines[1:]])
        steps = np.diff(stamps)
        assert (steps > 0).all()  # host arrival order
        assert np.median(steps) < 0.004  # bursts of rows a few ms apart
        assert (steps > 0.015).mean() > 0.05  # between bursts
        assert (raw.values["rotation_vector"][:, 0] >= 0).all()  # the watch's w >= 0
        meta = json.loads((folder / "metadata.json").read_text())
        assert meta["session_name"] == folder.name
        assert meta["sensor_data_points"] == len(lines) - 1
        audio = read_wav(folder / "audio_16k.wav")
        assert abs(len(audio) / SAMPLE_RATE - meta["audio_duration_sec"]) < 0.01
        load_session(folder).motion()


def test_truth_intervals_line_up_with_motion(sample):
    for folder in find_sessions(sample / "sessions"):
        truth = json.loads((folder / "truth.json").read_text())
        motion = load_session(folder).motion()
        energy = motion.energy()
        labels = {cls for _, _, cls in truth["intervals"]}
        assert {"jump", "punch", "turn", "walk", "idle", "noise"} <= labels
        inside = np.zeros(len(energy), dtype=bool)
        means: dict[str, list[float]] = {}
        for start, end, cls in truth["intervals"]:
            sel = (motion.t >= start) & (motion.t < end) & motion.valid
            inside |= sel
            if sel.any():
                means.setdefault(cls, []).append(float(energy[sel].mean()))
        idle = np.mean(means["idle"])
        for cls in ("jump", "punch", "turn", "walk", "noise"):
            assert np.mean(means[cls]) > 5 * idle, (cls, means[cls], idle)
        # event windows hold more motion than the unlabelled time between commands
        rest = energy[~inside & motion.valid].mean()
        assert np.mean(means["jump"] + means["punch"] + means["turn"]) > 2 * rest


def test_speech_sits_at_the_truth_onsets(sample):
    for folder in find_sessions(sample / "sessions"):
        truth = json.loads((folder / "truth.json").read_text())
        audio = read_wav(folder / "audio_16k.wav")
        env = _envelope(audio)  # 50 ms hops
        floor = np.median(env)
        assert len(truth["commands"]) >= 8
        for c in truth["commands"]:
            assert word_class(normalise_word(c["text"].split()[0])) or c["text"] in (
                "start walking",
                "this is noise",
                "stay still",
            )
            i = int(c["audio_start"] * 20)
            assert env[i : i + 4].max() > 4 * floor, c
            assert c["imu_time"] == pytest.approx(c["audio_start"] + truth["offset_s"], abs=1e-3)
        # the spoken class matches the truth interval around its IMU time (reaction lag < 0.5 s)
        for c in truth["commands"]:
            near = [cls for s, e, cls in truth["intervals"] if s - 0.5 <= c["imu_time"] <= e + 0.5]
            assert c["class"] in near, c


def test_fixed_offset_and_fillers(tmp_path):
    synth.generate(tmp_path, sessions=1, offset_s=-7.25, seed=11, duration=30, clips_per_class=0)
    (folder,) = find_sessions(tmp_path / "sessions")
    truth = json.loads((folder / "truth.json").read_text())
    assert truth["offset_s"] == pytest.approx(-7.25)
    assert not (tmp_path / "clips").exists()
    assert synth.check_fillers() == []


def test_same_seed_same_files(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        synth.generate(tmp_path / name, sessions=1, seed=seed, duration=25, clips_per_class=1)

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.*"))}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_clips_are_in_the_real_clip_dialect(sample):
    paths = sorted((sample / "clips").glob("*.csv"))
    assert len(paths) == 2 * len(synth.CLIP_NAMES)
    backwards = []
    for path in paths:
        assert re.fullmatch(r"[a-z_]+_\d{13}_to_\d{13}", path.stem)
        assert clip_class(path.stem) is not None
        raw = read_sensor_csv(path)
        assert raw.dialect == "clip"
        lines = path.read_text().splitlines()
        gyro_row = next(line for line in lines if ",gyroscope," in line).split(",")
        assert gyro_row[0:3] == ["0.0"] * 3 and gyro_row[6] == "1.0"
        ns = np.array([int(line.rsplit(",", 1)[1]) for line in lines[1:]])
        assert ns.min() > 1e12
        backwards.append((np.diff(ns) < 0).mean())
    assert np.mean(backwards) > 0.1


def test_cli_writes_sample_data(tmp_path):
    out = tmp_path / "cli"
    argv = [
        "synth",
        str(out),
        "--sessions",
        "1",
        "--seed",
        "2",
        "--duration",
        "25",
        "--clips-per-class",
        "1",
        "--offset",
        "3",
    ]
    assert main(argv) == 0
    (folder,) = find_sessions(out / "sessions")
    assert json.loads((folder / "truth.json").read_text())["offset_s"] == pytest.approx(3.0)
    assert main(["synth", str(out), "--duration", "5"]) == 2  # bad input: one line, exit 2


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["OUT", "--realistic"], "--realistic"),  # wrote plain synthetic sessions
        (["OUT", "--drift", "50"], "--drift"),
        (["OUT", "--gestures", "9"], "--gestures"),
        (["--from-clips", "IN", "--out", "OUT", "--sessions", "2"], "--sessions"),
        (["--from-clips", "IN", "--out", "OUT", "--duration", "60"], "--duration"),
        (["--from-clips", "IN", "--out", "OUT", "--gestures", "9"], "--gestures"),
        (
            ["--from-clips", "IN", "--out", "OUT", "--realistic", "--max-session", "60"],
            "--max-session",
        ),
        (["--from-clips", "IN", "--out", "OUT", "--realistic", "--sparse", "0"], "--sparse"),
    ],
)
def test_an_option_the_chosen_output_does_not_read_is_refused(tmp_path, capsys, extra, named):
    argv = ["synth", *(str(tmp_path / a) if a in ("IN", "OUT") else a for a in extra)]
    assert main(argv) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "OUT").exists()


@pytest.mark.parametrize("voice, why", [("nonesuch", "does not exist"), ("festival:x", "one of")])
def test_a_voice_that_cannot_speak_is_refused_before_anything_is_written(
    data_dir, tmp_path, capsys, voice, why
):
    """--voice nonesuch ended the synth with exit 1 and espeak-ng's command line
    ("CalledProcessError: ... returned non-zero exit status 1", bad_input_sweep51)."""
    out = tmp_path / "out"
    argv = ["synth", "--from-clips", str(data_dir / "clips-20251014"), "--out", str(out)]
    assert main([*argv, "--voice", "en-us", "--voice", voice]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"error: --voice {voice!r} cannot speak: " in line and why in line, line
    assert list(tmp_path.iterdir()) == []


def test_a_duration_of_years_is_refused_at_once(tmp_path, capsys):
    """--duration 1e9 ran for ever, its 31-year stream growing in memory (bad_input_sweep51)."""
    assert main(["synth", str(tmp_path / "out"), "--sessions", "1", "--duration", "1e9"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "--duration must be at least 20 seconds and at most 21600 (6 hours), not 1e+09" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("offset", ["1e6", "-1e6", "45"])
def test_an_offset_leaving_no_shared_time_is_refused(tmp_path, capsys, offset):
    """--offset 1e6 was taken and wrote sessions of silence, no command said over motion."""
    argv = ["synth", str(tmp_path / "out"), "--sessions", "1", "--duration", "60"]
    assert main([*argv, f"--offset={offset}"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"--offset {float(offset):g} s leaves under 20 s where the IMU (0 to 60 s)" in line
    assert "give an offset within ±40 s" in line
    assert list(tmp_path.iterdir()) == []
    assert main([*argv, "--offset=40", "--clips-per-class", "0"]) == 0  # 20 s shared: made


@pytest.mark.parametrize("offset", ["1e6", "-1e6"])
def test_from_clips_refuses_an_offset_as_long_as_a_session(data_dir, tmp_path, capsys, offset):
    """From clips, an offset past a block's stream left no motion under the speech (1e6), or
    would have rendered eleven days of audio before it (-1e6)."""
    clips = data_dir / "clips-20251014"
    out = tmp_path / "out"
    assert main(["synth", "--from-clips", str(clips), "--out", str(out), f"--offset={offset}"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    why = "would start after it ends" if offset == "1e6" else "would run 278 h before and over"
    assert f"--offset {float(offset):g} s: this session's " in line and why in line, line
    assert list(tmp_path.iterdir()) == []


def _subset(data_dir: Path, dest: Path) -> list[str]:
    """The first 14 clips of the gesture block and 6 noise segments of a noise block."""
    clips = sorted((data_dir / "clips-dev").glob("*_to_*.csv"), key=lambda p: p.stem.split("_")[-3])
    chosen = [p for p in clips if not p.stem.startswith("noise")][:14]
    chosen += sorted((data_dir / "clips-dev").glob("noise_action_seg_00*.csv"))[:6]
    dest.mkdir()
    for p in chosen:
        shutil.copy(p, dest / p.name)
    return [p.stem for p in chosen]


def test_from_clips_rebuilds_blocks_into_sessions(data_dir, tmp_path):
    names = _subset(data_dir, tmp_path / "clips")
    options = semireal.BlockOptions(seed=4, voices=("en-us", "en-us+f3"), drift_ppm=50)
    summary = semireal.generate_from_clips(tmp_path / "clips", tmp_path / "out", options)
    sessions = summary["sessions"]
    assert len(sessions) == 4  # gesture block + noise block, each also as a sparse variant
    assert sum("sparse" in s for s in sessions) == 2
    clips = {c.name: c for c in semireal.load_clips(tmp_path / "clips")}
    rows = {}
    for name in sessions:
        folder = tmp_path / "out" / name
        raw = read_sensor_csv(folder / "sensor_data.csv")
        assert raw.dialect == "session"
        truth = json.loads((folder / "truth.json").read_text())
        assert -20 <= truth["offset_s"] <= 20 and truth["drift_ppm"] == 50
        assert set(truth["clips"]) <= set(names)
        assert truth["clips_dir"] == str((tmp_path / "clips").resolve())  # score-voice's baseline
        rows[name] = sum(len(t) for t in raw.times.values())
        all_t = np.sort(np.concatenate(list(raw.times.values())))
        block = [clips[c] for c in truth["clips"]]
        if "noise" in name:
            assert {cls for _, _, cls in truth["intervals"]} == {"noise"}
            assert all(c["class"] == "noise" for c in truth["commands"])
            continue
        # one interval per gesture clip, as long as the clip's core span, with data inside
        assert len(truth["intervals"]) == len(block)
        spans = sorted((c.start, c.end, c.cls) for c in block)
        first = truth["intervals"][0][0] - spans[0][0]
        for (s, e, cls), (cs, ce, ccls) in zip(truth["intervals"], spans, strict=True):
            assert cls == ccls
            assert s - first == pytest.approx(cs, abs=0.35) and e - first == pytest.approx(
                ce, abs=0.35
            )
            assert ((all_t >= s) & (all_t <= e)).sum() > 0.3 * 40 * (e - s)
        said = {c["class"] for c in truth["commands"]}
        assert said <= {"jump", "punch", "turn", "walk", "idle", "noise"} and len(said) >= 3
    dense = [n for n in sessions if "sparse" not in n]
    for name in dense:
        ratio = rows[name.replace("_session", "_sparse_session")] / rows[name]
        assert 0.25 < ratio < 0.42


def test_from_clips_moves_late_delivered_clips_to_their_button_time(data_dir):
    """Truth must never label motion the watch delivered late from another moment."""
    import numpy as np

    from silkpipe.dataset import CLIP_ALIGN_TOL_S
    from silkpipe.semireal import collection_blocks, load_clips

    clips = load_clips(data_dir / "clips-dev")
    named = [c for c in clips if c.host_end is not None]
    assert 150 < len(named) < 217  # some late clips had no events at their button time
    for block in collection_blocks(clips):
        offsets = np.array([c.end - c.host_end for c in block if c.host_end is not None])
        if len(offsets) < 3:
            continue
        # every clip now sits on the block's on-time clock mapping (was up to 58 s off)
        assert np.ptp(offsets) <= 2 * CLIP_ALIGN_TOL_S + 0.5, np.sort(offsets)[:5]


def test_from_clips_keeps_and_recuts_the_clips_the_model_loader_does(data_dir):
    """One late-delivery rule (silkpipe.clips.recut_late): semi-real truth is built from the
    same clips, at the same watch-clock spans, as the model's clip loader trains on."""
    from silkpipe.clips import load_device_ns_clips
    from silkpipe.semireal import load_clips

    folder = data_dir / "clips-dev"
    semi = {c.name: c for c in load_clips(folder)}
    loader = {s.name: s for s in load_device_ns_clips(sorted(folder.glob("*.csv")))}
    assert set(semi) == set(loader)
    assert len(loader) < len(list(folder.glob("*.csv")))  # some late clips are dropped
    for name, stream in loader.items():
        assert abs(semi[name].start - float(stream.motion.t[0])) < 1e-6, name


def test_baseline_recording_names_carry_the_time_it_stopped(data_dir):
    """baseline_noise_<epoch s>: the watch clock of the block's button clips puts the
    recording's end, not its start, at that second (the two noise-block baselines agree
    with each other only that way too)."""
    from silkpipe.semireal import collection_blocks, load_clips

    for block in collection_blocks(load_clips(data_dir / "clips-dev")):
        baseline = [c for c in block if c.name.startswith("baseline_noise")]
        pressed = [c for c in block if c.host_start is not None]
        if not baseline or not pressed:
            continue
        watch_to_host = np.median([c.host_end - c.end for c in pressed])
        for c in baseline:
            assert c.host_start is None
            assert abs(c.end + watch_to_host - c.host_end) < 3.0
            assert c.end - c.start > 20  # so reading it as the start would be far off


def test_festival_speech_is_the_same_every_time():
    """Semi-real sessions must be rebuilt bit for bit from a seed (sox dithers at random
    unless told to repeat), or the voice-path numbers move between runs."""
    from silkpipe.speech import synthesize

    first = synthesize("this is noise", voice="festival:slt", words_per_minute=150)
    assert np.array_equal(
        first, synthesize("this is noise", voice="festival:slt", words_per_minute=150)
    )


def test_block_sessions_draw_their_offset_first_from_their_own_seed(data_dir, tmp_path):
    """The session loop shared with realistic (semireal.write_sessions): block i's dense
    variant has its own generator, seeded [seed, i, 1], whose first draw is its offset; a
    fixed offset replaces the draw."""
    _subset(data_dir, tmp_path / "clips")
    options = semireal.BlockOptions(seed=12, voices=("en-us",), sparse_keep=0)
    summary = semireal.generate_from_clips(tmp_path / "clips", tmp_path / "out", options)
    assert len(summary["sessions"]) == 2  # the gesture and the noise block, no sparse variant
    for i, name in enumerate(summary["sessions"]):
        expected = float(np.random.default_rng([12, i, 1]).uniform(-20, 20))
        assert summary["offsets"][name] == round(expected, 4)
    fixed = replace(options, offset_s=-4.0)
    summary = semireal.generate_from_clips(tmp_path / "clips", tmp_path / "fixed", fixed)
    assert set(summary["offsets"].values()) == {-4.0}
