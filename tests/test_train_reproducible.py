"""A training is a function of its inputs and settings: the same sessions, seed and settings
give the same model byte for byte, whatever ran before in the process (bench/notes/det50.txt:
two runs of the voice-path bench differed by up to .12 macro-F1 for the voice model because
Whisper heard one word otherwise, not because training drifted). The torch thread count is
a setting that changes the model (another summation order), so it keys a stored model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from silkpipe.dataset import session_stream
from silkpipe.sessions import Motion
from silkpipe.steps.train import keyed_settings
from silkpipe.training import TrainConfig, train

RATE = 50.0
SPANS = [
    (4.0, 5.0, "jump"),
    (9.0, 10.0, "punch"),
    (14.0, 15.0, "turn"),
    (19.0, 23.0, "walk"),
    (27.0, 31.0, "idle"),
    (35.0, 36.0, "noise"),
]


def _session(name: str, seed: int):
    """Noise motion with a burst of its own frequency under each label (a learnable set)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, 40, 1 / RATE)
    data = rng.normal(0, 0.3, (len(t), 13)).astype(np.float32)
    data[:, 10:13] = [0.0, 0.0, 1.0]  # gravity
    for k, (a, b, _) in enumerate(SPANS):
        on = (t >= a) & (t < b)
        data[on, k % 6] += np.sin(2 * np.pi * (k + 1) * t[on]).astype(np.float32) * 3
    motion = Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))
    return session_stream(name, motion, SPANS)


def _train(tmp_path, name: str, cfg: TrainConfig) -> dict:
    """The written model's tensors and its per-epoch history (the summary's times left out)."""
    streams = [_session("s1", 1), _session("s2", 2)]
    summary = train(streams, tmp_path / name, config=cfg, progress=False)
    weights = torch.load(tmp_path / name / "weights.pt", map_location="cpu")
    return {
        "weights": {k: v.numpy().tobytes() for k, v in weights.items()},
        "windows": summary["windows"],
        "val": summary["val_macro_f1"],
    }


def _cfg() -> TrainConfig:
    """Voice-labelled sessions' settings (unlabelled time as noise, refit), short."""
    return replace(TrainConfig(), max_epochs=2, min_epochs=2, min_epoch_windows=64)


def test_the_same_seed_trains_the_same_model_whatever_ran_before(tmp_path):
    before = torch.get_num_threads()
    try:
        first = _train(tmp_path, "a", _cfg())
        torch.set_num_threads(2)  # the caller's thread count: training sets its own
        np.random.rand(7), torch.rand(7)  # global generators drawn from in between
        second = _train(tmp_path, "b", _cfg())
    finally:
        torch.set_num_threads(before)
    assert first == second
    third = _train(tmp_path, "c", replace(_cfg(), seed=7))
    assert third["weights"] != first["weights"]  # the seed is what picks the draws


def test_the_thread_count_keys_a_model_only_when_not_the_default():
    """Published models were trained at one thread: their keys stay; another count trains
    another model, which is then not re-used as if it were the one-thread model."""
    assert "threads" not in keyed_settings(TrainConfig())
    assert keyed_settings(TrainConfig(threads=2))["threads"] == 2
    assert keyed_settings(TrainConfig(threads=2)) != keyed_settings(TrainConfig())
