"""Issue 22: adapting the gesture model to a new day (bench harness, not the product).

Two protocols beside leave-day-out (train on one day, test on the other; shared classes
jump, punch, turn, walk, noise; the default training, 30 epochs, the exported model =
the refit on all training windows, exactly as `silkpipe evaluate --cv` trains a fold):

- self-training ("st"): the target day's windows without their labels are the pool; the
  source model labels them, the most confident share ``q`` of each predicted class (at
  most q * pool / classes per class: balanced) joins the source windows with its predicted
  label, a fresh model trains on both; ``rounds`` times. Scored on the target's windows
  (the same windows, transductive: what a user has when a new day arrives).
- few-shot ("shots"): the first k samples per class of the target day (recording order; a
  sample is a clip, or 2.5 s of a longer state recording) are labelled; a fresh model
  trains on source + those windows repeated ``rep`` times; scored on the rest of the
  target day (the shot clips out, 2 s purge after a partly used recording), beside the
  source-only model on the very same windows.

Settings are chosen on the fold testing 2025-10-14, the fold testing 2025-10-19 is the
held-out check (README). Results are cached per run in CACHE (json), so reruns are cheap.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/cross_day_adapt.py st --q 0.5 --rounds 2
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/cross_day_adapt.py shots --k 5 --rep 4
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import torch

from silkpipe.clips import load_clip_streams
from silkpipe.crossval import shared_classes, window_days
from silkpipe.dataset import Windows, make_windows
from silkpipe.evaluation import scores
from silkpipe.training import TrainConfig, _refit
from silkpipe.vocabulary import CLASSES

CACHE = Path("/tmp/xd/cache")
DAYS = ("2025-10-14", "2025-10-19")  # test day; 10-14 chooses, 10-19 is held out
SAMPLE_S = 2.5  # one "sample" of a state recording, as long as a 2025-10-14 clip


def load(cfg: TrainConfig):
    streams = load_clip_streams("../shared/data/clips-dev")
    streams += load_clip_streams("../shared/data/clips-20251014")
    w = make_windows(streams, cfg.window)
    days = window_days(w, streams)
    keep = np.isin(w.y, [CLASSES.index(c) for c in shared_classes(w, days)])
    return streams, w.subset(keep), days[keep]


def concat(a: Windows, b: Windows) -> Windows:
    pa = a.primary if a.primary is not None else np.ones(len(a), bool)
    pb = b.primary if b.primary is not None else np.ones(len(b), bool)
    return Windows(
        np.concatenate([a.x, b.x]),
        np.concatenate([a.y, b.y]),
        np.concatenate([a.groups, b.groups]),
        np.concatenate([a.streams, b.streams]),
        np.concatenate([a.times, b.times]),
        a.config,
        np.concatenate([pa, pb]),
    )


def fit(windows: Windows, cfg: TrainConfig):
    """The model `evaluate --cv` exports for a fold: with select="last" the refit on all
    windows for max_epochs (seed + 1); the validated run only fixes that epoch count."""
    torch.set_num_threads(1)
    model, _, _ = _refit(windows, cfg, cfg.max_epochs, torch.device("cpu"))
    return model.eval()


def probs(model, w: Windows) -> np.ndarray:
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(w.core(), dtype=np.float32))
        return torch.softmax(model(x), 1).numpy()


def pseudo(p: np.ndarray, q: float, classes: list[int], select: str = "balanced") -> np.ndarray:
    """Indices of the pool windows kept: per predicted class the most confident, at most
    q * pool / classes of them ("balanced"), or the top share q of each predicted class
    ("prop": the predicted class mix is kept)."""
    pred, conf = p.argmax(1), p.max(1)
    cap = max(1, math.ceil(q * len(p) / len(classes)))
    keep = []
    for c in classes:
        idx = np.flatnonzero(pred == c)
        n = cap if select == "balanced" else math.ceil(q * len(idx))
        keep.extend(idx[np.argsort(-conf[idx])][:n])
    return np.sort(np.asarray(keep, dtype=int))


def f1(model, test: Windows) -> dict:
    pred = probs(model, test).argmax(1)
    s = scores(test.y, pred, CLASSES)
    return {
        "macro_f1": s["macro_f1"],
        "y": test.y.tolist(),
        "pred": pred.tolist(),
        "recall": {c: v["recall"] for c, v in s["per_class"].items() if v["support"]},
    }


def cached(key: dict, run):
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / (
        hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16] + ".json"
    )
    if path.is_file():
        return json.loads(path.read_text())
    out = {"key": key, **run()}
    path.write_text(json.dumps(out))
    return out


def slid_pool(streams, day: str, cfg: TrainConfig) -> Windows:
    """The target day's streams slid whole (stride cfg.window.stride), labels unused:
    windows a user's unlabelled recordings give. y holds the clip's label only so the
    pseudo-labels' accuracy can be reported."""
    from dataclasses import replace as dc_replace

    from silkpipe.labels import Interval

    whole = []
    for st in streams:
        if st.day != day:
            continue
        iv = Interval(float(st.motion.t[0]), float(st.motion.t[-1]), "walk")
        whole.append((dc_replace(st, intervals=[iv]), CLASSES.index(st.intervals[0].label)))
    pools = []
    for st, label in whole:
        pw = make_windows([st], cfg.window)
        pw.y[:] = label
        pools.append(pw)
    out = pools[0]
    for pw in pools[1:]:
        out = concat(out, pw)
    return out


def self_training(w, days, day, cfg, q, rounds, pool="windows", streams=None, select="balanced"):
    src, tgt = w.subset(days != day), w.subset(days == day)
    if pool == "slide":
        tgt = slid_pool(streams, day, cfg)
        tgt = tgt.subset(np.isin(tgt.y, sorted(set(src.y.tolist()))))
        test = w.subset(days == day).primaries()
    else:
        test = tgt.primaries()
    classes = sorted(set(src.y.tolist()))
    model = fit(src, cfg)
    out = {"round0": f1(model, test)}
    for r in range(1, rounds + 1):
        keep = pseudo(probs(model, tgt), q, classes, select)
        lab = tgt.subset(keep)
        lab.y = probs(model, lab).argmax(1)
        acc = float((lab.y == tgt.y[keep]).mean())
        model = fit(concat(src, lab), cfg)
        out[f"round{r}"] = {**f1(model, test), "pseudo": len(keep), "pseudo_acc": acc}
    return out


def shot_masks(streams, w: Windows, days, day, k: int, purge_s: float = 2.0):
    """(shot windows, test windows) of the target day: per class the first k samples."""
    shot = np.zeros(len(w), bool)
    test = (days == day).copy()
    by_name = {st.name: st for st in streams}
    for c in sorted(set(w.y[days == day].tolist())):
        names = sorted(
            set(w.streams[(days == day) & (w.y == c)]), key=lambda n: (by_name[n].motion.t[0], n)
        )
        left = k
        for n in names:
            if left <= 0:
                break
            st = by_name[n]
            mine = (w.streams == n) & (w.y == c)
            span = st.intervals[0].end - st.intervals[0].start
            take = min(left, max(1, math.ceil(span / SAMPLE_S - 1e-6)))
            cut = st.motion.t[0] + take * SAMPLE_S
            part = mine & (w.times < cut) if take * SAMPLE_S < span else mine
            shot |= part
            test &= ~(mine & (w.times < cut + purge_s)) if take * SAMPLE_S < span else ~mine
            left -= take
    return shot, test


def few_shot(streams, w, days, day, cfg, k, rep):
    shot, test_mask = shot_masks(streams, w, days, day, k)
    src, shots, test = w.subset(days != day), w.subset(shot), w.subset(test_mask).primaries()
    train = src
    for _ in range(rep):
        train = concat(train, shots)
    model = fit(train, cfg)
    return {"shots": f1(model, test), "shot_windows": int(shot.sum()), "test_windows": len(test)}


def source_only_on(streams, w, days, day, cfg, k):
    _, test_mask = shot_masks(streams, w, days, day, k)
    model = fit(w.subset(days != day), cfg)
    return f1(model, w.subset(test_mask).primaries())


def pooled(runs: list[tuple[str, int, dict]]) -> str:
    """Per fold (day, seed) macro-F1, per-seed pooled over the folds, all pooled, min-max."""
    seeds = sorted({seed for _, seed, _ in runs})
    days = sorted({day for day, _, _ in runs})
    per_seed = []
    for seed in seeds:
        rs = [r for _, s, r in runs if s == seed]
        yt = np.concatenate([r["y"] for r in rs])
        per_seed.append(scores(yt, np.concatenate([r["pred"] for r in rs]), CLASSES)["macro_f1"])
    yt = np.concatenate([r["y"] for _, _, r in runs])
    allp = scores(yt, np.concatenate([r["pred"] for _, _, r in runs]), CLASSES)["macro_f1"]
    folds = [r["macro_f1"] for _, _, r in runs]
    cells = []
    for day in days:
        v = [r["macro_f1"] for d, _, r in runs if d == day]
        cells.append(f"test {day[5:]} {' '.join(f'{x:.3f}' for x in v)} (mean {np.mean(v):.3f})")
    head = f"pooled {allp:.3f} [{min(folds):.3f}-{max(folds):.3f}]"
    if len(days) > 1:
        head += f" (per seed {', '.join(f'{x:.3f}' for x in per_seed)})"
    return head + "; " + "; ".join(cells)


def summary() -> None:
    """The notes' tables, from the cache (seeds 1337-1340, 30 epochs)."""
    rows = [json.loads(f.read_text()) for f in sorted(CACHE.glob("*.json"))]
    rows = [r for r in rows if r["key"]["epochs"] == 30]
    groups: dict = {}
    for r in rows:
        k = r["key"]
        if k["mode"] == "st":
            name = f"st {k.get('select', 'balanced')} q={k['q']} pool={k.get('pool', 'windows')}"
            for i in range(k["rounds"] + 1):
                label = "source only (leave-day-out)" if i == 0 else f"{name} round {i}"
                groups.setdefault(label, {})[(k["day"], k["seed"])] = r[f"round{i}"]
        elif k["mode"] == "shots":
            groups.setdefault(f"shots k={k['k']} rep={k['rep']}", {})[(k["day"], k["seed"])] = r[
                "shots"
            ]
        else:
            groups.setdefault(f"source only, shot test k={k['k']}", {})[(k["day"], k["seed"])] = r
    for label in sorted(groups):
        runs = [(d, s, v) for (d, s), v in sorted(groups[label].items())]
        print(f"{label}: {pooled(runs)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("st", "shots", "summary"))
    ap.add_argument("--days", nargs="+", default=list(DAYS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[1337, 1338])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--q", type=float, default=0.5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--rep", type=int, default=1)
    ap.add_argument("--pool", choices=("windows", "slide"), default="windows")
    ap.add_argument("--select", choices=("balanced", "prop"), default="balanced")
    a = ap.parse_args()
    if a.mode == "summary":
        summary()
        return
    base = replace(TrainConfig(), max_epochs=a.epochs)
    streams, w, days = load(base)
    for day in a.days:
        for seed in a.seeds:
            cfg = replace(base, seed=seed)
            key = {"mode": a.mode, "day": day, "seed": seed, "epochs": a.epochs}
            if a.mode == "st":
                key |= {"q": a.q, "rounds": a.rounds}
                if a.pool != "windows":
                    key["pool"] = a.pool
                if a.select != "balanced":
                    key["select"] = a.select
                r = cached(
                    key,
                    partial(
                        self_training, w, days, day, cfg, a.q, a.rounds, a.pool, streams, a.select
                    ),
                )
                line = " ".join(
                    f"r{i} {r[f'round{i}']['macro_f1']:.3f}"
                    + (f" (pl acc {r[f'round{i}']['pseudo_acc']:.2f})" if i else "")
                    for i in range(a.rounds + 1)
                )
            elif a.mode == "shots":
                key |= {"k": a.k, "rep": a.rep}
                r = cached(key, partial(few_shot, streams, w, days, day, cfg, a.k, a.rep))
                b = cached(
                    {**key, "mode": "src-on-shot-test", "rep": 0},
                    partial(source_only_on, streams, w, days, day, cfg, a.k),
                )
                line = (
                    f"k {a.k} rep {a.rep}: shots {r['shots']['macro_f1']:.3f} source-only "
                    f"{b['macro_f1']:.3f} ({r['shot_windows']} shot windows, {r['test_windows']} test)"
                )
            print(f"{a.mode} test {day} seed {seed}: {line}", flush=True)


if __name__ == "__main__":
    main()
