# ruff: noqa: UP031
"""Envelope rate with delays spanned vs every gap cut, on deliver with and without stalls
(issue 24, helper st; bench/notes/arrival_stalls.txt). Not shipped. Run from the repo root."""

import sys

import numpy as np

sys.path.insert(0, "tests")
from test_clock_rate import produced_rows

import silkpipe.clock_envelope as wc
from silkpipe.delivery import deliver
from silkpipe.watch_clock import ClockConfig

cfg = ClockConfig()
orig = wc.envelope_cuts


def allcuts(t, cfg, pairs=None, n0=0):
    return np.flatnonzero(np.diff(t) > cfg.gap_s) + 1


for mode in ("bridge", "cut_all"):
    wc.envelope_cuts = orig if mode == "bridge" else allcuts
    for stalls in (True, False):
        res = []
        for kind in ("realtime", "drains", "never_drains"):
            for rate in (147.2, 149.6):
                for seed in range(6):
                    rng = np.random.default_rng(seed)
                    d = deliver(
                        produced_rows(rate, 150.0, rng), rng, kind, rate=148.5, stalls=stalls
                    )
                    est = wc.envelope_rate(d.arrival, d.stale_rows, cfg)
                    if est is None:
                        res.append((0, np.nan, np.nan))
                        continue
                    res.append(
                        (
                            est.uncertainty <= cfg.max_rate_uncertainty,
                            abs(est.rate / rate - 1),
                            abs(est.rate / rate - 1) / est.uncertainty,
                        )
                    )
        r = np.array(res, float)
        print(
            mode,
            "stalls" if stalls else "plain",
            "n",
            len(r),
            "found",
            np.sum(~np.isnan(r[:, 1])),
            "usable",
            int(np.nansum(r[:, 0])),
            f"err med {np.nanmedian(r[:, 1]) * 100:.4f}% max {np.nanmax(r[:, 1]) * 100:.4f}%",
            f"max err/bound {np.nanmax(r[:, 2]):.2f}",
        )
