"""Issue 22, stop 50 (helper day50b): the 2025-10-14 recorder's arrival gaps.

``gaps``: the gap between consecutive rows of one sensor on arrival seconds (the parser
before sample_clock), pooled over all 2025-10-14 sample files and sensors: percentiles,
the quantile table silkpipe.bursty_clock holds (in 20 ms watch periods), and the lag
(arrival - the count clock) of the data against that of i.i.d. draws from the table.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 nice python bench/notes/day50b.py gaps

It runs on branch day50b, where silkpipe.sample_clock lives (not on main: its imports are
sorted as ruff sorts them here, where that module is unknown).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from unittest import mock

import numpy as np
from silkpipe.sample_clock import count_clock

from silkpipe import clips
from silkpipe.clips import read_sample_clip
from silkpipe.errors import InputError

DAY = Path("/work/shared/data/clips-20251014")
SHOWN = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9]
TABLE = [*(i * 2.5 for i in range(40)), 99.0, 99.5, 99.9]


def arrival_streams() -> list[np.ndarray]:
    """Each sample file's sensors' arrival seconds (rows of 10 or more)."""
    out = []
    with mock.patch.object(clips, "watch_times", lambda times: times):
        for path in sorted(DAY.glob("*_sample*.csv")):
            try:
                _, raw = read_sample_clip(path)
            except InputError:
                continue
            out += [np.asarray(t, float) for t in raw.times.values() if len(t) >= 10]
    return out


def gaps() -> None:
    streams = arrival_streams()
    g = np.concatenate([np.diff(t) for t in streams]) * 1000
    lag = np.concatenate([t - count_clock(t) for t in streams]) * 1000
    print(f"{len(g)} gaps, mean {g.mean():.1f} ms")
    print("gap ms  ", dict(zip(SHOWN, np.percentile(g, SHOWN).round(1), strict=True)))
    table = np.percentile(g, TABLE) / 20.0
    print("table (periods)", table.round(4).tolist())
    rng = np.random.default_rng(0)
    drawn = []
    for _ in range(400):
        a = np.cumsum(np.interp(rng.random(150) * 0.999, np.array(TABLE) / 100, table)) / 50
        drawn.append(a - count_clock(a))
    sim = np.concatenate(drawn) * 1000
    print("lag ms data ", np.percentile(lag, [10, 50, 90]).round(0))
    print("lag ms drawn", np.percentile(sim, [10, 50, 90]).round(0))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["gaps"])
    parser.parse_args()
    gaps()
