"""What a model was trained on, kept in its config.json (``training.trained_on``).

A model trained on several clip folders (several recording days) must say which: each
source (a clip or session folder as given, or a store run's ``sessions``) with its
streams and, per recording day,
the training windows by class. Where a test set was held out (store mode), its windows
are listed apart (``test_days``): a day held out whole was not trained on.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np

from silkpipe.vocabulary import CLASSES


def trained_on(streams: list, windows, test=None) -> list[dict]:
    """One entry per source, in the streams' order: its stream count, the motion digests
    of those that gave training windows, and, per day, the windows it gave to training
    (``windows``) and, with ``test``, to the test set (one window per gesture, as it is
    scored)."""
    sources: dict[str, dict] = {}
    trained = set(windows.streams.tolist())  # a held-out test stream gave it no window
    for st in streams:
        entry = sources.setdefault(
            source_of(st), {"source": source_of(st), "streams": 0, "motions": []}
        )
        entry["streams"] += 1
        if st.name in trained:
            entry["motions"].append(motion_digest(st))
    for entry in sources.values():
        entry["motions"] = sorted(set(entry["motions"]))
    by_name = {st.name: st for st in streams}
    _count_days(sources, by_name, windows, "days")
    if test is not None:
        _count_days(sources, by_name, test, "test_days")
    return list(sources.values())


def _count_days(sources: dict[str, dict], by_name: dict, windows, field: str) -> None:
    """Each source's ``field``: per day, its windows among ``windows`` by class."""
    for entry in sources.values():
        entry[field] = {}
    counts = Counter(zip(windows.streams.tolist(), windows.y.tolist(), strict=True))
    for (name, y), n in sorted(counts.items(), key=lambda item: item[0][1]):
        st = by_name.get(name)
        if st is None:
            continue  # not one of these streams (a caller's extra windows)
        days = sources[source_of(st)][field]
        day = days.setdefault(st.day or "unknown", {"windows": 0, "classes": {}})
        day["windows"] += int(n)
        day["classes"][CLASSES[y]] = day["classes"].get(CLASSES[y], 0) + int(n)
    for entry in sources.values():
        entry[field] = dict(sorted(entry[field].items()))


def pseudo_labelled(streams: list, windows) -> list[dict]:
    """trained_on for self-training's pseudo-labelled windows (silkpipe.adapt): their
    classes are the model's guesses, so each entry says so."""
    return [{**entry, "pseudo_labelled": True} for entry in trained_on(streams, windows)]


def motion_digest(stream) -> str:
    """A stream's resampled motion, hashed: the same recording read again (the folder
    copied, or given again) hashes alike, so evaluate can tell a score on recordings the
    model was trained on, which is not held out."""
    return hashlib.sha256(np.ascontiguousarray(stream.motion.data).tobytes()).hexdigest()[:16]


def source_of(stream) -> str:
    """The folder a stream was read from, or its kind (a store run's ``sessions``)."""
    return stream.source or f"{stream.kind}s"
