"""A training whose loss turns NaN (`train --lr 1e30`, `--jitter 1e30`) published its model,
weights NaN, exit 0, in place of the model DIR held (bad_input_sweep56): it is now one line
naming the settings, exit 2, and DIR's model is kept."""

from __future__ import annotations

import math

import badinputs
import pytest
import torch

from silkpipe import training
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


# ---- what a failed `train --out DIR` leaves in DIR (bad_input_sweep57) ------------------


def _train(tmp_path, *extra: str) -> int:
    clips = tmp_path / "clips"
    if not clips.exists():
        badinputs.sample_clips(clips, per_class=3)
    argv = ["train", "--clips", str(clips), "--out", str(tmp_path / "out"), "--no-progress"]
    return main([*argv, *extra])


def _stopped_at(monkeypatch, epoch: int, stop: BaseException) -> None:
    """Each epoch's loss checked as usual, but epoch ``epoch``'s raises ``stop``."""
    real = training._finite_loss

    def finite_loss(loss, at, cfg, what="loss"):
        if at == epoch and what == "loss":
            raise stop
        return real(loss, at, cfg, what)

    monkeypatch.setattr(training, "_finite_loss", finite_loss)


@pytest.mark.parametrize(
    "extra", [("--lr", "1e30"), ("--purge-s", "1e9")], ids=["diverged", "split refused"]
)
def test_a_training_that_fails_leaves_no_model_partial(tmp_path, capsys, extra):
    """It left DIR/model.partial, empty, for ever (sweep 56's leftover)."""
    assert _train(tmp_path, "--epochs", "1", *extra) == 2
    assert list((tmp_path / "out").iterdir()) == [], capsys.readouterr().err


def test_a_training_that_diverges_after_a_checkpoint_drops_it(tmp_path, monkeypatch, capsys):
    """The checkpoint of the epoch before the divergence was resumed by a rerun of the same
    settings, which diverged again at the same epoch: it is dropped, model.partial too."""
    _stopped_at(
        monkeypatch, 2, training._diverged("epoch 2's loss is nan", TrainConfig().to_dict())
    )
    assert _train(tmp_path, "--epochs", "3") == 2
    assert "training diverged" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []


def test_a_stopped_training_keeps_the_checkpoint_it_resumes_from(tmp_path, monkeypatch):
    """Ctrl-C after an epoch keeps DIR/model.partial/checkpoint.pt: the rerun resumes."""
    _stopped_at(monkeypatch, 2, KeyboardInterrupt())
    assert _train(tmp_path, "--epochs", "3") == 130
    assert (tmp_path / "out" / "model.partial" / training.CHECKPOINT_NAME).is_file()
    monkeypatch.undo()
    assert _train(tmp_path, "--epochs", "3") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model"]


def test_a_trained_model_whose_publish_fails_stays_in_model_partial(tmp_path, monkeypatch):
    """The finished model (its checkpoint already dropped) was deleted with model.partial
    when the rename into DIR/model was refused (review of sweep 57): it is kept there."""
    import silkpipe.store

    def refused(staging, final):
        raise OSError(16, "Device or resource busy", str(final))

    monkeypatch.setattr(silkpipe.store, "replace_folder", refused)
    assert _train(tmp_path, "--epochs", "1") == 1
    kept = tmp_path / "out" / "model.partial"
    assert (kept / "config.json").is_file() and (kept / "model.onnx").is_file()
    monkeypatch.undo()  # the rerun trains again over it and publishes
    assert _train(tmp_path, "--epochs", "1") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model"]


def test_ctrl_c_in_a_checkpoint_save_leaves_no_temp_file(tmp_path, monkeypatch):
    """Ctrl-C while epoch 2's checkpoint was saved left DIR/model.partial/checkpoint.tmp, cut
    short, beside epoch 1's checkpoint.pt (bad_input_sweep58): the temp file is deleted, the
    checkpoint kept, and the rerun resumes from it."""
    real, saves = training.torch_save, []

    def save(obj, path):
        real(obj, path)
        saves.append(path)
        if len(saves) == 2 and path.name.endswith(".tmp"):
            path.write_bytes(path.read_bytes()[:683])  # cut short, as a press leaves it
            raise KeyboardInterrupt

    monkeypatch.setattr(training, "torch_save", save)
    assert _train(tmp_path, "--epochs", "3") == 130
    partial = tmp_path / "out" / "model.partial"
    assert sorted(p.name for p in partial.iterdir()) == [training.CHECKPOINT_NAME]
    monkeypatch.undo()
    assert _train(tmp_path, "--epochs", "3") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model"]
