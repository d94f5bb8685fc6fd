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

    python bench/notes/session_spotting.py WITHIN_MODELS CROSS_MODELS SESS_ROOT EVAL_CLIPS
      (WITHIN_MODELS/CROSS_MODELS: comma-separated model folders; SESS_ROOT/r12_K, d1014_K)
"""

import sys
from pathlib import Path

import numpy as np

from silkpipe.clips import load_clip_streams
from silkpipe.dataset import WindowConfig
from silkpipe.evaluation import evaluate
from silkpipe.model import Predictor
from silkpipe.session_spotting import load_truth_sessions, spot_sessions
from silkpipe.sessions import find_sessions
from silkpipe.spotting import add_counts, detect, event_scores, slide, spot
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES

REPORTED, DEV = (301, 302, 303, 304, 305, 306), (311, 312, 313, 314)


def where_fp(sessions, predictor, cfg) -> dict:
    """Each unmatched non-background detection: on filler motion (of its own class or
    another), on another class's gesture, or elsewhere (diagnostic only)."""
    from silkpipe.spotting import match

    out: dict = {}
    for s in sessions:
        times, probs = slide(predictor, s.stream.motion, cfg)
        dets = detect(times, probs, list(predictor.labels))
        for d in dets:
            c = match(s.truth, [d])[d[0]]
            if not c["fp"]:
                continue
            on = [t for t in s.truth if t.start - 0.5 <= d[3] <= t.end + 0.5]
            key = "on other gesture" if on else "on filler/between"
            row = out.setdefault(d[0], {})
            row[key] = row.get(key, 0) + 1
    return out


def run_side(models: list[str], prefix: str, root: Path, seeds) -> dict:
    """Per (model, synth seed): per-class counts; pooled and spread."""
    runs = {}
    fps: dict = {}
    for m in models:
        pred = Predictor(m)
        cfg = WindowConfig.from_dict(pred.config["window"])
        for k in seeds:
            sessions, errors = load_truth_sessions(find_sessions(root / f"{prefix}_{k}"))
            assert not errors, errors
            res = spot_sessions(pred, sessions, cfg)
            runs[(m, k)] = res
            for cls, row in where_fp(sessions, pred, cfg).items():
                for key, n in row.items():
                    fps.setdefault(cls, {}).setdefault(key, 0)
                    fps[cls][key] += n
    return {"runs": runs, "fp_where": fps}


def table(side: dict, models: list[str], seeds) -> str:
    runs = side["runs"]
    total: dict = {}
    for r in runs.values():
        add_counts(total, r["counts"])
    pooled = event_scores(total)
    lines = [
        f"  {len(models)} model seeds x {len(seeds)} synth seeds = {len(runs)} runs; "
        f"{sum(r['sessions'] for r in runs.values())} sessions, "
        f"{sum(r['gestures'] for r in runs.values())} gestures scored, "
        f"{sum(r['gestures_undelivered'] for r in runs.values())} never delivered (not scored)",
        "  class   pooled P / R / F1   (tp fp fn)   | F1 per run mean sd [min-max] "
        "| F1 per model seed (pooled over synth seeds)",
    ]
    for cls in CLASSES:
        if cls not in pooled:
            continue
        p = pooled[cls]
        f1s = [event_scores(r["counts"]).get(cls, {}).get("f1", np.nan) for r in runs.values()]
        f1s = [f for f in f1s if f == f]
        per_model = []
        for m in models:
            t: dict = {}
            for (mm, _), r in runs.items():
                if mm == m:
                    add_counts(t, r["counts"])
            per_model.append(event_scores(t).get(cls, {}).get("f1", float("nan")))
        lines.append(
            f"  {cls:6s}{'*' if cls in EVENT_CLASSES else ' '} {p['precision']:.2f} / "
            f"{p['recall']:.2f} / {p['f1']:.2f}   ({p['tp']:3d} {p['fp']:3d} {p['fn']:3d})"
            f"   | {np.mean(f1s):.2f} {np.std(f1s):.2f} [{min(f1s):.2f}-{max(f1s):.2f}]"
            f" | {' '.join(f'{f:.2f}' for f in per_model)}"
        )
    lines.append(f"  false positives by place: {side['fp_where']}")
    return "\n".join(lines)


def clip_scores(models: list[str], eval_clips: Path) -> str:
    """Window macro-F1 and stitched-stream events of each model on the held-out clips."""
    streams = load_clip_streams(eval_clips)
    lines, total = [], {}
    for m in models:
        r = evaluate(Path(m), streams)
        pred = Predictor(m)
        ev = spot(pred, streams, WindowConfig.from_dict(pred.config["window"]))
        add_counts(total, ev["counts"])
        f1 = " ".join(f"{c} {v['f1']:.2f}" for c, v in r["per_class"].items())
        lines.append(f"  {m}: window macro-F1 {r['macro_f1']:.3f} ({r['windows']} windows; {f1})")
    lines.append("  stitched-stream events, pooled over model seeds:")
    for c, v in event_scores(total).items():
        lines.append(
            f"    {c:6s} P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f} "
            f"({v['tp']} {v['fp']} {v['fn']})"
        )
    return "\n".join(lines)


def main(within: list[str], cross: list[str], root: Path, eval_clips: Path) -> None:
    print("== within-day: R12 train-side model, sessions from the R12 held-out clips")
    print(clip_scores(within, eval_clips), flush=True)
    for name, seeds in (("reported", REPORTED), ("dev", DEV)):
        print(f"-- realistic sessions, synth seeds {seeds} ({name})")
        print(table(run_side(within, "r12", root, seeds), within, seeds), flush=True)
    print("== cross-day: model on all of clips-dev, sessions from clips-20251014")
    for name, seeds in (("reported", REPORTED), ("dev", DEV)):
        print(f"-- realistic sessions, synth seeds {seeds} ({name})")
        print(table(run_side(cross, "d1014", root, seeds), cross, seeds), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0].split(","), a[1].split(","), Path(a[2]), Path(a[3]))
