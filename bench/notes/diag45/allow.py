"""diag45 (not shipped): passes on energy under the lifted min_quality (6.0) in run rows:
quality, verdict, and whether a fixed class model (lag_margin) was there."""

import glob
import json
import sys

RIGHT, WRONG = 0.3, 0.5


def rows(d):
    for run, v in d.items():
        if not isinstance(v, dict) or "sessions" not in v:
            continue
        for n, rs in v["sessions"].items():
            if isinstance(rs, list) and rs and isinstance(rs[-1], dict):
                yield run, n, "session", rs[-1]
        for n, rs in v.get("controls", {}).items():
            for r in rs if isinstance(rs, list) else []:
                if isinstance(r, dict) and "kind" in r:
                    yield run, n, r["kind"], r


def verdict(k, e):
    ok = e is not None and abs(e) <= RIGHT
    if k == "session":
        return "right" if ok else ("FALSE" if e is None or abs(e) > WRONG else "between")
    return "corr" if ok and k != "shuffled" else "CTL-PASS"


for f in sorted(glob.glob(sys.argv[1] if len(sys.argv) > 1 else "/tmp/h44/*.json")):
    try:
        d = json.load(open(f))
    except Exception:
        continue
    out = []
    for run, n, k, r in rows(d):
        if r.get("excluded") or r.get("gate") != "energy" or r.get("quality") is None:
            continue
        if r["quality"] >= 6.0:
            continue
        e = r.get("err")
        out.append(
            (
                round(r["quality"], 2),
                verdict(k, e),
                k,
                run,
                n[4:11],
                e and round(e, 2),
                r.get("lag_margin"),
            )
        )
    if out:
        print(f.split("/")[-1])
        for o in sorted(out):
            print("   ", o)
