"""Issue 22: time gesture detections at the stream's own motion peak (helper spotlag, stop 33).
Results in spot_energy_timing.txt.

spotting.detect timed every run at its most confident smoothed step ("peak"); on realistic
sessions most gesture false positives were that gesture timed > 0.5 s late. Candidate:
time an event-class run (jump/punch/turn) at the peak of the STREAM's smoothed motion
energy (dataset._smoothed_energy over the whole stream: no truth) inside the run's span
widened by a fixed margin ("energy:M", M seconds each side); state runs keep their timing.
"mid" (the run's middle, rejected at stop 32) is scored for reference.

Slides are cached once per (model, stream) so every rule is scored on the SAME models and
probabilities:

    python bench/notes/spot_energy_timing.py cache OUT.pkl sessions MODELS ROOT PREFIX_K,...
    python bench/notes/spot_energy_timing.py cache OUT.pkl stitched MODELS CLIPS
    python bench/notes/spot_energy_timing.py cache OUT.pkl cv SEED <evaluate --cv args>
    python bench/notes/spot_energy_timing.py score RULE,... OUT.pkl ...
    python bench/notes/spot_energy_timing.py why OUT.pkl ...      (where runs lie vs truth)
    python bench/notes/spot_energy_timing.py lag RULE,... OUT.pkl ...  (detection - peak)

(cv: `silkpipe evaluate --cv ...` with training seed SEED; every held-out fold's stitched
streams are cached from inside the run, the CV table itself is unchanged.)
"""

import pickle
import sys
from pathlib import Path

import numpy as np

from silkpipe import spotting as sp
from silkpipe.dataset import WindowConfig, _smoothed_energy
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES

EVENTS = [c for c in CLASSES if c in EVENT_CLASSES]  # a fixed print order


def entry(run: str, labels, motion, truth, times, probs) -> dict:
    """What scoring needs from one slid stream (no model, no motion)."""
    return {
        "run": run,
        "labels": list(labels),
        "t0": float(motion.t[0]),
        "rate": float(motion.rate),
        "energy": _smoothed_energy(motion, 0, len(motion.t)).astype(np.float32),
        "truth": [(t.label, t.start, t.end, t.peak) for t in truth],
        "times": times,
        "probs": probs.astype(np.float32),
    }


def cache_sessions(models: list[str], root: Path, prefixes: list[str]) -> list[dict]:
    from silkpipe.model import Predictor
    from silkpipe.session_spotting import load_truth_sessions
    from silkpipe.sessions import find_sessions

    out = []
    for k in prefixes:
        sessions, errors = load_truth_sessions(find_sessions(root / k))
        assert not errors, errors
        for m in models:
            pred = Predictor(m)
            cfg = WindowConfig.from_dict(pred.config["window"])
            for s in sessions:
                times, probs = sp.slide(pred, s.stream.motion, cfg)
                out.append(entry(f"{m}|{k}", pred.labels, s.stream.motion, s.truth, times, probs))
    return out


def cache_stitched(models: list[str], clips: str) -> list[dict]:
    from silkpipe.clips import load_clip_streams
    from silkpipe.model import Predictor

    streams = load_clip_streams(clips)
    out = []
    for m in models:
        pred = Predictor(m)
        cfg = WindowConfig.from_dict(pred.config["window"])
        for s in sp.stitched_streams(streams):
            times, probs = sp.slide(pred, s.motion, cfg)
            out.append(entry(m, pred.labels, s.motion, s.truth, times, probs))
    return out


def cache_cv(seed: int, argv: list[str]) -> list[dict]:
    """Run `evaluate --cv` with one training seed, caching each fold's stitched slides."""
    import silkpipe.crossval as cv
    from silkpipe.cli import main as cli

    out: list[dict] = []
    real_spot, real_protocol = cv.spot, cv.run_protocol

    def spot(predictor, streams, cfg, seed: int = 0) -> dict:
        run = f"cv{seed}|fold{len({e['run'] for e in out})}"
        for s in sp.stitched_streams(streams, seed):
            times, probs = sp.slide(predictor, s.motion, cfg)
            out.append(entry(run, predictor.labels, s.motion, s.truth, times, probs))
        return real_spot(predictor, streams, cfg, seed)

    def protocol(streams, name, cfg, seeds, *a, **kw):
        return real_protocol(streams, name, cfg, [seed], *a, **kw)

    cv.spot, cv.run_protocol = spot, protocol
    try:
        cli(["evaluate", *argv])
    finally:
        cv.spot, cv.run_protocol = real_spot, real_protocol
    return out


def runs_of(probs: np.ndarray):
    """(start, end, class index, smoothed probs) of every run spotting.detect keeps."""
    kernel = np.ones(sp.SMOOTH) / sp.SMOOTH
    smooth = np.stack(
        [np.convolve(probs[:, j], kernel, mode="same") for j in range(probs.shape[1])], 1
    )
    best = smooth.argmax(axis=1)
    cuts = np.flatnonzero(np.diff(best)) + 1
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(best)], strict=True):
        if b - a >= sp.MIN_RUN:
            yield int(a), int(b), int(best[a]), smooth


def energy_peak(e: dict, t_lo: float, t_hi: float) -> float:
    """Time of the stream's smoothed-energy maximum inside [t_lo, t_hi]."""
    i0 = max(int(np.ceil((t_lo - e["t0"]) * e["rate"])), 0)
    i1 = min(int(np.floor((t_hi - e["t0"]) * e["rate"])) + 1, len(e["energy"]))
    if i1 <= i0:
        return (t_lo + t_hi) / 2
    return e["t0"] + (i0 + int(np.argmax(e["energy"][i0:i1]))) / e["rate"]


def detect(e: dict, rule: str) -> list[tuple]:
    """Detections (label, start, end, time) of one cached stream under a timing rule."""
    times, labels, out = e["times"], e["labels"], []
    if len(times) == 0:
        return out
    for a, b, k, smooth in runs_of(e["probs"]):
        t = float(times[a + int(np.argmax(smooth[a:b, k]))])
        if labels[k] in EVENT_CLASSES and rule == "mid":
            t = float(times[a + (b - a - 1) // 2])
        elif labels[k] in EVENT_CLASSES and rule.startswith("energy"):
            m = float(rule.split(":")[1])
            t = energy_peak(e, float(times[a]) - m, float(times[b - 1]) + m)
        out.append((labels[k], float(times[a]), float(times[b - 1]), t))
    return out


def truth_of(e: dict) -> list:
    return [sp.Truth(*t) for t in e["truth"]]


def score(rules: list[str], entries: list[dict]) -> None:
    """Pooled per-class P/R/F1 (tp fp fn) per rule, with the min-max F1 over runs."""
    for rule in rules:
        total: dict = {}
        per_run: dict = {}
        for e in entries:
            counts = sp.match(truth_of(e), detect(e, rule))
            sp.add_counts(total, counts)
            sp.add_counts(per_run.setdefault(e["run"], {}), counts)
        line = []
        for c, v in sp.event_scores(total).items():
            f1s = [sp.event_scores(r).get(c, {}).get("f1") for r in per_run.values()]
            f1s = [f for f in f1s if f is not None]
            spread = f"[{min(f1s):.2f}-{max(f1s):.2f}]" if c in EVENT_CLASSES else ""
            line.append(
                f"{c} {v['precision']:.2f}/{v['recall']:.2f}/{v['f1']:.2f} "
                f"({v['tp']}/{v['fp']}/{v['fn']}){spread}"
            )
        print(f"  {rule:11s} " + "  ".join(line))
        models: dict = {}
        for run, counts in per_run.items():
            sp.add_counts(models.setdefault(run.split("|")[0], {}), counts)
        if len(models) > 1:
            per_model = [sp.event_scores(c) for c in models.values()]
            print(
                f"  {'':11s} F1 per model seed: "
                + "  ".join(
                    f"{c} " + " ".join(f"{m.get(c, {}).get('f1', 0):.2f}" for m in per_model)
                    for c in EVENTS
                )
            )
    print(
        f"  ({len({e['run'] for e in entries})} runs, {len(entries)} streams; P/R/F1 (tp/fp/fn)"
        " [min-max F1 over runs])"
    )


def why(entries: list[dict]) -> None:
    """Per event class: for each true event, the same-class run covering (or nearest to)
    its motion peak: where the run starts/ends, where its most confident step and the
    stream's energy peak in it lie, all relative to the truth peak (s); runs per event."""
    for cls in EVENTS:
        rows, nruns, none = [], [], 0
        for e in entries:
            runs = [
                (e["times"][a], e["times"][b - 1], e["times"][a + int(np.argmax(s[a:b, k]))])
                for a, b, k, s in runs_of(e["probs"])
                if e["labels"][k] == cls
            ]
            for lab, start, end, peak in e["truth"]:
                if lab != cls:
                    continue
                near = [r for r in runs if r[0] - 1.0 <= peak <= r[1] + 1.0]
                nruns.append(len(near))
                if not near:
                    none += 1
                    continue
                r = min(near, key=lambda r: abs(r[2] - peak))
                ep = energy_peak(e, r[0], r[1])
                rows.append((r[0] - peak, r[1] - peak, r[2] - peak, ep - peak, end - start))
        _why_lines(cls, np.array(rows), nruns, none)


def _why_lines(cls: str, rows: np.ndarray, nruns: list[int], none: int) -> None:
    def q(x):
        return " ".join(f"{v:+.2f}" for v in np.quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9]))

    late = rows[:, 2] > sp.MATCH_S
    print(
        f"  {cls}: {len(rows)} events with a same-class run within 1 s, {none} without;"
        f" runs near an event: {np.bincount(nruns).tolist()} (0,1,2,.. runs)"
    )
    print("    quantiles 10/25/50/75/90%, seconds from the truth motion peak:")
    for i, name in enumerate(("run start", "run end", "most confident", "energy peak in run")):
        print(f"    {name:19s} {q(rows[:, i])}")
    hist = np.histogram(rows[:, 2], bins=[-9, -1, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 9])[0]
    print(f"    most confident - peak, bins <-1,-.5,-.25,0,.25,.5,.75,1,>1: {hist.tolist()}")
    if late.any():
        lr = rows[late]
        print(
            f"    the {late.sum()} late (> {sp.MATCH_S} s): run start {q(lr[:, 0])}; run end "
            f"{q(lr[:, 1])}; energy peak in run {q(lr[:, 3])}; clip length {q(lr[:, 4])}"
        )


def lag(rules: list[str], entries: list[dict]) -> None:
    """Per event class and rule: nearest same-class detection minus the truth motion peak
    (detections within 2 s; n = true events with one)."""
    bins = [-2, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 2]
    print(f"  detection - motion peak (s), bins {bins}")
    for cls in EVENTS:
        for rule in rules:
            gaps = []
            for e in entries:
                ts = [d[3] for d in detect(e, rule) if d[0] == cls]
                for lab, _, _, peak in e["truth"]:
                    near = [t - peak for t in ts if abs(t - peak) <= 2]
                    if lab == cls and near:
                        gaps.append(min(near, key=abs))
            g = np.array(gaps)
            print(
                f"    {cls:5s} {rule:11s} n {len(g):3d} median {np.median(g):+.2f} "
                f"hist {np.histogram(g, bins)[0].tolist()} within 0.5 s {np.mean(np.abs(g) <= 0.5):.2f}"
            )


def load(paths: list[str]) -> list[dict]:
    out = []
    for p in paths:
        out += pickle.loads(Path(p).read_bytes())
    return out


def main(a: list[str]) -> None:
    if a[0] == "score":
        score(a[1].split(","), load(a[2:]))
    elif a[0] == "lag":
        lag(a[1].split(","), load(a[2:]))
    elif a[0] == "why":
        why(load(a[1:]))
    else:
        kind, out = a[2], Path(a[1])
        if kind == "sessions":
            data = cache_sessions(a[3].split(","), Path(a[4]), a[5].split(","))
        elif kind == "stitched":
            data = cache_stitched(a[3].split(","), a[4])
        else:
            data = cache_cv(int(a[3]), a[4:])
        out.write_bytes(pickle.dumps(data))


if __name__ == "__main__":
    main(sys.argv[1:])
