"""What a model was trained on, kept in its config.json (``training.trained_on``).

A model trained on several clip folders (several recording days) must say which: each
source (a clip folder as given, or ``sessions``) with its streams and, per recording day,
the training windows by class.
"""

from __future__ import annotations

from collections import Counter

from silkpipe.vocabulary import CLASSES


def trained_on(streams: list, windows) -> list[dict]:
    """One entry per source, in the streams' order: its stream count and, per day, the
    windows it gave (``windows``: those trained on) by class."""
    by_name = {st.name: st for st in streams}
    sources: dict[str, dict] = {}
    for st in streams:
        entry = sources.setdefault(source_of(st), {"source": source_of(st), "streams": 0})
        entry["streams"] += 1
        entry.setdefault("days", {})
    counts = Counter(zip(windows.streams.tolist(), windows.y.tolist(), strict=True))
    for (name, y), n in sorted(counts.items(), key=lambda item: item[0][1]):
        st = by_name.get(name)
        if st is None:
            continue  # not one of these streams (a caller's extra windows)
        days = sources[source_of(st)]["days"]
        day = days.setdefault(st.day or "unknown", {"windows": 0, "classes": {}})
        day["windows"] += int(n)
        day["classes"][CLASSES[y]] = day["classes"].get(CLASSES[y], 0) + int(n)
    for entry in sources.values():
        entry["days"] = dict(sorted(entry["days"].items()))
    return list(sources.values())


def source_of(stream) -> str:
    """The clip folder a stream was read from, or its kind (``sessions``)."""
    return stream.source or f"{stream.kind}s"
