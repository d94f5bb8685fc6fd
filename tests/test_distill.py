"""Knowledge distillation (TrainConfig.distill_*, silkpipe/distill.py): the written model
learns from its teachers' soft targets, keeps its body, and the config records it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from silkpipe.dataset import load_clip_streams, make_windows
from silkpipe.distill import distill_loss, soft_targets, teacher_seeds
from silkpipe.model import load_torch_model
from silkpipe.training import TrainConfig, train_windows
from tests.conftest import every_nth_clip


@pytest.fixture(scope="module")
def windows(data_dir: Path, tmp_path_factory):
    """Windows of every sixth real clip of clips-dev (all classes)."""
    folder = every_nth_clip(data_dir, tmp_path_factory.mktemp("clips"), 6)
    return make_windows(load_clip_streams(folder))


def _logits(windows, folder: Path, **settings) -> np.ndarray:
    cfg = replace(TrainConfig(max_epochs=2, min_epochs=1, noise_bias=0.0), **settings)
    train_windows(windows, folder, config=cfg, progress=False, export=False)
    x = torch.from_numpy(np.ascontiguousarray(windows.core()[:32], dtype=np.float32))
    with torch.no_grad():
        return load_torch_model(folder)(x).numpy()


def test_the_loss_mixes_hard_and_soft_terms_weighted_by_class():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 0.0]])
    hard = torch.tensor(1.3)
    same = torch.softmax(logits / 2.0, 1)  # the student's own tempered prediction: KL 0
    ones = torch.ones(2)
    assert distill_loss(hard, logits, same, ones, 0.5, 2.0).item() == pytest.approx(0.65)
    other = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert distill_loss(hard, logits, other, ones, 0.0, 2.0).item() == pytest.approx(1.3)
    log_q = torch.log_softmax(logits / 4.0, 1)
    kl_first = -log_q[0, 1].item()  # a one-hot target: KL = -log q(target)
    only_first = torch.tensor([3.0, 0.0])  # the second window's class weighs nothing
    got = distill_loss(hard, logits, other, only_first, 1.0, 4.0).item()
    assert got == pytest.approx(16 * kl_first, rel=1e-5)


def test_soft_targets_are_the_teachers_mean_tempered_softmax():
    a, b = torch.nn.Linear(3, 4), torch.nn.Linear(3, 4)
    x = torch.randn(5, 3)
    want = (torch.softmax(a(x) / 3.0, 1) + torch.softmax(b(x) / 3.0, 1)) / 2
    torch.testing.assert_close(soft_targets([a, b], x, 3.0), want.detach())
    assert 1337 not in teacher_seeds(1337, 4) and len(set(teacher_seeds(1337, 4))) == 4


def test_teachers_change_the_written_model_only_through_the_loss(windows, tmp_path):
    """Same seed and windows: teachers with weight 0 leave the model exactly as trained
    alone (they draw no random numbers); with weight 0.5 it changes; config.json says so."""
    alone = _logits(windows, tmp_path / "alone", distill_teachers=0)
    muted = _logits(windows, tmp_path / "muted", distill_teachers=2, distill_alpha=0.0)
    np.testing.assert_array_equal(muted, alone)
    taught = _logits(windows, tmp_path / "taught", distill_teachers=2, distill_alpha=0.5)
    assert np.abs(taught - alone).max() > 1e-3
    config = json.loads((tmp_path / "taught" / "config.json").read_text())
    assert config["train_config"]["distill_teachers"] == 2
    assert config["train_config"]["distill_alpha"] == 0.5
    assert config["model"] == TrainConfig().model_kwargs()  # the same body


def test_without_a_refit_the_validated_model_learns_from_teachers(windows, tmp_path):
    alone = _logits(windows, tmp_path / "alone", refit=False, distill_teachers=0)
    taught = _logits(windows, tmp_path / "taught", refit=False, distill_teachers=2)
    assert np.abs(taught - alone).max() > 1e-3


def test_the_train_command_sets_and_checks_the_distillation(tmp_path):
    from silkpipe.cli import build_parser
    from silkpipe.commands.train import _config
    from silkpipe.errors import InputError

    base = ["train", "--clips", str(tmp_path), "--out", str(tmp_path / "out")]
    args = build_parser().parse_args([*base, "--distill-teachers", "0"])
    assert _config(args).distill_teachers == 0
    args = build_parser().parse_args([*base, "--distill-temperature", "0"])
    with pytest.raises(InputError, match="distill_temperature"):
        _config(args)
