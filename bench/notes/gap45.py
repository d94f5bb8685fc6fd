"""Dev harness for the voice-vs-clip model gap (issue 24, helper gap45). Not shipped.

Two steps, both on a bench run's sessions (bench.voice_path builds and transcribes them):

    python bench/notes/gap45.py dump R13 RB       # score-voice up to training; streams pickled
    python bench/notes/gap45.py train R13,RB census base m512 ...   # variants, seeds as below

``dump`` runs the bench's score-voice (transcripts come from the run's store) but stops
before training: the passed sessions' voice-labelled and truth-labelled streams, every
session's motion and the run's evaluation clips are pickled to /tmp/gap45/streams_RUN.pkl.
``train`` trains each variant (VARIANTS) with seeds SEED0.. SEED0+NSEEDS-1 (environment,
default 1337 and 3, as the bench) and scores it on the run's held-out clips: mean macro-F1,
per seed, per-class F1 (mean over seeds) and the confusion summed over seeds (rows: truth).
``census`` counts the training windows per class (voice and truth) and, for the voice
windows, the true class at each window's centre (label placement).
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from silkpipe.dataset import WindowConfig, load_clip_streams, unlabelled_windows
from silkpipe.evaluation import evaluate
from silkpipe.training import TrainConfig, for_streams, train, training_windows
from silkpipe.vocabulary import CLASSES

OUT = Path("/tmp/gap45")


def dump(names: list[str]) -> None:
    import bench.voice_path as vp
    import silkpipe.voice_score as vs

    def stop_before_training(scores, truths, eval_clips_dir, out_root, sessions_dir, **kw):
        name = Path(sessions_dir).parent.name
        record = {
            "voice": scores.voice_streams,
            "truth": scores.truth_streams,
            "motion": scores.motion_streams,
            "eval": str(eval_clips_dir),
        }
        (OUT / f"streams_{name}.pkl").write_bytes(pickle.dumps(record))
        raise SystemExit(0)

    vs.train_models = stop_before_training
    OUT.mkdir(exist_ok=True)
    for name in names:
        try:
            vp.run_one(next(r for r in vp.RUNS if r.name == name), workers=1)
        except SystemExit:
            print("dumped", name)


def _self_trained(passed_only: bool):
    """A voice model self-trained (silkpipe.adapt, its defaults) on the unlabelled motion of
    every session (as score-voice's voice_adapted) or of the passed sessions only."""

    def fit(streams, folder: Path, cfg: TrainConfig, d: dict) -> None:
        from silkpipe.adapt import AdaptConfig, self_train

        cfg = for_streams(cfg, streams)
        windows, left_out = training_windows(streams, cfg.window)
        names = {s.name for s in streams}
        pool = [m for m in d["motion"] if not passed_only or m.name in names]
        pool_windows = unlabelled_windows(pool, cfg.window)
        self_train(
            windows, pool_windows, folder, cfg, AdaptConfig(), progress=False, left_out=left_out
        )

    return fit


CROPS7 = WindowConfig(event_crops=7, crop_step=3)
#: name -> {"cfg": TrainConfig overrides, "streams": "voice"|"truth", "fit": trainer}.
#: The settings are applied before for_streams, so the sessions preset still fills the
#: fields left at their default: "base" is TrainConfig() as score-voice trains it. On the
#: parent commit (no min_epoch_windows) "base" is the old recipe; here "m0" is.
VARIANTS: dict[str, dict] = {
    "base": {},
    "m0": {"cfg": {"min_epoch_windows": 0, "sessions_preset": "within-day"}},
    "truth": {"streams": "truth"},
    "gbal": {"cfg": {"gesture_balance": "gbal"}},
    "rare": {"cfg": {"gesture_balance": "rare"}},
    "bal": {"cfg": {"balanced": True}},
    "cw1": {"cfg": {"class_weight_power": 1.0}},
    "nb0": {"cfg": {"noise_bias": 0.0}},
    "crops7": {"cfg": {"window": CROPS7}},
    "ep60": {"cfg": {"max_epochs": 60}},
    "adapt": {"fit": _self_trained(passed_only=False)},
    "adaptP": {"fit": _self_trained(passed_only=True)},
}
for _m in (256, 512, 1024):
    VARIANTS[f"m{_m}"] = {"cfg": {"min_epoch_windows": _m}}
    VARIANTS[f"m{_m}cw1"] = {"cfg": {"min_epoch_windows": _m, "class_weight_power": 1.0}}
    VARIANTS[f"m{_m}c7"] = {"cfg": {"min_epoch_windows": _m, "window": CROPS7}}
    VARIANTS[f"truth_m{_m}"] = {"streams": "truth", "cfg": {"min_epoch_windows": _m}}
    VARIANTS[f"m{_m}adapt"] = {**VARIANTS["adapt"], "cfg": {"min_epoch_windows": _m}}
    VARIANTS[f"m{_m}adaptP"] = {**VARIANTS["adaptP"], "cfg": {"min_epoch_windows": _m}}


def _truth_at(stream, t: float) -> str:
    return next((c for a, b, c in stream.intervals if a <= t < b), "-")


def census(d: dict) -> dict:
    """Training windows per class (voice, truth) and the truth under each voice window."""
    cfg = for_streams(TrainConfig(), d["voice"])
    truth = {s.name: s for s in d["truth"]}
    out: dict = {}
    for key in ("voice", "truth"):
        w, _ = training_windows(d[key], cfg.window, warn=False)
        out[key] = {c: int((w.y == i).sum()) for i, c in enumerate(CLASSES)}
        if key == "voice":
            land: dict = {}
            for y, s, t in zip(w.y, w.streams, w.times, strict=True):
                under = land.setdefault(CLASSES[y], {})
                under[_truth_at(truth[s], t)] = under.get(_truth_at(truth[s], t), 0) + 1
            out["voice_window_truth"] = land
    return out


def score(d: dict, variant: dict, seed0: int, seeds: int) -> dict:
    evaluation = load_clip_streams(Path(d["eval"]))
    f1s, confusion, per_class = [], None, []
    for k in range(seeds):
        cfg = replace(TrainConfig(), seed=seed0 + k, **variant.get("cfg", {}))
        streams = d[variant.get("streams", "voice")]
        with tempfile.TemporaryDirectory() as tmp:
            if "fit" in variant:
                variant["fit"](streams, Path(tmp), cfg, d)
            else:
                train(streams, Path(tmp), config=cfg, progress=False)
            r = evaluate(Path(tmp), evaluation)
        f1s.append(round(r["macro_f1"], 4))
        m = np.asarray(r["confusion"]["matrix"])
        confusion = m if confusion is None else confusion + m
        per_class.append({c: v["f1"] for c, v in r["per_class"].items()})
    return {
        "macro_f1": round(float(np.mean(f1s)), 4),
        "per_seed": f1s,
        "per_class": {c: round(float(np.mean([p[c] for p in per_class])), 2) for c in CLASSES},
        "confusion": None if confusion is None else confusion.tolist(),
    }


def main(argv: list[str]) -> None:
    if argv[0] == "dump":
        dump(argv[1:])
        return
    seed0, seeds = int(os.environ.get("SEED0", 1337)), int(os.environ.get("NSEEDS", 3))
    for run in argv[1].split(","):
        d = pickle.loads((OUT / f"streams_{run}.pkl").read_bytes())
        for name in argv[2:]:
            result = census(d) if name == "census" else score(d, VARIANTS[name], seed0, seeds)
            print(run, name, json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
