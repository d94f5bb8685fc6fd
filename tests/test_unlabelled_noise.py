"""TrainConfig.unlabelled_noise: voice-labelled sessions alone also learn noise from their
unlabelled time, where a model of their labels calls it noise (bench/notes/gap48.txt)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

import silkpipe.training as training
import silkpipe.unlabelled_noise as un
from silkpipe.dataset import session_stream
from silkpipe.sessions import Motion
from silkpipe.steps.train import keyed_settings
from silkpipe.training import TrainConfig

RATE = 50.0


def _session(seconds: float = 20.0):
    t = np.arange(0, seconds, 1 / RATE)
    data = np.zeros((len(t), 13), np.float32)
    motion = Motion(t=t, rate=RATE, data=data, valid=np.ones(len(t), bool))
    return session_stream("s1", motion, [(2.0, 3.0, "jump"), (10.0, 12.0, "walk")])


def test_unlabelled_spans_keep_clear_of_every_label():
    spans = un.unlabelled_spans(_session())
    assert [(round(a, 2), round(b, 2)) for a, b, _ in spans] == [
        (0.0, 1.7),
        (3.3, 9.7),
        (12.3, 19.98),
    ]
    assert {c for _, _, c in spans} == {"noise"}


def test_only_windows_the_labels_model_calls_noise_become_noise(monkeypatch):
    """Windows at >= the threshold are labelled noise (1-s spans, merged); the rest of the
    unlabelled time stays unlabelled and the labels are kept as they were."""
    trained = []
    monkeypatch.setattr(un, "Predictor", lambda folder: None)  # no model file is written
    monkeypatch.setattr(
        un,
        "noise_probability",
        lambda predictor, w: np.where(np.arange(len(w)) < 2, 0.95, 0.5),  # the first 2 windows
    )
    cfg = replace(TrainConfig(), unlabelled_noise=0.9)
    out = un.with_unlabelled_noise(
        [_session()], cfg, lambda s, f, c: trained.append(c.unlabelled_noise)
    )
    assert trained == [0.0]  # the first model is trained with the option off
    ivs = [(round(a, 2), round(b, 2), c) for a, b, c in out[0].intervals]
    assert ("jump" in {c for *_, c in ivs}) and (2.0, 3.0, "jump") in ivs
    assert (10.0, 12.0, "walk") in ivs
    noise = [iv for iv in ivs if iv[2] == "noise"]
    assert noise == [(0.0, 1.5, "noise")]  # windows at 0.5 and 1.0 s: one merged span


def test_voice_sessions_alone_learn_unlabelled_noise_clips_do_not(monkeypatch):
    from types import SimpleNamespace

    session, clip = SimpleNamespace(kind="session"), SimpleNamespace(kind="clip")
    assert training.for_streams(TrainConfig(), [session]).unlabelled_noise == 0.9
    assert training.for_streams(TrainConfig(), [clip]).unlabelled_noise == 0.0
    assert training.for_streams(TrainConfig(), [session, clip]).unlabelled_noise == 0.0
    assert training.preset("within-day").unlabelled_noise == 0.0
    off = replace(TrainConfig(), unlabelled_noise=-1.0)  # off for sessions alone too
    assert training.for_streams(off, [session]).unlabelled_noise == -1.0
    assert "unlabelled_noise" not in keyed_settings(TrainConfig())  # clip models keep keys
    seen: list = []
    monkeypatch.setattr(un, "with_unlabelled_noise", lambda s, c, f: ["relabelled"] * len(s))
    monkeypatch.setattr(training, "training_windows", lambda s, w: (seen.append(s), {}))
    monkeypatch.setattr("silkpipe.trained_on.trained_on", lambda streams, windows: [])
    monkeypatch.setattr(training, "train_windows", lambda w, out, config, **kw: None)
    training.train([session], Path("unused"), progress=False)
    training.train([clip], Path("unused"), progress=False)
    assert seen == [["relabelled"], [clip]]  # clips alone are trained as they are
