"""Adapt the gesture model to a new day from its unlabelled recordings (self-training).

A model trained on the labelled days labels the new day's windows (slid over its
recordings, their labels unused); the most confident share of each predicted class joins
the labelled windows under its predicted label, and a fresh model trains on both; again
for every round, each round's model labelling afresh. Keeping the same share of every
predicted class keeps the class mix the model sees on the new day: a fixed number per
class (class-balanced) flooded the noise-heavy day with gestures and lost on it
(bench/notes/cross_day_adapt.txt: what each setting gave, per direction).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch

from silkpipe.dataset import LabelledStream, Windows, concat_windows
from silkpipe.errors import InputError
from silkpipe.vocabulary import CLASSES

log = logging.getLogger(__name__)
ADAPT_NAME = "adapt.json"


@dataclass(frozen=True)
class AdaptConfig:
    share: float = 0.3  # of each predicted class, the most confident windows kept
    rounds: int = 2  # label, retrain; each round's model labels the next


def pseudo_labels(probs: np.ndarray, share: float, classes: list[int]):
    """(indices kept, their labels): per predicted class (among ``classes``, the ones the
    labelled windows hold) the most confident ``share`` of its windows."""
    if not 0 < share <= 1:
        raise InputError(f"adapt share must lie in (0, 1], not {share}")
    sub = probs[:, classes]
    pred, conf = np.asarray(classes)[sub.argmax(1)], sub.max(1)
    kept: list[int] = []
    for c in classes:
        idx = np.flatnonzero(pred == c)
        kept.extend(idx[np.argsort(-conf[idx], kind="stable")][: math.ceil(share * len(idx))])
    keep = np.sort(np.asarray(kept, dtype=np.int64))
    return keep, pred[keep]


def probabilities(model: torch.nn.Module, windows: Windows) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(windows.core(), dtype=np.float32))
        return torch.cat(
            [torch.softmax(model(x[i : i + 1024]), 1) for i in range(0, len(x), 1024)]
        ).numpy()


def self_train(
    labelled: Windows,
    pool: Windows,
    out_dir: Path,
    cfg,
    adapt: AdaptConfig,
    *,
    progress: bool = True,
    export: bool = True,
    left_out: dict | None = None,
    sources: list[dict] | None = None,
    pool_streams: list[LabelledStream] | None = None,
) -> dict:
    """Train on ``labelled``, then ``adapt.rounds`` times pseudo-label ``pool`` and train a
    fresh model on both; the last model is the folder's. Writes adapt.json beside it.
    ``left_out``: what the caller left out of ``labelled`` (whole_samples), recorded; so
    are ``sources`` (trained_on: the labelled windows' folders and days), the pool's
    pseudo-labelled windows added to them when ``pool_streams`` (the pool's) are given:
    the model trained on that day too."""
    from silkpipe.model import load_torch_model
    from silkpipe.trained_on import pseudo_labelled
    from silkpipe.training import train_windows

    if len(pool) == 0:
        raise InputError("no windows in the recordings to adapt to")
    if adapt.rounds < 1:
        raise InputError(f"adapt rounds must be at least 1, not {adapt.rounds}")
    classes = sorted(set(labelled.y.tolist()))
    fit = partial(
        train_windows,
        out_dir=out_dir,
        config=cfg,
        progress=progress,
        left_out=left_out,
    )
    summary = fit(labelled, export=False, sources=sources)
    rounds = []
    for r in range(adapt.rounds):
        keep, labels = pseudo_labels(
            probabilities(load_torch_model(out_dir), pool), adapt.share, classes
        )
        added = pool.subset(keep)
        added.y = labels
        counts = {CLASSES[c]: int((labels == c).sum()) for c in classes}
        rounds.append({"round": r + 1, "pseudo_labelled": counts})
        log.info(
            "adapt round %d: %d of %d windows pseudo-labelled %s",
            r + 1,
            len(keep),
            len(pool),
            counts,
        )
        last = r == adapt.rounds - 1
        listed = sources
        if sources is not None and pool_streams is not None:
            listed = sources + pseudo_labelled(pool_streams, added)
        summary = fit(concat_windows([labelled, added]), export=export and last, sources=listed)
    info = {"share": adapt.share, "rounds": rounds, "pool_windows": len(pool)}
    (Path(out_dir) / ADAPT_NAME).write_text(json.dumps(info, indent=2))
    return {**summary, "adapt": info}


def adapt_streams(folder: str | Path, on_error=None, on_clip_error=None) -> list[LabelledStream]:
    """A new day's recordings, their labels unused: a clip folder (either layout) or a
    folder of session folders (sensor_data.csv). A session that cannot be read raises, or
    with ``on_error(folder, error)`` is reported and left out; a clip likewise, with
    ``on_clip_error(path, error)`` (as train --calibrate treats its clips)."""
    from silkpipe.clips import load_clip_streams
    from silkpipe.dataset import session_motion, session_stream
    from silkpipe.sessions import find_sessions

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("--adapt-to folder does not exist", path=str(folder))
    sessions = find_sessions(folder, on_error=on_error)
    if not sessions:
        return load_clip_streams(folder, on_error=on_clip_error)
    streams = []
    for session in sessions:
        try:
            stream = session_stream(session.name, session_motion(session), [])
            stream.source = str(folder)  # not the labelled "sessions" (trained_on)
            streams.append(stream)
        except Exception as err:  # noqa: BLE001 - one bad session never sinks the others
            if on_error is None:
                raise
            on_error(session, err)
    return streams
