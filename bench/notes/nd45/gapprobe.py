"""At each arrival gap > MIN s after the envelope's last edge: the rotation test
(_gap_jumps, turn excess there and the largest nearby), _sized_lag and _gap_lag.
Diagnosis only: captures rebuild_clock's arrival and rotation pairs."""

import sys
from pathlib import Path

import numpy as np

import silkpipe.clock_envelope as ce
import silkpipe.sessions as ss
import silkpipe.watch_clock as wc
from silkpipe.sessions import read_sensor_csv

CAP = {}
ORIG = wc.rebuild_clock


def hook(arrival, watch=None, cfg=None, spacing=None, pairs=None):
    CAP["a"], CAP["p"] = np.asarray(arrival, float), pairs
    return ORIG(arrival, watch, cfg, spacing, pairs)


ss.rebuild_clock = hook
MIN = 1.0
for d in sys.argv[1:]:
    sess = Path(d)
    s = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
    a, p = CAP["a"], CAP["p"]
    cfg = wc.ClockConfig()
    n0 = wc.stale_burst_rows(a, cfg)
    est = ce.envelope_rate(a, n0, cfg, p)
    t = a[n0:]
    print(
        f"## {sess.name[4:10]} losses {s.time_model['losses']} edges {est.edges if est else None}"
    )
    for g in np.flatnonzero(np.diff(t) > MIN) + 1:
        row = n0 + int(g)
        j = int(np.searchsorted(p.turn_row, row))
        ex = float(p.turn_excess[j]) if j < len(p.turn_row) else float("nan")
        k = cfg.still_turn_pairs
        near = np.abs(np.r_[p.turn_excess[max(j - k, 0) : j], p.turn_excess[j + 1 : j + 1 + k]])
        found = np.zeros(len(t))
        lag, spread, _kind = ce._sized_lag(t, int(g), est.rate, cfg, found)
        print(
            f"  gap at {t[g - 1]:.2f} len {t[g] - t[g - 1]:.2f}: jumps {ce._gap_jumps(p, row, cfg)} "
            f"excess {ex:.4f} near max {near.max():.4f} sized {lag:.2f}+-{spread:.2f} "
            f"gap_lag {ce._gap_lag(t, int(g), est.rate, cfg):.2f} "
            f"floor_lag {ce._floor_lag(t, int(g), est.rate, cfg, found)} "
            f"lat before {t[g - 1] - (g - 1) / est.rate - (t[0]):.2f}"
        )
