"""Training windows read on the 2025-10-14 recorder's bursty arrival seconds (bursty_clock)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from silkpipe.bursty_clock import GAP_QUANTILES, arrival_rows, draw_gaps
from silkpipe.commands import check_config
from silkpipe.errors import InputError
from silkpipe.steps.common import STEP_VERSION
from silkpipe.steps.train import keyed_settings
from silkpipe.training import TrainConfig, augment, preset


def test_drawn_gaps_keep_the_watch_pace_with_the_recorder_bursts_and_stalls():
    gaps = draw_gaps((400, 200), torch.Generator().manual_seed(0))
    assert 0.9 < gaps.mean() < 1.05  # rows arrive at the watch's 50 Hz on average
    assert gaps.median() < 0.35  # most rows arrive inside bursts, ms apart
    assert (gaps > 4).float().mean() > 0.03  # and stalls of 80 ms and more
    assert gaps.max() <= GAP_QUANTILES[-1]


def test_arrival_rows_freeze_in_a_stall_and_skip_in_the_burst_after_it():
    width, length = 70, 50
    pos = torch.arange(length, dtype=torch.float32)[None].expand(256, -1) + 10
    rows = arrival_rows(pos, width, torch.Generator().manual_seed(1))
    step = rows.diff(dim=1)
    assert torch.all(step >= -1e-6) and torch.all((rows >= 0) & (rows <= width - 1))
    assert (step < 0.1).float().mean() > 0.1 and (step > 2).float().mean() > 0.01
    assert torch.all((rows[:, 25] - 35).abs() < width / 2)


def _plain(cfg: TrainConfig) -> TrainConfig:
    """Every other augmentation off: what is left of a window is its crop."""
    off = dict(shift=False, scale=0.0, rotate_deg=0.0, jitter=0.0, yaw_deg=0.0, warp=0.0, drop=0.0)
    return replace(cfg, **off)


def test_the_default_reads_a_share_of_windows_on_arrival_seconds_and_voice_presets_none():
    """Parent: every window kept its rows one period apart. The within-day settings (the
    voice-labelled sessions' preset) keep the watch clock."""
    cfg = _plain(TrainConfig())
    width = cfg.window.length + 2 * cfg.window.context
    ramp = torch.arange(width, dtype=torch.float32)[None, :, None].expand(200, -1, 9)
    steps = augment(ramp, cfg, torch.ones(9), torch.Generator().manual_seed(2))[..., 0].diff(1)
    bent = (steps - 1).abs().amax(dim=1) > 0.05
    assert 0.3 < bent.float().mean() < 0.7  # about cfg.bursty of the windows
    assert cfg.bursty == 0.5 and preset("within-day").bursty == 0.0
    plain = _plain(preset("within-day"))
    steps = augment(ramp, plain, torch.ones(9), torch.Generator().manual_seed(2))[..., 0].diff(1)
    assert torch.allclose(steps, torch.ones_like(steps))


def test_the_share_is_a_setting_of_train_and_evaluate_checked_and_keyed():
    """Parent: no such setting; a share outside [0, 1] is refused like the other shares, and
    the train step's version moved with the default model it changes."""
    assert check_config(replace(TrainConfig(), bursty=1.0)).bursty == 1.0
    with pytest.raises(InputError, match="bursty"):
        check_config(replace(TrainConfig(), bursty=1.5))
    assert keyed_settings(TrainConfig())["bursty"] == 0.5
    assert STEP_VERSION["train"] >= 22
