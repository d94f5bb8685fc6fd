"""Issue 22: why within-day punches go unspotted (helper punchspot, stop 34).
Results in punchspot.txt.

Reads the cached slides of bench/notes/spot_energy_timing.py (same models, same
probabilities; /tmp/spotlag/*.pkl) and, for every true punch that spotting.detect +
spotting.match leave unfound, names the stage that lost it:

  no-argmax   no slid window near the punch has punch as its raw argmax (the model)
  outvoted    raw punch argmax near it, but after SMOOTH-step smoothing no step is punch
  short       a smoothed punch run near it, but every one is shorter than MIN_RUN (dropped)
  timed       a kept punch run near it, timed > MATCH_S away (or taken by another punch)

"near" = window centres within NEAR_S of the truth motion peak.

    python bench/notes/punchspot.py why PKL ...           (causes, per class)
    python bench/notes/punchspot.py arrived SESS_ROOT PKL ...   (sessions caches only)
    python bench/notes/punchspot.py look RUN PEAK PKL ...   (steps within 2 s of one peak)
    python bench/notes/punchspot.py score RULE,... SESS_ROOT PKL ...  (parent, arrival)

`arrived`: what share of the stream's rows within ARRIVED_S of each true gesture's motion
peak arrived (Motion.valid of the session as load_truth_sessions reads it; the cache keeps
streams in cache_sessions' order: prefix, model, session), found vs missed, and the missed
by cause and by whether every such row arrived.

`score`: pooled event P/R/F1 per class of "parent" (spotting.detect as it is) and of the
candidate "arrival" (detect_arrival: each window votes in the smoothing by the share of
its rows that arrived). Not adopted (punchspot.txt): it lives only here.
"""

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from silkpipe import spotting as sp

sys.path.insert(0, "bench/notes")
from spot_energy_timing import EVENTS, load, truth_of  # noqa: E402

ARRIVED_S = 0.5  # half a window core
NEAR_S = 0.75  # a run's span is widened by PEAK_MARGIN_S and matched within MATCH_S


def detections(e: dict, rule: str = "parent") -> list[tuple]:
    """Detections of a cached stream: "parent" = spotting.detect itself (its motion is only
    read for the smoothed energy, which the cache holds); "arrival" = the candidate
    (detect_arrival). Motion.valid is the session's own (attach), else rows of zero
    smoothed energy count as not arrived (stitched CV streams: valid is not cached)."""
    n = len(e["energy"])
    valid = e["valid"] if "valid" in e else e["energy"] > 0
    t = e["t0"] + np.arange(n) / e["rate"]
    motion = SimpleNamespace(t=t, rate=e["rate"], energy=e["energy"], valid=valid)
    real = sp._smoothed_energy
    sp._smoothed_energy = lambda m, a, b: m.energy
    try:
        if rule == "arrival":
            return detect_arrival(e["times"], e["probs"], e["labels"], motion)
        return sp.detect(e["times"], e["probs"], e["labels"], motion)
    finally:
        sp._smoothed_energy = real


def detect_arrival(times: np.ndarray, probs: np.ndarray, labels: list[str], motion) -> list:
    """The candidate (not adopted): spotting.detect with arrival-weighted smoothing; runs,
    MIN_RUN and timing exactly as spotting.detect."""
    smooth = smooth_arrival(probs, arrived_windows(times, motion))
    best = smooth.argmax(axis=1)
    energy = sp._smoothed_energy(motion, 0, len(motion.t))
    cuts = np.flatnonzero(np.diff(best)) + 1
    out = []
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(best)], strict=True):
        if b - a < sp.MIN_RUN:
            continue
        k = int(best[a])
        start, end = float(times[a]), float(times[b - 1])
        at = float(times[a + int(np.argmax(smooth[a:b, k]))])
        if labels[k] in sp.EVENT_CLASSES:
            at = sp._motion_peak(motion.t, energy, start, end, at)
        out.append((labels[k], start, end, at))
    return out


def smooth_arrival(probs: np.ndarray, arrived: np.ndarray) -> np.ndarray:
    """Box smoothing over SMOOTH steps in which each window votes by the share of its rows
    that arrived, renormalised over the box: equal to spotting.detect's box where every
    row arrived; that box where no window in reach saw any row."""
    box = np.ones(sp.SMOOTH)
    plain = np.stack([np.convolve(p, box, mode="same") for p in probs.T], 1) / sp.SMOOTH
    weight = np.convolve(arrived, box, mode="same")
    voted = np.stack([np.convolve(p * arrived, box, mode="same") for p in probs.T], 1)
    full = np.convolve(np.ones(len(arrived)), box, mode="same")
    ok = weight > 1e-9
    out = plain.copy()
    out[ok] = voted[ok] / weight[ok, None] * (full[ok, None] / sp.SMOOTH)
    return out


def arrived_windows(times: np.ndarray, motion) -> np.ndarray:
    """Share of each slid window's rows that arrived (Motion.valid). spotting.slide centres
    its first window half a window after the stream starts, which gives the length."""
    half = float(times[0] - motion.t[0])
    n = max(int(round(2 * half * motion.rate)), 1)
    first = np.round((times - motion.t[0] - half) * motion.rate).astype(int)
    count = np.r_[0, np.cumsum(motion.valid)]
    lo, hi = np.clip(first, 0, len(count) - 1), np.clip(first + n, 0, len(count) - 1)
    return (count[hi] - count[lo]) / n


def found_truth(peaks: list[float], times: list[float]) -> set[int]:
    """Indices of true events matched (spotting._match_events' greedy one-to-one rule)."""
    pairs = sorted((abs(p - t), i, j) for i, p in enumerate(peaks) for j, t in enumerate(times))
    seen, used = set(), set()
    for gap, i, j in pairs:
        if gap <= sp.MATCH_S and i not in seen and j not in used:
            seen.add(i)
            used.add(j)
    return seen


def smoothed(probs: np.ndarray) -> np.ndarray:
    kernel = np.ones(sp.SMOOTH) / sp.SMOOTH
    return np.stack(
        [np.convolve(probs[:, j], kernel, mode="same") for j in range(probs.shape[1])], 1
    )


def runs(best: np.ndarray, k: int) -> list[tuple[int, int]]:
    """(start, end) of every run of class index k in an argmax sequence."""
    cuts = np.flatnonzero(np.diff(best)) + 1
    return [
        (int(a), int(b))
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(best)], strict=True)
        if best[a] == k
    ]


def cause(e: dict, peak: float, k: int, smooth: np.ndarray) -> tuple[str, str]:
    """The stage that lost one true event of class index k, and a detail."""
    times = e["times"]
    near = np.abs(times - peak) <= NEAR_S
    raw, best = e["probs"].argmax(1), smooth.argmax(1)
    labels = e["labels"]
    at = int(np.argmin(np.abs(times - peak)))
    if not (raw[near] == k).any():
        top = labels[int(np.bincount(raw[near], minlength=len(labels)).argmax())]
        return "no-argmax", f"raw argmax {top}, max p {e['probs'][near, k].max():.2f}"
    raw_len = max(b - a for a, b in runs(raw, k) if near[a:b].any())
    if not (best[near] == k).any():
        return "outvoted", f"raw run {raw_len}, smoothed {labels[best[at]]}"
    lens = [b - a for a, b in runs(best, k) if near[a:b].any()]
    if max(lens) < sp.MIN_RUN:
        return "short", f"raw run {raw_len}, smoothed runs {lens}"
    return "timed", f"runs {lens}"


def why(entries: list[dict]) -> None:
    """Per event class: found / missed, and the missed counted by cause."""
    for cls in EVENTS:
        causes: dict[str, list[str]] = {}
        n = found = 0
        for e in entries:
            k = e["labels"].index(cls)
            peaks = [t[3] for t in e["truth"] if t[0] == cls]
            hit = found_truth(peaks, [d[3] for d in detections(e) if d[0] == cls])
            n, found = n + len(peaks), found + len(hit)
            smooth = smoothed(e["probs"])
            for i, p in enumerate(peaks):
                if i not in hit:
                    c, detail = cause(e, p, k, smooth)
                    causes.setdefault(c, []).append(f"{e['run']} {p:.1f}s: {detail}")
        print(
            f"  {cls}: {n} true, {found} found, {n - found} missed: "
            + ", ".join(f"{c} {len(v)}" for c, v in sorted(causes.items()))
        )
        for c, v in sorted(causes.items()):
            for line in v:
                print(f"      {c:9s} {line}")


def attach(root: Path, entries: list[dict]) -> list[dict]:
    """Give each cached session stream its Motion.valid, filler truth and, per truth
    event, the share of rows arrived within ARRIVED_S of its peak (cache order: prefix,
    model, session; CV entries are left as they are)."""
    from silkpipe.session_spotting import load_truth_sessions
    from silkpipe.sessions import find_sessions

    streams: dict[str, list] = {}
    seen: dict[str, int] = {}
    for e in entries:
        if "|" not in e["run"] or e["run"].startswith("cv"):
            continue
        k = e["run"].split("|")[1]
        if k not in streams:
            streams[k] = load_truth_sessions(find_sessions(root / k))[0]
        s = streams[k][seen.get(e["run"], 0)]
        seen[e["run"]] = seen.get(e["run"], 0) + 1
        m = s.stream.motion
        assert [t.peak for t in s.truth] == [t[3] for t in e["truth"]], e["run"]
        e["valid"], e["filler"] = m.valid, s.filler
        e["arrived"] = [
            float(
                m.valid[
                    max(m.index_of(t.peak - ARRIVED_S), 0) : m.index_of(t.peak + ARRIVED_S) + 1
                ].mean()
            )
            for t in s.truth
        ]
    return entries


def arrived(root: Path, entries: list[dict]) -> None:
    """Per event class: found / missed among gestures most of whose rows arrived and not."""
    entries = attach(root, entries)
    bins = [0.0, 0.5, 0.8, 1.0, 1.01]
    print(f"  share of rows arrived within {ARRIVED_S} s of the peak, bins {bins[:-1]}..1")
    for cls in EVENTS:
        found_s, missed_s, by_cause = [], [], {}
        for e in entries:
            sh = e["arrived"]
            idx = [i for i, t in enumerate(e["truth"]) if t[0] == cls]
            hit = found_truth(
                [e["truth"][i][3] for i in idx], [d[3] for d in detections(e) if d[0] == cls]
            )
            smooth = smoothed(e["probs"])
            for j, i in enumerate(idx):
                (found_s if j in hit else missed_s).append(sh[i])
                if j not in hit:
                    c = cause(e, e["truth"][i][3], e["labels"].index(cls), smooth)[0]
                    part = "all arrived" if sh[i] >= 1 else "part arrived"
                    by_cause[f"{c} {part}"] = by_cause.get(f"{c} {part}", 0) + 1
        fh = np.histogram(found_s, bins)[0].tolist()
        mh = np.histogram(missed_s, bins)[0].tolist()
        print(f"    {cls:5s} found {len(found_s):4d} {fh}  missed {len(missed_s):4d} {mh}")
        print(f"          missed by cause: {dict(sorted(by_cause.items()))}")


def look(run: str, peak: float, entries: list[dict]) -> None:
    """Every slid step within 2 s of one truth peak: raw and smoothed argmax, p(punch),
    the stream's smoothed energy (0 where rows never arrived)."""
    for e in (e for e in entries if e["run"] == run):
        if not any(abs(t[3] - peak) < 0.05 for t in e["truth"]):
            continue
        print(f"  {run}: truth within 4 s {[t for t in e['truth'] if abs(t[3] - peak) < 4]}")
        sm, labels, k = smoothed(e["probs"]), e["labels"], e["labels"].index("punch")
        for i in np.flatnonzero(np.abs(e["times"] - peak) <= 2):
            j = int(round((e["times"][i] - e["t0"]) * e["rate"]))
            print(
                f"    {e['times'][i] - peak:+.2f} s raw {labels[e['probs'][i].argmax()]:5s} "
                f"smoothed {labels[sm[i].argmax()]:5s} p(punch) {e['probs'][i, k]:.2f} "
                f"energy {e['energy'][j]:.2f}"
            )
        print(f"    detections {[d for d in detections(e) if abs(d[3] - peak) < 3]}")


def score(rules: list[str], entries: list[dict]) -> None:
    """Pooled P/R/F1 (tp/fp/fn) per class and rule ([min-max] event F1 over runs; state
    classes scored with the session's filler truth, as the CLI does)."""
    for rule in rules:
        total: dict = {}
        per_run: dict = {}
        for e in entries:
            counts = sp.match(truth_of(e), detections(e, rule), e.get("filler"))
            sp.add_counts(total, counts)
            sp.add_counts(per_run.setdefault(e["run"], {}), counts)
        cells = []
        for c, v in sp.event_scores(total).items():
            f1s = [sp.event_scores(r)[c]["f1"] for r in per_run.values() if c in sp.event_scores(r)]
            spread = f" [{min(f1s):.2f}-{max(f1s):.2f}]" if c in EVENTS else ""
            cells.append(
                f"{c} {v['precision']:.2f}/{v['recall']:.2f}/{v['f1']:.3f}"
                f" ({v['tp']}/{v['fp']}/{v['fn']}){spread}"
            )
        print(f"  {rule:8s} " + "  ".join(cells))
    print(f"  ({len(per_run)} runs, {len(entries)} streams; P/R/F1 (tp/fp/fn) [min-max F1])")


def main(a: list[str]) -> None:
    if a[0] == "why":
        why(load(a[1:]))
    elif a[0] == "arrived":
        arrived(Path(a[1]), load(a[2:]))
    elif a[0] == "score":
        score(a[1].split(","), attach(Path(a[2]), load(a[3:])))
    elif a[0] == "look":
        look(a[1], float(a[2]), load(a[3:]))


if __name__ == "__main__":
    main(sys.argv[1:])
