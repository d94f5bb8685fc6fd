"""fit46 local-peak spread by search (energy / class channels / per class), right clocks, DEV and
739-762 apart; reads /tmp/fit46/{census,peaks}.json (fit46.txt section 1)."""

import collections
import json

import numpy as np

rows = json.load(open("/tmp/fit46/census.json"))
pk = json.load(open("/tmp/fit46/peaks.json"))
D = collections.defaultdict(list)
for r in rows:
    if not r["clock"] or max(abs(c) for c in r["clock"]) > 0.25:
        continue
    key = f"/tmp/h44/{r['set']}/{r['delivery']}/{r['run']}/{r['name']}"
    if key not in pk:
        continue
    p = pk[key]
    c = float(np.median(r["clock"]))
    dev = r["set"] != "fresh45c"
    for k in ("energy", "chan", "jump", "jump_e", "turn", "turn_e", "punch", "punch_e"):
        if k in p:
            D[(dev, k)].append(p[k] - c)
    if r["err"] is not None and abs(r["err"] - c) < 1:
        D[(dev, "final")].append(r["err"] - c)
for dev in (True, False):
    print("DEV" if dev else "CHECK 739-762")
    for k in ("final", "energy", "chan", "jump", "jump_e", "turn", "turn_e", "punch", "punch_e"):
        v = np.array(D[(dev, k)])
        print(
            f"  {k:8s} n {len(v):4d} mean {v.mean():+.3f} median {np.median(v):+.3f} sd {v.std():.3f} |x|>0.3: {np.sum(abs(v) > 0.3)} ({np.mean(abs(v) > 0.3):.3f}) mean|x| {np.mean(abs(v)):.3f}"
        )
