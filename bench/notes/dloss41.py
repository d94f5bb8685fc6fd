"""Why a true loss of a count clock is mis-sized (issue 24, helper dloss41). Rule and
results: bench/notes/dloss41.txt. Not shipped; truth is read for diagnosis only.

    python bench/notes/dloss41.py steps SEED_DIR...
        # per count-clock session with a true loss: each true loss (production window,
        # its arrival gap, size error), the envelope edges, unseen_gap_losses' finds, and
        # per envelope step between edges: its size, which _place branch put it where,
        # which true losses lie inside it, and its arrival gaps (length, _gap_lag, whether
        # the rotation jumps across)

The code measured is the one on PYTHONPATH.
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def _read(sess: Path):
    """(session, the rotation pairs the clock was rebuilt with, the truth)."""
    import silkpipe.sessions as ss
    from silkpipe import watch_clock as wc

    seen = {}
    orig = wc.rebuild_clock

    def spy(arrival, watch=None, cfg=None, spacing=None, pairs=None):
        seen["pairs"] = pairs
        return orig(arrival, watch, cfg, spacing, pairs)

    ss.rebuild_clock = spy
    try:
        s = ss.read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
    finally:
        ss.rebuild_clock = orig
    return s, seen.get("pairs"), json.loads((sess / "truth.json").read_text())


def _branch(t, n0, b, c, first, step, ramp, pairs, rate, cfg) -> str:
    """Which of _place's readings put the step (its order of tests, main 30ebbcf)."""
    import silkpipe.clock_envelope as ce

    jumps = np.diff(ramp)
    if len(jumps) and jumps.max() >= step / 2:
        return "real-time gap"
    if hasattr(ce, "_split_at_jumps") and ce._split_at_jumps(
        t, n0, (b, first, c), step, ramp, pairs, rate, cfg
    ):
        return "split at jumps"
    if ce._turn_jump(pairs, n0 + first, n0 + c, cfg) is not None:
        return "rotation jump"
    if ce._lagged_gap(t, first, c, rate, step, cfg) is not None:
        return "lagged gap"
    return "half each way"


def _true_losses(arr, prod, err, truth) -> list[tuple[float, float]]:
    out = []
    for a, b in truth["delivery"]["losses"]:
        r = min(int(np.searchsorted(prod, b)), len(arr) - 1)
        pre, post = err[(prod >= a - 3) & (prod < a)], err[(prod > b) & (prod <= b + 3)]
        e = np.median(post) - np.median(pre) if len(pre) and len(post) else float("nan")
        print(
            f"   true {a:.2f}-{b:.2f} ({b - a:.2f}) arrival {arr[r - 1]:.2f}->{arr[r]:.2f} err {e:+.2f}"
        )
        out.append((float(arr[max(int(np.searchsorted(prod, a)) - 1, 0)]), float(arr[r])))
    return out


def _steps_of(arr, n0, est, pairs, cfg, true_at) -> None:
    import silkpipe.clock_envelope as ce

    t, inserted = arr[n0:], np.zeros(len(arr))
    seen = (min(x for x, _ in est.rows), max(y for _, y in est.rows))
    print(f"   unseen {ce.unseen_gap_losses(arr, n0, est.rate, inserted, cfg, pairs, seen)}")
    e = t - np.arange(len(t)) / est.rate
    edges = [(0, 0), *sorted(est.rows)]
    for (_, b), (c, _) in zip(edges[:-1], edges[1:], strict=True):
        step = e[c] - e[b] - (inserted[n0 + c] - inserted[n0 + b]) if c > b else 0.0
        if step < cfg.min_loss_s:
            continue
        suffix = np.minimum.accumulate(e[b : c + 1][::-1])[::-1]
        ramp = np.clip(suffix - e[b], 0.0, step)
        first = b + int(np.argmax(ramp > 0))
        how = _branch(t, n0, b, c, first, step, ramp, pairs, est.rate, cfg)
        at = ce._place(t, n0, b, c, first, step, ramp, pairs, est.rate, cfg)
        inside = sum(t[b] <= hi and lo <= t[c] for lo, hi in true_at)
        print(
            f"   step {step:.2f} s between arrival {t[b]:.2f}-{t[c]:.2f}: {how} "
            f"{[(round(float(t[k - 1]), 2), round(float(s), 2)) for k, s in at]}, "
            f"true losses inside {inside}"
        )
        for g in np.flatnonzero(np.diff(t[first : c + 1]) > cfg.gap_s) + first + 1:
            if ce._gap_jumps(pairs, n0 + int(g), cfg):
                lag = ce._gap_lag(t, int(g), est.rate, cfg)
                print(f"      jump gap {t[g - 1]:.2f} +{t[g] - t[g - 1]:.2f} s lag {lag:.2f}")


def steps(args):
    import silkpipe.clock_envelope as ce
    from silkpipe import watch_clock as wc

    cfg = wc.ClockConfig()
    for d in args:
        for tj in sorted(Path(d).glob("*/truth.json")):
            s, pairs, truth = _read(tj.parent)
            tm = s.time_model
            if tm["kind"] != "count" or not truth["delivery"].get("losses"):
                continue
            arr = s.clock_rows[:, 0]
            rc = np.asarray(truth["row_clock"], dtype=float)
            prod = np.interp(np.arange(len(arr)), rc[:, 0], rc[:, 1])
            print(
                f"{tj.parent.name[4:10]} {truth['delivery']['kind']} {tm['rate_source']} {tm['losses']}"
            )
            true_at = _true_losses(arr, prod, s.clock_rows[:, 1] - prod, truth)
            n0 = wc.stale_burst_rows(arr, cfg)
            est = ce.envelope_rate(arr, n0, cfg, pairs)
            if est is not None:
                print(f"   edges {est.edges}")
                _steps_of(arr, n0, est, pairs, cfg, true_at)


if __name__ == "__main__":
    {"steps": steps}[sys.argv[1]](sys.argv[2:])
