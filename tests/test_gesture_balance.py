"""TrainConfig.gesture_balance: rare gesture classes drawn more, noise keeping its share."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import silkpipe.training as training
from silkpipe.dataset import FEATURE_NAMES, Windows, gesture_draw_weights
from silkpipe.errors import InputError
from silkpipe.training import TrainConfig
from silkpipe.vocabulary import CLASSES

NOISE = CLASSES.index("noise")
#: class -> windows: noise 60 %, turn and walk common, punch and jump rare, idle absent
COUNTS = {"noise": 240, "turn": 80, "walk": 48, "punch": 20, "jump": 12}


def _labels() -> np.ndarray:
    return np.concatenate([np.full(n, CLASSES.index(c)) for c, n in COUNTS.items()])


def _shares(y: np.ndarray, mode: str) -> dict[str, float]:
    w = gesture_draw_weights(y, NOISE, mode)
    return {c: float(w[y == CLASSES.index(c)].sum()) for c in COUNTS}


def test_gbal_keeps_noise_share_and_splits_the_rest_equally():
    shares = _shares(_labels(), "gbal")
    assert shares["noise"] == pytest.approx(0.6)
    for c in ("turn", "walk", "punch", "jump"):
        assert shares[c] == pytest.approx(0.1)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_rare_raises_only_classes_under_the_median_gesture_count():
    shares = _shares(_labels(), "rare")
    median = np.median([80, 48, 20, 12])  # the gesture classes present (idle is not)
    mass = {"turn": 80, "walk": 48, "punch": median, "jump": median}
    assert shares["noise"] == pytest.approx(0.6)
    for c, m in mass.items():
        assert shares[c] == pytest.approx(0.4 * m / sum(mass.values()))
    assert shares["turn"] / shares["walk"] == pytest.approx(80 / 48)  # common: as counted


def test_without_gestures_noise_is_all_that_is_drawn():
    y = np.full(10, NOISE)
    assert gesture_draw_weights(y, NOISE, "gbal") == pytest.approx(np.full(10, 0.1))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"gesture_balance": "equal"}, "choose from off, gbal, rare"),
        ({"gesture_balance": "gbal", "balanced": True}, "balanced=False"),
    ],
)
def test_bad_gesture_balance_settings_are_refused(settings, message):
    with pytest.raises(InputError, match=message):
        TrainConfig(**settings)


def _drawn_labels(monkeypatch, mode: str) -> np.ndarray:
    """Labels of the windows one training epoch draws into its batches."""
    y = _labels()
    x = np.random.default_rng(0).normal(size=(len(y), 20, len(FEATURE_NAMES))).astype(np.float32)
    x[:, :, 6:9] = [0.0, 0.0, 1.0]  # gravity
    x[:, 0, 0] = np.arange(len(y))  # each window's index, read back from its batch
    n = len(y)
    w = Windows(x, y, np.full(n, "g"), np.full(n, "s"), np.arange(n, dtype=float))
    drawn: list[int] = []

    def record(xb, cfg, std, gen):
        drawn.extend(xb[:, 0, 0].long().tolist())
        return xb

    monkeypatch.setattr(training, "augment", record)
    cfg = TrainConfig(gesture_balance=mode, conv=8, hidden=4, blocks=1)
    fit = training._start_fit(w, cfg, torch.device("cpu"), 0, 1)
    training._epoch(fit, cfg)
    return y[np.asarray(drawn)]


def test_off_draws_every_window_once_gbal_draws_rare_gestures_more(monkeypatch):
    off = _drawn_labels(monkeypatch, "off")
    assert sorted(off.tolist()) == sorted(_labels().tolist())  # today's shuffle
    gbal = np.bincount(_drawn_labels(monkeypatch, "gbal"), minlength=len(CLASSES))
    assert abs(gbal[NOISE] - 240) < 45  # noise keeps its share of the 400 draws
    assert gbal[CLASSES.index("jump")] > 20  # about 40 of 400, not its 12
    assert gbal[CLASSES.index("turn")] < 65  # about 40 of 400, not its 80


def test_gesture_balance_off_keeps_published_models_keys():
    """Off trains today's model byte for byte, so the model's key must not change with the
    new setting (every published model would be retrained); on, it is keyed."""
    from silkpipe.steps.train import keyed_settings

    before = {
        k: v
        for k, v in TrainConfig().to_dict().items()
        if k not in ("threads", "gesture_balance", "min_epoch_windows", "unlabelled_noise")
    }
    assert keyed_settings(TrainConfig()) == before
    assert keyed_settings(TrainConfig(gesture_balance="gbal"))["gesture_balance"] == "gbal"
