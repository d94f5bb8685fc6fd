"""Diagnosis helper of bench/notes/diag44.txt (not shipped); run from the repo root."""

import csv
import sys
from dataclasses import replace

import numpy as np

import silkpipe.watch_clock as wc

p = sys.argv[1]
t = np.array([float(r["timestamp"]) for r in csv.DictReader(open(p + "/sensor_data.csv"))])
cfg = wc.ClockConfig()
n0 = wc.stale_burst_rows(t, cfg)
est = wc.envelope_rate(t, n0, cfg, None)
print(
    "n0",
    n0,
    "envelope",
    None if est is None else (est.rate, est.uncertainty, est.disagreement, len(est.rows), est.rows),
)
print("measured", wc.measured_rate(t, n0, cfg))
rate = cfg.rate
gaps = np.flatnonzero(np.diff(t[n0:]) > cfg.gap_s) + n0
for g, nxt in zip(gaps, np.append(gaps[1:], len(t) - 1)[: len(gaps)], strict=True):
    rows = min(g + 1 + int(cfg.steady_window_s * rate), nxt + 1) - (g + 1)
    print(
        f"gap at {t[g]:.2f} len {t[g + 1] - t[g]:.2f} rows until next gap {rows} ({rows / rate:.2f} s) next gap at {t[nxt]:.2f}"
    )
for m in (1.0, 0.3):
    _, mod = wc.rebuild_clock(t, cfg=replace(cfg, min_steady_s=m))
    print("min_steady_s", m, mod.kind, mod.rate_source, mod.losses)
