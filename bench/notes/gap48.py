"""gap48 harness (dev only): the voice / truth / clip models of a score-voice run, rebuilt
from its store, trained with and without TrainConfig.unlabelled_noise (issue 24).

    python bench/notes/gap48.py dump WORK RUN OUT.pkl      # streams from WORK/RUN's store
    python bench/notes/gap48.py score OUT.pkl WORK RUN voice|truth|clips THRESHOLD
    python bench/notes/gap48.py confusion OUT.pkl WORK RUN truth|clips

WORK/RUN: a bench.voice_path run folder (sessions, store, train, eval; gap46's runs of 16
sessions, /tmp/gap46/voice_path). THRESHOLD 0: the parent's recipe (run as -1, off); 0.9: the shipped one.
Three training seeds (1337-1339), macro-F1 on the run's held-out clips (bench/notes/gap48.txt).
"""

import collections
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np

SEEDS = (1337, 1338, 1339)


def dump(work: Path, run: str, out: str) -> None:
    import silkpipe.voice_score as vs
    from silkpipe.store import open_store

    base = work / run
    folders = sorted(p for p in (base / "sessions").iterdir() if (p / "truth.json").exists())
    truths = {f.name: vs.read_truth(f) for f in folders}
    store = open_store(str(base / "store"))
    steps = vs.StepOutputs(store, str(base / "store"), "bench", base / "out", {}, {}, None, 0.0)
    scores = vs.score_sessions(steps, folders, truths)
    print(run, "passed", [s.name for s in scores.voice_streams])
    streams = {"voice": scores.voice_streams, "truth": scores.truth_streams, "truths": truths}
    pickle.dump(streams, open(out, "wb"))


def _load(pkl: str, work: Path, run: str, key: str):
    from silkpipe.clips import load_clip_streams

    evals = load_clip_streams(work / run / "eval")
    if key == "clips":
        return load_clip_streams(work / run / "train"), evals
    return pickle.load(open(pkl, "rb"))[key], evals


def _trained(streams, seed: int, threshold: float, tmp: str) -> Path:
    from silkpipe.training import TrainConfig, train, with_overrides

    # 0 is the default, which sessions alone replace with the preset's 0.9: -1 keeps it off
    cfg = with_overrides(TrainConfig(), seed=seed, unlabelled_noise=threshold or -1.0)
    train(streams, Path(tmp) / "m", config=cfg, progress=False)
    return Path(tmp) / "m"


def score(pkl: str, work: Path, run: str, key: str, threshold: float) -> None:
    from silkpipe.evaluation import evaluate

    streams, evals = _load(pkl, work, run, key)
    f1s, per = [], []
    for seed in SEEDS:
        with tempfile.TemporaryDirectory() as tmp:
            r = evaluate(_trained(streams, seed, threshold, tmp), evals)
        f1s.append(r["macro_f1"])
        per.append({k: v["f1"] for k, v in r["per_class"].items()})
    pc = {k: round(float(np.mean([p[k] for p in per])), 3) for k in per[0]}
    print(
        f"{run} {key} unlabelled_noise {threshold}: {np.mean(f1s):.3f} "
        f"[{min(f1s):.2f}-{max(f1s):.2f}] {pc} per seed {f1s}"
    )


def confusion(pkl: str, work: Path, run: str, key: str) -> None:
    """Held-out windows' confusion summed over seeds (rows: truth), with the default recipe."""
    from silkpipe.dataset import WindowConfig, make_windows
    from silkpipe.model import Predictor
    from silkpipe.vocabulary import CLASSES

    streams, evals = _load(pkl, work, run, key)
    w = make_windows(evals, WindowConfig()).primaries()
    matrix = np.zeros((len(CLASSES), len(CLASSES)), int)
    for seed in SEEDS:
        with tempfile.TemporaryDirectory() as tmp:
            p = Predictor(_trained(streams, seed, 0.0, tmp))
            pred = [CLASSES.index(p.labels[k]) for k in p.predict(w.core())]
        for a, b in zip(w.y, pred, strict=True):
            matrix[a, b] += 1
    print(run, key, "rows truth, columns predicted", CLASSES)
    for name, row in zip(CLASSES, matrix, strict=True):
        print(f"  {name:6s} {row.tolist()}")
    print(
        "  training windows",
        collections.Counter(CLASSES[y] for y in make_windows(streams, WindowConfig()).y),
    )


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "dump":
        dump(Path(args[0]), args[1], args[2])
    elif cmd == "score":
        score(args[0], Path(args[1]), args[2], args[3], float(args[4]))
    elif cmd == "confusion":
        confusion(args[0], Path(args[1]), args[2], args[3])
