"""The model's key holds each session's metadata.json: it dates the session, and the model's
config.json lists the days it trained on (a corrected recording_date re-used the model
with the old day in it)."""

from __future__ import annotations

from silkpipe.steps.train import train_plan
from silkpipe.store import FileStore, put_json
from silkpipe.training import TrainConfig


def _plan(tmp_path, metadata_sha: str, folder: str = "store"):
    store = FileStore(tmp_path / folder)
    put_json(store, "runs/r/labels.json", {"version": "v1"})
    put_json(store, "runs/r/labels/v1/summary.json", {"sessions": ["s"], "excluded": {}})
    store.put_bytes("runs/r/labels/v1/s.csv", b"start,end,label\n0,1,walk\n")
    files = {"sensor_data.csv": "1" * 64, "metadata.json": metadata_sha}
    put_json(store, "runs/r/inputs.json", {"sessions": {"s": files}, "clips": {}})
    return train_plan(store, "r", TrainConfig())


def test_a_changed_metadata_json_changes_the_models_key(tmp_path):
    first = _plan(tmp_path, "a" * 64, "one")
    assert _plan(tmp_path, "a" * 64, "same").inputs == first.inputs
    assert _plan(tmp_path, "b" * 64, "edited").inputs != first.inputs
