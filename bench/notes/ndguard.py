"""Is the recent pace a queue or a fading link? (issue 24, helper ndguard, stop 38). Not shipped.

    python bench/notes/ndguard.py paces SESSION_DIR...
        # at every arrival gap unseen_gap_losses sizes where the recent pace is slower than
        # the window's: the window's, recent and after paces (rows/s), the loss sized, and
        # the true loss there (truth.json)
    python bench/notes/ndguard.py synth
        # review38a.py's synthetic cases (a 4 s loss at 15-19 s; a queue at 0.75 of R from AT;
        # rows dropped in the second before the loss) plus no queue at all, for
        # R0 (recent_pace_s 0), ndmiss (recent_pace_s 1) and the guard's two forms
    python bench/notes/ndguard.py with FORM SCRIPT ARGS...
        # run bench/notes/SCRIPT (rate.py, nd.py, ndmiss.py) with the guard FORM (">=", "~")
        # patched into _paces_before ("0": recent_pace_s 0's reading; "-": unpatched)

The code measured is the one on PYTHONPATH.
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import silkpipe.clock_envelope as ce  # noqa: E402
from silkpipe.watch_clock import ClockConfig, rebuild_clock  # noqa: E402


def _record(seen):
    """Wrap _sized_lag: every gap it sizes, with its three paces."""
    plain = ce._sized_lag

    def sized(t, g, rate, cfg, *found):
        out = plain(t, g, rate, cfg, *found)
        k = max(int(cfg.steady_window_s * rate), 2)
        window = ce._pace(t[max(g - k, 0) : g], rate)
        last = min(int(cfg.recent_pace_s * rate), k)
        recent = ce._sending_pace(t[max(g - last, 0) : g], rate, cfg) if last >= 2 else None
        after = ce._sending_pace(t[g : g + max(int(cfg.min_steady_s * rate), 2)], rate, cfg)
        seen.append((float(t[g - 1]), window, recent, after, out))
        return out

    ce._sized_lag = sized


def _f(x):
    return "  -  " if x is None else f"{x:6.1f}"


def paces(args):
    from silkpipe.sessions import read_sensor_csv

    seen: list = []
    _record(seen)
    for d in args:
        sess = Path(d)
        seen.clear()
        s = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
        truth = json.loads((sess / "truth.json").read_text())
        dl = truth["delivery"]
        print(
            f"{sess.name[4:10]} {s.time_model['kind']} true losses "
            f"{[round(b - a, 2) for a, b in dl.get('losses', [])]} slow "
            f"{[round(a, 1) for a, _b, _r in dl.get('slow_phases', [])]}"
        )
        for at, w, r, a, (size, spread, *_) in seen:
            use = w is not None and r is not None and r < w * (1 - 0.05)
            print(
                f"   gap at arrival {at:7.2f}: window {_f(w)} recent {_f(r)} after {_f(a)} "
                f"recent used {use!s:5s} sized {size:5.2f} +- {spread:4.2f}"
            )


def _guarded(form):
    """_paces_before with the guard: the recent pace only where the rows after the gap
    arrive at about it too. form ">=": after >= recent * (1 - pace_drop) (the brief's
    words); "~": also after <= recent * (1 + pace_drop) (a fade's rows after arrive
    faster than the recent pace; a queue's at it)."""
    plain = ce._paces_before

    def paces_before(t, g, rate, cfg):
        before, window = plain(t, g, rate, cfg)
        if form == "0":  # recent_pace_s 0: the window's pace alone
            return window, window
        if before is None or before == window:
            return before, window
        after = ce._sending_pace(t[g : g + max(int(cfg.min_steady_s * rate), 2)], rate, cfg)
        ok = after is not None and after >= before * (1 - cfg.pace_drop)
        if form == "~":
            ok = ok and after <= before * (1 + cfg.pace_drop)
        return (before, window) if ok else (window, window)

    return paces_before


def _row(watch, arrival, cfg, lo=20, hi=100, true=4.0):
    from test_clock_rate import _turns

    rebuilt, m = rebuild_clock(arrival, cfg=cfg, pairs=_turns(watch, 19.0))
    d = rebuilt - watch
    off = np.median(d[(watch > lo) & (watch < hi)]) - np.median(d[(watch > 5) & (watch < 14)])
    size = sum(s for _, s in m.losses)
    ok = "within 0.3" if abs(size - true) <= 0.3 else "OFF"
    return f"{size:4.2f}+-{m.loss_uncertainty_s:4.2f} {ok:10s} after {off:+.2f}"


def synth(_args):
    from test_time_model import deliver

    plain = ce._paces_before
    forms = [("R0", 0.0, plain), ("ndmiss", 1.0, plain)]
    forms += [("G>=", 1.0, _guarded(">=")), ("G~", 1.0, _guarded("~"))]
    print(f"{'case':22s} | " + " | ".join(f"{n:32s}" for n, _, _ in forms))
    for at in (13.0, 14.5, 14.9, 17.0, 19.0, 200.0):
        for drop in (0.0, 0.1, 0.2, 0.3):
            watch, arrival = deliver(110, lambda t, a=at: 1.5 if t < a else 0.75, lost=(15, 19))
            rng = np.random.default_rng(5)
            keep = ~((watch >= 14) & (watch < 15) & (rng.random(len(watch)) < drop))
            q = "no queue" if at > 110 else f"queue at {at:4.1f}"
            cells = []
            for _n, rp, fn in forms:
                ce._paces_before = fn
                cells.append(_row(watch[keep], arrival[keep], ClockConfig(recent_pace_s=rp)))
            ce._paces_before = plain
            print(f"{q:12s} drop {drop:.1f} | " + " | ".join(cells))


def with_(args):
    import runpy

    sys.path.insert(0, str(Path(__file__).parent))
    if args[0] != "-":
        ce._paces_before = _guarded(args[0])
    sys.argv = [str(Path(__file__).parent / args[1]), *args[2:]]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    {"paces": paces, "synth": synth, "with": with_}[sys.argv[1]](sys.argv[2:])
