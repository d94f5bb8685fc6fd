"""Issue 22: which session gestures are scored (helper undelivered, stop 34).
Results in undelivered.txt.

Scores the cached slides of bench/notes/spot_energy_timing.py / punchspot.py (same models,
same probabilities, spotting.detect itself) two ways:

  old   a truth gesture is undelivered (not scored) only when none of its rows arrived
  new   also when the model's core window on its motion peak holds fewer than
        WindowConfig.min_valid arrived rows (session_spotting.scored_truth, the rule
        dataset._cut applies to every window it cuts); a detection matching such a
        gesture is neither found nor an error

    python bench/notes/undelivered.py SESS_ROOT PKL ...
    python bench/notes/undelivered.py where SESS_ROOT PREFIX ...

`where`: the gestures none of whose rows arrived (today's `undelivered`), per session
once: after the stream's last row (the recording stopped), before its first, or inside
it (a gap): only the last kind could have a detection lying on it.

Per class P/R/F1 (tp/fp/fn) pooled over models and sessions, and how many gestures each
rule leaves unscored (counted once per model, like the scores).
"""

import json
import sys
from pathlib import Path

from silkpipe import spotting as sp
from silkpipe.dataset import WindowConfig
from silkpipe.session_spotting import load_truth_sessions, scored_truth
from silkpipe.sessions import find_sessions

sys.path.insert(0, "bench/notes")
from punchspot import attach, detections  # noqa: E402
from spot_energy_timing import load  # noqa: E402


def sessions_of(root: Path, entries: list[dict]) -> list:
    """The TruthSession of every cached stream (cache order: prefix, model, session)."""
    loaded: dict[str, list] = {}
    seen: dict[str, int] = {}
    out = []
    for e in entries:
        k = e["run"].split("|")[1]
        if k not in loaded:
            loaded[k], errors = load_truth_sessions(find_sessions(root / k))
            assert not errors, errors
        s = loaded[k][seen.get(e["run"], 0)]
        seen[e["run"]] = seen.get(e["run"], 0) + 1
        assert [t.peak for t in s.truth] == [t[3] for t in e["truth"]], e["run"]
        out.append(s)
    return out


def window_config(run: str) -> WindowConfig:
    model = Path(run.split("|")[0])
    return WindowConfig.from_dict(json.loads((model / "config.json").read_text())["window"])


def score(root: Path, entries: list[dict]) -> None:
    entries = attach(root, entries)
    sessions = sessions_of(root, entries)
    totals: dict[str, dict] = {"old": {}, "new": {}}
    none_arrived = 0
    at_peak: dict[str, int] = {}
    for e, s in zip(entries, sessions, strict=True):
        dets = detections(e)
        sp.add_counts(totals["old"], sp.match(s.truth, dets, s.filler))
        scored, short = scored_truth(s, window_config(e["run"]))
        sp.add_counts(totals["new"], sp.match(scored, dets, s.filler, short))
        none_arrived += s.undelivered
        for t in short:
            at_peak[t.label] = at_peak.get(t.label, 0) + 1
    for rule, total in totals.items():
        cells = [
            f"{c} {v['precision']:.3f}/{v['recall']:.3f}/{v['f1']:.3f} "
            f"({v['tp']}/{v['fp']}/{v['fn']})"
            for c, v in sp.event_scores(total).items()
        ]
        print(f"  {rule}  " + "  ".join(cells))
    print(
        f"  unscored: old {none_arrived} (no row arrived); new {none_arrived} + "
        f"{sum(at_peak.values())} {dict(sorted(at_peak.items()))} (peak window < min_valid)"
    )
    print(f"  ({len({e['run'] for e in entries})} runs, {len(entries)} streams; P/R/F1 (tp/fp/fn))")


def where(root: Path, prefixes: list[str]) -> None:
    from silkpipe.voice_score import read_truth, session_clock

    out: dict[str, dict[str, int]] = {}
    for k in prefixes:
        for folder in find_sessions(root / k):
            truth = read_truth(folder, "")
            clock = session_clock((folder / "sensor_data.csv").read_text(), truth, folder.name)
            lo, hi = clock.truth.min(), clock.truth.max()
            for start, end, cls in truth["intervals"]:
                inside = (clock.truth >= start) & (clock.truth < end)
                if inside.any():
                    continue
                side = "after" if start >= hi else "before" if end <= lo else "gap"
                row = out.setdefault(cls, {})
                row[side] = row.get(side, 0) + 1
    print(f"  no row arrived, per session once: {dict(sorted(out.items()))}")


if __name__ == "__main__":
    if sys.argv[1] == "where":
        where(Path(sys.argv[2]), sys.argv[3:])
    else:
        score(Path(sys.argv[1]), load(sys.argv[2:]))
