"""Issue 22: why 2025-10-14's punches are called noise (helper punch14, stop 38).

- ``measure``: per day and class (punch, noise; jump/turn for scale), what the model's
  window holds: peak horizontal / vertical linear acceleration (in gravity's frame), peak
  device-frame xy acceleration (the game's punch rule), peak |gyro|, how long the motion
  lasts (envelope over half its peak), the gravity direction in the watch frame (the arm
  pose) and where the motion peak lies in the recording. 2025-10-14 is read only on the
  DEV samples (gestures 01-20, noise 01-40): the held-out samples are not looked at.
- ``nn``: where the 10-14 DEV punches land among clips-dev's training windows: the
  nearest neighbours by those features (standardised on clips-dev) and in the embedding
  of the fold model (ldo14, seed 1337: the LSTM's pooled state the head reads).
- ``run``: train the ldo14 / ldo19 / trdev folds (as `evaluate --cv` exports them; arch.py
  load, cross_day_adapt.fit) for a candidate and keep every test window's raw logits and
  stream name; ``score``: the product's prediction (noise bias added) on a sample subset.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punch14.py measure
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punch14.py run --proto ldo14 --cand base --seed 1337
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/punch14.py score --proto ldo14 --part dev --seed 1337 1338
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from arch import load  # noqa: E402
from cross_day_adapt import fit  # noqa: E402

from silkpipe.clips import load_clip_streams  # noqa: E402
from silkpipe.dataset import make_windows  # noqa: E402
from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.training import preset  # noqa: E402
from silkpipe.vocabulary import CLASSES  # noqa: E402
from silkpipe.whole_samples import trainable  # noqa: E402

DATA = Path("../shared/data")
CACHE = Path("/tmp/punch14/cache")
PUNCH, NOISE = CLASSES.index("punch"), CLASSES.index("noise")
FEATS = ("a_h", "a_v", "a_xy", "gyro", "dur_s", "g_x", "g_y", "g_z", "peak_at")
#: candidates: TrainConfig overrides (fixed in punch14.txt before any score)
CANDIDATES: dict[str, dict] = {
    "base": {},
    "bal": {"balanced": True},
}
# "bal-tilt" ({"balanced": True, "tilt_deg": 45.0}) and round 2's "bal-low" ({"balanced": True,
# "scale_min": 0.3}) need TrainConfig settings that were not adopted and so not merged; they
# live on branch punch14 (commits 86e958b, 826472e) of the stop-38 worktree.


def sample_no(stream: str) -> int | None:
    m = re.search(r"_sample(\d+)$", stream)
    return int(m.group(1)) if m else None


def in_part(stream: str, label: int, part: str) -> bool:
    """DEV: 10-14 gestures 01-20, noise 01-40; held: 21-40 / 41-80; all: every window."""
    n = sample_no(stream)
    if part == "all" or n is None:
        return part == "all"
    cut = 40 if label == NOISE else 20
    return n <= cut if part == "dev" else n > cut


def window_features(x: np.ndarray, rate: float) -> np.ndarray:
    """(n, L, 9) raw model windows -> (n, len(FEATS)) features of what the model sees."""
    acc, gyr, up = x[..., 0:3], x[..., 3:6], x[..., 6:9]
    up = up / np.maximum(np.linalg.norm(up, axis=-1, keepdims=True), 1e-6)
    a_v = (acc * up).sum(-1)
    a_h = np.sqrt(np.maximum((acc**2).sum(-1) - a_v**2, 0))
    a_xy = np.linalg.norm(acc[..., :2], axis=-1)
    g = np.linalg.norm(gyr, axis=-1)
    energy = np.linalg.norm(acc, axis=-1) + g
    dur = (energy >= 0.5 * energy.max(1, keepdims=True)).sum(1) / rate
    pose = up.mean(1)
    pose = pose / np.maximum(np.linalg.norm(pose, axis=-1, keepdims=True), 1e-6)
    peak_at = (energy.argmax(1) - (x.shape[1] - 1) / 2) / rate  # s from the window's centre
    cols = [a_h.max(1), np.abs(a_v).max(1), a_xy.max(1), g.max(1), dur, *pose.T, peak_at]
    return np.stack(cols, 1)


def stream_peaks(streams) -> dict[str, tuple[float, float]]:
    """Per stream: (seconds of its motion peak from its start, its duration)."""
    out = {}
    for st in streams:
        e = st.motion.energy()
        out[st.name] = (float(np.argmax(e) / st.motion.rate), st.motion.duration)
    return out


def day_windows(cfg):
    dev = load_clip_streams(DATA / "clips-dev")
    d14 = load_clip_streams(DATA / "clips-20251014")
    return (dev, make_windows(dev, cfg.window)), (d14, make_windows(d14, cfg.window))


def summary_rows(name, streams, w, cls_names, part) -> list[tuple[str, np.ndarray]]:
    prim = w.primaries()
    core = prim.core()
    peaks = stream_peaks(streams)
    out = []
    for c in cls_names:
        k = CLASSES.index(c)
        keep = np.array(
            [
                y == k and (part is None or in_part(s, y, part))
                for y, s in zip(prim.y, prim.streams, strict=True)
            ]
        )
        if not keep.any():
            continue
        f = window_features(core[keep], w.config.rate)
        pk = np.array([peaks[s] for s in prim.streams[keep]])
        rel = pk[:, 0] / np.maximum(pk[:, 1], 1e-6)
        out.append((f"{name} {c} (n={int(keep.sum())})", np.column_stack([f, pk[:, 0], rel])))
    return out


def measure() -> None:
    cfg = preset("default")
    (dev, wd), (d14, w14) = day_windows(cfg)
    rows = summary_rows("dev", dev, wd, ["punch", "noise", "jump", "turn"], None)
    rows += summary_rows("1014", d14, w14, ["punch", "noise", "jump", "turn"], "dev")
    names = (*FEATS, "peak_s", "peak_rel")
    print("median [p10-p90] per feature; windows = the evaluation window (peak-centred gesture,")
    print("slid noise; 1 s core); peak_s/peak_rel = the stream's |acc|+|gyro| peak from its start")
    for j, n in enumerate(names):
        print(f"\n{n}")
        for label, f in rows:
            v = f[:, j]
            print(
                f"  {label:24s} {np.median(v):7.2f} [{np.percentile(v, 10):7.2f} - "
                f"{np.percentile(v, 90):7.2f}]"
            )
    noise_kinds(dev, wd)


def noise_kinds(streams, w) -> None:
    """clips-dev's noise by recording kind (noise_action, noise_locomotion, baseline)."""
    prim = w.primaries()
    f = window_features(prim.core(), w.config.rate)
    kind = np.array([re.sub(r"(_seg)?_\d.*$|_seg_\d+$", "", s) for s in prim.streams])
    print("\nclips-dev noise windows by recording kind: n, median a_h, a_xy, gyro, dur_s")
    for k in sorted(set(kind[prim.y == NOISE])):
        m = (prim.y == NOISE) & (kind == k)
        med = np.median(f[m], 0)
        print(
            f"  {k:20s} {int(m.sum()):4d} {med[0]:6.2f} {med[2]:6.2f} {med[3]:6.2f} {med[4]:5.2f}"
        )


def fold_model(proto: str, seed: int, overrides: dict):
    """(windows, streams, fold, model) of the protocol's first fold, trained as `--cv` does."""
    cfg = replace(preset("default"), seed=seed, **overrides)
    w, streams, folds = load(proto, cfg)
    fold = folds[0]
    train_mask, _ = trainable(w, streams, fold.train)
    return w, train_mask, fold, fit(w.subset(train_mask), cfg)


def embed(model, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pooled LSTM state the head reads, logits) of raw windows."""
    got = {}
    hook = model.head.register_forward_hook(lambda m, i, o: got.update(z=i[0]))
    with torch.no_grad():
        logits = model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).numpy()
    hook.remove()
    return got["z"].numpy(), logits


def kind_of(stream: str, label: int) -> str:
    if label != NOISE:
        return CLASSES[label]
    return re.sub(r"(_seg)?_\d.*$|_seg_\d+$", "", stream)


def neighbours(seed: int = 1337, cand: str = "base", k: int = 5) -> None:
    """Where 10-14 DEV punches land among the fold's training windows (clips-dev)."""
    w, train_mask, fold, model = fold_model("ldo14", seed, CANDIDATES[cand])
    tr = w.subset(train_mask)
    test = w.subset(fold.test).primaries()
    keep = np.array(
        [y == PUNCH and in_part(s, y, "dev") for y, s in zip(test.y, test.streams, strict=True)]
    )
    q = test.subset(keep)
    kinds = np.array([kind_of(s, y) for s, y in zip(tr.streams, tr.y, strict=True)])
    zt, _ = embed(model, tr.core())
    zq, lq = embed(model, q.core())
    ft = window_features(tr.core(), w.config.rate)
    fq = window_features(q.core(), w.config.rate)
    sel = [0, 1, 3, 4, 5, 6, 7]  # a_h a_v gyro dur pose
    ft, fq = ft[:, sel], fq[:, sel]
    for j in range(4):
        ft[:, j], fq[:, j] = np.log1p(ft[:, j]), np.log1p(fq[:, j])
    mu, sd = ft.mean(0), ft.std(0) + 1e-6
    print(f"ldo14 {cand} seed {seed}: {len(q)} DEV punch windows; {len(tr)} training windows")
    pred = (lq + np.eye(lq.shape[1])[NOISE] * 1.5).argmax(1)
    print("  predicted (noise bias 1.5):", {CLASSES[c]: int((pred == c).sum()) for c in set(pred)})
    for name, a, b in (("features", (ft - mu) / sd, (fq - mu) / sd), ("embedding", zt, zq)):
        d = ((b[:, None, :] - a[None, :, :]) ** 2).sum(-1)
        nn = np.argsort(d, 1)[:, :k]
        counts: dict[str, int] = {}
        for row in nn:
            for i in row:
                counts[kinds[i]] = counts.get(kinds[i], 0) + 1
        called = {c: counts.get(c, 0) for c in sorted(counts, key=lambda c: -counts[c])}
        print(f"  {name}: {k}-NN of the {len(q)} punches: {called}")
        by_pred = {}
        for p_, row in zip(pred, nn, strict=True):
            by_pred.setdefault(CLASSES[p_], []).extend(kinds[row])
        for p_, ks in by_pred.items():
            u, c = np.unique(ks, return_counts=True)
            print(
                f"    those called {p_}: "
                + ", ".join(f"{a} {b}" for a, b in zip(u, c, strict=True))
            )
    probe(model, q, tr)


def probe(model, q, tr) -> None:
    """What flips the model's call on the 10-14 DEV punches: their size, their arm pose."""
    x = q.core().copy()
    tr_p = tr.subset(tr.y == PUNCH).core()
    up_p = tr_p[..., 6:9].mean((0, 1))
    up_p = up_p / np.linalg.norm(up_p)
    out = {}
    for name, xx in (
        ("as recorded", x),
        ("x1.6 size", np.concatenate([x[..., :6] * 1.6, x[..., 6:]], -1)),
        ("x0.6 size", np.concatenate([x[..., :6] * 0.6, x[..., 6:]], -1)),
        ("pose of dev punches", rotate_to(x, up_p)),
        ("both", rotate_to(np.concatenate([x[..., :6] * 1.6, x[..., 6:]], -1), up_p)),
    ):
        _, lg = embed(model, xx)
        pred = (lg + np.eye(lg.shape[1])[NOISE] * 1.5).argmax(1)
        out[name] = {CLASSES[c]: int((pred == c).sum()) for c in sorted(set(pred))}
        print(f"  probe {name:22s}: {out[name]}")


def rotate_to(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotate each window's frame so its mean gravity direction becomes ``target``."""
    out = x.copy()
    for i in range(len(x)):
        g = x[i, :, 6:9].mean(0)
        g = g / np.linalg.norm(g)
        v, c = np.cross(g, target), float(g @ target)
        k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
        r = np.eye(3) + k + k @ k / (1 + c)
        for j in (0, 3, 6):
            out[i, :, j : j + 3] = x[i, :, j : j + 3] @ r.T
    return out


def run(proto: str, cand: str, seed: int) -> None:
    """Train each fold of the protocol once and keep its test windows' raw logits."""
    cfg = replace(preset("default"), seed=seed, **CANDIDATES[cand])
    w, streams, folds = load(proto, cfg)
    for fold in folds:
        key = {"proto": proto, "cand": cand, "seed": seed, "fold": fold.name}
        path = cache_path(key)
        if path.is_file():
            continue
        t0 = time.time()
        train_mask, _ = trainable(w, streams, fold.train)
        model = fit(w.subset(train_mask), cfg)
        test = w.subset(fold.test).primaries()
        _, logits = embed(model, test.core())
        row = {"key": key, "y": test.y.tolist(), "streams": test.streams.tolist()}
        row |= {"logits": logits.round(5).tolist(), "seconds": round(time.time() - t0, 1)}
        path.write_text(json.dumps(row))
        print(f"{proto} {cand} seed {seed} {fold.name}: {row['seconds']} s", flush=True)


def cache_path(key: dict) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{digest}.json"


def rows(proto: str, cand: str, seeds: list[int]) -> list[dict]:
    out = []
    for path in sorted(CACHE.glob("*.json")):
        r = json.loads(path.read_text())
        k = r["key"]
        if (k["proto"], k["cand"]) == (proto, cand) and k["seed"] in seeds:
            out.append(r)
    return sorted(out, key=lambda r: (r["key"]["seed"], r["key"]["fold"]))


BIAS = [preset("default").noise_bias]  # the noise bias export bakes in; `score --b` sets it


def yp(rs: list[dict], part: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth and the product's call (noise bias added, as export does) on a sample part."""
    bias = BIAS[0]
    ys, ps = [], []
    for r in rs:
        y = np.asarray(r["y"])
        keep = np.array([in_part(s, c, part) for s, c in zip(r["streams"], y, strict=True)])
        lg = np.asarray(r["logits"], dtype=np.float64)[keep]
        lg[:, NOISE] += bias
        ys.append(y[keep])
        ps.append(lg.argmax(1))
    return np.concatenate(ys), np.concatenate(ps)


def score(proto: str, cands: list[str], seeds: list[int], part: str) -> dict:
    """Per candidate: mean over seeds of the pooled macro-F1 [min-max fold] (per seed)."""
    out = {}
    for cand in cands:
        rs = rows(proto, cand, seeds)
        have = sorted({r["key"]["seed"] for r in rs})
        per_seed = [f1(*yp([r for r in rs if r["key"]["seed"] == s], part)) for s in have]
        folds = [f1(*yp([r], part)) for r in rs]
        y, p = yp(rs, part)
        out[cand] = {"seeds": have, "per_seed": per_seed, "folds": folds}
        print(
            f"{proto:6s} {part:4s} {cand:9s} mean {np.mean(per_seed):.4f} "
            f"[{min(folds):.3f}-{max(folds):.3f}] (per seed "
            f"{' '.join(f'{v:.3f}' for v in per_seed)}); punch->noise "
            f"{int(((y == PUNCH) & (p == NOISE)).sum())}/{int((y == PUNCH).sum())}, "
            f"noise->gesture {int(((y == NOISE) & (p != NOISE)).sum())}/{int((y == NOISE).sum())}, "
            f"gesture->noise {int(((y != NOISE) & (p == NOISE)).sum())}/{int((y != NOISE).sum())}"
        )
    return out


GRID = (1.5, 2.0, 2.5, 3.0, 3.5)  # round 2's noise-bias grid (punch14.txt)


def mean_f1(proto: str, cand: str, seeds: list[int], part: str, bias: float) -> float:
    """Mean over seeds of the per-seed pooled macro-F1 at noise bias ``bias``."""
    BIAS[0] = bias
    rs = rows(proto, cand, seeds)
    have = sorted({r["key"]["seed"] for r in rs})
    assert have == sorted(seeds), f"{proto} {cand}: seeds {have} of {seeds} trained"
    return float(np.mean([f1(*yp([r for r in rs if r["key"]["seed"] == s], part)) for s in have]))


def choose_bias(cand: str, seeds: list[int]) -> float:
    """Round 2's rule: the smallest grid bias whose trdev mean is within 0.010 of base's at
    1.5 (same seeds); if none, the one with the highest trdev (ties to the smaller)."""
    ref = mean_f1("trdev", "base", seeds, "all", 1.5)
    tr = {b: mean_f1("trdev", cand, seeds, "all", b) for b in GRID}
    print(f"{cand}: trdev by bias " + " ".join(f"{b}:{v:.4f}" for b, v in tr.items()))
    print(f"  base at 1.5: {ref:.4f}")
    ok = [b for b in GRID if tr[b] >= ref - 0.010]
    return ok[0] if ok else max(GRID, key=lambda b: (tr[b], -b))


def round2(cands: list[str], seeds: list[int], part: str, proto14: str = "ldo14") -> None:
    """Each candidate at its own bias (chosen on trdev, ``seeds``) against base at 1.5."""
    base14 = mean_f1(proto14, "base", seeds, part, 1.5)
    base_tr = mean_f1("trdev", "base", seeds, "all", 1.5)
    print(f"base (b 1.5): {proto14} {part} {base14:.4f}  trdev {base_tr:.4f}")
    for cand in cands:
        b = choose_bias(cand, seeds)
        v14 = mean_f1(proto14, cand, seeds, part, b)
        vtr = mean_f1("trdev", cand, seeds, "all", b)
        print(
            f"{cand} at b* {b}: {proto14} {part} {v14:.4f} ({v14 - base14:+.4f})  "
            f"trdev {vtr:.4f} ({vtr - base_tr:+.4f})"
        )


#: round 2's held-out checks (proto, sample part, seeds, largest loss allowed; None: must gain)
HELD = (
    ("ldo14", "held", [1339, 1340, 1341, 1342], None),
    ("ldo19", "all", [1337, 1338, 1339, 1340], 0.010),
    ("trdev", "all", [1357, 1358], 0.010),
)


def held_out(cand: str, bias: float) -> None:
    """The carried candidate at its DEV-chosen bias against base at 1.5, once."""
    verdict = True
    for proto, part, seeds, loss in HELD:
        base = mean_f1(proto, "base", seeds, part, 1.5)
        got = mean_f1(proto, cand, seeds, part, bias)
        ok = got > base if loss is None else got >= base - loss
        verdict &= ok
        per = [
            mean_f1(proto, c, [s], part, b) for c, b in (("base", 1.5), (cand, bias)) for s in seeds
        ]
        print(
            f"{proto} {part} seeds {seeds}: base {base:.4f} {cand} {got:.4f} "
            f"({got - base:+.4f}) {'holds' if ok else 'FAILS'}; per seed base / {cand}: "
            + " ".join(f"{v:.3f}" for v in per)
        )
    print(f"ADOPT {cand} at b {bias}: {verdict}")


def f1(y: np.ndarray, p: np.ndarray) -> float:
    return scores(y, p, CLASSES)["macro_f1"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("measure", "nn", "run", "score", "round2", "held"))
    ap.add_argument("--proto", nargs="+", default=["ldo14"])
    ap.add_argument("--cand", nargs="+", default=["base"])
    ap.add_argument("--seed", type=int, nargs="+", default=[1337])
    ap.add_argument("--part", default="all", choices=("all", "dev", "held"))
    ap.add_argument("--b", type=float, default=BIAS[0], help="noise bias to score with")
    a = ap.parse_args()
    BIAS[0] = a.b
    if a.what == "measure":
        measure()
    elif a.what == "nn":
        for cand in a.cand:
            for sd in a.seed:
                neighbours(sd, cand)
    elif a.what == "held":
        held_out(a.cand[0], a.b)
    elif a.what == "round2":
        round2(a.cand, a.seed, a.part)
    elif a.what == "run":
        for proto in a.proto:
            for cand in a.cand:
                for sd in a.seed:
                    run(proto, cand, sd)
    else:
        for proto in a.proto:
            score(proto, a.cand, a.seed, a.part)


if __name__ == "__main__":
    main()
