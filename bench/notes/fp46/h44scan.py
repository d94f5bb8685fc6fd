"""Counts of two gate rules on run-level rows (nd40 harness files): fp46 helper. Not shipped.

python bench/notes/fp46/h44scan.py ROWS.json...
"""

import json
import sys


def final(x):
    return x[-1] if isinstance(x, list) else x


for f in sys.argv[1:]:
    d = json.load(open(f))
    A = {"right": 0, "wrong": 0}
    D = {"right": 0, "wrong": 0}
    P = {"right": 0, "wrong": 0}
    moved = {"right": 0, "wrong": 0}
    cA = cD = cP = 0
    ctl_n = 0
    sc_m = []
    ex = []
    for _run, data in d.items():
        for name, rs in data["sessions"].items():
            r = final(rs)
            if r["excluded"] or r["err"] is None:
                continue
            k = "right" if abs(r["err"]) <= 0.5 else "wrong"
            P[k] += 1
            fixed = r.get("cls_model") in ("sessions", "clips")
            m = r.get("lag_margin")
            if fixed and r.get("moved"):
                moved[k] += 1
            if fixed and r.get("moved") and m is not None and m < 0 and r["quality"] < 10:
                A[k] += 1
                ex.append(("A", name, round(r["err"], 2), m, r["gate"]))
            if r["gate"] == "session classes" and m is not None and 0 <= m < 1:
                D[k] += 1
                sc_m.append(m)
                ex.append(("D", name, round(r["err"], 2), m))
        for name, rows in data.get("controls", {}).items():
            for r in rows:
                if r.get("kind") not in ("period", "far"):
                    continue
                ctl_n += 1
                if r["excluded"]:
                    continue
                cP += r.get("outcome") == "false pass"
                m = r.get("lag_margin")
                if r.get("moved") and m is not None and m < 0 and r["quality"] < 10:
                    cA += 1
                if r["gate"] == "session classes" and m is not None and 0 <= m < 1:
                    cD += 1
                    ex.append(("ctlD", name, r["kind"], round(r["err"], 2), m))
    print(
        f.split("/")[-1],
        "passes",
        P,
        "moved fixed",
        moved,
        "ruleA",
        A,
        "ruleD",
        D,
        "| shifted controls",
        ctl_n,
        "passed",
        cP,
        "ruleA",
        cA,
        "ruleD",
        cD,
    )
    for e in ex:
        print("   ", e)
