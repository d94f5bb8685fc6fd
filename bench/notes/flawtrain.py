"""Issue 22: flawed 2025-10-14 samples as training and test windows (bench harness).

A sample-dialect recording may hold no whole gesture (motion_span.span_flaw: "still",
"cut at start", "cut at end"; bench/notes/sample_census.txt). This harness

- ``place``: where the window of each sample lands (dataset.window_centres: the smoothed
  energy peak inside the labelled span, which for a sample is the whole recording), and how
  many of its core samples lie outside the recording (padded by repeating the edge);
- ``run``: trains folds exactly as `silkpipe evaluate --cv` exports them (the refit on
  all training windows, 30 epochs; cross_day_adapt.fit) and keeps every test window's truth,
  prediction, stream and flaw; ``--drop none|events|events+still-noise`` leaves those
  flawed samples' windows out of TRAINING only (test windows are never touched);
- ``table``: test windows and errors by class and flaw, macro-F1 on all windows and on
  whole-gesture samples only.

Protocols: ``ldo`` (leave-day-out, clips-dev vs clips-20251014, shared classes, as
run_protocol), ``tr14`` (time-range folds, 5, purge 2 s, of clips-20251014 alone) and
``trall`` (the same folds over both days, all classes: README's "time-range, both days").

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/flawtrain.py place
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/flawtrain.py run --proto tr14 --seed 1337
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/flawtrain.py table --proto tr14
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cross_day_adapt import fit, probs  # noqa: E402

from silkpipe.clips import clip_folder_files, load_clip_streams, read_sample_clip  # noqa: E402
from silkpipe.crossval import (  # noqa: E402
    leave_day_out_folds,
    shared_classes,
    time_range_folds,
    window_days,
)
from silkpipe.dataset import make_windows, window_centres  # noqa: E402
from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.motion_span import span_flaw  # noqa: E402
from silkpipe.training import TrainConfig  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402

DATA = Path("../shared/data")
DAY14 = DATA / "clips-20251014"
CACHE = Path("/tmp/flawtrain/cache")
EVENTS = ("jump", "punch", "turn")
FLAWS = ("whole", "still", "cut at start", "cut at end")


def sample_flaws() -> dict[str, str]:
    """Stream name -> flaw of every 2025-10-14 sample (span_flaw on the recording as read;
    a continuous recording and every device-ns clip are "whole")."""
    out = {}
    for path in clip_folder_files(DAY14):
        if path.suffix != ".csv":
            continue
        name, raw = read_sample_clip(path)
        if name.sample is not None:
            out[name.stem] = span_flaw(raw.times, raw.values) or "whole"
    return out


def load(proto: str, cfg: TrainConfig):
    """(windows, folds, per-window flaw) of a protocol, as run_protocol builds them."""
    streams = load_clip_streams(DAY14)
    if proto in ("ldo", "trall"):
        streams = load_clip_streams(DATA / "clips-dev") + streams
    w = make_windows(streams, cfg.window)
    days = window_days(w, streams)
    if proto == "ldo":
        keep = np.isin(w.y, [CLASSES.index(c) for c in shared_classes(w, days)])
        w, days = w.subset(keep), days[keep]
        folds = leave_day_out_folds(days)
    else:
        folds = time_range_folds(w, 5, cfg.purge_s)
    flaws = sample_flaws()
    flaw = np.array([flaws.get(n, "whole") for n in w.streams], dtype=object)
    return w, folds, flaw


def dropped(w, flaw: np.ndarray, drop: str) -> np.ndarray:
    """Windows a variant leaves out of training."""
    if drop == "none":
        return np.zeros(len(w), bool)
    cls = np.array([CLASSES[i] for i in w.y], dtype=object)
    out = np.isin(cls, EVENTS) & (flaw != "whole")
    if drop == "events+still-noise":
        out |= (cls == "noise") & (flaw == "still")
    return out


def run(proto: str, seed: int, drop: str, only: str | None) -> None:
    cfg = replace(TrainConfig(), seed=seed)
    w, folds, flaw = load(proto, cfg)
    out_drop = dropped(w, flaw, drop)
    for fold in folds:
        if only and only not in fold.name:
            continue
        key = {"proto": proto, "seed": seed, "drop": drop, "fold": fold.name}
        path = cache_path(key)
        if path.is_file():
            continue
        if drop != "none" and not (fold.train & out_drop).any():
            base = cache_path({**key, "drop": "none"})
            if base.is_file():  # nothing left out: the baseline's model exactly
                path.write_text(json.dumps({**json.loads(base.read_text()), "key": key}))
                continue
        t0 = time.time()
        train_mask = fold.train & ~out_drop
        model = fit(w.subset(train_mask), cfg)
        test = w.subset(fold.test).primaries()
        pred = probs(model, test).argmax(1)
        tflaw = flaw[fold.test][w.primary[fold.test]]
        row = {
            "key": key,
            "train_windows": int(train_mask.sum()),
            "train_left_out": int((fold.train & out_drop).sum()),
            "y": test.y.tolist(),
            "pred": pred.tolist(),
            "stream": test.streams.tolist(),
            "flaw": tflaw.tolist(),
            "seconds": round(time.time() - t0, 1),
        }
        path.write_text(json.dumps(row))
        f1 = scores(test.y, pred, CLASSES)["macro_f1"]
        print(f"{proto} seed {seed} {drop} {fold.name}: {f1:.3f} ({row['seconds']} s)", flush=True)


def cache_path(key: dict) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{digest}.json"


def rows(proto: str, drop: str, seeds: list[int], fold_has: str = "") -> list[dict]:
    out = []
    for path in sorted(CACHE.glob("*.json")):
        r = json.loads(path.read_text())
        k = r["key"]
        if k["proto"] == proto and k["drop"] == drop and k["seed"] in seeds:
            if fold_has in k["fold"]:
                out.append(r)
    return sorted(out, key=lambda r: (r["key"]["seed"], r["key"]["fold"]))


def pooled(rs: list[dict], whole_only: bool = False) -> float:
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([np.asarray(r["pred"]) for r in rs])
    if whole_only:
        m = np.concatenate([np.asarray(r["flaw"]) == "whole" for r in rs])
        y, p = y[m], p[m]
    return scores(y, p, CLASSES)["macro_f1"]


def table(proto: str, drop: str, seeds: list[int], fold_has: str = "") -> None:
    rs = rows(proto, drop, seeds, fold_has)
    if not rs:
        print("no rows")
        return
    per = [f"{r['key']['seed']} {r['key']['fold']} {pooled([r]):.3f}" for r in rs]
    print(f"== {proto} drop={drop} seeds {seeds} {fold_has!r}: {len(rs)} fold runs")
    print("  " + "; ".join(per))
    by_seed = [pooled([r for r in rs if r["key"]["seed"] == s]) for s in seeds]
    print(
        f"  pooled all windows {pooled(rs):.3f} (per seed "
        + " ".join(f"{v:.3f}" for v in by_seed)
        + f"); whole-gesture samples only {pooled(rs, True):.3f}"
    )
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([np.asarray(r["pred"]) for r in rs])
    fl = np.concatenate([np.asarray(r["flaw"]) for r in rs])
    print("  class  flaw          windows wrong  called (wrong ones)")
    for c in sorted(set(y.tolist())):
        for f in FLAWS:
            m = (y == c) & (fl == f)
            if not m.any():
                continue
            wrong = m & (p != y)
            called = Counter(CLASSES[i] for i in p[wrong])
            text = " ".join(f"{k} {v}" for k, v in called.most_common())
            print(f"  {CLASSES[c]:6s} {f:13s} {m.sum():7d} {wrong.sum():5d}  {text}")
    err = p != y
    flawed = fl != "whole"
    print(
        f"  errors on flawed samples {int((err & flawed).sum())} of {int(err.sum())} "
        f"({int(flawed.sum())} of {len(y)} test windows are on flawed samples)"
    )
    wrong_as = Counter(
        (CLASSES[a], CLASSES[b])
        for a, b, f in zip(y, p, fl, strict=True)
        if a != b and f == "whole"
    )
    print(
        "  whole-sample errors: "
        + ", ".join(f"{a}->{b} {n}" for (a, b), n in wrong_as.most_common(8))
    )


def place() -> None:
    """Where each 2025-10-14 sample's evaluation window lands, by class and flaw."""
    cfg = TrainConfig().window
    flaws = sample_flaws()
    half = cfg.length // 2
    stats: dict = {}
    slid: dict = {}
    for st in load_clip_streams(DAY14):
        if st.name not in flaws:
            continue
        n, label = len(st.motion.t), st.intervals[0].label
        centres = [c for c, _, first in window_centres(st, cfg) if first]
        if label not in EVENTS:  # a state is slid, not placed on a peak
            slid.setdefault(flaws[st.name], []).append(len(centres))
            continue
        centre = centres[0]
        pad = max(0, half - centre) + max(0, centre + half - n)
        key = (label, flaws[st.name])
        stats.setdefault(key, []).append((centre / cfg.rate, (n - centre) / cfg.rate, pad))
    print(
        "class  flaw          n  peak from start s (median, min-max)  to end s (median)  "
        "padded windows  padded samples (median of padded)"
    )
    for (c, f), v in sorted(stats.items()):
        a = np.asarray(v)
        padded = a[:, 2] > 0
        med_pad = float(np.median(a[padded, 2])) if padded.any() else 0.0
        print(
            f"{c:6s} {f:13s} {len(a):3d}  {np.median(a[:, 0]):.2f} ({a[:, 0].min():.2f}-"
            f"{a[:, 0].max():.2f})                  {np.median(a[:, 1]):.2f}"
            f"               {int(padded.sum()):3d}            {med_pad:.0f}"
        )
    for f, counts in sorted(slid.items()):
        print(f"noise  {f:13s} {len(counts):3d}  slid (not peak-placed): {Counter(counts)} windows")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("place", "run", "table"))
    ap.add_argument("--proto", choices=("ldo", "tr14", "trall"), default="tr14")
    ap.add_argument("--seed", type=int, nargs="+", default=[1337])
    ap.add_argument("--drop", choices=("none", "events", "events+still-noise"), default="none")
    ap.add_argument("--fold", default=None, help="run only folds whose name holds this")
    a = ap.parse_args()
    if a.what == "place":
        place()
    elif a.what == "run":
        for s in a.seed:
            run(a.proto, s, a.drop, a.fold)
    else:
        table(a.proto, a.drop, a.seed, a.fold or "")


if __name__ == "__main__":
    main()
