"""Issue 22: knowledge distillation into the default model (helper distill, stop 36).

Folds are trained exactly as `silkpipe evaluate --cv` exports them (arch.load: the
protocol's windows and folds; whole_samples.trainable: the fold's training windows; the
refit, 30 epochs, seed + 1). Per fold: the baseline (cross_day_adapt.fit), K teachers of
the same recipe with seeds seed + 1 + 1000 j (state dicts cached), and one student per
combination (distill.txt: the loss). Every test window's logits are kept (unbiased);
the noise bias is added when scoring, as the product adds it to the written model.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/distill.py run --proto trdev --seed 1337 1338
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/distill.py table --proto trdev --seed 1337 1338
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from arch import load  # noqa: E402
from cross_day_adapt import fit  # noqa: E402

from silkpipe.dataset import Windows  # noqa: E402
from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.model import GestureNet  # noqa: E402
from silkpipe.training import TrainConfig, _epoch, _Fit, _start_fit, augment, preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

CACHE = Path("/tmp/distill")
CPU = torch.device("cpu")
COMBOS = {"C1": (4, 0.5, 2.0), "C2": (4, 0.5, 4.0), "C3": (4, 0.7, 2.0), "C4": (3, 0.5, 2.0)}
BIAS = 1.5  # TrainConfig.noise_bias, today's default
NOISE, PUNCH = CLASSES.index("noise"), CLASSES.index("punch")
GESTURES = [c for c in CLASSES if c != "noise"]


def teacher_seed(cfg: TrainConfig, j: int) -> int:
    return cfg.seed + 1 + 1000 * j


def train_teacher(train: Windows, cfg: TrainConfig, j: int, key: dict) -> GestureNet:
    """Teacher j: the default recipe (the refit) with its own seed; cached state dict."""
    path = cache_path({**key, "model": f"teacher{j}"}, ".pt")
    model = GestureNet(**cfg.model_kwargs())
    if path.is_file():
        model.load_state_dict(torch.load(path, map_location="cpu"))
        return model.eval()
    f = _start_fit(train, cfg, CPU, teacher_seed(cfg, j), cfg.max_epochs)
    for _ in range(cfg.max_epochs):
        _epoch(f, cfg)
    torch.save(f.model.state_dict(), path)
    return f.model.eval()


def distill_epoch(f: _Fit, cfg: TrainConfig, teachers: list, alpha: float, temp: float) -> float:
    """training._epoch with the distillation loss: (1 - a) CE + a T^2 KL(teacher_T ||
    student_T), the teachers' mean tempered softmax on the same augmented batch, the KL
    weighted per window by its label's class weight (as the CE is)."""
    f.model.train()
    n = len(f.y)
    order = torch.randperm(n, generator=f.gen)
    total, count = 0.0, 0
    for i in range(0, n, cfg.batch_size):
        idx = order[i : i + cfg.batch_size]
        if len(idx) < 2:
            continue
        xb = augment(f.x[idx], cfg, f.raw_std, f.gen)
        yb = f.y[idx]
        logits = f.model(xb)
        with torch.no_grad():
            target = torch.stack([torch.softmax(t(xb) / temp, 1) for t in teachers]).mean(0)
        log_student = torch.log_softmax(logits / temp, 1)
        kl = (target * (target.clamp_min(1e-12).log() - log_student)).sum(1)
        w = f.loss_fn.weight[yb]
        soft = (w * kl).sum() / w.sum()
        loss = (1 - alpha) * f.loss_fn(logits, yb) + alpha * temp * temp * soft
        f.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(f.model.parameters(), 1.0)
        f.optimizer.step()
        f.scheduler.step()
        total += loss.item() * len(idx)
        count += len(idx)
    return total / max(count, 1)


def train_student(train: Windows, cfg: TrainConfig, teachers: list, alpha: float, temp: float):
    """The baseline's refit (same seed, batches and draws) with the distillation loss."""
    f = _start_fit(train, cfg, CPU, cfg.seed + 1, cfg.max_epochs)
    for _ in range(cfg.max_epochs):
        distill_epoch(f, cfg, teachers, alpha, temp)
    return f.model.eval()


def logits_of(model, test: Windows) -> np.ndarray:
    with torch.no_grad():
        x = torch.from_numpy(np.ascontiguousarray(test.core(), dtype=np.float32))
        return model(x).numpy()


def save(key: dict, test: Windows, logits: np.ndarray, t0: float) -> None:
    row = {"key": key, "y": test.y.tolist(), "logits": logits.round(5).tolist()}
    row["seconds"] = round(time.time() - t0, 1)
    cache_path(key, ".json").write_text(json.dumps(row))
    f1 = scores(test.y, biased(logits).argmax(1), CLASSES)["macro_f1"]
    print(f"  {key['model']:6s} {f1:.3f} ({row['seconds']} s)", flush=True)


def run(proto: str, seed: int, combos: list[str]) -> None:
    """Per fold: baseline, teachers (and their ensembles), one student per combination."""
    cfg = replace(preset("default"), seed=seed)
    w, streams, folds = load(proto, cfg)
    k_max = max(COMBOS[c][0] for c in combos)
    for fold in folds:
        base = {"proto": proto, "seed": seed, "fold": fold.name}
        print(f"{proto} seed {seed} {fold.name}", flush=True)
        train_mask, _ = trainable(w, streams, fold.train)
        train, test = w.subset(train_mask), w.subset(fold.test).primaries()
        if not cache_path({**base, "model": "base"}, ".json").is_file():
            t0 = time.time()
            save({**base, "model": "base"}, test, logits_of(fit(train, cfg), test), t0)
        t0 = time.time()
        teachers = [train_teacher(train, cfg, j, base) for j in range(1, k_max + 1)]
        for k in sorted({COMBOS[c][0] for c in combos}):
            key = {**base, "model": f"ens{k}"}
            if not cache_path(key, ".json").is_file():
                probs = [torch.softmax(torch.from_numpy(logits_of(t, test)), 1) for t in teachers]
                save(key, test, torch.stack(probs[:k]).mean(0).log().numpy(), t0)
        for name in combos:
            key = {**base, "model": name}
            if cache_path(key, ".json").is_file():
                continue
            t0 = time.time()
            k, alpha, temp = COMBOS[name]
            model = train_student(train, cfg, teachers[:k], alpha, temp)
            save(key, test, logits_of(model, test), t0)


def cache_path(key: dict, suffix: str) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{digest}{suffix}"


def rows(proto: str, model: str, seeds: list[int]) -> list[dict]:
    out = []
    for path in sorted(CACHE.glob("*.json")):
        r = json.loads(path.read_text())
        k = r["key"]
        if k["proto"] == proto and k["model"] == model and k["seed"] in seeds:
            out.append(r)
    return sorted(out, key=lambda r: (r["key"]["seed"], r["key"]["fold"]))


def biased(logits, b: float = BIAS) -> np.ndarray:
    out = np.array(logits, dtype=np.float64)
    out[:, NOISE] += b
    return out


def pooled(rs: list[dict], b: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.concatenate([np.asarray(r["y"]) for r in rs])
    p = np.concatenate([biased(r["logits"], b).argmax(1) for r in rs])
    return y, p


def no_noise(y: np.ndarray, p: np.ndarray) -> float:
    """Mean F1 of the non-noise classes present, over the windows whose truth is not noise."""
    keep = y != NOISE
    per = scores(y[keep], p[keep], CLASSES)["per_class"]
    return float(np.mean([per[c]["f1"] for c in GESTURES if per[c]["support"]]))


def table(proto: str, seeds: list[int], models: list[str], b: float) -> None:
    """Per model: mean of per-seed pooled macro-F1 [min-max fold] (per seed), punch F1,
    no-noise figure; folds."""
    for model in models:
        rs = rows(proto, model, seeds)
        if not rs:
            continue
        have = sorted({r["key"]["seed"] for r in rs})
        per_seed = [pooled([r for r in rs if r["key"]["seed"] == s], b) for s in have]
        f1s = [scores(y, p, CLASSES)["macro_f1"] for y, p in per_seed]
        nn_f1 = [no_noise(y, p) for y, p in per_seed]
        folds = [scores(*pooled([r], b), CLASSES)["macro_f1"] for r in rs]
        y, p = pooled(rs, b)
        punch = scores(y, p, CLASSES)["per_class"]["punch"]["f1"]
        secs = np.median([r["seconds"] for r in rs])
        print(
            f"{proto:5s} {model:5s} b={b} mean {np.mean(f1s):.4f} [{min(folds):.3f}-"
            f"{max(folds):.3f}] ({' '.join(f'{v:.4f}' for v in f1s)}) punch {punch:.2f} "
            f"no-noise {np.mean(nn_f1):.4f} ({' '.join(f'{v:.3f}' for v in nn_f1)}) "
            f"[{len(rs)} runs, {secs:.0f} s]"
        )
        print("      folds: " + " ".join(f"{v:.3f}" for v in folds))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("run", "table"))
    ap.add_argument("--proto", nargs="+", default=["trdev"])
    ap.add_argument("--seed", type=int, nargs="+", default=[1337])
    ap.add_argument("--combo", nargs="+", default=list(COMBOS))
    ap.add_argument("--b", type=float, default=BIAS)
    a = ap.parse_args()
    for proto in a.proto:
        if a.what == "run":
            for s in a.seed:
                run(proto, s, a.combo)
        else:
            table(proto, a.seed, ["base", *a.combo, "ens3", "ens4"], a.b)


if __name__ == "__main__":
    main()
