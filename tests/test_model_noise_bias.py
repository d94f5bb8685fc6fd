"""The noise-logit bias (TrainConfig.noise_bias): written into the model folder's weights,
TorchScript and ONNX alike, so every inference path calls noise more readily."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from silkpipe.dataset import load_clip_streams, make_windows
from silkpipe.model import Predictor, load_torch_model
from silkpipe.training import TrainConfig, train_windows
from silkpipe.vocabulary import CLASSES
from tests.conftest import every_nth_clip

NOISE = CLASSES.index("noise")


@pytest.fixture(scope="module")
def windows(data_dir: Path, tmp_path_factory):
    """Windows of every sixth real clip of clips-dev (all classes)."""
    folder = every_nth_clip(data_dir, tmp_path_factory.mktemp("clips"), 6)
    return make_windows(load_clip_streams(folder))


def _train(windows, folder: Path, bias: float) -> Path:
    cfg = replace(TrainConfig(max_epochs=1, min_epochs=1, refit=False), noise_bias=bias)
    train_windows(windows, folder, config=cfg, progress=False)
    return folder


def test_the_default_raises_the_noise_logit_of_every_exported_form(windows, tmp_path):
    """Same seed and data: the model folder with the default bias gives the noise logit of
    the unbiased model plus the bias, every other logit unchanged, in torch and ONNX."""
    bias = TrainConfig().noise_bias
    assert bias > 0
    plain = load_torch_model(_train(windows, tmp_path / "plain", 0.0))
    folder = _train(windows, tmp_path / "biased", bias)
    x = np.ascontiguousarray(windows.core()[:16], dtype=np.float32)
    with torch.no_grad():
        want = plain(torch.from_numpy(x)).numpy()
        torch_out = load_torch_model(folder)(torch.from_numpy(x)).numpy()
    want[:, NOISE] += bias
    np.testing.assert_allclose(torch_out, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(Predictor(folder).logits(x), want, rtol=1e-4, atol=1e-4)
    config = json.loads((folder / "config.json").read_text())
    assert config["train_config"]["noise_bias"] == bias
