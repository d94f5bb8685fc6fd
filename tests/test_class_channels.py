"""Class channels in the offset search: each gesture word predicts its own kind of motion."""

from __future__ import annotations

import numpy as np
import pytest

from silkpipe.alignment import AlignConfig, align_session, predicted_profile
from silkpipe.class_channels import CHANNEL_OF, channel_signals
from silkpipe.gate import gate_verdict
from silkpipe.sessions import Motion
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command

RATE = 50.0
ENERGY = AlignConfig(class_channel_weight=0.0)  # the energy-only search
CHANNELS = AlignConfig(class_channel_weight=0.75)  # with class channels (dev's choice)


def play_session(seed: int, offset_s: float, duration: float = 90.0):
    """Gravity along z; jumps push along it, turns spin about it, punches push across it.
    Three bursts in four are unspoken filler of the same strength (a swing about a
    horizontal axis with a sideways push), so any burst fits plain energy."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration * RATE)) / RATE
    data = np.zeros((len(t), 13), np.float32)
    data[:, 0:6] = rng.normal(0, 0.15, (len(t), 6))
    data[:, 6] = data[:, 12] = 1.0
    axis = {"jump": 2, "turn": 5, "punch": 0}
    commands = []
    now = 4.0
    while now < duration - 6:
        seg = (t >= now - 0.25) & (t < now + 0.25)
        if rng.random() < 0.75:
            data[seg, 3] += rng.choice([-1, 1]) * 5.0
            data[seg, 1] += rng.choice([-1, 1]) * 4.0
        else:
            cls = str(rng.choice(["jump", "turn", "punch"]))
            data[seg, axis[cls]] += rng.choice([-1, 1]) * 6.0
            said = now - 0.3 - offset_s + rng.normal(0, 0.2)
            commands.append(Command(cls, said, said + 0.3, cls, 0.9))
        now += rng.uniform(0.8, 2.0)
    return Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool)), commands


@pytest.mark.parametrize("seed", [2, 3])
def test_words_on_their_own_kind_of_motion_pass_where_energy_cannot_tell(seed):
    motion, commands = play_session(seed, offset_s=3.0)
    _, energy = align_session("s", motion, commands, ENERGY)
    _, classes = align_session("s", motion, commands, CHANNELS)
    assert energy.excluded and energy.quality < 3.0  # filler bursts fit energy as well
    assert not classes.excluded and classes.quality > 10.0
    assert classes.offset_s == pytest.approx(3.0, abs=0.2)
    # the shuffled-audio control: another session's words stay refused
    _, other = play_session(seed + 100, offset_s=3.0)
    _, control = align_session("c", motion, other, CHANNELS)
    assert control.excluded and control.quality < 3.0


def test_each_event_class_predicts_a_bump_on_its_own_channel():
    times = np.array([1.0, 3.0, 5.0, 7.0])
    classes = ["jump", "turn", "punch", "walk"]
    start, flat = predicted_profile(times, classes, RATE, ENERGY)
    assert flat.ndim == 1  # energy only: one channel, as before
    start2, split = predicted_profile(times, classes, RATE, AlignConfig(class_channel_weight=1.0))
    assert start2 == start and split.shape == (len(flat), 4)
    for t, cls in zip(times[:3], classes[:3], strict=True):
        at = int(round((t - start) * RATE))
        assert np.argmax(split[at]) == CHANNEL_OF[cls]
    # walk stays on energy; with weight 1 the energy column holds the states alone
    walk_at = int(round((8.0 - start) * RATE))
    assert split[walk_at, 0] > split[-1, 0] - 1e-9 > split[0, 0]
    np.testing.assert_allclose(split[walk_at, 1:], split[-1, 1:])
    np.testing.assert_allclose(split.sum(axis=1), flat, atol=1e-9)


def test_residual_channels_carry_no_energy():
    motion, _ = play_session(2, offset_s=0.0)
    from silkpipe.alignment import motion_signal

    energy = motion_signal(motion, 0.3)
    stack = channel_signals(motion, energy, 0.3, residual=True)
    for k in range(1, 4):
        assert abs(np.corrcoef(stack[:, 0], stack[:, k])[0, 1]) < 1e-6
    raw = channel_signals(motion, energy, 0.3, residual=False)
    assert max(np.corrcoef(raw[:, 0], raw[:, k])[0, 1] for k in range(1, 4)) > 0.3


def test_signature_route_is_closed_when_the_search_used_class_channels():
    """The signature test is independent of an energy-only search, not of one that already
    put jump words on pushes and turn words on spins."""
    sig = SignatureTest(statistic=1.0, p_value=0.005, jumps=5, turns=5)
    assert gate_verdict(2.0, 0.02, sig, ENERGY) == (False, "class signature")
    at_chance, _ = gate_verdict(2.0, 0.02, sig, CHANNELS)
    assert at_chance


def test_class_channels_lift_the_gate_quality_levels():
    """Words of the right kind also turn up at wrong offsets, and the gap shuffles do not
    hold that: with class channels the gate asks for more quality."""
    sig = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
    cfg = CHANNELS
    level = cfg.min_quality + cfg.class_channel_lift
    assert gate_verdict(cfg.min_quality + 0.1, 0.02, sig, ENERGY) == (False, "energy")
    assert gate_verdict(cfg.min_quality + 0.1, 0.02, sig, cfg)[0]
    assert gate_verdict(level + 0.1, 0.02, sig, cfg) == (False, "energy")
    # a rate-fitted session needs a class route below the lifted sure level
    sure = cfg.sure_quality + cfg.class_channel_lift
    assert gate_verdict(sure - 0.1, 0.02, sig, cfg, rate_fitted=True)[0]
    assert gate_verdict(sure + 0.1, 0.02, sig, cfg, rate_fitted=True) == (False, "energy")


MAX = AlignConfig(class_channel_weight=0.75, class_channel_max=True)  # the better search


@pytest.fixture(scope="module")
def sample_session(tmp_path_factory):
    """A sample-generator session (exact words, no clips) whose turns spin about the
    watch's own axis, not about gravity: energy alone aligns it, class channels do not."""
    import json

    from silkpipe.sessions import read_sensor_csv, resample
    from silkpipe.synth import generate
    from silkpipe.transcripts import extract_commands, parse_transcript
    from silkpipe.voice_score import oracle_transcript

    root = tmp_path_factory.mktemp("sample")
    generate(root, sessions=1, seed=11, duration=90, clips_per_class=0)
    folder = next((root / "sessions").iterdir())
    truth = json.loads((folder / "truth.json").read_text())
    motion = resample(read_sensor_csv(folder / "sensor_data.csv", session=folder.name))
    commands = extract_commands(parse_transcript(oracle_transcript(truth))).commands
    return motion, commands, truth["offset_s"]


def test_the_better_search_passes_a_session_only_energy_aligns(sample_session):
    motion, commands, offset = sample_session
    _, energy = align_session("s", motion, commands, ENERGY)
    _, channels = align_session("s", motion, commands, CHANNELS)
    _, best = align_session("s", motion, commands, MAX)
    assert not energy.excluded and energy.offset_s == pytest.approx(offset, abs=0.3)
    assert channels.excluded  # the class channels' physics does not hold here
    assert not best.excluded and best.offset_s == pytest.approx(offset, abs=0.3)


def test_every_shuffle_gets_the_same_max_over_the_searches(sample_session):
    """The combined quality is a z over the shuffles' best over both searches, not over
    either search's own shuffles: trying two searches does not lift the chance level."""
    from dataclasses import replace

    from silkpipe.alignment import _hypothesis_fit, offset_fit, search_signal

    motion, commands, _ = sample_session
    signal = search_signal(motion, MAX)
    energy = _hypothesis_fit(signal[:, 0], motion, commands, replace(MAX, class_channel_weight=0.0))
    channels = _hypothesis_fit(signal, motion, commands, MAX)
    assert not energy.class_channels and channels.class_channels
    fit = offset_fit(signal, motion, commands, MAX)
    null = np.maximum(energy.null_quality, channels.null_quality)
    best = max(energy, channels, key=lambda f: f.quality)
    assert fit.offset_s == best.offset_s and fit.class_channels == best.class_channels
    assert fit.quality == pytest.approx((best.quality - null.mean()) / null.std())
    np.testing.assert_allclose(fit.null_quality, (null - null.mean()) / null.std())
    assert np.any(null > best.null_quality)  # the other search's shuffles do count


def test_the_signature_route_reopens_where_the_energy_search_won():
    sig = SignatureTest(statistic=1.0, p_value=0.005, jumps=5, turns=5)
    assert gate_verdict(2.5, 0.02, sig, MAX, class_channels=False) == (False, "class signature")
    assert gate_verdict(2.5, 0.02, sig, MAX, class_channels=True)[0]
    assert gate_verdict(2.5, 0.02, sig, CHANNELS)[0]  # the config's search: class channels


def test_the_better_search_has_its_own_gate_lift():
    sig = SignatureTest(statistic=0.0, p_value=1.0, jumps=0, turns=0, testable=False)
    cfg = replace_cfg(MAX, class_channel_lift=9.0, class_max_lift=1.0)
    level = cfg.min_quality + 1.0 - cfg.energy_allowance  # where energy alone passes
    assert gate_verdict(level + 0.1, 0.02, sig, cfg, class_channels=True) == (False, "energy")
    assert gate_verdict(level - 0.1, 0.02, sig, cfg, class_channels=False)[0]


def replace_cfg(cfg: AlignConfig, **changes) -> AlignConfig:
    from dataclasses import replace

    return replace(cfg, **changes)
