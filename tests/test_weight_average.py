"""TrainConfig.weight_average: the exported model holds the averaged weights (EMA or SWA),
with BatchNorm statistics re-estimated for them; bad settings are clear config errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import silkpipe.training as training
from silkpipe.commands import check_config
from silkpipe.dataset import load_clip_streams, make_windows
from silkpipe.errors import InputError
from silkpipe.model import Predictor, load_torch_model
from silkpipe.training import TrainConfig, train_windows
from tests.conftest import every_nth_clip


@pytest.fixture(scope="module")
def windows(data_dir: Path, tmp_path_factory):
    """Windows of every fifth real clip: enough for a few quick epochs."""
    folder = every_nth_clip(data_dir, tmp_path_factory.mktemp("clips"), 5)
    return make_windows(load_clip_streams(folder))


def _train_recording_epochs(windows, out: Path, cfg: TrainConfig, monkeypatch) -> list[dict]:
    """Train (no refit) and return the model's parameters after every epoch."""
    real_epoch, seen = training._epoch, []

    def recording(fit, cfg):
        loss = real_epoch(fit, cfg)
        seen.append({k: v.detach().clone() for k, v in fit.model.named_parameters()})
        return loss

    monkeypatch.setattr(training, "_epoch", recording)
    train_windows(windows, out, config=cfg, progress=False)
    return seen


def test_swa_exports_the_mean_of_the_epoch_weights(windows, tmp_path, monkeypatch):
    # noise_bias 0: the folder holds the average itself, not the average with the noise
    # logit's bias added (tests/test_model_noise_bias.py)
    cfg = TrainConfig(
        max_epochs=3, refit=False, weight_average="swa", swa_start=1 / 3, noise_bias=0.0
    )
    seen = _train_recording_epochs(windows, tmp_path, cfg, monkeypatch)
    exported = dict(load_torch_model(tmp_path).named_parameters())
    assert len(seen) == 3
    for name, value in exported.items():  # epochs 2 and 3: those past a third of 3
        mean = (seen[1][name] + seen[2][name]) / 2
        torch.testing.assert_close(value, mean, rtol=1e-5, atol=1e-6)
        if name.endswith("weight") and value.dim() > 1:
            assert not torch.allclose(value, seen[2][name])  # not the last epoch's
    # the ONNX and TorchScript exports run the averaged model too
    x = windows.core()[:16].copy()
    reference = load_torch_model(tmp_path)(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(Predictor(tmp_path).logits(x), reference, rtol=1e-3, atol=1e-4)
    script = Predictor(tmp_path, backend="torchscript").logits(x)
    np.testing.assert_allclose(script, reference, rtol=1e-4, atol=1e-5)


def test_ema_batchnorm_statistics_are_those_of_the_averaged_weights(windows, tmp_path):
    """Same seed and data: EMA changes the exported weights and re-estimates the BatchNorm
    running statistics (they differ from the plain run's)."""
    plain_cfg = TrainConfig(max_epochs=2, refit=False)
    train_windows(windows, tmp_path / "plain", config=plain_cfg, progress=False, export=False)
    ema_cfg = replace(plain_cfg, weight_average="ema", ema_decay=0.9)
    train_windows(windows, tmp_path / "ema", config=ema_cfg, progress=False, export=False)
    plain = load_torch_model(tmp_path / "plain").state_dict()
    ema = load_torch_model(tmp_path / "ema").state_dict()
    assert not torch.allclose(plain["conv.0.weight"], ema["conv.0.weight"])
    assert not torch.allclose(plain["conv.1.running_mean"], ema["conv.1.running_mean"])
    torch.testing.assert_close(plain["mean"], ema["mean"])  # input normalisation kept


def test_unknown_or_conflicting_weight_average_is_a_config_error():
    with pytest.raises(InputError, match="weight_average is 'mean': choose from none, ema, swa"):
        TrainConfig(weight_average="mean")
    with pytest.raises(InputError, match="select='last'"):
        TrainConfig(weight_average="ema", select="best")
    with pytest.raises(InputError, match="ema_decay"):
        check_config(TrainConfig(weight_average="ema", ema_decay=1.5))
    assert TrainConfig.from_dict(TrainConfig(weight_average="swa").to_dict()).weight_average == (
        "swa"
    )


def test_killed_swa_training_resumes_with_its_average(windows, tmp_path, monkeypatch):
    """The running average is in the checkpoint: a run killed after epoch 2 and resumed
    exports the same averaged weights as an uninterrupted one."""
    cfg = TrainConfig(max_epochs=3, refit=False, weight_average="swa", swa_start=0)
    train_windows(windows, tmp_path / "full", config=cfg, progress=False, export=False)
    real_scores, calls = training.scores, {"n": 0}

    def dies_in_epoch_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_scores(*args, **kwargs)

    monkeypatch.setattr(training, "scores", dies_in_epoch_three)
    with pytest.raises(KeyboardInterrupt):
        train_windows(windows, tmp_path / "killed", config=cfg, progress=False, export=False)
    monkeypatch.setattr(training, "scores", real_scores)
    train_windows(windows, tmp_path / "killed", config=cfg, progress=False, export=False)
    full = load_torch_model(tmp_path / "full").state_dict()
    resumed = load_torch_model(tmp_path / "killed").state_dict()
    for name, value in full.items():
        torch.testing.assert_close(resumed[name], value, rtol=1e-4, atol=1e-5)
