"""Issue 22: gesture spotting on realistic semi-real sessions, next to window macro-F1 and
stitched-stream events. Not shipped; results in session_spotting.txt.

Protocol (nothing tuned: spotting.py's detector as it is, STRIDE/SMOOTH/MIN_RUN/MATCH_S):

- within-day: R12 split of clips-dev (bench.voice_path.split_clips, held out 320-530 s of
  the gesture block + the other noise block); default model trained on the train side
  (`silkpipe train --clips TRAIN --seed S`, S = 1337-1339); realistic sessions built from
  the HELD-OUT side only (`synth --from-clips EVAL --realistic --seed K --gestures 9`,
  K = 301-306 reported, 311-314 dev), 4 sessions per K. Next to: window macro-F1 of the same
  model on the held-out clips, events on stitched streams of them.
- cross-day: model trained on all of clips-dev (S = 1337-1339), sessions from
  clips-20251014 (sample dialect, same synth settings: 16-17 sessions per K).

    python bench/notes/session_spotting.py WITHIN_MODELS CROSS_MODELS SESS_ROOT EVAL_CLIPS DAY
      (WITHIN_MODELS/CROSS_MODELS: comma-separated model folders; SESS_ROOT/r12_K, d1014_K)
"""

import sys
from pathlib import Path

import numpy as np

from silkpipe.clips import load_clip_streams
from silkpipe.dataset import WindowConfig
from silkpipe.evaluation import evaluate
from silkpipe.model import Predictor
from silkpipe.session_spotting import load_truth_sessions
from silkpipe.sessions import find_sessions
from silkpipe.spotting import (
    add_counts,
    detect,
    event_scores,
    match,
    slide,
    spot,
    stitched_streams,
)
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES
from silkpipe.voice_score import read_truth

REPORTED, DEV = (301, 302, 303, 304, 305, 306), (311, 312, 313, 314)


def filler_on_clock(folder: Path) -> list[list]:
    """truth.json's filler motion moved to the aligner's clock (diagnostics only)."""
    from silkpipe.voice_score import read_truth, session_clock, truth_on_clock

    truth = read_truth(folder)
    clock = session_clock((folder / "sensor_data.csv").read_text(), truth, folder.name)
    return truth_on_clock(clock, {"intervals": truth["filler_motion"]})


def place(det: tuple, session, filler: list[list]) -> str:
    """Where an unmatched detection's peak lies: on (or within 0.5 s of) a gesture of its
    own class (found too far from its motion peak) or of another class, on filler motion
    cut from its own class's recordings, on other filler, or elsewhere."""
    on = [t.label for t in session.truth if t.start - 0.5 <= det[3] <= t.end + 0.5]
    if on:
        return "own-class gesture" if det[0] in on else "other-class gesture"
    on = [c for a, b, c in filler if a <= det[3] <= b]
    if not on:
        return "no truth"
    return "own-class filler" if det[0] in on else "other filler"


def nearest_gaps(truth, dets: list[tuple]) -> list[float]:
    """Per true event: signed time from its peak to the nearest same-class detection peak
    (inf: none)."""
    out = []
    for t in truth:
        if t.label in EVENT_CLASSES:
            gaps = [d[3] - t.peak for d in dets if d[0] == t.label]
            out.append(min(gaps, key=abs) if gaps else np.inf)
    return out


def gap_line(gaps: list[float]) -> str:
    g = np.array(gaps)
    near = g[np.abs(g) <= 2]
    return (
        "nearest same-class detection peak within "
        + ", ".join(f"{w} s {np.mean(np.abs(g) <= w):.2f}" for w in (0.25, 0.5, 1.0, 2.0))
        + f" (n {len(g)}); of those within 2 s: median {np.median(near):+.2f} s, "
        f"10-90% [{np.quantile(near, 0.1):+.2f}, {np.quantile(near, 0.9):+.2f}] s"
    )


def spot_one(pred, cfg, folder: Path, diag: dict) -> dict:
    """One session: its counts (spotting.match), with diagnostics added to ``diag``."""
    [session], errors = load_truth_sessions([folder])
    assert not errors, errors
    times, probs = slide(pred, session.stream.motion, cfg)
    dets = detect(times, probs, list(pred.labels), session.stream.motion)
    counts = match(session.truth, dets, session.filler)  # the filler rule (spot_filler_truth)
    filler = filler_on_clock(folder)
    for d in dets:
        if match(session.truth, [d], session.filler)[d[0]]["fp"]:
            row = diag["fp_where"].setdefault(d[0], {})
            key = place(d, session, filler)
            row[key] = row.get(key, 0) + 1
    diag["gaps"] += nearest_gaps(session.truth, dets)
    kind = read_truth(folder)["delivery"]["kind"]
    add_counts(diag["by_delivery"].setdefault(kind, {}), counts)
    diag["undelivered"] += session.undelivered
    diag["sessions"] += 1
    diag["streams"].setdefault(pred.folder, []).append(session.stream)
    return counts


def run_side(models: list[str], prefix: str, root: Path, seeds) -> dict:
    """Per (model, synth seed): per-class counts, plus diagnostics over all runs."""
    runs = {}
    diag: dict = {
        "fp_where": {},
        "gaps": [],
        "by_delivery": {},
        "undelivered": 0,
        "sessions": 0,
        "streams": {},
    }
    for m in models:
        pred = Predictor(m)
        cfg = WindowConfig.from_dict(pred.config["window"])
        for k in seeds:
            total: dict = {}
            for folder in find_sessions(root / f"{prefix}_{k}"):
                add_counts(total, spot_one(pred, cfg, folder, diag))
            runs[(m, k)] = total
    return {"runs": runs, **diag}


def table(side: dict, models: list[str], seeds) -> str:
    runs = side["runs"]
    total: dict = {}
    for r in runs.values():
        add_counts(total, r)
    pooled = event_scores(total)
    scored = sum(c["tp"] + c["fn"] for c in total.values())
    lines = [
        f"  {len(models)} model seeds x {len(seeds)} synth seeds = {len(runs)} runs; "
        f"{side['sessions']} sessions, {scored} gestures scored, "
        f"{side['undelivered']} never delivered (not scored)",
        "  class   pooled P / R / F1   (tp fp fn)   | F1 per run mean sd [min-max] "
        "| F1 per model seed (pooled over synth seeds)",
    ]
    for cls in CLASSES:
        if cls not in pooled:
            continue
        p = pooled[cls]
        f1s = [event_scores(r).get(cls, {}).get("f1", np.nan) for r in runs.values()]
        f1s = [f for f in f1s if f == f]
        per_model = []
        for m in models:
            t: dict = {}
            for (mm, _), r in runs.items():
                if mm == m:
                    add_counts(t, r)
            per_model.append(event_scores(t).get(cls, {}).get("f1", float("nan")))
        lines.append(
            f"  {cls:6s}{'*' if cls in EVENT_CLASSES else ' '} {p['precision']:.2f} / "
            f"{p['recall']:.2f} / {p['f1']:.2f}   ({p['tp']:3d} {p['fp']:3d} {p['fn']:3d})"
            f"   | {np.mean(f1s):.2f} {np.std(f1s):.2f} [{min(f1s):.2f}-{max(f1s):.2f}]"
            f" | {' '.join(f'{f:.2f}' for f in per_model)}"
        )
    lines.append(f"  false positives by place of their peak: {side['fp_where']}")
    lines.append("  true events (jump/punch/turn): " + gap_line(side["gaps"]))
    for folder, streams in side["streams"].items():
        r = evaluate(folder, streams)
        lines.append(
            f"  window macro-F1 on the sessions' truth spans, {folder}: {r['macro_f1']:.3f} "
            f"({r['windows']} windows; "
            + " ".join(f"{c} {v['f1']:.2f}" for c, v in r["per_class"].items())
            + ")"
        )
    for kind, counts in sorted(side["by_delivery"].items()):
        ev = {c: v for c, v in event_scores(counts).items() if c in EVENT_CLASSES}
        lines.append(
            f"  delivery {kind:12s} event F1 "
            + " ".join(f"{c} {v['f1']:.2f} ({v['tp']}/{v['tp'] + v['fn']})" for c, v in ev.items())
        )
    return "\n".join(lines)


def clip_scores(models: list[str], eval_clips: Path) -> str:
    """Window macro-F1 and stitched-stream events of each model on clips it never saw."""
    streams = load_clip_streams(eval_clips)
    lines, total, gaps = [], {}, []
    for m in models:
        r = evaluate(Path(m), streams)
        pred = Predictor(m)
        cfg = WindowConfig.from_dict(pred.config["window"])
        add_counts(total, spot(pred, streams, cfg)["counts"])
        for s in stitched_streams(streams):
            times, probs = slide(pred, s.motion, cfg)
            gaps += nearest_gaps(s.truth, detect(times, probs, list(pred.labels), s.motion))
        f1 = " ".join(f"{c} {v['f1']:.2f}" for c, v in r["per_class"].items())
        lines.append(f"  {m}: window macro-F1 {r['macro_f1']:.3f} ({r['windows']} windows; {f1})")
    lines.append("  stitched-stream events, pooled over model seeds:")
    lines.append("    true events (jump/punch/turn): " + gap_line(gaps))
    for c, v in event_scores(total).items():
        lines.append(
            f"    {c:6s} P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f} "
            f"({v['tp']} {v['fp']} {v['fn']})"
        )
    return "\n".join(lines)


def main(
    within: list[str], cross: list[str], root: Path, eval_clips: Path, day_clips: Path
) -> None:
    print("== within-day: R12 train-side model, sessions from the R12 held-out clips")
    print(clip_scores(within, eval_clips), flush=True)
    for name, seeds in (("reported", REPORTED), ("dev", DEV)):
        print(f"-- realistic sessions, synth seeds {seeds} ({name})")
        print(table(run_side(within, "r12", root, seeds), within, seeds), flush=True)
    print("== cross-day: model on all of clips-dev, sessions from clips-20251014")
    print(clip_scores(cross, day_clips), flush=True)
    for name, seeds in (("reported", REPORTED), ("dev", DEV)):
        print(f"-- realistic sessions, synth seeds {seeds} ({name})")
        print(table(run_side(cross, "d1014", root, seeds), cross, seeds), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0].split(","), a[1].split(","), Path(a[2]), Path(a[3]), Path(a[4]))
