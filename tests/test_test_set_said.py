"""Training with a test split says what it holds out: run's train step logged only
"windows: 1424 train, 127 val (groups:...)", and the session scored as held out (the
report's macro-F1) was named nowhere on stderr (walk52)."""

from __future__ import annotations

import logging
from dataclasses import replace

from silkpipe.dataset import load_clip_streams
from silkpipe.training import TrainConfig, train_with_test
from tests.conftest import every_nth_clip


def test_the_test_set_is_named_with_its_windows(data_dir, tmp_path, caplog):
    (tmp_path / "clips").mkdir()
    clips = every_nth_clip(data_dir, tmp_path / "clips", 6)
    cfg = replace(TrainConfig(), max_epochs=1, min_epochs=1)
    with caplog.at_level(logging.INFO, logger="silkpipe.training"):
        _, result = train_with_test(
            load_clip_streams(clips), tmp_path / "model", config=cfg, progress=False
        )
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("test set (")]
    assert said == [
        f"test set ({result['test_scheme']}, never trained on): macro-F1 "
        f"{result['macro_f1']:.3f} on {result['windows']} windows"
    ]
