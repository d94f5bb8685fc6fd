"""Aligning on a rebuilt clock: the scale fit, its fair statistic, the class-signature
gate, and the verdicts on the real sessions that have no transcript of their own."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.clock_fit import fit_scale_offset
from silkpipe.sessions import Motion
from silkpipe.signature import signature_test
from silkpipe.transcripts import Command

RATE = 50.0


def gesture_session(
    seconds: float = 200.0, seed: int = 0, offset_s: float = 2.0, scale: float = 1.0
) -> tuple[Motion, list[Command]]:
    """Jumps (a hard push along gravity) and turns (a spin about gravity) at random times,
    fidgeting between them; t_imu = scale * t_audio + offset_s for every word."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    data = np.zeros((len(t), 13), dtype=np.float64)
    data[:, 0:6] = rng.normal(0, 0.3, (len(t), 6))
    data[:, 6] = 1.0  # quaternion: upright
    data[:, 12] = 1.0  # gravity along device z
    commands = []
    now = 3.0
    while now < seconds - 3:
        cls = str(rng.choice(["jump", "turn"]))
        seg = (t >= now) & (t < now + 0.5)
        if cls == "jump":
            data[seg, 2] += 15.0 * np.hanning(seg.sum())
        else:
            data[seg, 5] += 6.0 * np.hanning(seg.sum())
        said = now - 0.3
        audio = (said - offset_s) / scale
        commands.append(Command(cls, audio, audio + 0.3, cls, 0.9))
        now += rng.uniform(1.5, 4.0)
    motion = Motion(
        t=t,
        rate=RATE,
        data=data.astype(np.float32),
        valid=np.ones(len(t), bool),
        time_model={"kind": "count"},
    )
    return motion, commands


def test_count_clock_session_recovers_scale_and_offset():
    motion, commands = gesture_session(offset_s=2.0, scale=0.99, seed=1)
    _, report = align_session("scaled", motion, commands)
    assert report.time_model == "count"
    assert report.clock_scale == pytest.approx(0.99, abs=0.003)
    assert report.offset_s == pytest.approx(2.0, abs=0.3)
    assert not report.excluded
    assert report.signature_p <= 0.01


def test_scale_search_does_not_lift_the_chance_level():
    """Words of another session: the best scale of the search is no better than the best
    scale of each shuffle, so the fair quality stays at chance (a raw maximum over scales
    would rise above the single-scale one)."""
    cfg = AlignConfig(shuffles=20)
    fair, raw = [], []
    for seed in range(3):
        motion, _ = gesture_session(seed=seed)
        _, words = gesture_session(seed=seed + 10)
        fit = fit_scale_offset(motion, words, cfg)
        fair.append(fit.quality)
        raw.append(max(q for _, q in fit.per_scale))  # the best scale, judged alone
    assert max(fair) < 3.0, fair
    assert np.mean(fair) < np.mean(raw) - 0.5, (fair, raw)


def test_signature_test_tells_right_labels_from_swapped_ones():
    motion, commands = gesture_session(offset_s=0.0, seed=2)
    right = signature_test(commands, 0.3, motion)
    swapped = [replace(c, cls="turn" if c.cls == "jump" else "jump") for c in commands]
    wrong = signature_test(swapped, 0.3, motion)
    assert right.p_value <= 0.01 and right.statistic > 0
    assert wrong.p_value > 0.9


def test_words_that_only_fall_into_active_stretches_are_refused():
    """Words on the motion's active stretch but with their classes scrambled (the energy
    alone cannot tell): the class signature refuses the session."""
    motion, commands = gesture_session(offset_s=0.0, seed=3)
    rng = np.random.default_rng(0)
    scrambled = [replace(c, cls=str(rng.choice(["jump", "turn"]))) for c in commands]
    # as on a session of moderate quality; energy-only search (the signature route is
    # closed when class channels search: test_class_channels)
    cfg = AlignConfig(sure_quality=float("inf"), class_channel_weight=0.0)
    _, right = align_session("right", motion, commands, cfg)
    _, report = align_session("scrambled", motion, scrambled, cfg)
    assert not right.excluded
    assert report.excluded
    assert "do not sit on jumps and turns" in report.reason


@pytest.fixture(scope="module")
def transcribed(data_dir):
    """The two real sessions without a WhisperX file, transcribed as `silkpipe run` does."""
    from silkpipe.speech import decode_wav
    from silkpipe.transcription import Settings, transcribe_audio
    from silkpipe.transcripts import extract_commands, parse_transcript

    out = {}
    for name in ("20251017_110929_session", "20251017_135233_session"):
        folder = data_dir / "sessions" / name
        audio = decode_wav((folder / "audio_16k.wav").read_bytes(), name)
        words = parse_transcript(transcribe_audio(audio, Settings()), session=name)
        out[name] = extract_commands(words).commands
    return out


def test_real_sessions_without_a_confirmable_offset_are_refused(data_dir, transcribed):
    from silkpipe.sessions import load_session

    reports = {}
    energy_only = AlignConfig(class_channel_weight=0.0)
    for name, commands in transcribed.items():
        motion = load_session(data_dir / "sessions" / name).motion()
        _, reports[name] = align_session(name, motion, commands, energy_only)
        assert reports[name].time_model == "arrival"
        assert reports[name].excluded
    assert "command(s) found" in reports["20251017_110929_session"].reason
    # on motion energy its best peak (strong enough to keep: AlignConfig.strong_keeps_peak)
    # is contradicted by the gesture words' classes; tiny.en's words differ with the CPU
    # threads CTranslate2 runs on (OMP_NUM_THREADS=1 hears others), and on those the class
    # evidence points elsewhere without deciding: either way the classes refuse it
    reason = reports["20251017_135233_session"].reason
    assert (
        "classes do not match the motion at that offset" in reason
        or "energy and class evidence point to different offsets" in reason
    ), reason


def test_class_channels_align_real_135233_where_the_other_sessions_classes_put_it(
    data_dir, transcribed
):
    """With jump, punch and turn words on their own channels (the default) 135233 fits within
    0.3 s of -0.14 s, the offset the class model of 143217 and 143627 gave it (README), at
    the gate's energy level; 110929 stays refused (2 commands). tiny.en's words differ by CPU
    (CTranslate2's kernels): where it hears 42 commands the session passes (quality 6.2),
    where 43 (an AMD EPYC with AVX-512, stop 44) the same offset scores 5.48 against the
    level 5.5 and is refused at that margin only."""
    from silkpipe.sessions import load_session

    reports = {}
    for name, commands in transcribed.items():
        motion = load_session(data_dir / "sessions" / name).motion()
        _, reports[name] = align_session(name, motion, commands)
    assert reports["20251017_110929_session"].excluded
    own = reports["20251017_135233_session"]
    assert own.offset_s == pytest.approx(-0.14, abs=0.3)
    assert own.quality > own.energy_level - 0.1, own.reason
    assert not own.excluded or "not by the margin the gate asks" in own.reason, own.reason
