"""Offset estimation, labels and the label-quality gate."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from silkpipe.alignment import (
    AlignConfig,
    Interval,
    align_session,
    event_bursts,
    event_peaks,
    label_intervals,
    motion_consistent_states,
    predicted_profile,
)
from silkpipe.sessions import Motion, load_session
from silkpipe.transcripts import Command, extract_commands, load_transcript

RATE = 50.0


def make_session(seed: int, offset_s: float, duration: float = 240.0, jitter: float = 0.08):
    """Motion with gesture bursts at known IMU times, and commands heard on the audio clock."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration * RATE)) / RATE
    data = np.zeros((len(t), 13), np.float32)
    data[:, 0:6] = rng.normal(0, 0.15, (len(t), 6))
    data[:, 6] = 1.0
    data[:, 12] = 1.0
    commands, truth = [], []
    now = 5.0
    while now < duration - 10:
        cls = rng.choice(["jump", "punch", "turn", "walk", "idle"])
        if cls in ("walk", "idle"):
            length = rng.uniform(4, 9)
            if cls == "walk":
                seg = (t >= now) & (t < now + length)
                data[seg, 1] += 1.5 * np.sin(2 * np.pi * 2 * t[seg])
            truth.append((now, now + length, cls))
            said = now
            now += length
        else:
            seg = (t >= now - 0.3) & (t < now + 0.3)
            data[seg, 0:6] += rng.normal(0, 3.0, (seg.sum(), 6))
            truth.append((now - 0.5, now + 0.5, cls))
            said = now - 0.3  # the word comes as the gesture starts, before its peak
            now += rng.uniform(1.5, 4.0)
        audio_time = said - offset_s + rng.normal(0, jitter)
        commands.append(Command(str(cls), audio_time, audio_time + 0.3, str(cls), 0.9))
    motion = Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))
    return motion, commands, truth


@pytest.mark.parametrize("offset", [-19.5, -7.3, 0.0, 3.1, 12.04, 19.9])
def test_recovers_injected_offset(offset):
    motion, commands, _ = make_session(seed=int(abs(offset) * 10), offset_s=offset)
    _, report = align_session("synthetic", motion, commands)
    assert report.offset_s == pytest.approx(offset, abs=0.1)
    assert not report.excluded
    assert report.quality > 3.0
    assert report.offset_confidence > 3.0


def test_commands_from_another_session_are_excluded():
    """The shuffled-audio control: another session's commands never pass the gate."""
    motion, _, _ = make_session(seed=1, offset_s=4.0)
    _, other_commands, _ = make_session(seed=2, offset_s=4.0)
    _, report = align_session("control", motion, other_commands)
    assert report.excluded
    assert "no better than shuffled" in report.reason
    _, kept = align_session("control", motion, other_commands, keep_refused=True)
    assert not kept.excluded and "kept although refused" in kept.reason


def test_too_few_commands_is_excluded_with_reason():
    motion, commands, _ = make_session(seed=3, offset_s=0.0)
    intervals, report = align_session("few", motion, commands[:2])
    assert intervals == [] and report.excluded and "only 2 command(s)" in report.reason


def test_labels_events_states_and_unlabelled_time():
    cmds = [
        Command("walk", 10.0, 10.3, "walk", 0.9),
        Command("jump", 12.0, 12.2, "jump", 0.9),
        Command("punch", 12.6, 12.8, "punch", 0.9),
        Command("idle", 14.0, 14.2, "idle", 0.9),
        Command("walk", 60.0, 60.2, "walk", 0.9),
    ]
    cfg = AlignConfig(
        state_label_s=15.0,
        word_to_peak_s=0.0,
        event_lead_s=0.3,
        event_window_s=1.0,
        punch_window_s=1.0,
    )
    ivs = label_intervals(cmds, offset_s=2.0, span=(0.0, 70.0), cfg=cfg)
    # no overlaps, sorted
    for a, b in zip(ivs, ivs[1:], strict=False):
        assert a.end <= b.start + 1e-9
    got = [(round(i.start, 2), round(i.end, 2), i.label) for i in ivs]
    assert got == [
        (12.0, 13.7, "walk"),  # walk until the jump window (cut, not overlapping)
        (13.7, 14.5, "jump"),  # jump and punch windows split at the midpoint
        (14.5, 15.3, "punch"),
        (16.0, 31.0, "idle"),  # idle capped at state_label_s: the rest is unlabelled
        (62.0, 70.0, "walk"),  # clipped to the IMU span
    ]
    # time before the first command and between idle and walk stays unlabelled
    assert not any(i.start < 12.0 for i in ivs)
    assert not any(31.0 < i.start < 62.0 for i in ivs)


def test_event_labels_start_shortly_before_the_motion_peak_after_the_word():
    cmds = [Command("jump", 10.0, 10.3, "jump", 0.9)]
    (iv,) = label_intervals(cmds, 1.0, (0.0, 60.0), AlignConfig(word_to_peak_s=0.3))
    assert (round(iv.start, 2), round(iv.end, 2)) == (11.05, 11.9)  # peak at 11.3


def test_event_labels_cover_the_core_of_each_class_gesture():
    """Labels cover what a gesture nearly always holds around its peak, not the motion
    beside it: a punch (the shortest gesture) gets a shorter window than a jump or a turn,
    and a punch right after a jump splits their overlap, even when it lies inside the
    jump's window."""
    cfg = AlignConfig(word_to_peak_s=0.0, event_window_s=0.7, punch_window_s=0.5, event_lead_s=0.2)
    cmds = [
        Command(cls, t, t + 0.2, cls, 0.9)
        for t, cls in [
            (10.0, "jump"),
            (20.0, "turn"),
            (30.0, "punch"),
            (40.0, "jump"),
            (40.1, "punch"),
        ]
    ]
    got = [
        (round(iv.start, 2), round(iv.end, 2), iv.label)
        for iv in label_intervals(cmds, 0.0, (0.0, 60.0), cfg)
    ]
    assert got == [
        (9.8, 10.5, "jump"),
        (19.8, 20.5, "turn"),
        (29.8, 30.3, "punch"),
        (39.8, 40.15, "jump"),
        (40.15, 40.4, "punch"),
    ]


def test_event_labels_stop_where_the_gesture_burst_does():
    """A jump whose label window reaches past its burst onto the (weaker) walking after it
    is cut to the burst; a label on steady motion keeps its window."""
    motion = _still_motion(30.0)
    jump = (motion.t >= 10.0) & (motion.t < 10.4)
    motion.data[jump, 0] += 15.0
    walking = (motion.t >= 10.4) & (motion.t < 20.0)
    motion.data[walking, 0] += 3.0 * np.sin(2 * np.pi * 2 * motion.t[walking])
    labels = [Interval(9.8, 10.9, "jump"), Interval(12.0, 12.8, "turn"), Interval(9.0, 9.8, "idle")]
    got = event_bursts(labels, motion, AlignConfig())
    (cut,) = [iv for iv in got if iv.label == "jump"]
    assert 9.8 <= cut.start < 10.0 and 10.4 <= cut.end <= 10.6
    assert Interval(12.0, 12.8, "turn") in got and Interval(9.0, 9.8, "idle") in got
    assert event_bursts(labels, motion, AlignConfig(event_burst_share=None)) == labels


def test_a_one_word_noise_label_can_be_cut_to_its_burst_but_a_narrated_run_is_not():
    """A noise word's window reaching past a short movement onto stillness is cut to the
    movement; a run of noise words (one long label) and, without noise_burst_share, every
    noise label keep their extent."""
    motion = _still_motion(30.0)
    fidget = (motion.t >= 10.1) & (motion.t < 10.3)
    motion.data[fidget, 0] += 4.0
    labels = [Interval(9.8, 10.6, "noise"), Interval(9.0, 16.0, "noise")]
    got = event_bursts(labels, motion, AlignConfig(noise_burst_share=0.3))
    assert 9.9 <= got[0].start < 10.1 and 10.3 < got[0].end <= 10.5
    assert got[1] == labels[1]
    assert event_bursts(labels, motion, AlignConfig()) == labels  # the default keeps them


def test_state_labels_end_after_the_gesture_not_at_the_next_command():
    """Between commands a player moves without saying so: a walk said at 4 s labels about
    one walk gesture, even when walking goes on (unnamed) until the next command at 20 s."""
    motion = _still_motion(30.0)
    moving = (motion.t >= 4.0) & (motion.t < 19.0)
    motion.data[moving, 0] += 6.0 * np.sin(2 * np.pi * 2 * motion.t[moving])
    cmds = [Command("walk", 4.0, 4.3, "walk", 0.9), Command("idle", 20.0, 20.3, "idle", 0.9)]
    cfg = AlignConfig()
    ivs = motion_consistent_states(label_intervals(cmds, 0.0, (0.0, 30.0), cfg), motion, cfg)
    got = [(round(iv.start, 2), round(iv.end, 2), iv.label) for iv in ivs]
    assert got == [(4.0, 6.0, "walk"), (20.0, 22.0, "idle")]
    long = AlignConfig(state_label_s=15.0)
    ivs = motion_consistent_states(label_intervals(cmds, 0.0, (0.0, 30.0), long), motion, long)
    assert [iv for iv in ivs if iv.label == "walk"][0].end > 18.0  # as the old labels did


def _still_motion(duration: float = 30.0) -> Motion:
    t = np.arange(int(duration * RATE)) / RATE
    data = np.zeros((len(t), 13), np.float32)
    data[:, 0:6] = np.random.default_rng(0).normal(0, 0.05, (len(t), 6))
    data[:, 6] = data[:, 12] = 1.0
    return Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))


def test_event_labels_snap_to_motion_and_drop_words_without_motion():
    motion = _still_motion()
    burst = (motion.t >= 10.2) & (motion.t < 10.6)  # one gesture, peak near 10.4
    motion.data[burst, 0:3] += 6.0
    cmds = [
        Command("jump", 10.0, 10.2, "jump", 0.9),  # said 0.1 s later than usual
        Command("punch", 20.0, 20.2, "punch", 0.9),
    ]  # nothing moved here
    cfg = AlignConfig(word_to_peak_s=0.3)
    peaks = event_peaks(cmds, 0.0, motion, cfg)
    assert peaks[0] == pytest.approx(10.4, abs=0.12) and peaks[1] is None
    (iv,) = label_intervals(cmds, 0.0, (0.0, 30.0), cfg, peaks)
    assert iv.label == "jump" and iv.start < 10.3 < iv.end
    # a word Whisper itself doubted gets no label either
    doubted = [Command("jump", 10.0, 10.2, "jump", 0.03)]
    assert event_peaks(doubted, 0.0, motion, cfg) == [None]
    # without snapping both words are labelled where the offset puts them
    no_snap = AlignConfig(word_to_peak_s=0.3, snap_s=0.0)
    assert (
        len(
            label_intervals(
                cmds, 0.0, (0.0, 30.0), no_snap, event_peaks(cmds, 0.0, motion, no_snap)
            )
        )
        == 2
    )


def test_turn_labels_centre_on_the_spin_about_gravity_not_the_hardest_motion():
    """Next to a turn in play the wrist swings as hard (walking, fidgeting) but does not
    spin about the vertical: a turn word snaps to the spin, a jump word to the energy."""
    motion = _still_motion()
    swing = (motion.t >= 10.0) & (motion.t < 10.2)  # hard, about a horizontal axis
    motion.data[swing, 0:2] += 4.0
    motion.data[swing, 3] += 6.0
    spin = (motion.t >= 10.5) & (motion.t < 10.7)  # softer, about gravity (z here)
    motion.data[spin, 5] += 4.0
    cmds = [Command("turn", 10.0, 10.2, "turn", 0.9), Command("jump", 10.0, 10.2, "jump", 0.9)]
    cfg = AlignConfig(word_to_peak_s=0.3)
    turn, jump = event_peaks(cmds, 0.0, motion, cfg)
    assert turn == pytest.approx(10.6, abs=0.1) and jump == pytest.approx(10.1, abs=0.1)
    by_energy = event_peaks(
        cmds, 0.0, motion, AlignConfig(word_to_peak_s=0.3, turn_snap_spin=False)
    )
    assert by_energy[0] == pytest.approx(10.1, abs=0.1)


REAL = ("20251017_143217_session", "20251017_143627_session")


@pytest.fixture(scope="module")
def real_aligned(data_dir):
    """align_session on the real voice sessions, each (motion, words, config) computed once
    in this module: the gate test and the word-swap controls share the 143627 own-words run
    (deterministic: the shuffles are drawn from cfg.seed, the name is only reported)."""
    data = {}
    for name in REAL:
        session = load_session(data_dir / "sessions" / name)
        words = extract_commands(load_transcript(session.transcript_path)).commands
        data[name] = (session, words)
    done: dict[tuple[str, str, int, str], tuple] = {}  # AlignConfig is unhashable: its repr

    def aligned(motion_of: str, words_of: str, cfg: AlignConfig, shift_s: int = 0):
        key = (motion_of, words_of, shift_s, repr(cfg))
        if key not in done:
            words = data[words_of][1]
            if shift_s:
                words = [replace(c, start=c.start + shift_s, end=c.end + shift_s) for c in words]
            done[key] = align_session(motion_of, data[motion_of][0].motion(), words, cfg)
        return done[key]

    aligned.sessions = {name: session for name, (session, _) in data.items()}
    return aligned


def test_gate_verdicts_on_real_sessions(real_aligned):
    """Our real voice sessions with a WhisperX transcript, on the rebuilt count clock: both
    line up at the offsets found by hand (issue 23: -0.9 s and +2.7 s, clock factor about
    0.99) and pass the gate; the report says what was used and what stays unlabelled.
    With class channels in the search (the default) 143217 on its own is refused: its
    quality is below their lifted level and the class-signature route that passed it is
    closed then (not independent of that search); in a run the session-class model passes
    it (bench/notes/class_channels.txt)."""
    expected = {"20251017_143217_session": 2.7, "20251017_143627_session": -0.9}
    energy_only, channels = AlignConfig(class_channel_weight=0.0), AlignConfig()
    for name, offset in expected.items():
        session = real_aligned.sessions[name]
        for cfg in (energy_only, channels):
            intervals, report = real_aligned(name, name, cfg)
            assert intervals
            assert report.time_model == "count"
            assert report.offset_s == pytest.approx(offset, abs=0.5)
            assert 0.97 <= report.clock_scale <= 1.03
            if cfg is energy_only or name.endswith("143627_session"):
                assert not report.excluded, report.reason
            else:
                assert report.excluded and report.gate == "at chance"
            assert max(iv.end for iv in intervals) <= session.motion().t[-1] + 1e-6
    # 143627: 600 s of audio, about 200 s of watch time; most of its words stay unlabelled
    assert report.unlabelled_commands > 300
    assert 190 < report.labelled_audio_s[1] < 215


def test_real_session_words_on_other_motion_are_refused(real_aligned):
    """Controls on the real sessions: one session's words on the other's motion, and a
    session's own words moved 40 s (outside the offset search), are all excluded."""
    first, second = REAL
    default = AlignConfig()
    for motion_of, words_of, shift_s in (
        (first, second, 0),
        (second, first, 0),
        (second, second, 40),
    ):
        _, report = real_aligned(motion_of, words_of, default, shift_s)
        assert report.excluded, report
    _, own = real_aligned(second, second, default)  # the same motion with its own words passes
    assert not own.excluded


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Sessions from the sample-data generator at known offsets across ±20 s."""
    from silkpipe.synth import generate

    out = {}
    for i, offset in enumerate([-18.0, -6.5, 0.0, 7.25, 19.0]):
        folder = tmp_path_factory.mktemp(f"gen{i}")
        summary = generate(
            folder, sessions=1, offset_s=offset, seed=100 + i, clips_per_class=0, duration=240
        )
        out[offset] = folder / "sessions" / summary["sessions"][0]
    return out


def test_recovers_offset_on_generated_sessions(generated):
    """Command onsets as spoken (truth.json, audio clock) -> the injected clock offset ±0.1 s."""
    import json

    for offset, folder in generated.items():
        truth = json.loads((folder / "truth.json").read_text())
        assert truth["offset_s"] == pytest.approx(offset)
        commands = [
            Command(c["class"], c["audio_start"], c["audio_end"], c["text"], 0.9)
            for c in truth["commands"]
        ]
        session = load_session(folder)
        _, report = align_session(session.name, session.motion(), commands)
        assert report.offset_s == pytest.approx(offset, abs=0.1), (offset, report)
        assert not report.excluded


def test_generated_sessions_with_swapped_commands_are_excluded(generated):
    """Control: one generated session's commands against another's motion fail the gate."""
    import json

    folders = list(generated.values())
    pairs = [(m, w) for m in folders for w in folders if m != w]
    for motion_folder, words_folder in pairs:  # with the all-command z alone one passed
        truth = json.loads((words_folder / "truth.json").read_text())
        commands = [
            Command(c["class"], c["audio_start"], c["audio_end"], c["text"], 0.9)
            for c in truth["commands"]
        ]
        session = load_session(motion_folder)
        _, report = align_session(session.name, session.motion(), commands)
        assert report.excluded, report


def test_a_session_of_one_spoken_class_says_so_when_excluded():
    motion = _still_motion(60.0)
    cmds = [Command("noise", t, t + 0.3, "noise", 0.9) for t in (5.0, 11.0, 18.0, 24.0, 31.0)]
    _, report = align_session("noise-only", motion, cmds)
    assert report.excluded
    assert "every command is 'noise'" in report.reason
    assert report.offset_s is None  # nothing to line the words up with: no made-up offset


def test_noise_words_predict_no_motion():
    """Noise is any motion (a still baseline or fidgeting): as one hypothesis its words add
    nothing to the energy the commands predict. A bump per noise word cost two right-aligned
    semi-real sessions with a still noise recording their place above the gate (3.1, 3.9 <
    4.0). (The other hypothesis, a bump, is what the sample generator's sessions need: the
    perfect-transcriber test in test_voice_score.)"""
    times = np.array([3.0, 5.0, 9.0, 12.0])
    cfg = AlignConfig(class_channel_weight=0.0)  # one energy profile
    start, with_noise = predicted_profile(times, ["jump", "noise", "noise", "punch"], RATE, cfg)
    start2, without = predicted_profile(times[[0, 3]], ["jump", "punch"], RATE, cfg)
    assert start == start2
    np.testing.assert_allclose(with_noise, without, atol=1e-9)
    _, bumps = predicted_profile(
        times, ["jump", "noise", "noise", "punch"], RATE, cfg, noise_bump=True
    )
    assert not np.allclose(bumps, without)
    # ... and a noise word ends the walk before it either way
    _, walk = predicted_profile(np.array([1.0, 4.0, 12.0]), ["walk", "noise", "jump"], RATE, cfg)
    grid = np.arange(len(walk)) / RATE + 1.0 - 3 * cfg.bump_sigma_s
    assert walk[(grid > 1.5) & (grid < 3.5)].min() > walk[(grid > 5) & (grid < 10)].max()


def test_a_run_of_noise_words_labels_one_noise_stretch():
    """Players narrate noise by repeating the word; the time between is noise too, but a
    lone noise word, or one after a long pause or another command, keeps its 2 s window,
    and a gesture said at the start of a run keeps its own window."""
    cfg = AlignConfig(
        word_to_peak_s=0.0,
        noise_window_s=2.0,
        event_lead_s=0.3,
        event_window_s=1.0,
        noise_run_words=2,
    )
    said = [
        (10.0, "noise"),
        (14.0, "noise"),
        (19.5, "noise"),
        (40.0, "noise"),
        (45.0, "jump"),
        (47.0, "noise"),
        (52.5, "jump"),
        (52.9, "noise"),
        (59.0, "noise"),
    ]
    cmds = [Command(cls, t, t + 0.3, cls, 0.9) for t, cls in said]
    got = [
        (round(iv.start, 2), round(iv.end, 2), iv.label)
        for iv in label_intervals(cmds, 0.0, (0.0, 70.0), cfg)
    ]
    assert got == [
        (9.0, 20.5, "noise"),
        (39.0, 41.0, "noise"),
        (44.7, 45.7, "jump"),
        (46.0, 48.0, "noise"),
        (51.9, 52.2, "noise"),
        (52.2, 53.2, "jump"),
        (53.2, 60.0, "noise"),
    ]


def test_only_a_long_run_of_noise_words_joins_into_one_stretch():
    """By default two or three noise words close together keep a window each (the motion
    between them may be unnamed); four or more in a row are one narrated stretch. The
    window is centred noise_centre_s after the word when that is set."""
    cfg = AlignConfig(noise_window_s=0.8, noise_centre_s=0.2)
    said = [2.0, 4.0, 6.0, 20.0, 21.5, 23.0, 24.5, 26.0]
    cmds = [Command("noise", t, t + 0.3, "noise", 0.9) for t in said]
    got = [
        (round(iv.start, 2), round(iv.end, 2))
        for iv in label_intervals(cmds, 0.0, (0.0, 40.0), cfg)
    ]
    assert got == [(1.8, 2.6), (3.8, 4.6), (5.8, 6.6), (19.8, 26.6)]
    # the previous default joined any two: the first three words became one stretch
    joined = label_intervals(cmds, 0.0, (0.0, 40.0), replace(cfg, noise_run_words=2))
    assert (round(joined[0].start, 2), round(joined[0].end, 2)) == (1.8, 6.6)


def test_walk_and_idle_labels_keep_only_the_time_their_motion_agrees_with():
    motion = _still_motion(30.0)
    moving = (motion.t >= 4.0) & (motion.t < 8.0)  # walking from 4 to 8 s, still otherwise
    motion.data[moving, 0] += 6.0 * np.sin(2 * np.pi * 2 * motion.t[moving])
    spoken = [Interval(2.0, 10.0, "walk"), Interval(10.0, 20.0, "idle"), Interval(5.0, 6.0, "jump")]
    got = motion_consistent_states(spoken, motion, AlignConfig())
    walk = [iv for iv in got if iv.label == "walk"]
    assert len(walk) == 1 and 3.6 < walk[0].start < 4.4 and 7.6 < walk[0].end < 8.4
    assert [(iv.start, iv.end) for iv in got if iv.label == "idle"] == [(10.0, 20.0)]
    assert Interval(5.0, 6.0, "jump") in got  # gestures are not states: untouched
    assert motion_consistent_states(spoken, motion, AlignConfig(still_energy=None)) == spoken


def test_real_sessions_with_the_clip_model_pass_and_their_controls_are_refused(data_dir):
    """The clip-trained class model (clips-dev, recorded two days later) keeps both real
    sessions with a transcript at their offsets, and refuses their word-swap controls."""
    from dataclasses import replace

    from silkpipe.clip_evidence import clip_model_from_folder

    model = clip_model_from_folder(data_dir / "clips-dev")
    data = {}
    for name, offset in (("20251017_143217_session", 2.7), ("20251017_143627_session", -0.9)):
        session = load_session(data_dir / "sessions" / name)
        words = extract_commands(load_transcript(session.transcript_path)).commands
        _, report = align_session(name, session.motion(), words, clip_model=model)
        assert not report.excluded and report.class_model == "clips", report.reason
        assert report.offset_s == pytest.approx(offset, abs=0.5)
        data[name] = (session.motion(), words)
    (m1, w1), (m2, w2) = data.values()
    late = [replace(c, start=c.start + 40, end=c.end + 40) for c in w2]
    for motion, words in ((m1, w2), (m2, w1), (m2, late)):
        _, report = align_session("control", motion, words, clip_model=model)
        assert report.excluded, report


def test_a_refusal_above_chance_does_not_say_no_better_than_shuffled():
    """Energy that beats the shuffles (small p) but not by the gate's margin is refused
    with that said, not as 'no better than shuffled commands'."""
    from silkpipe.gate import _weak_energy, gate_levels

    cfg = gate_levels(AlignConfig())
    weak = _weak_energy(cfg.min_quality - 0.2, 0.02, cfg)
    assert "better than shuffled commands (p=0.02), but not by the margin" in weak
    assert "no better than shuffled" in _weak_energy(1.0, 0.4, cfg)


def test_the_event_stage_takes_the_events_lag_where_it_lies_beyond_the_plateaus_reach():
    """The all-command fit's lag (plateaus weigh most there) is refined by the events within
    refine_s; where the events' own best lag lies farther away, it is theirs that is kept
    (no class choice here: class_weight 0)."""
    from silkpipe.alignment import _event_stage, search_signal

    motion, commands, _ = make_session(seed=7, offset_s=2.0)
    cfg = replace(AlignConfig(), class_weight=0.0)
    signal = search_signal(motion, cfg)
    times, classes = np.array([c.start for c in commands]), [c.cls for c in commands]
    right = 2.0 + cfg.word_to_peak_s
    near = _event_stage(signal, motion, times, classes, cfg, right + 1.0, None, None)[2]
    far = _event_stage(signal, motion, times, classes, cfg, right + 12.0, None, None)[2]
    assert near == pytest.approx(right, abs=0.1)
    assert far == pytest.approx(right, abs=0.1)
