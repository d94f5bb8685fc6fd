"""Dev harness: self-training the voice model on its sessions' unlabelled time (issue 24,
helper vgap2). Not shipped.

Streams (/tmp/vgap2/streams/devNN.pkl) hold each dev seed's sessions as score-voice builds
them: the aligner's voice labels (oracle words, default AlignConfig, the quality gate), the
same sessions' true labels, and every session's motion. Dev sessions: synth --realistic,
2 per seed, seeds 51-62, from the EVEN half of R12's training side of clips-dev
(bench/notes/clip_align_dev.py split); evaluated on the ODD half ("odd") and R12's held-out
clips ("r12"), as bench/notes/voice_model_gap.txt.

    python bench/notes/voice_self_train.py VARIANT... --seeds=51-56 [--train=3] [--set=k=v]

Results are appended to /tmp/vgap2/results.jsonl.
"""

import json
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from voice_model_gap import _value  # the same --set.X=V parsing as that harness

from silkpipe.adapt import AdaptConfig, self_train
from silkpipe.dataset import (
    concat_windows,
    load_clip_streams,
    make_windows,
    unlabelled_windows,
)
from silkpipe.evaluation import evaluate
from silkpipe.training import TrainConfig, for_streams, train

ROOT = Path("/tmp/vgap2")
EVALS = {"odd": ROOT / "split/model_clips", "r12": ROOT / "split/r12/eval"}


def load(spec: str) -> dict:
    lo, hi = (int(x) for x in spec.split("-"))
    out: dict = {"voice": [], "truth": [], "motion": []}
    for s in range(lo, hi + 1):
        d = pickle.loads((ROOT / "streams" / f"dev{s}.pkl").read_bytes())
        for k in out:
            out[k] += d[k]
    return out


def away_from_labels(pool, streams, margin: float):
    """The pool windows whose 1 s span lies ``margin`` s clear of every label of its stream."""
    spans = {st.name: [(iv.start, iv.end) for iv in st.intervals] for st in streams}
    half = pool.config.length / pool.config.rate / 2
    keep = np.ones(len(pool), bool)
    for i, (name, t) in enumerate(zip(pool.streams, pool.times, strict=True)):
        keep[i] = all(
            t + half + margin <= a or t - half - margin >= b for a, b in spans.get(name, [])
        )
    return pool.subset(keep)


def _filled(stream, margin: float, min_s: float = 0.6):
    """The stream with every unlabelled stretch (``margin`` clear of labels) labelled noise."""
    from silkpipe.dataset import session_stream

    t0, t1 = float(stream.motion.t[0]), float(stream.motion.t[-1])
    last, extra = t0, []
    for a, b, _ in sorted(stream.intervals) + [(t1 + margin, t1 + margin, "")]:
        if a - margin - (last + margin) >= min_s:
            extra.append((last + margin, a - margin, "noise"))
        last = max(last, b)
    spans = [(iv.start, iv.end, iv.label) for iv in stream.intervals]
    return session_stream(stream.name, stream.motion, spans + extra)


def fit(variant: str, data: dict, folder: Path, cfg: TrainConfig, opts: dict) -> dict:
    share = float(opts.get("share", 0.3))
    rounds = int(opts.get("rounds", 2))
    margin = float(opts.get("margin", 0.3))
    streams = data["truth"] if variant == "truth" else data["voice"]
    if variant in ("voice", "truth"):
        return train(streams, folder, config=cfg, progress=False)
    if variant == "fill":  # unlabelled stretches ``margin`` clear of labels as noise
        filled = [_filled(st, margin) for st in streams]
        return train(filled, folder, config=cfg, progress=False)
    cfg = for_streams(cfg, streams)
    windows = make_windows(streams, cfg.window)
    if variant == "adapt_all":  # score-voice's voice_adapted: every session's whole motion
        pool = unlabelled_windows(data["motion"], cfg.window)
    elif variant == "adapt_unlab_all":  # that, plus the refused sessions' whole motion
        passed = {st.name for st in streams}
        refused = [st for st in data["motion"] if st.name not in passed]
        pool = concat_windows(
            [
                away_from_labels(unlabelled_windows(streams, cfg.window), streams, margin),
                unlabelled_windows(refused, cfg.window),
            ]
        )
    elif variant == "adapt_unlab":  # the passed sessions' unlabelled time only
        pool = away_from_labels(unlabelled_windows(streams, cfg.window), streams, margin)
    else:
        raise SystemExit(f"unknown variant {variant}")
    return self_train(windows, pool, folder, cfg, AdaptConfig(share, rounds), progress=False)


def run(variant: str, spec: str, n_train: int, over: dict, opts: dict) -> dict:
    data = load(spec)
    evals = {k: load_clip_streams(v) for k, v in EVALS.items()}
    cfg = replace(TrainConfig(), **over)
    res: dict = {k: [] for k in evals}
    per: dict = {k: [] for k in evals}
    t0 = time.time()
    for k in range(n_train):
        folder = ROOT / "models" / f"{variant}-{spec}-{k}"
        fit(variant, data, folder, replace(cfg, seed=cfg.seed + k), opts)
        for name, ev in evals.items():
            r = evaluate(folder, ev)
            res[name].append(round(r["macro_f1"], 4))
            per[name].append({c: v["f1"] for c, v in r["per_class"].items()})
    row = {
        "variant": variant,
        "sessions": spec,
        "trained_on": [s.name for s in data["voice"]],
        "over": over,
        "opts": opts,
        **{f"{k}_seeds": v for k, v in res.items()},
        **{k: round(float(np.mean(v)), 4) for k, v in res.items()},
        **{
            f"{k}_per_class": {c: round(float(np.mean([p.get(c, 0) for p in v])), 3) for c in v[0]}
            for k, v in per.items()
        },
        "seconds": round(time.time() - t0),
    }
    with open(ROOT / "results.jsonl", "a") as fh:
        fh.write(json.dumps(row) + "\n")
    return row


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    over = {k[4:]: _value(v) for k, v in opts.items() if k.startswith("set.")}
    opts = {k: v for k, v in opts.items() if not k.startswith("set.")}
    for variant in [a for a in args if not a.startswith("--")]:
        r = run(
            variant,
            opts.get("seeds", "51-56"),
            int(opts.get("train", 3)),
            over,
            {k: v for k, v in opts.items() if k not in ("seeds", "train")},
        )
        print(
            f"{variant:12s} {r['sessions']} {r['opts']} odd {r['odd']:.3f} {r['odd_seeds']} "
            f"r12 {r['r12']:.3f} {r['r12_seeds']} {r['seconds']}s",
            flush=True,
        )
