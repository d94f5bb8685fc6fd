# ruff: noqa: UP031
"""Arrival-gap statistics of delivery.deliver (30 seeds x 240 s). Not shipped."""

import numpy as np

from silkpipe.delivery import deliver

allL = []
per = []
share = []
iv = []
for seed in range(30):
    rng = np.random.default_rng(seed)
    watch = np.sort(np.arange(0, 240, 1 / 148.5) + rng.normal(0, 0.0005, int(240 * 148.5)))
    d = deliver(watch, rng)
    t = d.arrival[d.stale_rows :]
    dt = np.diff(t)
    g = np.flatnonzero(dt > 0.5)
    if len(g) > 20:
        per.append(len(g) / (t[-1] - t[0]) * 100)
        share.append(dt[g].sum() / (t[-1] - t[0]))
        allL += list(dt[g])
        iv += list(np.diff(t[g]))
    # production truth: stalls lose nothing
    kept = d.kept[d.stale_rows :]
print(
    "gaps per 100 s: median {:.1f} p10 {:.1f} p90 {:.1f}".format(
        *tuple(np.percentile(per, [50, 10, 90]))
    )
)
print("pause share: median {:.3f} p90 {:.3f}".format(*tuple(np.percentile(share, [50, 90]))))
print(
    f"gap len: median {np.median(allL):.2f} p90 {np.percentile(allL, 90):.2f} max {max(allL):.2f}"
)
print(
    "interval: median {:.2f} p10 {:.2f} p90 {:.2f}".format(*tuple(np.percentile(iv, [50, 10, 90])))
)
