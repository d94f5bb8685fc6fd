"""Per session: each true loss (production), the slow phase (queue) start against it, the
clock's found losses by finder (unseen_gap_losses / envelope_losses) with their spread,
the envelope edges, and the clock error at spoken words. Diagnosis only (truth read)."""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from ndmiss import _error_curve, _median_in

import silkpipe.clock_envelope as ce
import silkpipe.watch_clock as wc
from silkpipe.sessions import read_sensor_csv

for d in sys.argv[1:]:
    sess = Path(d)
    truth, tm, prod, err = _error_curve(sess)
    dl = truth["delivery"]
    stalls = json.loads(dl["stalls"]) if isinstance(dl["stalls"], str) else dl["stalls"]
    slow = dl.get("slow_phases", [])
    spoken = [g for g in truth["gestures"] if g["spoken"]]
    at = [(g["start"], _median_in(prod, err, g["start"], g["end"])) for g in spoken]
    at = [(round(s, 1), round(x, 2)) for s, x in at if np.isfinite(x)]
    print(
        f"## {sess.name[4:10]} kind {tm['kind']} src {tm['rate_source']} rate {tm['rows_per_s']} "
        f"unc {tm['rate_uncertainty']} loss_unc {tm['loss_uncertainty_s']} losses {tm['losses']}"
    )
    print(f"   slow phases {slow} arrived_until {dl.get('arrived_until_s')}")
    for a, b in dl.get("losses", []):
        near = [s for s in stalls if a - 3 <= s[0] <= b + 3]
        q = [round(a - s0, 2) for s0, _e, _r in slow]
        print(
            f"   true loss {a:.2f}-{b:.2f} ({b - a:.2f}) queue began {q} s before; stalls near {near}"
        )
    print(f"   words (prod start, clock err): {at}")
    # finders by hand
    s = read_sensor_csv(sess / "sensor_data.csv", session=sess.name)
    import csv

    t = np.array([float(r["timestamp"]) for r in csv.DictReader(open(sess / "sensor_data.csv"))])
    cfg = wc.ClockConfig()
    n0 = wc.stale_burst_rows(t, cfg)
    est = ce.envelope_rate(t, n0, cfg, None)
    if est is not None:
        print(
            f"   edges {est.edges} cuts(arrival) "
            f"{[round(float(t[n0 + c - 1]), 2) for c in ce.envelope_cuts(t[n0:], cfg)]}"
        )
    tt = t[n0:]
    gaps = np.flatnonzero(np.diff(tt) > cfg.gap_s) + 1
    big = [
        (round(float(tt[g - 1]), 2), round(float(tt[g] - tt[g - 1]), 2))
        for g in gaps
        if tt[g] - tt[g - 1] > 1.0
    ]
    print(f"   arrival gaps > 1 s (at, len): {big}")
