"""A session folder copied (or linked) under a second name is trained on once: as two
sessions one copy could be the held-out test set while the other is trained on."""

from __future__ import annotations

import logging

from silkpipe.steps.train import train_plan
from silkpipe.store import FileStore, put_json
from silkpipe.training import TrainConfig


def test_a_second_session_with_the_same_sensor_bytes_is_not_trained_on(tmp_path, caplog):
    store = FileStore(tmp_path / "store")
    put_json(store, "runs/r/labels.json", {"version": "v1"})
    names = ["a_session", "b_session", "c_copy_of_a"]
    put_json(store, "runs/r/labels/v1/summary.json", {"sessions": names, "excluded": {}})
    for name in names:
        store.put_bytes(f"runs/r/labels/v1/{name}.csv", b"start,end,label\n0,1,walk\n")
    sensors = {"a_session": "1" * 64, "b_session": "2" * 64, "c_copy_of_a": "1" * 64}
    inputs = {name: {"sensor_data.csv": sha} for name, sha in sensors.items()}
    put_json(store, "runs/r/inputs.json", {"sessions": inputs, "clips": {}})
    with caplog.at_level(logging.WARNING):
        plan = train_plan(store, "r", TrainConfig())
    assert list(plan.sessions) == ["a_session", "b_session"]
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "session c_copy_of_a" in line and "session a_session's byte for byte" in line
