"""A training whose loss turns NaN (`train --lr 1e30`, `--jitter 1e30`) published its model,
weights NaN, exit 0, in place of the model DIR held (bad_input_sweep56): it is now one line
naming the settings, exit 2, and DIR's model is kept."""

from __future__ import annotations

import math

import badinputs
import pytest
import torch

from silkpipe.cli import main
from silkpipe.errors import InputError
from silkpipe.model import GestureNet
from silkpipe.training import TrainConfig, _finite_loss, _write_folder


@pytest.mark.parametrize("loss", [math.nan, math.inf])
def test_a_loss_that_is_no_number_ends_the_training_naming_the_settings(loss):
    with pytest.raises(InputError, match="training diverged: epoch 3's loss") as err:
        _finite_loss(loss, 3, TrainConfig(lr=1e30))
    assert "--lr (now 1e+30)" in str(err.value)
    assert _finite_loss(1.5, 3, TrainConfig()) == 1.5


def test_train_lr_1e30_keeps_the_model_it_would_replace(tmp_path, capsys):
    clips = badinputs.sample_clips(tmp_path / "clips", per_class=3)
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--epochs", "1"]
    assert main([*argv, "--no-progress"]) == 0
    weights = tmp_path / "out" / "model" / "weights.pt"
    kept = weights.read_bytes()
    capsys.readouterr()
    assert main([*argv, "--no-progress", "--lr", "1e30"]) == 2
    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ": error: " in ln]
    assert "training diverged" in line and "--lr" in line, line
    assert weights.read_bytes() == kept
    state = torch.load(weights, map_location="cpu")
    assert all(v.isfinite().all() for v in state.values() if v.is_floating_point())


def test_weights_that_are_no_numbers_are_not_written(tmp_path):
    """A last step that diverged leaves the epoch's loss finite: the weights are checked."""
    model = GestureNet()
    with torch.no_grad():
        model.head[-1].bias[0] = math.nan
    config = {"train_config": TrainConfig().to_dict()}
    with pytest.raises(InputError, match="weights hold NaN"):
        _write_folder(model, tmp_path, config, export=False)
    assert list(tmp_path.iterdir()) == []
