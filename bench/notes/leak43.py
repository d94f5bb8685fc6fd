"""Offline counts over run-level rows files (nd40.py collect) for bench/notes/leak43.txt
(issue 24, helper leak43). Not shipped.

    python bench/notes/leak43.py unchecked ROWS.json...
        # sessions whose final row passes on energy alone below the lifted sure level with
        # no fixed class model behind it (a weak energy pass no other sessions' model
        # checked), and controls passed that way with no model
    python bench/notes/leak43.py scaled ROWS.json...
        # passes where the clock rate was fitted and the scale taken is not 1
"""

import json
import sys

SURE = 10.0  # sure_quality with the class-channel lift, as the gate applies it
RIGHT_S, WRONG_S = 0.3, 0.5


def _verdict(err):
    if abs(err) <= RIGHT_S:
        return "right"
    return "between" if abs(err) <= WRONG_S else "FALSE"


def unchecked(paths):
    for path in paths:
        print(path)
        for _run, v in json.loads(open(path).read()).items():
            for n, rs in v["sessions"].items():
                r = rs[-1]
                weak = r["gate"] == "energy" and r.get("quality", SURE) < SURE
                if not r["excluded"] and weak and r.get("cls_model") not in ("sessions", "clips"):
                    print(
                        f"   S {n[4:10]} err {r['err']:+.2f} q {r['quality']:.2f} "
                        f"cls_testable {r['cls_testable']} {_verdict(r['err'])}"
                    )
            for n, rs in v["controls"].items():
                for r in rs:
                    weak = r["gate"] == "energy" and r.get("quality", SURE) < SURE
                    if not r["excluded"] and weak and r.get("model") is None:
                        print(f"   C {n[4:10]} {r['kind']} err {r['err']} q {r['quality']:.2f}")


def scaled(paths):
    for path in paths:
        print(path)
        for _run, v in json.loads(open(path).read()).items():
            for n, rs in v["sessions"].items():
                r = rs[-1]
                if not r["excluded"] and r.get("rate_fitted") and r.get("scale") != 1.0:
                    print(
                        f"   {n[4:10]} [{r['gate']}] scale {r.get('scale')} err {r['err']:+.2f} "
                        f"rate_edge {r.get('rate_edge')} {_verdict(r['err'])}"
                    )


if __name__ == "__main__":
    {"unchecked": unchecked, "scaled": scaled}[sys.argv[1]](sys.argv[2:])
