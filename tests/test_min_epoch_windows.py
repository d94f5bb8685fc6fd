"""TrainConfig.min_epoch_windows: a small training set drawn in whole passes up to it, so a
voice-labelled set of a few sessions gets enough steps an epoch (bench/notes/gap45.txt)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

import silkpipe.training as training
from silkpipe.dataset import FEATURE_NAMES, Windows
from silkpipe.steps.train import keyed_settings
from silkpipe.training import TrainConfig


def _windows(n: int) -> Windows:
    y = np.arange(n) % 3
    x = np.random.default_rng(0).normal(size=(n, 20, len(FEATURE_NAMES))).astype(np.float32)
    x[:, :, 6:9] = [0.0, 0.0, 1.0]  # gravity
    x[:, 0, 0] = np.arange(n)  # each window's index, read back from its batch
    return Windows(x, y, np.full(n, "g"), np.full(n, "s"), np.arange(n, dtype=float))


def _one_epoch(monkeypatch, n: int, cfg: TrainConfig) -> tuple[list[int], int]:
    """(indices of the windows one epoch drew, in order; optimiser steps it took)."""
    drawn: list[int] = []

    def record(xb, cfg, std, gen):
        drawn.extend(xb[:, 0, 0].long().tolist())
        return xb

    monkeypatch.setattr(training, "augment", record)
    fit = training._start_fit(_windows(n), cfg, torch.device("cpu"), 0, 1)
    training._epoch(fit, cfg)
    return drawn, fit.scheduler.last_epoch


def test_a_small_set_is_drawn_in_whole_passes_up_to_min_epoch_windows(monkeypatch):
    cfg = TrainConfig(min_epoch_windows=25, batch_size=5, conv=8, hidden=4, blocks=1)
    drawn, steps = _one_epoch(monkeypatch, 10, cfg)
    assert len(drawn) == 25 and steps == 5  # not one pass of 10 windows in 2 steps
    assert sorted(drawn[:10]) == sorted(drawn[10:20]) == list(range(10))  # whole passes
    assert len(set(drawn[20:])) == 5  # the last pass cut short, no window twice


def test_a_set_larger_than_min_epoch_windows_is_drawn_once(monkeypatch):
    cfg = TrainConfig(min_epoch_windows=8, batch_size=5, conv=8, hidden=4, blocks=1)
    drawn, steps = _one_epoch(monkeypatch, 12, cfg)
    assert sorted(drawn) == list(range(12)) and steps == 3


def test_voice_sessions_alone_train_longer_epochs_clips_keep_theirs():
    session, clip = SimpleNamespace(kind="session"), SimpleNamespace(kind="clip")
    assert training.for_streams(TrainConfig(), [session]).min_epoch_windows == 512
    assert training.for_streams(TrainConfig(), [clip]).min_epoch_windows == 0
    assert training.for_streams(TrainConfig(), [session, clip]).min_epoch_windows == 0
    assert training.preset("within-day").min_epoch_windows == 0  # the named preset unchanged


def test_min_epoch_windows_is_keyed_only_when_set():
    """At 0 a model trains as before, so published clip models keep their keys."""
    assert "min_epoch_windows" not in keyed_settings(TrainConfig())
    assert keyed_settings(TrainConfig(min_epoch_windows=512))["min_epoch_windows"] == 512
