"""Issue 22: session spotting scored with the truth of the motion between gestures (helper
filler). Results in spot_filler_truth.txt.

truth.json's filler_motion lists the recorded motion between gestures ([start, end, class]:
walk, idle, noise and baseline recordings). spotting.match used to exempt an idle/noise run
anywhere outside gestures and other states' truth segments, and count every unmatched walk
run as an error, even on walking filler. "new" is spotting.match with the filler truth
(session_spotting.load_truth_session moves it onto the aligner's clock): a state run lying,
by most of its span, on filler of its own class is no error; on another state's filler it
is one. "old" is the same match without it (filler=None: the rule stitched streams keep).

Detections are made once per (model, session) with spotting.slide/detect as they are and
scored under both rules, so the two columns come from the SAME models, sessions and
detections:

    python bench/notes/spot_filler_truth.py cache OUT.pkl MODELS ROOT PREFIX_K,...
    python bench/notes/spot_filler_truth.py score OUT.pkl ...
"""

import pickle
import sys
from pathlib import Path

import numpy as np

from silkpipe import spotting as sp
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES

STATES = [c for c in CLASSES if c not in EVENT_CLASSES]


def cache(models: list[str], root: Path, prefixes: list[str]) -> list[dict]:
    """Per (model, session): its truth, filler truth and detections."""
    from silkpipe.dataset import WindowConfig
    from silkpipe.model import Predictor
    from silkpipe.session_spotting import load_truth_sessions
    from silkpipe.sessions import find_sessions

    out = []
    for k in prefixes:
        sessions, errors = load_truth_sessions(find_sessions(root / k))
        assert not errors, errors
        for m in models:
            pred = Predictor(m)
            cfg = WindowConfig.from_dict(pred.config["window"])
            for s in sessions:
                times, probs = sp.slide(pred, s.stream.motion, cfg)
                dets = sp.detect(times, probs, list(pred.labels), s.stream.motion)
                out.append(
                    {
                        "run": f"{m}|{k}",
                        "session": s.stream.name,
                        "truth": [(t.label, t.start, t.end, t.peak) for t in s.truth],
                        "filler": s.filler,
                        "dets": dets,
                        "moved": [_moved(s.stream.motion, d[1], d[2]) for d in dets],
                        "filler_moved": {
                            c: _moved_on(
                                s.stream.motion, [(a, b) for a, b, k in s.filler if k == c]
                            )
                            for c in {k for _, _, k in s.filler}
                        },
                    }
                )
    return out


def _moved(motion, start: float, end: float) -> float:
    """Median motion energy (|linear acceleration| + |gyro|) of the delivered rows in
    [start, end]: how much the wrist moved under a run (nan: no row)."""
    inside = (motion.t >= start) & (motion.t <= end) & motion.valid
    return float(np.median(motion.energy()[inside])) if inside.any() else float("nan")


def _moved_on(motion, spans: list) -> list[float]:
    """Motion energy of the delivered rows inside any of the spans (a filler class)."""
    inside = np.zeros(len(motion.t), dtype=bool)
    for a, b in spans:
        inside |= (motion.t >= a) & (motion.t <= b)
    inside &= motion.valid
    return motion.energy()[inside][::5].tolist()


def counts_of(e: dict, rule: str) -> dict:
    truth = [sp.Truth(*t) for t in e["truth"]]
    return sp.match(truth, e["dets"], e["filler"] if rule == "new" else None)


def score(entries: list[dict]) -> None:
    """Pooled per-class P/R/F1 (tp/fp/fn) per rule, [min-max F1 over runs]."""
    for rule in ("old", "new"):
        total: dict = {}
        per_run: dict = {}
        for e in entries:
            c = counts_of(e, rule)
            sp.add_counts(total, c)
            sp.add_counts(per_run.setdefault(e["run"], {}), c)
        cells = []
        for cls, v in sp.event_scores(total).items():
            f1s = [sp.event_scores(r)[cls]["f1"] for r in per_run.values() if cls in r]
            f1s = [f for f in f1s if f is not None]
            cells.append(
                f"{cls} {v['precision']:.2f}/{v['recall']:.2f}/{v['f1']:.2f} "
                f"({v['tp']}/{v['fp']}/{v['fn']})[{min(f1s):.2f}-{max(f1s):.2f}]"
            )
        print(f"  {rule}  " + "  ".join(cells))
    print(
        f"  ({len({e['run'] for e in entries})} runs, {len(entries)} sessions; P/R/F1 "
        "(tp/fp/fn) pooled, [min-max F1 over runs])"
    )


def where(entries: list[dict]) -> None:
    """Per state class: its unmatched runs by where most of their span lies, and how many
    are errors under each rule."""
    for cls in STATES:
        rows: dict = {}
        for e in entries:
            truth = [sp.Truth(*t) for t in e["truth"]]
            for d in e["dets"]:
                if d[0] != cls or _matched(truth, d):
                    continue
                old = sp.match(truth, [d])[cls]["fp"]
                new = sp.match(truth, [d], e["filler"])[cls]["fp"]
                key = _ground(d, e["filler"])
                r = rows.setdefault(key, [0, 0, 0, [], 0])
                r[0] += 1
                r[1] += old
                r[2] += new
                r[3].append(e["moved"][e["dets"].index(d)])
                if new and key == f"{cls} filler":
                    r[4] += any(t.label in EVENT_CLASSES and d[1] <= t.peak <= d[2] for t in truth)
        print(f"  {cls} runs matching no truth segment, by the filler under most of their span:")
        for k, (n, o, w, moved, peaks) in sorted(rows.items()):
            over = f" ({peaks} over a gesture's motion peak)" if k == f"{cls} filler" else ""
            print(
                f"    {k:12s} {n:5d} runs, fp old {o:4d} new {w:4d}{over};"
                f" motion energy under the run {_quartiles(moved)}"
            )
    energy: dict = {}
    for e in entries:
        for c, v in e["filler_moved"].items():
            energy.setdefault(c, []).extend(v)
    print("  motion energy on the filler itself (rows of its class):")
    for c in sorted(energy):
        print(f"    {c + ' filler':12s} {_quartiles(energy[c])}")


def _quartiles(values: list[float]) -> str:
    v = np.array(values)
    v = v[np.isfinite(v)]
    if not len(v):
        return "-"
    q = np.quantile(v, [0.25, 0.5, 0.75])
    return f"median {q[1]:5.2f} [quartiles {q[0]:.2f}-{q[2]:.2f}]"


def _matched(truth: list, d: tuple) -> bool:
    return bool(sp.match(truth, [d])[d[0]]["tp"])


def _ground(d: tuple, filler: list) -> str:
    """The filler class covering most of the run's span, or 'no majority'."""
    span = d[2] - d[1]
    for cls in sorted({c for _, _, c in filler}):
        if 2 * sp._covered(d[1], d[2], [(a, b) for a, b, c in filler if c == cls]) > span:
            return f"{cls} filler"
    return "no majority"


def load(paths: list[str]) -> list[dict]:
    out = []
    for p in paths:
        out += pickle.loads(Path(p).read_bytes())
    return out


def main(a: list[str]) -> None:
    if a[0] == "score":
        entries = load(a[1:])
        score(entries)
        where(entries)
    else:
        data = cache(a[2].split(","), Path(a[3]), a[4].split(","))
        Path(a[1]).write_bytes(pickle.dumps(data))


if __name__ == "__main__":
    main(sys.argv[1:])
