"""Issue 22: confirm test-time shift averaging alone (helper shiftavg, stop 34).
Results and the adoption rule (written before the runs) in shiftavg.txt.

The candidate is fixed: "pm5_10", the mean softmax over a window and its copies shifted by
-10, -5, +5, +10 samples (WindowConfig.test_shift 10 on branch winf), on the DEFAULT model.
Every model is trained once and scored both ways ("single": the centred window; "pm5_10"),
so the comparison is paired. Self-contained (no silkpipe.shift_average needed):

  cv PROTOCOL WHICH SEEDS      folds as `silkpipe evaluate --cv` (crossval.folds_for, fit_fold);
                               PROTOCOL time-range | leave-day-out; WHICH dev | d14 | both
  spot MODELS ROOT PREFIXES    realistic sessions slid whole (spotting.slide, detect, match as
                               `evaluate --sessions --spot`); pm5_10 averages each slid window
                               with its neighbours at -10..+10 samples (stride 5: 2 steps each way)
  latency MODEL                ONNX Runtime ms per decision: 5 copies in one call, batch 5

usage (repo root): OMP_NUM_THREADS=1 PYTHONPATH=$PWD python bench/notes/shiftavg.py cv ...
Writes one JSON line to stdout; progress on stderr.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from silkpipe.dataset import WindowConfig
from silkpipe.vocabulary import CLASSES

DATA = {"dev": "/work/shared/data/clips-dev", "d14": "/work/shared/data/clips-20251014"}
OFFSETS = {"single": [0], "pm5_10": [-10, -5, 0, 5, 10]}


def softmax(logits: np.ndarray) -> np.ndarray:
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def window_probs(predictor, x: np.ndarray, cfg: WindowConfig, offsets) -> np.ndarray:
    """Windows with context -> mean softmax over the shifted copies (one model call)."""
    c, n = cfg.context, cfg.length
    copies = np.concatenate([x[:, c + o : c + o + n] for o in offsets])
    parts = [predictor.logits(copies[i : i + 512]) for i in range(0, len(copies), 512)]
    return softmax(np.concatenate(parts)).reshape(len(offsets), len(x), -1).mean(axis=0)


def slid_average(p: np.ndarray, offsets, stride: int) -> np.ndarray:
    """Slid-window probabilities -> each the mean of its neighbours at the offsets."""
    steps = sorted({round(o / stride) for o in offsets})
    idx = np.arange(len(p))
    return np.mean([p[np.clip(idx + s, 0, len(p) - 1)] for s in steps], 0)


def run_cv(protocol: str, which: str, seeds: list[int]) -> dict:
    from silkpipe.commands.evaluate import _streams
    from silkpipe.crossval import fit_fold, folds_for, shared_classes, window_days
    from silkpipe.dataset import make_windows
    from silkpipe.evaluation import scores
    from silkpipe.training import TrainConfig

    cfg = TrainConfig()

    class Args:
        clips = [DATA[k] for k in (["dev", "d14"] if which == "both" else [which])]
        sessions = None

    streams = _streams(Args)
    windows = make_windows(streams, cfg.window)
    days = window_days(windows, streams)
    if protocol == "leave-day-out":
        keep = np.isin(windows.y, [CLASSES.index(c) for c in shared_classes(windows, days)])
        windows, days = windows.subset(keep), days[keep]
    folds, _ = folds_for(protocol, windows, days, cfg.purge_s)
    rows = []
    with tempfile.TemporaryDirectory(dir="/tmp/shiftavg", prefix="cv-") as tmp:
        for seed in seeds:
            for k, fold in enumerate(folds):
                t0 = time.time()
                pred = fit_fold(
                    windows.subset(fold.train), replace(cfg, seed=seed), Path(tmp) / f"{seed}-{k}"
                )
                test = windows.subset(fold.test).primaries()
                row = {"seed": seed, "fold": fold.name, "y": test.y.tolist()}
                for name, offs in OFFSETS.items():
                    p = window_probs(pred, test.x, cfg.window, offs).argmax(1)
                    row[name] = scores(test.y, p, CLASSES)["macro_f1"]
                    row[name + "_pred"] = p.tolist()
                row["seconds"] = round(time.time() - t0, 1)
                rows.append(row)
                print(
                    seed,
                    fold.name,
                    row["single"],
                    row["pm5_10"],
                    row["seconds"],
                    file=sys.stderr,
                    flush=True,
                )
    return {
        "protocol": protocol,
        "clips": which,
        "seeds": seeds,
        "folds": rows,
        "pooled": pooled(rows, scores),
    }


def pooled(rows: list[dict], scores) -> dict:
    """Macro-F1 pooled over all folds and seeds, per seed, and per fold name over seeds."""
    out: dict = {}
    groups = {"all": rows}
    for r in rows:
        groups.setdefault(f"seed {r['seed']}", []).append(r)
        groups.setdefault(f"fold {r['fold']} seed {r['seed']}", []).append(r)
    for g, rs in groups.items():
        y = np.concatenate([r["y"] for r in rs])
        out[g] = {
            n: scores(y, np.concatenate([r[n + "_pred"] for r in rs]), CLASSES)["macro_f1"]
            for n in OFFSETS
        }
    return out


def run_spot(models: list[str], root: Path, prefixes: list[str]) -> dict:
    from silkpipe import spotting as sp
    from silkpipe.model import Predictor
    from silkpipe.session_spotting import load_truth_sessions
    from silkpipe.sessions import find_sessions

    out: dict = {}
    for m in models:
        pred = Predictor(m)
        cfg = WindowConfig.from_dict(pred.config["window"])
        totals: dict = {n: {} for n in OFFSETS}
        for k in prefixes:
            sessions, errors = load_truth_sessions(find_sessions(root / k))
            assert not errors, errors
            for s in sessions:
                times, probs = sp.slide(pred, s.stream.motion, cfg)
                for name, offs in OFFSETS.items():
                    p = slid_average(probs, offs, sp.STRIDE)
                    dets = sp.detect(times, p, list(pred.labels), s.stream.motion)
                    sp.add_counts(totals[name], sp.match(s.truth, dets, s.filler))
        out[m] = {n: {"counts": t, "per_class": sp.event_scores(t)} for n, t in totals.items()}
        print(
            m,
            {n: {c: round(v["f1"], 3) for c, v in out[m][n]["per_class"].items()} for n in OFFSETS},
            file=sys.stderr,
            flush=True,
        )
    return out


def run_latency(model: str) -> dict:
    from silkpipe.clips import load_clip_streams
    from silkpipe.dataset import make_windows
    from silkpipe.model import Predictor

    pred = Predictor(model, backend="onnx")
    w = make_windows(load_clip_streams(DATA["dev"])[:20], WindowConfig())
    x = w.x[:1].copy()
    out = {}
    for name, offs in OFFSETS.items():
        for _ in range(50):
            window_probs(pred, x, w.config, offs)
        ms = []
        for _ in range(300):
            t0 = time.perf_counter()
            window_probs(pred, x, w.config, offs)
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = float(np.median(ms))
    return out


def main() -> None:
    cmd = sys.argv[1]
    if cmd == "cv":
        seeds = [int(s) for s in sys.argv[4].split(",")]
        result = run_cv(sys.argv[2], sys.argv[3], seeds)
    elif cmd == "spot":
        result = run_spot(sys.argv[2].split(","), Path(sys.argv[3]), sys.argv[4].split(","))
    else:
        result = run_latency(sys.argv[2])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
