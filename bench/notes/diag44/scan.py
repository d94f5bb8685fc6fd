"""DEV clock scan: the default-rate path's loss finding at main vs two relaxations of the
'count across' rule (inside _insert_losses only). Clock error at spoken words, truth used."""

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, "bench/notes")
from ndmiss import _error_curve, _median_in

import silkpipe.watch_clock as wc

ORIG = wc._insert_losses
VAR = {"main": {}, "steady0.3": {"min_steady_s": 0.3}, "gap0.7": {"gap_s": 0.7}}


def run(sess, kw):
    wc._insert_losses = lambda a, n0, r, cfg: ORIG(a, n0, r, replace(cfg, **kw))
    truth, tm, prod, err = _error_curve(sess)
    at = [_median_in(prod, err, g["start"], g["end"]) for g in truth["gestures"] if g["spoken"]]
    at = np.array([x for x in at if np.isfinite(x)])
    return tm["rate_source"], tm["losses"], at


n = 0
for d in sys.argv[1:]:
    for s in sorted(Path(d).glob("*/truth.json")):
        res = {v: run(s.parent, kw) for v, kw in VAR.items()}
        n += 1
        src, l0, a0 = res["main"]
        moved = any(r[1] != l0 for r in res.values())
        if moved or src != "envelope":

            def f(a):
                return f"med {np.median(a) if len(a) else 0:+.2f} med|e| {np.median(abs(a - np.median(a))) if len(a) else 0:.2f} spread {a.max() - a.min() if len(a) else 0:.2f} >0.5:{int((abs(a - np.median(a)) > 0.5).sum()) if len(a) else 0}"

            print(
                f"{'MOVED' if moved else 'same '} {s.parent.name[4:11]} {d.split('/')[-2][:6]} src {src} true {json.loads(s.read_text())['delivery'].get('losses')} | "
                + " | ".join(f"{v}: {r[1]} {f(r[2])}" for v, r in res.items()),
                flush=True,
            )
print("sessions scanned", n)
