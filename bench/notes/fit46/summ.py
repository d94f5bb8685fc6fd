"""fit46 census summary: python summ.py /tmp/fit46/census.json (fit46.txt section 1)."""

import collections
import json
import sys

import numpy as np

rows = json.load(open(sys.argv[1]))
pk = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else {}


def right(r):
    return r["clock"] and max(abs(c) for c in r["clock"]) <= 0.25


R = [r for r in rows if right(r) and r["err"] is not None]
print("sessions", len(rows), "right clock", len(R))


def pct(v):
    return np.percentile(v, [5, 25, 50, 75, 95]).round(2).tolist() if len(v) else []


for dl in ("never_drains", "drains"):
    S = [r for r in R if r["delivery"] == dl]
    fe = np.array([r["err"] - np.median(r["clock"]) for r in S])
    e = np.array([r["err"] for r in S])
    print(
        f"{dl}: n {len(S)} within0.3 {np.sum(abs(e) <= 0.3)} | fit err (err - clock) pct5/25/50/75/95 {pct(fe)}"
    )
    near = fe[abs(fe) < 1.0]
    print(
        f"   |fe|<1: n {len(near)} mean {near.mean():+.3f} median {np.median(near):+.3f} sd {near.std():.3f}; in 0.25-0.5: {np.sum((abs(e) > 0.25) & (abs(e) <= 0.5))} ; >0.3 & <1 {np.sum((abs(e) > 0.3) & (abs(fe) < 1))}"
    )
    print(
        "   bins |err|:",
        collections.Counter(np.digitize(abs(e), [0.1, 0.2, 0.3, 0.4, 0.5, 1.0, 3.0]).tolist()),
    )
# by event words count (leads length)
print("by event words on stream (|fe|<1):")
for lo, hi in ((0, 4), (4, 7), (7, 10), (10, 99)):
    S = [r for r in R if lo <= len(r["leads"]) < hi]
    fe = np.array([r["err"] - np.median(r["clock"]) for r in S])
    n = fe[abs(fe) < 1]
    print(
        f"  {lo}-{hi}: n {len(S)} within0.3 {np.sum(abs(np.array([r['err'] for r in S])) <= 0.3)} near(<1) {len(n)} mean {n.mean() if len(n) else 0:+.3f} sd {n.std() if len(n) else 0:.3f} 0.3-1 off {np.sum(abs(n) > 0.3)}"
    )
print("by route (passed gate / refused gate), |fe|<1:")
g = collections.defaultdict(list)
for r in R:
    g[("PASS " if not r["excluded"] else "ref ") + r["gate"][:28]].append(
        r["err"] - np.median(r["clock"])
    )
for k, v in sorted(g.items(), key=lambda x: -len(x[1])):
    v = np.array(v)
    n = v[abs(v) < 1]
    print(
        f"  {k:34s} n {len(v):3d} near {len(n):3d} mean {n.mean() if len(n) else 0:+.3f} sd {n.std() if len(n) else 0:.3f} 0.3-1 {np.sum(abs(n) > 0.3)} >1 {np.sum(abs(v) >= 1)}"
    )
# oracle: lead
lo = []
for r in R:
    leads = [x[0] for x in r["leads"]]
    if leads:
        lo.append((np.mean(leads) - 0.3, r["err"] - np.median(r["clock"]), r))
a = np.array([x[0] for x in lo])
b = np.array([x[1] for x in lo])
m = abs(b) < 1
print(
    f"peak lead oracle (mean peak-word - 0.3): mean {a.mean():+.3f} sd {a.std():.3f}; corr with fe (|fe|<1) {np.corrcoef(a[m], b[m])[0, 1]:.2f}; fe - oracle mean {np.mean(b[m] - a[m]):+.3f} sd {np.std(b[m] - a[m]):.3f}"
)
bycls = collections.defaultdict(list)
for r in R:
    for v, c in r["leads"]:
        bycls[c].append(v)
for c, v in bycls.items():
    print(
        f"  lead {c}: n {len(v)} median {np.median(v):.3f} mean {np.mean(v):.3f} sd {np.std(v):.3f}"
    )
