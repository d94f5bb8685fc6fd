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
for kw in ({}, {"min_steady_s": 0.3}, {"gap_s": 0.7}, {"gap_s": 0.7, "min_steady_s": 0.3}):
    _, losses = wc._insert_losses(t, n0, cfg.rate, replace(cfg, **kw))
    print(kw, losses)
