"""Issue 22: the flat frame around clips-dev gestures (helper context, stop 34).

clips-dev (device-ns) clips hold only their button span; a window runs past it and _cut
repeats the edge sample, so training sees gestures framed by flat lines, while every real
use (a session, a slid stream, a 2025-10-14 sample) has motion around the gesture.

- ``place``: clips-dev training windows per class: how many reach past their clip (core,
  and core + context) and by how many samples;
- ``frame``: the leave-day-out fold testing 2025-10-14 (trained on clips-dev, exactly as
  `evaluate --cv` fits it: cross_day_adapt.fit) scored on the 10-14 test windows as they
  are, and with each sample cut to its motion span (motion_span's rule on the resampled
  motion) so that _cut pads it like a clips-dev clip ("events": jump/punch/turn only,
  "all": the states too);
- ``sess``: the same on realistic within-day sessions: a model trained on clips (R12 train
  side) scored on every truth gesture's window at its motion peak, as it is and with the
  stream cut to the gesture's truth span (its clip's button span) and edge-padded;
- ``cv``: fold scores of a training variant (WindowConfig.context_fill) for the
  pre-registered protocols (ldo both directions, time-range clips-dev);
- ``spot``: event F1 on realistic sessions (session_spotting.spot_sessions) per model;
- ``cvframe`` (post-hoc): time-range clips-dev fold models (fill 0 and 1) scored on the
  test windows as cut and with their flat edges filled from the test fold's states.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/context.py place
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/context.py frame --seed 1337 1338
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/context.py sess MODEL,.. r12_311,..
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/context.py cv trdev|ldo --fill P --seed ..
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/context.py spot MODEL,.. r12_311,..
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cross_day_adapt import fit, probs  # noqa: E402

from silkpipe.clips import load_clip_streams  # noqa: E402
from silkpipe.crossval import leave_day_out_folds, shared_classes, window_days  # noqa: E402
from silkpipe.dataset import LabelledStream, WindowConfig, make_windows  # noqa: E402
from silkpipe.evaluation import scores  # noqa: E402
from silkpipe.labels import Interval  # noqa: E402
from silkpipe.motion_span import SpanRule, envelope  # noqa: E402
from silkpipe.sessions import Motion  # noqa: E402
from silkpipe.training import TrainConfig, training_windows  # noqa: E402
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES  # noqa: E402

DATA = Path("../shared/data")
DEV, DAY14 = DATA / "clips-dev", DATA / "clips-20251014"
SPOT = Path("/tmp/spot/sess")


def pads(n: int, centres: np.ndarray, cfg: WindowConfig, context: bool) -> np.ndarray:
    """Samples of each window (core, or core + context) that lie outside the recording."""
    half = cfg.length // 2 + (cfg.context if context else 0)
    lo = centres - half
    hi = lo + 2 * half
    return np.maximum(0, -lo) + np.maximum(0, hi - n)


def place() -> None:
    cfg = WindowConfig()
    streams = load_clip_streams(DEV)
    w = make_windows(streams, cfg)
    by_name = {st.name: st for st in streams}
    n = np.array([len(by_name[s].motion.t) for s in w.streams])
    t0 = np.array([by_name[s].motion.t[0] for s in w.streams])
    centres = np.round((w.times - t0) * cfg.rate).astype(int)
    core = pads(n, centres, cfg, False)
    full = pads(n, centres, cfg, True)
    lengths: dict[str, list[float]] = {}
    for st in streams:
        lengths.setdefault(st.intervals[0].label, []).append(len(st.motion.t) / cfg.rate)
    print("clips-dev training windows (all crops; default WindowConfig)")
    print(
        "class  clips  clip s (median, 10-90%)  windows  core padded  median padded core"
        "  with context padded  median padded (of 70)  share of window samples flat"
    )
    for c in CLASSES:
        m = w.y == CLASSES.index(c)
        if not m.any():
            continue
        ln = np.asarray(lengths[c])
        pc, pf = core[m], full[m]
        print(
            f"{c:6s} {len(ln):5d}  {np.median(ln):.2f} ({np.quantile(ln, 0.1):.2f}-"
            f"{np.quantile(ln, 0.9):.2f})       {m.sum():7d}  {int((pc > 0).sum()):5d}"
            f" ({(pc > 0).mean():.0%})   {np.median(pc[pc > 0]) if (pc > 0).any() else 0:5.0f}"
            f"              {int((pf > 0).sum()):5d} ({(pf > 0).mean():.0%})"
            f"        {np.median(pf[pf > 0]) if (pf > 0).any() else 0:5.0f}"
            f"                 {pf.sum() / (m.sum() * (cfg.length + 2 * cfg.context)):.0%}"
        )


def framed(st: LabelledStream, rule: SpanRule) -> LabelledStream:
    """The stream cut to its motion span (motion_span's rule on the resampled motion): what
    a clips-dev button clip of the same gesture holds."""
    m = st.motion
    env = envelope(m, rule.smooth_s)
    peak = int(np.argmax(env))
    i0 = max(0, peak - int(round(rule.before_peak_s * m.rate)))
    i1 = min(len(m.t), peak + int(round(rule.after_peak_s * m.rate)) + 1)
    return cut(st, i0, i1)


def cut(st: LabelledStream, i0: int, i1: int) -> LabelledStream:
    m = st.motion
    sub = Motion(m.t[i0:i1], m.rate, m.data[i0:i1], m.valid[i0:i1], m.source)
    span = Interval(float(sub.t[0]), float(sub.t[-1]) + 1.0 / m.rate, st.intervals[0].label)
    return replace(st, motion=sub, intervals=[span])


def frame(seeds: list[int]) -> None:
    cfg = TrainConfig()
    dev = load_clip_streams(DEV)
    d14 = load_clip_streams(DAY14)
    w = make_windows(dev + d14, cfg.window)
    days = window_days(w, dev + d14)
    shared = [CLASSES.index(c) for c in shared_classes(w, days)]
    train_w, _ = training_windows(dev, cfg.window)
    train_w = train_w.subset(np.isin(train_w.y, shared))
    events = {"jump", "punch", "turn"}
    rule = SpanRule()
    tests = {
        "as is": d14,
        "events framed": [framed(s, rule) if s.intervals[0].label in events else s for s in d14],
        "all framed": [framed(s, rule) for s in d14],
    }
    tw = {}
    for name, streams in tests.items():
        t = make_windows(streams, cfg.window).primaries()
        tw[name] = t.subset(np.isin(t.y, shared))
    assert len(leave_day_out_folds(days)) == 2
    changed(tw["as is"], tw["events framed"])
    for seed in seeds:
        model = fit(train_w, replace(cfg, seed=seed))
        for name, t in tw.items():
            p = probs(model, t)
            report(f"seed {seed} test 10-14 {name}", t.y, p.argmax(1))
            ev = np.isin(t.y, [CLASSES.index(c) for c in events])
            true_p = p[np.flatnonzero(ev), t.y[ev]]
            print(f"{'':40s} mean p(true class) on jump/punch/turn windows {true_p.mean():.3f}")


def changed(a, b) -> None:
    """How much framing changed the event windows (paired by stream)."""
    ia = {s: i for i, s in enumerate(a.streams)}
    core, full = [], []
    c = a.config.context
    for j, s in enumerate(b.streams):
        if CLASSES[b.y[j]] not in ("jump", "punch", "turn") or s not in ia:
            continue
        d = np.any(a.x[ia[s]] != b.x[j], axis=1)
        core.append(d[c : c + a.config.length].sum())
        full.append(d.sum())
    print(
        f"framing changed, per 10-14 event window (n {len(core)}): core samples median "
        f"{np.median(core):.0f} (mean {np.mean(core):.1f}) of 50, with context median "
        f"{np.median(full):.0f} of 70; windows with a changed core {np.mean(np.array(core) > 0):.0%}"
    )


def report(title: str, y: np.ndarray, pred: np.ndarray) -> None:
    s = scores(y, pred, CLASSES)
    per = " ".join(
        f"{c} {v['f1']:.2f}/r{v['recall']:.2f}" for c, v in s["per_class"].items() if v["support"]
    )
    wrong = Counter((CLASSES[a], CLASSES[b]) for a, b in zip(y, pred, strict=True) if a != b)
    top = ", ".join(f"{a}->{b} {k}" for (a, b), k in wrong.most_common(5))
    print(f"{title:40s} macro-F1 {s['macro_f1']:.3f} (n {len(y)}): {per}; errors {top}")


def sess(models: list[str], prefixes: list[str]) -> None:
    """Truth gestures of realistic sessions: the window at the motion peak, as is vs cut to
    the gesture's truth span and edge-padded (a clip's frame)."""
    from silkpipe.dataset import _cut
    from silkpipe.model import Predictor
    from silkpipe.session_spotting import load_truth_sessions
    from silkpipe.sessions import find_sessions

    for model in models:
        pred = Predictor(model)
        cfg = WindowConfig.from_dict(pred.config["window"])
        ys, p_as, p_fr = [], [], []
        for k in prefixes:
            sessions, errors = load_truth_sessions(find_sessions(SPOT / k))
            for s in sessions:
                m = s.stream.motion
                feats = m.features()
                for tr in s.truth:
                    if tr.label not in EVENT_CLASSES:
                        continue
                    c = m.index_of(tr.peak)
                    i0, i1 = max(0, m.index_of(tr.start)), min(len(m.t), m.index_of(tr.end) + 1)
                    if not (i0 <= c < i1):
                        continue
                    x, ok = _cut(feats, m.valid, c, cfg)
                    if not ok:
                        continue
                    xf, _ = _cut(feats[i0:i1], m.valid[i0:i1], c - i0, cfg)
                    core = slice(cfg.context, cfg.context + cfg.length)
                    ys.append(CLASSES.index(tr.label))
                    p_as.append(x[core])
                    p_fr.append(xf[core])
        y = np.asarray(ys)
        for name, xs in (("as is", p_as), ("framed (cut to truth span)", p_fr)):
            lg = pred.logits(np.stack(xs))
            pr = np.exp(lg - lg.max(1, keepdims=True))
            pr /= pr.sum(1, keepdims=True)
            p = pr.argmax(1)
            lab = np.array([CLASSES.index(pred.labels[i]) for i in p])
            idx = [pred.labels.index(CLASSES[v]) for v in y]
            print(f"  mean p(true class) {pr[np.arange(len(y)), idx].mean():.3f}")
            acc = {
                c: float((lab[y == CLASSES.index(c)] == CLASSES.index(c)).mean())
                for c in ("jump", "punch", "turn")
            }
            wrong = Counter((CLASSES[a], CLASSES[b]) for a, b in zip(y, lab, strict=True) if a != b)
            print(
                f"{model} {name:28s} n {len(y)} recall "
                + " ".join(f"{c} {v:.2f}" for c, v in acc.items())
                + "; errors "
                + ", ".join(f"{a}->{b} {k}" for (a, b), k in wrong.most_common(5))
            )


CACHE = Path("/tmp/context/cache")


def cv(proto: str, seeds: list[int], fill: float) -> None:
    """Fold scores (cached per fold): "ldo" leave-day-out both directions (shared classes),
    "trdev" time-range folds (5, purge 2 s) of clips-dev alone; training windows as
    `evaluate --cv` takes them (whole_samples.trainable), context_fill = ``fill``."""
    import json

    from silkpipe.crossval import time_range_folds
    from silkpipe.whole_samples import trainable

    cfg = replace(TrainConfig(), context_fill=fill)
    streams = load_clip_streams(DEV) + (load_clip_streams(DAY14) if proto == "ldo" else [])
    w = make_windows(streams, cfg.window)
    days = window_days(w, streams)
    if proto == "ldo":
        keep = np.isin(w.y, [CLASSES.index(c) for c in shared_classes(w, days)])
        w, days = w.subset(keep), days[keep]
        folds = leave_day_out_folds(days)
    else:
        folds = time_range_folds(w, 5, cfg.purge_s)
    CACHE.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        ys, ps = [], []
        for fold in folds:
            path = (
                CACHE
                / f"{proto}-{fill}-{seed}-{fold.name.replace(' ', '_').replace('/', 'of')}.json"
            )
            if not path.is_file():
                mask, _ = trainable(w, streams, fold.train)
                model = fit(w.subset(mask), replace(cfg, seed=seed))
                test = w.subset(fold.test).primaries()
                pred = probs(model, test).argmax(1)
                path.write_text(json.dumps({"y": test.y.tolist(), "pred": pred.tolist()}))
            r = json.loads(path.read_text())
            y, p = np.asarray(r["y"]), np.asarray(r["pred"])
            ys.append(y)
            ps.append(p)
            report(f"{proto} fill {fill} seed {seed} {fold.name}", y, p)
        if proto == "trdev":
            report(
                f"{proto} fill {fill} seed {seed} POOLED", np.concatenate(ys), np.concatenate(ps)
            )


def cvframe(seeds: list[int]) -> None:
    """Post-hoc (chooses nothing): time-range folds of clips-dev, models trained with
    context_fill 0 and 1, each scored on the test windows as cut (flat frames) and with
    the test windows' flat edges filled from the test fold's own state windows."""
    from silkpipe.context_fill import fill_context

    from silkpipe.crossval import time_range_folds
    from silkpipe.whole_samples import trainable

    streams = load_clip_streams(DEV)
    w = make_windows(streams, WindowConfig())
    folds = time_range_folds(w, 5, TrainConfig().purge_s)
    for fill in (0.0, 1.0):
        cfg = replace(TrainConfig(), context_fill=fill)
        for seed in seeds:
            got: dict[str, list] = {"as cut": [], "test filled": []}
            for fold in folds:
                mask, _ = trainable(w, streams, fold.train)
                model = fit(w.subset(mask), replace(cfg, seed=seed))
                test = w.subset(fold.test).primaries()
                for name, t in (("as cut", test), ("test filled", fill_context(test, 1.0, seed))):
                    got[name].append((t.y, probs(model, t).argmax(1)))
            for name, parts in got.items():
                y = np.concatenate([a for a, _ in parts])
                p = np.concatenate([b for _, b in parts])
                report(f"trdev train fill {fill} seed {seed} {name}", y, p)


def spot(models: list[str], prefixes: list[str]) -> None:
    """Event F1 on realistic sessions (spot_sessions, the product's detector), pooled over
    the synth seeds ``prefixes`` for each model and over all models."""
    from silkpipe.model import Predictor
    from silkpipe.session_spotting import load_truth_sessions, spot_sessions
    from silkpipe.sessions import find_sessions
    from silkpipe.spotting import add_counts, event_scores

    sessions = {}
    for k in prefixes:
        sessions[k], errors = load_truth_sessions(find_sessions(SPOT / k))
        assert not errors, errors
    total: dict = {}
    for m in models:
        pred = Predictor(m)
        cfg = WindowConfig.from_dict(pred.config["window"])
        mine: dict = {}
        for k in prefixes:
            add_counts(mine, spot_sessions(pred, sessions[k], cfg)["counts"])
        add_counts(total, mine)
        print(f"{m}: " + line(event_scores(mine)))
    print(f"ALL {len(models)} models x {len(prefixes)} synth seeds: " + line(event_scores(total)))


def line(per: dict) -> str:
    out = []
    for c in ("jump", "punch", "turn", "walk", "idle", "noise"):
        if c in per:
            v = per[c]
            out.append(
                f"{c} {v['f1']:.3f} ({v.get('tp', '?')}/{v.get('fp', '?')}/{v.get('fn', '?')})"
            )
    ev = [per[c]["f1"] for c in ("jump", "punch", "turn") if c in per]
    return "  ".join(out) + f"  | mean gesture F1 {np.mean(ev):.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("place", "frame", "sess", "cv", "spot", "cvframe"))
    ap.add_argument("--fill", type=float, default=0.0)
    ap.add_argument("args", nargs="*")
    ap.add_argument("--seed", type=int, nargs="+", default=[1337, 1338])
    a = ap.parse_args()
    if a.what == "place":
        place()
    elif a.what == "frame":
        frame(a.seed)
    elif a.what == "cv":
        cv(a.args[0], a.seed, a.fill)
    elif a.what == "cvframe":
        cvframe(a.seed)
    elif a.what == "spot":
        spot(a.args[0].split(","), a.args[1].split(","))
    else:
        sess(a.args[0].split(","), a.args[1].split(","))


if __name__ == "__main__":
    main()
